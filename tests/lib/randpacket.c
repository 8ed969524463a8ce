// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>
#include <linux/if_ether.h>
#include <netinet/in.h>

#include "packet.h"
#include "randpacket.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof(*(a)))

#define ROOM (PACKET_MAX - ETH_HLEN) /* what hook_run_ip() takes */
#define PAYLOAD_MAX 16
#define L4_MAX 20                    /* TCP's header, the longest drawn */
#define IP_LEN_MAX 65535             /* IPv4's total length, IPv6's payload length */

/* What the upper layer of a packet is to say. */
struct l4_draw {
	uint8_t proto;
	uint16_t port; /* TCP, UDP, SCTP: the destination port */
	uint8_t type, code;
};

static void put16(uint8_t *b, unsigned int v)
{
	b[0] = v >> 8;
	b[1] = v;
}

/* A rule of l of family, drawn at random with those seen before it. */
static const struct ref_rule *draw_from(const struct ref_rules *l, uint8_t family,
					unsigned int *seen, const struct ref_rule *pick)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].dst.family == family && rand_below(++*seen) == 0)
			pick = &l->v[i];
	return pick;
}

/* One of the destination rules of slot of family, its groups' too; NULL
 * for none. */
static const struct ref_rule *sender_rule(const struct reference *r, long slot, uint8_t family)
{
	const struct ref_rule *pick = NULL;
	unsigned int seen = 0;
	size_t g;

	if (slot < 0)
		return NULL;
	pick = draw_from(&r->peers[slot].rules, family, &seen, pick);
	for (g = 0; g < r->n_groups; g++)
		if (ref_member(r, slot, g))
			pick = draw_from(&r->groups[g].rules, family, &seen, pick);
	return pick;
}

/* A value at an edge of lo-hi or inside it; past the edges wraps. */
static unsigned int near(unsigned int lo, unsigned int hi)
{
	switch (rand_below(6)) {
	case 0:
		return lo - 1;
	case 1:
		return lo;
	case 2:
		return hi;
	case 3:
		return hi + 1;
	default:
		return lo + rand_below(hi - lo + 1);
	}
}

/* rule's protocol, ports and types mostly (rule NULL: none to meet). */
static struct l4_draw draw_l4(const struct ref_rule *rule)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP,
					  IPPROTO_ICMPV6, IPPROTO_GRE, 0, 255 };
	struct l4_draw d = { .code = rand_below(4) ? 0 : rand_below(256) };

	if (rule && rule->kind != REF_ANY_PROTO && rand_below(8))
		d.proto = rule->proto;
	else
		d.proto = rand_below(4) ? protos[rand_below(ARRAY_LEN(protos))] : rand_below(256);
	if (rule && rule->kind == REF_RANGE && rand_below(8)) {
		d.port = near(rule->lo, rule->hi);
		d.type = near(rule->lo, rule->hi);
	} else {
		d.port = rand_below(16) ? rand_below(65536) : 0;
		d.type = rand_below(2) ? rand_below(16) : 128 + rand_below(16);
	}
	return d;
}

/* The upper layer's header at l4: its length. */
static size_t l4_header(uint8_t *l4, const struct l4_draw *d)
{
	size_t len;

	switch (d->proto) {
	case IPPROTO_TCP:
		len = 20;
		break;
	case IPPROTO_SCTP:
		len = 12;
		break;
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		len = 8;
		break;
	default:
		len = rand_below(9);
	}
	rand_bytes(l4, len);
	if (d->proto == IPPROTO_ICMP || d->proto == IPPROTO_ICMPV6) {
		l4[0] = d->type;
		l4[1] = d->code;
	} else if (len >= 4) {
		put16(l4 + 2, d->port);
	}
	if (d->proto == IPPROTO_TCP)
		l4[12] = (5 + rand_below(11)) << 4;
	return len;
}

/* One extension header of kind at ip + off, that fits before room: its
 * length, or 0 where none fits. A fragment header is now and then one of
 * a non-first fragment; its other bits are random. */
static size_t extension(uint8_t *ip, size_t off, uint8_t kind, size_t room)
{
	size_t len = kind == IPPROTO_FRAGMENT || rand_below(4) ? 8 : 8 * (2 + rand_below(2));

	if (off + len > room)
		return 0;
	rand_bytes(ip + off, len);
	if (kind != IPPROTO_FRAGMENT)
		ip[off + 1] = len / 8 - 1;
	else if (rand_below(3)) {
		ip[off + 2] = 0; /* offset 0: the first fragment */
		ip[off + 3] &= 7;
	}
	return len;
}

/* Now and then an extension header chain past the IPv6 header at ip, of
 * routing, destination options, fragment headers and hop-by-hop first (or
 * later, which is wrong), short or longer than the walk goes; ending in
 * proto. Where it ends. */
