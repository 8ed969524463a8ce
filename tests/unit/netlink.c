// SPDX-License-Identifier: GPL-2.0-only
/* The generic-netlink reader's message parser on messages built as kernel
 * WireGuard builds its WG_CMD_GET_DEVICE dump: a peer split across two
 * messages is merged, every malformed attribute is refused, and mutated
 * messages are parsed or refused, never read past. This machine's kernel
 * has no WireGuard; tests/kernel/netlink.t reads a real one. No privileges
 * needed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>

#include "tap.h"
#include "device/wireguard.h"

#define MSG_SIZE 8192

enum fault {
	NONE,
	NO_KEY,
	SHORT_KEY,
	NO_FAMILY,
	NO_ADDR,
	NO_CIDR,
	V4_ADDR_OF_16,
	V6_ADDR_OF_4,
	CIDR_33,
	CIDR_129,
	FAMILY_OF_258, /* AF_INET in its low byte */
	FAMILY_UNIX,
	CIDR_AS_U16,
	FAMILY_AS_U8,
	PEERS_NOT_NESTED,
	PEER_NOT_NESTED,
	AIPS_NOT_NESTED,
	AIP_NOT_NESTED,
	FAULTS
};

static const char *const fault_name[FAULTS] = {
	[NO_KEY] = "a peer without public key",
	[SHORT_KEY] = "a public key of 31 bytes",
	[NO_FAMILY] = "an allowed IP without family",
	[NO_ADDR] = "an allowed IP without address",
	[NO_CIDR] = "an allowed IP without length",
	[V4_ADDR_OF_16] = "an IPv4 allowed IP of 16 bytes",
	[V6_ADDR_OF_4] = "an IPv6 allowed IP of 4 bytes",
	[CIDR_33] = "an IPv4 length of 33",
	[CIDR_129] = "an IPv6 length of 129",
	[FAMILY_OF_258] = "a family of 258",
	[FAMILY_UNIX] = "family AF_UNIX",
	[CIDR_AS_U16] = "a length of two bytes",
	[FAMILY_AS_U8] = "a family of one byte",
	[PEERS_NOT_NESTED] = "a peer list of two bytes",
	[PEER_NOT_NESTED] = "a peer of two bytes",
	[AIPS_NOT_NESTED] = "an allowed IP list of two bytes",
	[AIP_NOT_NESTED] = "an allowed IP of two bytes",
};

static struct nlmsghdr *message(char *buf, bool first)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = GENL_MIN_ID + 7;
	nlh->nlmsg_flags = NLM_F_MULTI;
	g->cmd = WG_CMD_GET_DEVICE;
	g->version = WG_GENL_VERSION;
	if (first) { /* the device's own attributes lead the first message only */
		mnl_attr_put_u16(nlh, WGDEVICE_A_LISTEN_PORT, 51820);
		mnl_attr_put_u32(nlh, WGDEVICE_A_FWMARK, 0);
		mnl_attr_put_u32(nlh, WGDEVICE_A_IFINDEX, 7);
		mnl_attr_put_strz(nlh, WGDEVICE_A_IFNAME, "wg0");
	}
	return nlh;
}

static void put_allowedip(struct nlmsghdr *nlh, const char *s, enum fault f)
{
	struct nlattr *nest;
	struct prefix p;
	uint16_t family;
	size_t alen;

	if (f == AIP_NOT_NESTED) {
		mnl_attr_put_u16(nlh, 0, 0);
		return;
	}
	prefix_parse(s, &p);
	family = f == FAMILY_OF_258 ? 256 + p.family : f == FAMILY_UNIX ? AF_UNIX : p.family;
	alen = prefix_bits(p.family) / 8;
	alen = f == V4_ADDR_OF_16 && alen == 4 ? 16 : f == V6_ADDR_OF_4 && alen == 16 ? 4 : alen;
	if ((f == CIDR_33 && p.family == AF_INET) || (f == CIDR_129 && p.family == AF_INET6))
		p.cidr = f == CIDR_33 ? 33 : 129;
	nest = mnl_attr_nest_start(nlh, 0);
	if (f == CIDR_AS_U16)
		mnl_attr_put_u16(nlh, WGALLOWEDIP_A_CIDR_MASK, p.cidr);
	else if (f != NO_CIDR)
		mnl_attr_put_u8(nlh, WGALLOWEDIP_A_CIDR_MASK, p.cidr);
	if (f == FAMILY_AS_U8)
		mnl_attr_put_u8(nlh, WGALLOWEDIP_A_FAMILY, p.family);
	else if (f != NO_FAMILY)
		mnl_attr_put_u16(nlh, WGALLOWEDIP_A_FAMILY, family);
	if (f != NO_ADDR)
		mnl_attr_put(nlh, WGALLOWEDIP_A_IPADDR, alen, p.addr);
	mnl_attr_nest_end(nlh, nest);
}

