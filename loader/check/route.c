// SPDX-License-Identifier: GPL-2.0-only
/*
 * not-routed: replies to a peer go where the kernel routes its address, and
 * WireGuard only sees what is routed through its interface. A live check
 * asks the kernel where each prefix goes, as `ip route get` does
 * (RTM_GETROUTE), many requests to a message. (A file's check can only see
 * that wg-quick will add no routes, Table = off: file.c.)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "check/route.h"

/* Each reply takes a page or so of the socket's receive buffer until it is
 * read, and the kernel drops what does not fit: a batch must fit. */
#define BATCH 32
#define REQUEST_SIZE 64

void check_route_addr(const struct prefix *p, struct prefix *addr)
{
	/* The middle: the first and the last address are often special (a
	 * network, a broadcast, the host's own address on the interface). */
	*addr = *p;
	if (p->cidr < prefix_bits(p->family))
		addr->addr[p->cidr / 8] |= 0x80 >> (p->cidr % 8);
	addr->cidr = prefix_bits(p->family);
}

static int route_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == RTA_OIF && !mnl_attr_validate(a, MNL_TYPE_U32))
		*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* One reply, into its request's answer. */
static void answer(const struct nlmsghdr *nlh, struct check_route *out)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	uint32_t oif = 0;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		out->err = e->error;
		return;
	}
	out->type = rtm->rtm_type;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr, &oif);
	out->oif = oif;
	if (!oif || !if_indextoname(oif, out->dev))
		out->dev[0] = '\0';
}

static void request(char *buf, uint32_t seq, const struct prefix *addr)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = addr->family;
	rtm->rtm_dst_len = addr->cidr;
	mnl_attr_put(nlh, RTA_DST, prefix_bits(addr->family) / 8, addr->addr);
}

/* Asks where each of out[0..n)'s addresses goes; n <= BATCH. */
static int ask(struct mnl_socket *nl, uint32_t seq, struct check_route *out, size_t n)
{
	char req[BATCH * REQUEST_SIZE] = {}, buf[MNL_SOCKET_BUFFER_SIZE];
	size_t i, len = 0, answered = 0;
	struct nlmsghdr *nlh;
	ssize_t got;
	int left;

	for (i = 0; i < n; i++) {
		request(req + len, seq + i, &out[i].addr);
		len += ((struct nlmsghdr *)(req + len))->nlmsg_len;
	}
	if (mnl_socket_sendto(nl, req, len) < 0)
		return -errno;
	while (answered < n) {
		got = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (got < 0)
			return -errno;
		left = got;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_seq - seq >= n)
				continue; /* not one of ours */
			answer(nlh, &out[nlh->nlmsg_seq - seq]);
			answered++;
		}
	}
	return 0;
}

int check_routes(struct check_route *out, size_t n)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	uint32_t seq = time(NULL);
	size_t i;
	int err = nl && !mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) ? 0 : -errno;

	for (i = 0; i < n && !err; i += BATCH, seq += BATCH)
		err = ask(nl, seq, out + i, n - i < BATCH ? n - i : BATCH);
	if (nl)
		mnl_socket_close(nl);
	return err;
}

static int routes(const struct check_report *r, struct check_route *out)
{
	size_t i;

	for (i = 0; i < r->n_table; i++)
		check_route_addr(&r->table[i].prefix, &out[i].addr);
	return check_routes(out, r->n_table);
}

int check_live_routes(struct check_report *r)
{
	struct check_route *out = calloc(r->n_table + 1, sizeof(*out));
	size_t i;
	int err = out ? routes(r, out) : -ENOMEM;

	for (i = 0; i < r->n_table && !err; i++) {
		const struct check_entry *e = &r->table[i];

		if (!out[i].err && out[i].oif == (unsigned int)r->dev->ifindex)
			continue;
		err = check_finding(r, &(struct finding){
			.kind = CHECK_NOT_ROUTED, .key = r->dev->peers[e->peer].public_key,
			.prefix = e->prefix,
			.routed = true, .route = out[i] });
	}
	free(out);
	return err;
}
