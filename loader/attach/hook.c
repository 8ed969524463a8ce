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
#include "attach/hook_side.h"
#include "attach/tc_filters.h"
#include "fault.h"
#include "wgsf.skel.h"

/* Each side's fault points (fault.h), the egress's named apart. */
#define SIDE_FAULTS(side)                                            \
	.fault_pin_link = side "pin a link",                         \
	.fault_replace_link = side "replace a link's program",       \
	.fault_replace_filter = side "replace a filter's program",   \
	.fault_repin_link = side "pin the link again",               \
	.fault_pin_prog = side "pin the program",                    \
	.fault_detach_link = side "detach a link"

const struct hook_side hook_side[WGSF_SIDES] = {
	[WGSF_INGRESS] = { .prog_name = "wgsf_tc", .prog_pin = "prog", .link_pin = "link",
			   .tcx_type = WGSF_TCX_INGRESS, .tc_point = BPF_TC_INGRESS,
			   SIDE_FAULTS("") },
	[WGSF_EGRESS] = { .prog_name = "wgsf_egress", .prog_pin = "egress_prog",
			  .link_pin = "egress_link", .tcx_type = WGSF_TCX_EGRESS,
			  .tc_point = BPF_TC_EGRESS, SIDE_FAULTS("egress: ") },
};

void hook_prog_path(const char *dir, enum wgsf_side side, char path[HOOK_PATH_MAX])
{
	snprintf(path, HOOK_PATH_MAX, "%s/%s", dir, hook_side[side].prog_pin);
}

void hook_link_path(const char *dir, enum wgsf_side side, char path[HOOK_PATH_MAX])
{
	snprintf(path, HOOK_PATH_MAX, "%s/%s", dir, hook_side[side].link_pin);
}

struct hook_progs hook_progs_of(const struct wgsf *skel)
{
	return (struct hook_progs){ { [WGSF_INGRESS] = bpf_program__fd(skel->progs.wgsf_tc),
				      [WGSF_EGRESS] = bpf_program__fd(skel->progs.wgsf_egress) } };
}

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

static int link_attach(int prog_fd, const struct wgsf_attachment *st, enum wgsf_side side,
		       const char *dir)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts);
	char path[HOOK_PATH_MAX];
	int fd, err = 0;

	fd = bpf_link_create(prog_fd, st->ifindex, hook_side[side].tcx_type, &opts);
	if (fd < 0)
		return -errno;
	hook_link_path(dir, side, path);
	unlink(path);
	fault_point(hook_side[side].fault_pin_link);
	if (bpf_obj_pin(fd, path))
		err = -errno;
	close(fd); /* on error this detaches it again */
	return err;
}

/* -ENOENT when our link is gone: unpinned, or detached from the device. */
static int link_replace(int prog_fd, const char *dir, enum wgsf_side side)
{
	char path[HOOK_PATH_MAX];
	int fd, err = 0;

	hook_link_path(dir, side, path);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	fault_point(hook_side[side].fault_replace_link);
	if (bpf_link_update(fd, prog_fd, NULL))
		err = errno == ENOLINK ? -ENOENT : -errno;
	close(fd);
	return err;
}

/*
 * 1 when the filter st records on side is still ours, 0 when it is gone.
 * Someone may have deleted ours, and another cls_bpf filter may have got
 * the same numbers since: it is ours only if it runs our program.
 */
static int clsact_ours(const struct wgsf_attachment *st, enum wgsf_side side)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex,
		    .attach_point = hook_side[side].tc_point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = st->filter[side].handle,
		    .priority = st->filter[side].prio);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd, err;

	if (!st->filter[side].prio)
		return 0; /* not made yet */
	err = bpf_tc_query(&hook, &opts);
	/* EINVAL: no clsact qdisc, or another kind of filter at that priority */
	if (err == -ENOENT || err == -EINVAL || err == -ENODEV)
		return 0;
	if (err)
		return err;
	fd = bpf_prog_get_fd_by_id(opts.prog_id);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno
						      : !strcmp(info.name, hook_side[side].prog_name);
	close(fd);
	return err;
}