/* A peer whose key is 32 times the byte k, with the allowed IPs in aips
 * (comma-separated, "" for none) and, when `full`, the attributes the
 * kernel sends in a peer's first part. */
static void put_peer(struct nlmsghdr *nlh, uint8_t k, const char *aips, bool full, enum fault f)
{
	const struct sockaddr_in ep = { .sin_family = AF_INET, .sin_port = htons(51820) };
	uint8_t key[WG_KEY_LEN], zero[WG_KEY_LEN + 16] = {};
	struct nlattr *nest, *list;
	char copy[512], *s, *save;

	if (f == PEER_NOT_NESTED) {
		mnl_attr_put_u16(nlh, 0, 0);
		return;
	}
	memset(key, k, sizeof(key));
	nest = mnl_attr_nest_start(nlh, 0);
	if (f != NO_KEY)
		mnl_attr_put(nlh, WGPEER_A_PUBLIC_KEY, f == SHORT_KEY ? 31 : WG_KEY_LEN, key);
	if (full) {
		mnl_attr_put(nlh, WGPEER_A_PRESHARED_KEY, WG_KEY_LEN, zero);
		mnl_attr_put(nlh, WGPEER_A_LAST_HANDSHAKE_TIME, 16, zero);
		mnl_attr_put_u16(nlh, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
		mnl_attr_put_u64(nlh, WGPEER_A_TX_BYTES, 1234);
		mnl_attr_put_u64(nlh, WGPEER_A_RX_BYTES, 5678);
		mnl_attr_put_u32(nlh, WGPEER_A_PROTOCOL_VERSION, 1);
		mnl_attr_put(nlh, WGPEER_A_ENDPOINT, sizeof(ep), &ep);
	}
	if (f == AIPS_NOT_NESTED) {
		mnl_attr_put_u16(nlh, WGPEER_A_ALLOWEDIPS, 0);
	} else if (*aips) {
		list = mnl_attr_nest_start(nlh, WGPEER_A_ALLOWEDIPS);
		snprintf(copy, sizeof(copy), "%s", aips);
		for (s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save))
			put_allowedip(nlh, s, f);
		mnl_attr_nest_end(nlh, list);
	}
	mnl_attr_nest_end(nlh, nest);
}

/* One message: peer 0xaa with an IPv4 and an IPv6 allowed IP, and 0xbb. */
static struct nlmsghdr *faulty(char *buf, enum fault f)
{
	struct nlmsghdr *nlh = message(buf, true);
	struct nlattr *peers;

	if (f == PEERS_NOT_NESTED) {
		mnl_attr_put_u16(nlh, WGDEVICE_A_PEERS, 0);
		return nlh;
	}
	peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	put_peer(nlh, 0xaa, "192.0.2.0/24,2001:db8::/32", true, f);
	put_peer(nlh, 0xbb, "", true, NONE);
	mnl_attr_nest_end(nlh, peers);
	return nlh;
}

static const char *aips_of(const struct wg_device *dev, uint8_t k)
{
	static char out[512];
	char buf[PREFIX_STRLEN];
	uint8_t key[WG_KEY_LEN];
	struct wg_peer *p;
	size_t i;

	memset(key, k, sizeof(key));
	p = device_find_peer(dev, key);
	if (!p)
		return "(no such peer)";
	out[0] = '\0';
	for (i = 0; i < p->n_allowedips; i++) {
		strcat(out, i ? "," : "");
		strcat(out, prefix_format(&p->allowedips[i], buf));
	}
	return out;
}

static int parse(const struct nlmsghdr *nlh)
{
	struct wg_device *dev = device_new("wg0");
	int err = netlink_parse_message(nlh, dev);

	device_free(dev);
	return err;
}

static void split_peer_test(void)
{
	static char buf1[MSG_SIZE], buf2[MSG_SIZE];
	struct wg_device *dev = device_new("wg0");
	struct nlmsghdr *one = message(buf1, true), *two = message(buf2, false);
	struct nlattr *peers;

	peers = mnl_attr_nest_start(one, WGDEVICE_A_PEERS);
	put_peer(one, 0xaa, "192.0.2.0/24,2001:db8::/32", true, NONE);
	put_peer(one, 0xbb, "198.51.100.0/24,203.0.113.77/30", true, NONE);
	mnl_attr_nest_end(one, peers);
	/* the rest of 0xbb's allowed IPs, under its key alone, then 0xcc */
	peers = mnl_attr_nest_start(two, WGDEVICE_A_PEERS);
	put_peer(two, 0xbb, "2001:db8:1::/48,2001:db8:2::1/128", false, NONE);
	put_peer(two, 0xcc, "", true, NONE);
	mnl_attr_nest_end(two, peers);

	ok(!netlink_parse_message(one, dev) && !netlink_parse_message(two, dev),
	   "a dump of two messages parses");
	is_u64(dev->n_peers, 3, "three peers, the split one once");
	ok(!strcmp(aips_of(dev, 0xaa), "192.0.2.0/24,2001:db8::/32"), "the first peer: %s",
	   aips_of(dev, 0xaa));
	ok(!strcmp(aips_of(dev, 0xbb),
		   "198.51.100.0/24,203.0.113.76/30,2001:db8:1::/48,2001:db8:2::1/128"),
	   "the split peer holds both parts, host bits cleared: %s", aips_of(dev, 0xbb));
	ok(!strcmp(aips_of(dev, 0xcc), ""), "the last peer has none");
	device_free(dev);
}

