// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel WireGuard over generic netlink: WG_CMD_GET_DEVICE as a dump by
 * interface name, one parse callback per nesting level (device, peer,
 * allowed IP), each validating what it keeps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>

#include "device/wireguard.h"

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

/* A request is a header and a name. Zeroed, as libmnl 1.0.4 leaves the
 * padding after an attribute as it found it, and that is sent too. */
#define REQUEST_SIZE 128

struct parse {
	struct wg_device *dev;
	struct wg_peer *peer; /* the one whose allowed IPs are being read */
	int err;
};

static int fail(struct parse *p, int err)
{
	p->err = err;
	return err ? MNL_CB_ERROR : MNL_CB_OK;
}

/*
 * Every attribute from a to end through cb, which must take them up to end
 * exactly: libmnl's own walk stops, and says nothing, at an attribute that
 * runs past its parent, so that a peer or an allowed IP cut short would be
 * read as one less. The kernel pads each attribute to its aligned end.
 */
static int walk_whole(const struct nlattr *a, const char *end, mnl_attr_cb_t cb, void *data)
{
	int ret;

	for (; mnl_attr_ok(a, end - (const char *)a); a = mnl_attr_next(a)) {
		ret = cb(a, data);
		if (ret <= MNL_CB_STOP)
			return ret;
	}
	return (const char *)a == end ? MNL_CB_OK : MNL_CB_ERROR;
}

static int nested_whole(const struct nlattr *nest, mnl_attr_cb_t cb, void *data)
{
	return walk_whole(mnl_attr_get_payload(nest),
			  (const char *)mnl_attr_get_payload(nest) + mnl_attr_get_payload_len(nest),
			  cb, data);
}

/* The attribute callbacks keep, by type, the attributes their level needs. */
static int allowedip_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	unsigned int type = mnl_attr_get_type(a);

	if ((type == WGALLOWEDIP_A_FAMILY && mnl_attr_validate(a, MNL_TYPE_U16) < 0) ||
	    (type == WGALLOWEDIP_A_CIDR_MASK && mnl_attr_validate(a, MNL_TYPE_U8) < 0))
		return MNL_CB_ERROR;
	if (type <= WGALLOWEDIP_A_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int parse_allowedip(const struct nlattr *nest, void *data)
{
	const struct nlattr *tb[WGALLOWEDIP_A_MAX + 1] = {};
	struct parse *p = data;
	struct prefix pfx = {};
	uint16_t family;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    nested_whole(nest, allowedip_attr, tb) < 0 || !tb[WGALLOWEDIP_A_FAMILY] ||
	    !tb[WGALLOWEDIP_A_IPADDR] || !tb[WGALLOWEDIP_A_CIDR_MASK])
		return fail(p, WG_ERR_BAD_REPLY);
	family = mnl_attr_get_u16(tb[WGALLOWEDIP_A_FAMILY]);
	pfx.family = family;
	pfx.cidr = mnl_attr_get_u8(tb[WGALLOWEDIP_A_CIDR_MASK]);
	if ((family != AF_INET && family != AF_INET6) || pfx.cidr > prefix_bits(family) ||
	    mnl_attr_get_payload_len(tb[WGALLOWEDIP_A_IPADDR]) != prefix_bits(family) / 8)
		return fail(p, WG_ERR_BAD_REPLY);
	memcpy(pfx.addr, mnl_attr_get_payload(tb[WGALLOWEDIP_A_IPADDR]), prefix_bits(family) / 8);
	prefix_normalise(&pfx);
	return fail(p, peer_add_allowedip(p->peer, &pfx));
}

static int peer_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	unsigned int type = mnl_attr_get_type(a);

	if ((type == WGPEER_A_PUBLIC_KEY && mnl_attr_get_payload_len(a) != WG_KEY_LEN) ||
	    (type == WGPEER_A_ALLOWEDIPS && mnl_attr_validate(a, MNL_TYPE_NESTED) < 0))
		return MNL_CB_ERROR;
	if (type <= WGPEER_A_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int parse_peer(const struct nlattr *nest, void *data)
{
	const struct nlattr *tb[WGPEER_A_MAX + 1] = {};
	struct parse *p = data;

	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    nested_whole(nest, peer_attr, tb) < 0 || !tb[WGPEER_A_PUBLIC_KEY])
		return fail(p, WG_ERR_BAD_REPLY);
	/* The kernel splits a peer with more allowed IPs than fit in one
	 * message, repeating its key in the next: the halves are merged. */
	p->peer = device_peer(p->dev, mnl_attr_get_payload(tb[WGPEER_A_PUBLIC_KEY]));
	if (!p->peer)
		return fail(p, -ENOMEM);
	if (!tb[WGPEER_A_ALLOWEDIPS])
		return MNL_CB_OK;
	return nested_whole(tb[WGPEER_A_ALLOWEDIPS], parse_allowedip, p) < 0 ?
		       fail(p, p->err ?: WG_ERR_BAD_REPLY) : MNL_CB_OK;
}

static int parse_device(const struct nlattr *a, void *data)
{
	struct parse *p = data;

	if (mnl_attr_get_type(a) != WGDEVICE_A_PEERS)
		return MNL_CB_OK; /* the device's own keys, port and mark */
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return fail(p, WG_ERR_BAD_REPLY);
	return nested_whole(a, parse_peer, p) < 0 ? fail(p, p->err ?: WG_ERR_BAD_REPLY)
						   : MNL_CB_OK;
}

