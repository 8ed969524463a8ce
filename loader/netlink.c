// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel WireGuard over generic netlink: WG_CMD_GET_DEVICE as a dump, one
 * parse callback per nesting level (device, peers, peer, allowed IPs).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>

#include "wireguard.h"

/* libmnl before 1.0.5 lacks it: the kernel's dumps fill 32 KiB at most. */
#ifndef MNL_SOCKET_DUMP_SIZE
#define MNL_SOCKET_DUMP_SIZE 32768
#endif

/*
 * A dump that the device changed underneath is flagged NLM_F_DUMP_INTR, on
 * which libmnl stops with EINTR; it is taken again, from a fresh socket, as
 * the rest of the interrupted dump is still queued on the old one. `wg`
 * retries without end; a bound keeps a device that never holds still from
 * hanging us.
 */
#define DUMP_TRIES 1000

struct parse {
	struct wg_device *dev;
	struct wg_peer *peer;
	int err;
};

static int bad(struct parse *p)
{
	p->err = WG_ERR_BAD_REPLY;
	return MNL_CB_ERROR;
}

static int parse_allowedip(const struct nlattr *attr, void *data)
{
	struct parse *p = data;
	const struct nlattr *a;
	struct prefix pfx = {};
	bool have_addr = false, have_cidr = false;
	size_t alen;

	mnl_attr_for_each_nested(a, attr) {
		switch (mnl_attr_get_type(a)) {
		case WGALLOWEDIP_A_FAMILY:
			if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
				return bad(p);
			pfx.family = mnl_attr_get_u16(a);
			break;
		case WGALLOWEDIP_A_IPADDR:
			alen = mnl_attr_get_payload_len(a);
			if (alen != 4 && alen != 16)
				return bad(p);
			memcpy(pfx.addr, mnl_attr_get_payload(a), alen);
			have_addr = true;
			break;
		case WGALLOWEDIP_A_CIDR_MASK:
			if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
				return bad(p);
			pfx.cidr = mnl_attr_get_u8(a);
			have_cidr = true;
			break;
		}
	}
	if (!have_addr || !have_cidr || (pfx.family != AF_INET && pfx.family != AF_INET6) ||
	    pfx.cidr > prefix_bits(pfx.family))
		return bad(p);
	prefix_normalise(&pfx);
	p->err = peer_add_allowedip(p->peer, &pfx);
	return p->err ? MNL_CB_ERROR : MNL_CB_OK;
}

static int parse_peer(const struct nlattr *attr, void *data)
{
	struct parse *p = data;
	const struct nlattr *a, *aips = NULL;

	p->peer = NULL;
	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == WGPEER_A_PUBLIC_KEY) {
			if (mnl_attr_get_payload_len(a) != WG_KEY_LEN)
				return bad(p);
			/* a peer split across messages comes back under its key */
			p->peer = device_peer(p->dev, mnl_attr_get_payload(a));
			if (!p->peer) {
				p->err = -ENOMEM;
				return MNL_CB_ERROR;
			}
		} else if (mnl_attr_get_type(a) == WGPEER_A_ALLOWEDIPS) {
			aips = a;
		}
	}
	if (!p->peer)
		return bad(p);
	if (aips)
		mnl_attr_for_each_nested(a, aips)
			if (parse_allowedip(a, p) != MNL_CB_OK)
				return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static int parse_device(const struct nlmsghdr *nlh, void *data)
{
	struct parse *p = data;
	const struct nlattr *a, *peer;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != WGDEVICE_A_PEERS)
			continue;
		mnl_attr_for_each_nested(peer, a)
			if (parse_peer(peer, p) != MNL_CB_OK)
				return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int family_attr(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
			*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static struct nlmsghdr *genl_request(char *buf, uint16_t type, uint16_t flags, uint8_t cmd,
				     uint8_t version, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

/* Sends nlh and feeds every reply to cb until the ack or the dump's end. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char *buf = malloc(MNL_SOCKET_DUMP_SIZE);
	uint32_t portid = mnl_socket_get_portid(nl), seq = nlh->nlmsg_seq;
	ssize_t n;
	int r = MNL_CB_OK;

	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		r = MNL_CB_ERROR;
	while (r > MNL_CB_STOP) {
		n = mnl_socket_recvfrom(nl, buf, MNL_SOCKET_DUMP_SIZE);
		if (n <= 0) {
			r = MNL_CB_ERROR;
			break;
		}
		r = mnl_cb_run(buf, n, seq, portid, cb, data);
	}
	free(buf);
	return r < 0 ? -errno : 0;
}

static int wireguard_family(struct mnl_socket *nl, uint16_t *id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_request(buf, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1,
					    time(NULL));
	int err;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
	*id = 0;
	err = talk(nl, nlh, family_attr, id);
	/* no wireguard family: the module is not loaded, nothing is WireGuard */
	if (err == -ENOENT || (!err && !*id))
		return WG_ERR_NOT_WG;
	return err;
}

static int dump_once(struct mnl_socket *nl, uint16_t family, struct parse *p, uint32_t seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_request(buf, family, NLM_F_DUMP, WG_CMD_GET_DEVICE,
					    WG_GENL_VERSION, seq);
	int err;

	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, p->dev->name);
	err = talk(nl, nlh, parse_device, p);
	if (p->err)
		return p->err;
	if (err == -ENODEV)
		return WG_ERR_NO_DEVICE;
	if (err == -EOPNOTSUPP)
		return WG_ERR_NOT_WG;
	return err;
}

/* One attempt: a socket, the family, the dump. */
static int read_once(const char *ifname, uint32_t seq, struct wg_device **out)
{
	struct parse p = { .dev = device_new(ifname) };
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	uint16_t family;
	int err;

	if (!p.dev || !nl)
		err = -errno;
	else if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		err = -errno;
	else
		err = wireguard_family(nl, &family) ?: dump_once(nl, family, &p, seq);
	if (nl)
		mnl_socket_close(nl);
	if (err) {
		device_free(p.dev);
		return err;
	}
	p.dev->ifindex = if_nametoindex(ifname);
	*out = p.dev;
	return 0;
}

int netlink_read_device(const char *ifname, struct wg_device **out)
{
	uint32_t seq = time(NULL);
	int tries, err = -EINTR;

	if (!if_nametoindex(ifname))
		return WG_ERR_NO_DEVICE;
	for (tries = 0; err == -EINTR && tries < DUMP_TRIES; tries++)
		err = read_once(ifname, seq + tries, out);
	return err == -EINTR ? -EAGAIN : err;
}