static size_t ipv6_chain(uint8_t *ip, uint8_t proto)
{
	static const uint8_t kinds[] = { IPPROTO_ROUTING, IPPROTO_DSTOPTS, IPPROTO_FRAGMENT,
					 IPPROTO_HOPOPTS };
	unsigned int i, n = rand_below(3) ? 0
				 : rand_below(2) ? 1 + rand_below(3)
						 : REF_IPV6_EXT_MAX + rand_below(3);
	size_t off = IPV6_HLEN, len;
	uint8_t *next = ip + 6, kind;

	for (i = 0; i < n; i++) {
		kind = i == 0 && rand_below(2) ? IPPROTO_HOPOPTS
					       : kinds[rand_below(rand_below(8) ? 3 : 4)];
		len = extension(ip, off, kind, ROOM - L4_MAX - PAYLOAD_MAX);
		if (!len)
			break;
		*next = kind;
		next = ip + off;
		off += len;
	}
	*next = proto;
	return off;
}

/* An IPv4 fragment now and then: a non-first one mostly, of either MF. */
static void ipv4_fragment(uint8_t *ip)
{
	unsigned int frag = 0;

	if (rand_below(8) == 0)
		frag = (1 + rand_below(0x1fff)) | (rand_below(2) ? 0x2000 : 0);
	else if (rand_below(16) == 0)
		frag = 0x2000; /* the first fragment: judged by its ports */
	put16(ip + 6, frag);
}

static void set_ip_len(uint8_t *ip, uint32_t ip_len)
{
	if (ip[0] >> 4 == 4)
		put16(ip + 2, ip_len);
	else
		put16(ip + 4, ip_len - IPV6_HLEN);
}

/* Breaks a well-formed header, or not quite: the reference decides. */
static size_t mangle(uint8_t *ip, size_t len)
{
	switch (rand_below(5)) {
	case 0:
		ip[0] = rand_below(16) << 4 | (ip[0] & 15); /* version */
		break;
	case 1:
		ip[0] = (ip[0] & 0xf0) | rand_below(16); /* IHL */
		break;
	case 2:
		ip[2] = 0; /* IPv4 total length about the header's */
		ip[3] = rand_below(64);
		break;
	case 3:
		/* truncated, but long enough for BPF_PROG_TEST_RUN on tc */
		len = IPV4_HLEN + rand_below(len - IPV4_HLEN);
		break;
	default:
		rand_bytes(ip, len);
	}
	return len;
}

/*
 * The packet's length now that its headers, at l4 the upper layer's, and
 * payload are written, len bytes: its IP length claims them, or more, or
 * the packet ends early (the bytes or the length field cut it) inside the
 * upper layer's first bytes or the IPv6 extension headers.
 */
static size_t lengths(uint8_t *ip, size_t fixed, size_t l4, size_t len)
{
	uint32_t most = ip[0] >> 4 == 4 ? IP_LEN_MAX : IP_LEN_MAX + IPV6_HLEN;
	size_t cut = l4 > fixed && rand_below(2) ? fixed + rand_below(l4 - fixed)
						    : l4 + rand_below(5);
	uint32_t ip_len = len;

	if (rand_below(4) == 0)
		ip_len = len + rand_below(most - len + 1);
	if (rand_below(8) == 0 && cut < len) {
		if (rand_below(2))
			len = cut;
		else
			ip_len = cut;
	}
	set_ip_len(ip, ip_len);
	return len;
}

size_t rand_packet(const struct rand_state *g, uint8_t *ip)
{
	const struct reference *r = &g->r;
	struct prefix src = rand_below(10) && r->aips.n ? rand_host_in(&r->aips.v[rand_below(r->aips.n)])
						     : rand_state_outside(g);
	const struct ref_rule *rule = rand_below(4) ? sender_rule(r, ref_lookup(r, &src), src.family)
						    : NULL;
	struct prefix dst = rule && rand_below(4) ? rand_host_in(&rule->dst)
						  : rand_state_destination(g, src.family);
	unsigned int ihl = src.family == AF_INET && rand_below(8) == 0 ? 6 + rand_below(10) : 5;
	struct l4_draw d = draw_l4(rule);
	size_t fixed = ip_header(ip, &src, &dst, 0, ihl), l4 = fixed, len, payload;

	if (src.family == AF_INET) {
		ip[9] = d.proto;
		ipv4_fragment(ip);
	} else {
		l4 = ipv6_chain(ip, d.proto);
	}
	len = l4 + l4_header(ip + l4, &d);
	payload = rand_below(PAYLOAD_MAX + 1);
	rand_bytes(ip + len, payload);
	len = lengths(ip, fixed, l4, len + payload);
	return rand_below(16) ? len : mangle(ip, len);
}