int netlink_parse_message(const struct nlmsghdr *nlh, struct wg_device *dev)
{
	struct parse p = { .dev = dev };

	/* libmnl walks attributes up to the aligned end: the kernel pads every
	 * attribute, so an unaligned length is no message of its */
	if (nlh->nlmsg_len != MNL_ALIGN(nlh->nlmsg_len) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return WG_ERR_BAD_REPLY;
	if (walk_whole(mnl_nlmsg_get_payload_offset(nlh, sizeof(struct genlmsghdr)),
		       (const char *)nlh + nlh->nlmsg_len, parse_device, &p) < 0 && !p.err)
		p.err = WG_ERR_BAD_REPLY;
	return p.err;
}

static int device_message(const struct nlmsghdr *nlh, void *data)
{
	struct parse *p = data;

	return fail(p, netlink_parse_message(nlh, p->dev));
}

static int family_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
		*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int family_message(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr, data);
}

/*
 * NLMSG_ERROR (an ack when 0) and NLMSG_DONE both open with an errno. The
 * kernel reports a dump that failed part way in NLMSG_DONE's, which
 * libmnl's own handler ignores; `wg` checks it, and so do we.
 */
static int status_message(const struct nlmsghdr *nlh, void *data)
{
	int err;

	(void)data;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (!err)
		return MNL_CB_STOP;
	errno = err < 0 ? -err : err;
	return MNL_CB_ERROR;
}

/* not const: libmnl 1.0.4 takes it without */
static mnl_cb_t control_cb[] = {
	[NLMSG_ERROR] = status_message,
	[NLMSG_DONE] = status_message,
};

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

/* Sends nlh and feeds every reply to cb until the ack or the dump's end.
 * The buffer is wiped before it goes: a device's dump holds its private key
 * and its peers' preshared keys, which the kernel sends to root. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char *buf = malloc(MNL_SOCKET_DUMP_SIZE);
	uint32_t portid = mnl_socket_get_portid(nl);
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
		r = mnl_cb_run2(buf, n, nlh->nlmsg_seq, portid, cb, data, control_cb,
				MNL_ARRAY_SIZE(control_cb));
	}
	explicit_bzero(buf, MNL_SOCKET_DUMP_SIZE);
	free(buf);
	return r < 0 ? (errno ? -errno : -EIO) : 0;
}

static int wireguard_family(struct mnl_socket *nl, uint32_t seq, uint16_t *id)
{
	_Alignas(struct nlmsghdr) char buf[REQUEST_SIZE] = { 0 };
	struct nlmsghdr *nlh = genl_request(buf, GENL_ID_CTRL, 0, CTRL_CMD_GETFAMILY, 1, seq);
	int err;

	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, WG_GENL_NAME);
	*id = 0;
	err = talk(nl, nlh, family_message, id);
	/* no wireguard family: the module is not loaded, nothing is WireGuard */
	if (err == -ENOENT || (!err && !*id))
		return WG_ERR_NOT_WG;
	return err;
}

static int dump_device(struct mnl_socket *nl, uint16_t family, uint32_t seq,
		       struct wg_device *dev)
{
	_Alignas(struct nlmsghdr) char buf[REQUEST_SIZE] = { 0 };
	struct nlmsghdr *nlh = genl_request(buf, family, NLM_F_DUMP, WG_CMD_GET_DEVICE,
					    WG_GENL_VERSION, seq);
	struct parse p = { .dev = dev };
	int err;

	mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, dev->name);
	err = talk(nl, nlh, device_message, &p);
	if (p.err)
		return p.err;
	if (err == -ENODEV)
		return WG_ERR_NO_DEVICE;
	/* the kernel's answer for a device of another kind */
	if (err == -EOPNOTSUPP)
		return WG_ERR_NOT_WG;
	return err;
}

/* One attempt: a socket, the family, the dump. */
static int read_once(const char *ifname, uint32_t seq, struct wg_device **out)
{
	struct wg_device *dev = device_new(ifname);
	struct mnl_socket *nl = mnl_socket_open(NETLINK_GENERIC);
	uint16_t family;
	int err;

	if (!dev || !nl)
		err = -errno;
	else if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		err = -errno;
	else
		err = wireguard_family(nl, seq, &family) ?:
		      dump_device(nl, family, seq + 1, dev);
	if (nl)
		mnl_socket_close(nl);
	if (err) {
		device_free(dev);
		return err;
	}
	*out = dev;
	return 0;
}

int netlink_read_device(const char *ifname, struct wg_device **out)
{
	unsigned int ifindex = if_nametoindex(ifname);
	uint32_t seq = time(NULL);
	int tries, err = -EINTR;

	if (!ifindex)
		return WG_ERR_NO_DEVICE;
	for (tries = 0; err == -EINTR && tries < DUMP_TRIES; tries++)
		err = read_once(ifname, seq + 2 * tries, out);
	if (err)
		return err == -EINTR ? -EAGAIN : err;
	(*out)->ifindex = ifindex;
	return 0;
}
