// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "attach/tc_filters.h"

static int bpf_attr(const struct nlattr *a, void *data)
{
	struct tc_filter *f = data;

	if (mnl_attr_get_type(a) == TCA_BPF_ID && !mnl_attr_validate(a, MNL_TYPE_U32))
		f->prog_id = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static int top_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == TCA_OPTIONS && !mnl_attr_validate(a, MNL_TYPE_NESTED))
		mnl_attr_parse_nested(a, bpf_attr, data);
	return MNL_CB_OK;
}

static int add_filter(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *tc = mnl_nlmsg_get_payload(nlh);
	struct tc_filters *fs = data;
	struct tc_filter f = { .prio = TC_H_MAJ(tc->tcm_info) >> 16, .handle = tc->tcm_handle };
	void *v;

	if (nlh->nlmsg_type != RTM_NEWTFILTER || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*tc)))
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*tc), top_attr, &f);
	if (fs->n == fs->cap) {
		v = realloc(fs->v, (fs->cap ? 2 * fs->cap : 8) * sizeof(f));
		if (!v)
			return MNL_CB_ERROR;
		fs->v = v;
		fs->cap = fs->cap ? 2 * fs->cap : 8;
	}
	fs->v[fs->n++] = f;
	return MNL_CB_OK;
}

/* Adds the filters under one direction of ifindex's clsact qdisc to fs. */
static int dump(struct mnl_socket *nl, uint32_t ifindex, uint32_t dir, struct tc_filters *fs)
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
		r = mnl_cb_run(buf, len, seq, mnl_socket_get_portid(nl), add_filter, fs);
	} while (r > MNL_CB_STOP);
	/* EINVAL, ENOENT: no clsact qdisc, so no filters */
	return r < 0 && errno != EINVAL && errno != ENOENT ? -errno : 0;
}

int tc_filters_read(uint32_t ifindex, bool egress_too, struct tc_filters *fs)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	int err;

	*fs = (struct tc_filters){};
	if (!nl)
		return -errno;
	err = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) ? -errno
		: dump(nl, ifindex, TC_H_MIN_INGRESS, fs);
	if (!err && egress_too) {
		size_t i = fs->n;

		err = dump(nl, ifindex, TC_H_MIN_EGRESS, fs);
		for (; i < fs->n; i++)
			fs->v[i].egress = true;
	}
	mnl_socket_close(nl);
	if (err) {
		free(fs->v);
		*fs = (struct tc_filters){};
	}
	return err;
}
