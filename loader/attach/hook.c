// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "attach/hook.h"

#define LINK_PATH_MAX (PATH_MAX + 8)
/* The name the kernel knows SEC("tc") wgsf_tc by. */
#define TC_PROG_NAME "wgsf_tc"

const char *hook_mech_name(uint32_t mech)
{
	switch (mech) {
	case MECH_TCX:
		return "tcx";
	case MECH_CLSACT:
		return "clsact";
	case MECH_XDP_GENERIC:
		return "xdp-generic";
	default:
		return "none";
	}
}

static void link_path(const char *dir, char path[LINK_PATH_MAX])
{
	snprintf(path, LINK_PATH_MAX, "%s/link", dir);
}

static int link_attach(int prog_fd, uint32_t ifindex, enum bpf_attach_type type, uint32_t flags,
		       const char *dir)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	char path[LINK_PATH_MAX];
	int fd, err = 0;

	fd = bpf_link_create(prog_fd, ifindex, type, &opts);
	if (fd < 0)
		return -errno;
	link_path(dir, path);
	unlink(path);
	if (bpf_obj_pin(fd, path))
		err = -errno;
	close(fd); /* on error this detaches it again */
	return err;
}

/* -ENOENT when our link is gone: unpinned, or detached from the device. */
static int link_replace(int prog_fd, const char *dir)
{
	char path[LINK_PATH_MAX];
	int fd, err = 0;

	link_path(dir, path);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
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
	return bpf_tc_attach(&hook, &opts);
}

static int clsact_attach(int prog_fd, struct wgsf_attachment *st)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd);
	int err = bpf_tc_hook_create(&hook);
	bool created = !err;

	if (err && err != -EEXIST)
		return err;
	/* handle and priority 0: the kernel picks free ones, and tells */
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		if (created)
			bpf_tc_hook_destroy(&hook);
		return err;
	}
	st->tc_handle = opts.handle;
	st->tc_prio = opts.priority;
	/* a qdisc we added earlier, which outlived our filter, is still ours */
	st->created_qdisc = st->created_qdisc || created;
	return 0;
}

/* Errors that say "this kernel has no tcx", as opposed to a real failure. */
static bool no_tcx(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -524 /* ENOTSUPP */;
}

static int attach_new(int prog_fd, enum hook_kind kind, enum hook_mech force, const char *dir,
		      struct wgsf_attachment *st)
{
	int err;

	st->kind = kind;
	if (kind == HOOK_XDP) {
		err = link_attach(prog_fd, st->ifindex, BPF_XDP, XDP_FLAGS_SKB_MODE, dir);
		/* EEXIST: a program in another XDP mode; EBUSY: in ours */
		if (err == -EEXIST)
			err = -EBUSY;
		st->mech = err ? MECH_NONE : MECH_XDP_GENERIC;
		return err;
	}
	if (force != MECH_CLSACT) {
		err = link_attach(prog_fd, st->ifindex, WGSF_TCX_INGRESS, 0, dir);
		if (!err || !no_tcx(err)) {
			st->mech = err ? MECH_NONE : MECH_TCX;
			return err;
		}
	}
	err = clsact_attach(prog_fd, st);
	st->mech = err ? MECH_NONE : MECH_CLSACT;
	return err;
}

int hook_attach(int prog_fd, enum hook_kind kind, enum hook_mech force, const char *dir,
		struct wgsf_attachment *st)
{
	int err;

	if (!st->mech || st->kind != kind)
		return attach_new(prog_fd, kind, force, dir, st);
	err = st->mech == MECH_CLSACT ? clsact_replace(prog_fd, st) : link_replace(prog_fd, dir);
	if (err != -ENOENT)
		return err;
	/* Ours was removed behind our back: nothing runs now, so attach anew,
	 * by the same mechanism. */
	return attach_new(prog_fd, kind, st->mech, dir, st);
}

static int count_filter(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWTFILTER)
		(*(int *)data)++;
	return MNL_CB_OK;
}

/* Adds the filters under one direction of ifindex's clsact qdisc to *n. */
static int dump_filters(struct mnl_socket *nl, uint32_t ifindex, uint32_t dir, int *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tc = mnl_nlmsg_put_extra_header(nlh, sizeof(*tc));
	uint32_t seq = time(NULL) + dir;
	ssize_t len;
	int r;

	nlh->nlmsg_type = RTM_GETTFILTER;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	tc->tcm_family = AF_UNSPEC;
	tc->tcm_ifindex = ifindex;
	tc->tcm_parent = TC_H_MAKE(TC_H_CLSACT, dir);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len <= 0)
			return len ? -errno : -EIO;
		r = mnl_cb_run(buf, len, seq, mnl_socket_get_portid(nl), count_filter, n);
	} while (r > MNL_CB_STOP);
	return r < 0 ? -errno : 0;
}

/* Filters of anyone's under the clsact qdisc, either direction; -errno. */
static int clsact_filters(uint32_t ifindex)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int n = 0, err;

	if (!nl)
		return -errno;
	err = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) ? -errno
		: dump_filters(nl, ifindex, TC_H_MIN_INGRESS, &n) ?:
		  dump_filters(nl, ifindex, TC_H_MIN_EGRESS, &n);
	mnl_socket_close(nl);
	return err ?: n;
}

static int clsact_detach(const struct wgsf_attachment *st)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = st->tc_handle, .priority = st->tc_prio);
	int err = clsact_ours(st);

	if (err > 0)
		err = bpf_tc_detach(&hook, &opts);
	/* ENOENT: deleted since we looked */
	if (err < 0 && err != -ENOENT)
		return err;
	if (st->created_qdisc && clsact_filters(st->ifindex) == 0) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
	return 0;
}

int hook_detach(const char *dir, const struct wgsf_attachment *st)
{
	char path[LINK_PATH_MAX];
	int fd;

	if (st->mech == MECH_CLSACT)
		return clsact_detach(st);
	link_path(dir, path);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	/* detach now, even if someone else holds the link open */
	bpf_link_detach(fd);
	close(fd);
	return unlink(path) && errno != ENOENT ? -errno : 0;
}