static int clsact_replace(int prog_fd, const struct wgsf_attachment *st, enum wgsf_side side)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex,
		    .attach_point = hook_side[side].tc_point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = st->filter[side].handle,
		    .priority = st->filter[side].prio, .flags = BPF_TC_F_REPLACE);
	int ours = clsact_ours(st, side);

	if (ours <= 0)
		return ours ?: -ENOENT;
	fault_point(hook_side[side].fault_replace_filter);
	return bpf_tc_attach(&hook, &opts);
}

/* The priority the kernel would give a new filter on side, ahead of the
 * others: one below the first, or 0xC000 when there is none. */
static int free_prio(uint32_t ifindex, enum wgsf_side side, uint32_t *prio)
{
	struct tc_filters fs;
	uint32_t lo = 0x10000, hi = 0;
	size_t i, n = 0;
	int err = tc_filters_read(ifindex, side == WGSF_EGRESS, &fs);

	if (err)
		return err;
	for (i = 0; i < fs.n; i++) {
		if (fs.v[i].egress != (side == WGSF_EGRESS))
			continue;
		lo = fs.v[i].prio < lo ? fs.v[i].prio : lo;
		hi = fs.v[i].prio > hi ? fs.v[i].prio : hi;
		n++;
	}
	free(fs.v);
	*prio = !n ? 0xC000 : lo > 1 ? lo - 1 : hi + 1;
	return *prio <= 0xFFFF ? 0 : -ENOSPC;
}

static int clsact_attach(int prog_fd, struct wgsf_attachment *st, enum wgsf_side side,
			 const struct hook_recorder *rec)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex,
		    .attach_point = hook_side[side].tc_point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = 1);
	/* one clsact qdisc holds both sides */
	int err = bpf_tc_hook_create(&hook);
	bool created = !err;

	if (err && err != -EEXIST)
		return err;
	err = free_prio(st->ifindex, side, &opts.priority);
	if (!err) {
		st->mech = MECH_CLSACT;
		st->filter[side] = (struct wgsf_filter){ opts.priority, opts.handle };
		/* a qdisc we added earlier, which outlived our filter, is still ours */
		st->created_qdisc = st->created_qdisc || created;
		err = record(rec, st) ?: bpf_tc_attach(&hook, &opts);
	}
	if (err && created) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
	return err;
}

/* Errors that say "this kernel has no tcx", as opposed to a real failure. */
static bool no_tcx(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -524 /* ENOTSUPP */;
}

/* Attaches one side anew, by the mechanism st says. */
static int side_attach(int prog_fd, enum wgsf_side side, const char *dir,
		       struct wgsf_attachment *st, const struct hook_recorder *rec)
{
	if (st->mech == MECH_TCX)
		return record(rec, st) ?: link_attach(prog_fd, st, side, dir);
	return clsact_attach(prog_fd, st, side, rec);
}

static int attach_new(const struct hook_progs *progs, enum hook_mech force, const char *dir,
		      struct wgsf_attachment *st, const struct hook_recorder *rec)
{
	int err;

	st->kind = HOOK_TC;
	st->mech = force == MECH_CLSACT ? MECH_CLSACT : MECH_TCX;
	err = side_attach(progs->fd[WGSF_INGRESS], WGSF_INGRESS, dir, st, rec);
	if (err && st->mech == MECH_TCX && no_tcx(err)) {
		st->mech = MECH_CLSACT;
		err = side_attach(progs->fd[WGSF_INGRESS], WGSF_INGRESS, dir, st, rec);
	}
	err = err ?: side_attach(progs->fd[WGSF_EGRESS], WGSF_EGRESS, dir, st, rec);
	if (err) {
		/* never one side without the other */
		hook_detach(dir, st);
		st->mech = MECH_NONE;
	}
	return err;
}

/* Replaces one side's program in place; where ours was removed behind our
 * back (or a command killed before it made it), nothing of ours runs
 * there: it is attached anew, by the same mechanism. */