static void fault_tests(void)
{
	static char buf[MSG_SIZE];
	struct nlmsghdr *nlh;
	enum fault f;

	ok(!parse(faulty(buf, NONE)), "the message without fault parses");
	for (f = NONE + 1; f < FAULTS; f++) {
		int err = parse(faulty(buf, f));

		if (!ok(err == -EBADMSG, "refused: %s", fault_name[f]))
			diag("got %d", err);
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_MIN_ID + 7;
	ok(parse(nlh) == -EBADMSG, "refused: a message too short for its genetlink header");
	nlh = message(buf, true);
	ok(!parse(nlh), "a device without peers");
}

/* The nth attribute in nest (from 0). */
static struct nlattr *child(struct nlattr *nest, int n)
{
	struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
		if (!n--)
			return a;
	return NULL;
}

/* faulty(NONE) with one length changed by delta: of the peer list
 * (which == 0), of the second peer (1), or of the first peer's allowed IPs
 * (2). Where a length runs past its parent or the message, libmnl's walk
 * stops there, without a word. */
static int cut(int which, int delta)
{
	static char buf[MSG_SIZE];
	struct nlmsghdr *nlh = faulty(buf, NONE);
	struct nlattr *a, *peers = NULL;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == WGDEVICE_A_PEERS)
			peers = a;
	a = which == 0 ? peers : which == 1 ? child(peers, 1) : child(child(peers, 0), 8);
	if (!a || (which == 2 && mnl_attr_get_type(a) != WGPEER_A_ALLOWEDIPS))
		return 0;
	a->nla_len += delta;
	return parse(nlh);
}

static void cut_tests(void)
{
	ok(cut(0, 8) == -EBADMSG, "refused: a peer list 8 bytes past the message");
	ok(cut(0, -8) == -EBADMSG, "refused: a peer list that ends inside its second peer");
	ok(cut(1, 8) == -EBADMSG, "refused: a second peer 8 bytes past the list");
	ok(cut(2, -4) == -EBADMSG, "refused: an allowed IP list that ends inside its second");
}

/* Mutated copies, each in a buffer of its exact size so that a read past
 * the end is caught by valgrind or ASan: parsed or refused, no other way. */
static void mutation_tests(unsigned int seed)
{
	static char buf[MSG_SIZE];
	struct nlmsghdr *nlh = message(buf, true), *copy;
	struct nlattr *peers = mnl_attr_nest_start(nlh, WGDEVICE_A_PEERS);
	unsigned int i, j, n, wrong = 0, refused = 0;
	size_t len;
	int err;

	put_peer(nlh, 0xaa, "192.0.2.0/24,2001:db8::/32,198.51.100.7/32", true, NONE);
	put_peer(nlh, 0xbb, "2001:db8:1::/48", true, NONE);
	mnl_attr_nest_end(nlh, peers);
	for (i = 0; i < 5000; i++) {
		len = nlh->nlmsg_len;
		if (i % 5 == 0) /* cut short */
			len = sizeof(*nlh) + rand_r(&seed) % (len - sizeof(*nlh));
		copy = malloc(len);
		memcpy(copy, nlh, len);
		copy->nlmsg_len = len;
		n = len > sizeof(*nlh) ? 1 + rand_r(&seed) % 3 : 0;
		for (j = 0; j < n; j++)
			((uint8_t *)copy)[sizeof(*nlh) + rand_r(&seed) % (len - sizeof(*nlh))] =
				rand_r(&seed);
		err = parse(copy);
		refused += err == -EBADMSG;
		wrong += err && err != -EBADMSG;
		free(copy);
	}
	is_u64(wrong, 0, "5000 mutated messages: parsed or refused (%u refused)", refused);
	ok(refused > 0, "and some were refused");
}

int main(void)
{
	unsigned int seed = test_seed();

	split_peer_test();
	fault_tests();
	cut_tests();
	mutation_tests(seed);
	return done_testing();
}
