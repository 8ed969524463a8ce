// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach/hook.h"
#include "attach/tc_filters.h"
#include "fault.h"

/* The name the kernel knows SEC("tc") wgsf_tc by. */
#define TC_PROG_NAME "wgsf_tc"

const char *hook_mech_name(uint32_t mech)
{
	switch (mech) {
	case MECH_TCX:
		return "tcx";
	case MECH_CLSACT:
		return "clsact";
	default:
		return "none";
	}
}

static int record(const struct hook_recorder *rec, const struct wgsf_attachment *st)
{
	return rec ? rec->record(rec->ctx, st) : 0;
}

void hook_path(const char *dir, const char *name, char path[HOOK_PATH_MAX])
{
	snprintf(path, HOOK_PATH_MAX, "%s/%s", dir, name);
}

static void link_path(const char *dir, char path[HOOK_PATH_MAX])
{
	hook_path(dir, "link", path);
}

static int link_attach(int prog_fd, uint32_t ifindex, enum bpf_attach_type type, uint32_t flags,
		       const char *dir)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	char path[HOOK_PATH_MAX];
	int fd, err = 0;

	fd = bpf_link_create(prog_fd, ifindex, type, &opts);
	if (fd < 0)
		return -errno;
	link_path(dir, path);
	unlink(path);
	fault_point("pin a link");
	if (bpf_obj_pin(fd, path))
		err = -errno;
	close(fd); /* on error this detaches it again */
	return err;
}

/* -ENOENT when our link is gone: unpinned, or detached from the device. */
static int link_replace(int prog_fd, const char *dir)
{
	char path[HOOK_PATH_MAX];
	int fd, err = 0;

	link_path(dir, path);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	fault_point("replace a link's program");
	if (bpf_link_update(fd, prog_fd, NULL))
		err = errno == ENOLINK ? -ENOENT : -errno;
	close(fd);
	return err;
}

/*
 * 1 when the filter at st's priority and handle is still ours, 0 when it is
 * gone. Someone may have deleted ours, and another cls_bpf filter may have
 * got the same numbers since: it is ours only if it runs our program.
 */
static int clsact_ours(const struct wgsf_attachment *st)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = st->tc_handle, .priority = st->tc_prio);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd, err = bpf_tc_query(&hook, &opts);

	/* EINVAL: no clsact qdisc, or another kind of filter at that priority */
	if (err == -ENOENT || err == -EINVAL || err == -ENODEV)
		return 0;
	if (err)
		return err;
	fd = bpf_prog_get_fd_by_id(opts.prog_id);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : !strcmp(info.name, TC_PROG_NAME);
	close(fd);
	return err;
}

static int clsact_replace(int prog_fd, const struct wgsf_attachment *st)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = st->tc_handle,
		    .priority = st->tc_prio, .flags = BPF_TC_F_REPLACE);
	int ours = clsact_ours(st);

	if (ours <= 0)
		return ours ?: -ENOENT;
	fault_point("replace a filter's program");
	return bpf_tc_attach(&hook, &opts);
}

/* The priority the kernel would give a new filter, ahead of the others:
 * one below the first, or 0xC000 when there is none. */
static int free_prio(uint32_t ifindex, uint32_t *prio)
{
	struct tc_filters fs;
	uint32_t lo = 0x10000, hi = 0;
	size_t i;
	int err = tc_filters_read(ifindex, false, &fs);

	if (err)
		return err;
	for (i = 0; i < fs.n; i++) {
		lo = fs.v[i].prio < lo ? fs.v[i].prio : lo;
		hi = fs.v[i].prio > hi ? fs.v[i].prio : hi;
	}
	free(fs.v);
	*prio = !fs.n ? 0xC000 : lo > 1 ? lo - 1 : hi + 1;
	return *prio <= 0xFFFF ? 0 : -ENOSPC;
}

