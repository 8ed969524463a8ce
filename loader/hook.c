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

#include "hook.h"

/* Debian's libbpf 1.1 and 6.1 headers predate tcx; the kernel ABI value. */
#define WGSF_TCX_INGRESS 46
#define LINK_PATH_MAX (PATH_MAX + 8)

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

static int link_replace(int prog_fd, const char *dir)
{
	char path[LINK_PATH_MAX];
	int fd, err = 0;

	link_path(dir, path);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_link_update(fd, prog_fd, NULL))
		err = -errno;
	close(fd);
	return err;
}

static int clsact_attach(int prog_fd, struct wgsf_attachment *st, bool replace)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd);
	int err;

	if (replace) {
		opts.handle = st->tc_handle;
		opts.priority = st->tc_prio;
		opts.flags = BPF_TC_F_REPLACE;
		return bpf_tc_attach(&hook, &opts);
	}
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	st->created_qdisc = !err;
	/* handle and priority 0: the kernel picks free ones, and tells */
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		if (st->created_qdisc)
			bpf_tc_hook_destroy(&hook);
		return err;
	}
	st->tc_handle = opts.handle;
	st->tc_prio = opts.priority;
	return 0;
}

/* Errors that say "this kernel has no tcx", as opposed to a real failure. */
static bool no_tcx(int err)
{
	return err == -EINVAL || err == -EOPNOTSUPP || err == -524 /* ENOTSUPP */;
}

int hook_attach(int prog_fd, enum hook_kind kind, enum hook_mech force, const char *dir,
		struct wgsf_attachment *st)
{
	int err;

	if (st->mech && st->kind == kind) {
		if (st->mech == MECH_CLSACT)
			return clsact_attach(prog_fd, st, true);
		return link_replace(prog_fd, dir);
	}
	st->kind = kind;
	if (kind == HOOK_XDP) {
		err = link_attach(prog_fd, st->ifindex, BPF_XDP, XDP_FLAGS_SKB_MODE, dir);
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
	err = clsact_attach(prog_fd, st, false);
	st->mech = err ? MECH_NONE : MECH_CLSACT;
	return err;
}

static int count_filter(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type == RTM_NEWTFILTER)
		(*(int *)data)++;
	return MNL_CB_OK;
}

/* Filters of anyone's under the clsact qdisc, either direction; -errno. */
static int clsact_filters(uint32_t ifindex)
{
	static const uint32_t parents[] = { TC_H_MIN_INGRESS, TC_H_MIN_EGRESS };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int n = 0, r = MNL_CB_OK, i;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		r = MNL_CB_ERROR;
	for (i = 0; i < 2 && r >= MNL_CB_STOP; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct tcmsg *tc = mnl_nlmsg_put_extra_header(nlh, sizeof(*tc));
		uint32_t seq = time(NULL) + i;
		ssize_t len;

		nlh->nlmsg_type = RTM_GETTFILTER;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		nlh->nlmsg_seq = seq;
		tc->tcm_family = AF_UNSPEC;
		tc->tcm_ifindex = ifindex;
		tc->tcm_parent = TC_H_MAKE(TC_H_CLSACT, parents[i]);
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
			r = MNL_CB_ERROR;
			break;
		}
		do {
			len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
			r = len > 0 ? mnl_cb_run(buf, len, seq, mnl_socket_get_portid(nl),
						 count_filter, &n)
				    : MNL_CB_ERROR;
		} while (r > MNL_CB_STOP);
	}
	i = errno;
	if (nl)
		mnl_socket_close(nl);
	return r < 0 ? -i : n;
}

static int clsact_detach(const struct wgsf_attachment *st)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = st->tc_handle, .priority = st->tc_prio);
	int err = bpf_tc_detach(&hook, &opts);

	if (err && err != -ENOENT && err != -EINVAL && err != -ENODEV)
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