static int side_replace(int prog_fd, enum wgsf_side side, const char *dir,
			struct wgsf_attachment *st, const struct hook_recorder *rec)
{
	int err = st->mech == MECH_CLSACT ? clsact_replace(prog_fd, st, side)
					  : link_replace(prog_fd, dir, side);

	return err == -ENOENT ? side_attach(prog_fd, side, dir, st, rec) : err;
}

int hook_attach_recorded(const struct hook_progs *progs, enum hook_mech force, const char *dir,
			 struct wgsf_attachment *st, const struct hook_recorder *rec)
{
	if (!st->mech || st->kind != HOOK_TC)
		return attach_new(progs, force, dir, st, rec);
	return side_replace(progs->fd[WGSF_INGRESS], WGSF_INGRESS, dir, st, rec) ?:
	       side_replace(progs->fd[WGSF_EGRESS], WGSF_EGRESS, dir, st, rec);
}

int hook_attach(const struct hook_progs *progs, enum hook_mech force, const char *dir,
		struct wgsf_attachment *st)
{
	return hook_attach_recorded(progs, force, dir, st, NULL);
}

/* Pins the link pinned on side in from in dir too. */
static int link_repin(const char *from, const char *dir, enum wgsf_side side)
{
	char path[HOOK_PATH_MAX];
	int fd, err = 0;

	hook_link_path(from, side, path);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	hook_link_path(dir, side, path);
	fault_point(hook_side[side].fault_repin_link);
	if (bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	return err;
}

int hook_pin(const char *dir, const struct hook_progs *progs, const char *link_from)
{
	char path[HOOK_PATH_MAX];
	int side, err = 0;

	for (side = 0; side < WGSF_SIDES && !err; side++) {
		hook_prog_path(dir, side, path);
		fault_point(hook_side[side].fault_pin_prog);
		if (bpf_obj_pin(progs->fd[side], path))
			err = -errno;
		else if (link_from)
			err = link_repin(link_from, dir, side);
	}
	return err;
}

int hook_progs_open(const char *dir, struct hook_progs *progs)
{
	char path[HOOK_PATH_MAX];
	int side, err = 0;

	for (side = 0; side < WGSF_SIDES; side++) {
		hook_prog_path(dir, side, path);
		progs->fd[side] = bpf_obj_get(path);
		err = err ?: progs->fd[side] < 0 ? -errno : 0;
	}
	if (err)
		hook_progs_close(progs);
	return err;
}

void hook_progs_close(struct hook_progs *progs)
{
	int side;

	for (side = 0; side < WGSF_SIDES; side++) {
		if (progs->fd[side] >= 0)
			close(progs->fd[side]);
		progs->fd[side] = -1;
	}
}

static int clsact_detach(const struct wgsf_attachment *st)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex);
	struct tc_filters fs;
	int side, err = 0;

	for (side = 0; side < WGSF_SIDES && err >= 0; side++) {
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = st->filter[side].handle,
			    .priority = st->filter[side].prio);

		hook.attach_point = hook_side[side].tc_point;
		err = clsact_ours(st, side);
		if (err > 0)
			err = bpf_tc_detach(&hook, &opts);
		/* ENOENT: deleted since we looked */
		err = err == -ENOENT ? 0 : err;
	}
	if (err < 0)
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

static int link_detach(const char *dir, enum wgsf_side side)
{
	char path[HOOK_PATH_MAX];
	int fd;

	hook_link_path(dir, side, path);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* detach now, even if someone else holds the link open */
	fault_point(hook_side[side].fault_detach_link);
	bpf_link_detach(fd);
	close(fd);
	return unlink(path) && errno != ENOENT ? -errno : 0;
}

int hook_detach(const char *dir, const struct wgsf_attachment *st)
{
	if (st->mech == MECH_CLSACT)
		return clsact_detach(st);
	/* tcx, and an earlier wgsf's XDP, whose link is the ingress's */
	return link_detach(dir, WGSF_INGRESS) ?: link_detach(dir, WGSF_EGRESS);
}