static int clsact_attach(int prog_fd, struct wgsf_attachment *st, const struct hook_recorder *rec)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = 1);
	int err = bpf_tc_hook_create(&hook);
	bool created = !err;

	if (err && err != -EEXIST)
		return err;
	err = free_prio(st->ifindex, &opts.priority);
	if (!err) {
		st->mech = MECH_CLSACT;
		st->tc_handle = opts.handle;
		st->tc_prio = opts.priority;
		/* a qdisc we added earlier, which outlived our filter, is still ours */
		st->created_qdisc = st->created_qdisc || created;
		err = record(rec, st) ?: bpf_tc_attach(&hook, &opts);
	}
	if (err && created)
		bpf_tc_hook_destroy(&hook);
	return err;
}

/* Errors that say "this kernel has no tcx", as opposed to a real failure. */
static bool no_tcx(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -524 /* ENOTSUPP */;
}

static int attach_new(int prog_fd, enum hook_mech force, const char *dir,
		      struct wgsf_attachment *st, const struct hook_recorder *rec)
{
	int err;

	st->kind = HOOK_TC;
	if (force != MECH_CLSACT) {
		st->mech = MECH_TCX;
		err = record(rec, st) ?: link_attach(prog_fd, st->ifindex, WGSF_TCX_INGRESS, 0, dir);
		if (err && no_tcx(err))
			err = clsact_attach(prog_fd, st, rec);
	} else {
		err = clsact_attach(prog_fd, st, rec);
	}
	if (err)
		st->mech = MECH_NONE;
	return err;
}

int hook_attach_recorded(int prog_fd, enum hook_mech force, const char *dir,
			 struct wgsf_attachment *st, const struct hook_recorder *rec)
{
	int err;

	if (!st->mech || st->kind != HOOK_TC)
		return attach_new(prog_fd, force, dir, st, rec);
	err = st->mech == MECH_CLSACT ? clsact_replace(prog_fd, st) : link_replace(prog_fd, dir);
	if (err != -ENOENT)
		return err;
	/* Ours was removed behind our back: nothing runs now, so attach anew,
	 * by the same mechanism. */
	return attach_new(prog_fd, st->mech, dir, st, rec);
}

int hook_attach(int prog_fd, enum hook_mech force, const char *dir, struct wgsf_attachment *st)
{
	return hook_attach_recorded(prog_fd, force, dir, st, NULL);
}

static void prog_path(const char *dir, char path[HOOK_PATH_MAX])
{
	hook_path(dir, "prog", path);
}

int hook_pin(const char *dir, int prog_fd, const char *link_from)
{
	char path[HOOK_PATH_MAX];
	int fd, err = 0;

	prog_path(dir, path);
	fault_point("pin the program");
	if (bpf_obj_pin(prog_fd, path))
		return -errno;
	if (!link_from)
		return 0;
	link_path(link_from, path);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	link_path(dir, path);
	fault_point("pin the link again");
	if (bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	return err;
}

static int clsact_detach(const struct wgsf_attachment *st)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = st->tc_handle, .priority = st->tc_prio);
	struct tc_filters fs;
	int err = clsact_ours(st);

	if (err > 0)
		err = bpf_tc_detach(&hook, &opts);
	/* ENOENT: deleted since we looked */
	if (err < 0 && err != -ENOENT)
		return err;
	if (st->created_qdisc && !tc_filters_read(st->ifindex, true, &fs)) {
		if (!fs.n) {
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
		free(fs.v);
	}
	return 0;
}

int hook_detach(const char *dir, const struct wgsf_attachment *st)
{
	char path[HOOK_PATH_MAX];
	int fd;

	if (st->mech == MECH_CLSACT)
		return clsact_detach(st);
	link_path(dir, path);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* detach now, even if someone else holds the link open */
	fault_point("detach a link");
	bpf_link_detach(fd);
	close(fd);
	return unlink(path) && errno != ENOENT ? -errno : 0;
}
