// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "ref_l4.h"
#include "tables/services.h"
#include "wgsf_verdict.h"

#define IPV6_FIXED 40
#define EXT_MIN 8 /* every IPv6 extension header is 8 bytes at least */

static unsigned int be16(const uint8_t *b)
{
	return b[0] << 8 | b[1];
}

static void host(struct prefix *p, uint8_t family, const uint8_t *addr)
{
	memset(p, 0, sizeof(*p));
	p->family = family;
	p->cidr = family == AF_INET ? 32 : 128;
	memcpy(p->addr, addr, p->cidr / 8);
}

bool ref_ip_parse(const uint8_t *ip, size_t len, struct ref_ip *h)
{
	memset(h, 0, sizeof(*h));
	if (len >= 20 && ip[0] >> 4 == 4) {
		h->l4_off = (ip[0] & 15) * 4;
		h->ip_len = be16(ip + 2);
		if (h->l4_off < 20 || len < h->l4_off || h->ip_len < h->l4_off)
			return false;
		h->frag_offset = be16(ip + 6) & 0x1fff;
		h->proto = ip[9];
		host(&h->src, AF_INET, ip + 12);
		host(&h->dst, AF_INET, ip + 16);
	} else if (len >= IPV6_FIXED && ip[0] >> 4 == 6) {
		h->l4_off = IPV6_FIXED;
		h->ip_len = IPV6_FIXED + be16(ip + 4);
		h->proto = ip[6];
		host(&h->src, AF_INET6, ip + 8);
		host(&h->dst, AF_INET6, ip + 24);
	} else {
		return false;
	}
	/* the packet is what its header claims, or the bytes there are */
	h->end = h->ip_len < len ? h->ip_len : len;
	return true;
}

static bool ipv6_extension(uint8_t next)
{
	return next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS ||
	       next == IPPROTO_FRAGMENT;
}

/*
 * Steps over IPv6 extension headers (RFC 8200 4.1: hop-by-hop only right
 * after the fixed header) to the upper layer; l4->kind UNWALKED where the
 * chain is longer than REF_IPV6_EXT_MAX or a header ends past the packet.
 * A fragment header whose offset is not 0 ends the walk: what follows it
 * is the middle of a datagram, and its next header the protocol.
 */
static size_t ipv6_walk(const uint8_t *ip, const struct ref_ip *h, struct ref_l4 *l4)
{
	size_t off = h->l4_off, hlen;
	uint8_t next = h->proto;
	const uint8_t *e;

	while (ipv6_extension(next)) {
		if (l4->ext == REF_IPV6_EXT_MAX || (next == IPPROTO_HOPOPTS && l4->ext) ||
		    off + EXT_MIN > h->end)
			break;
		e = ip + off;
		hlen = next == IPPROTO_FRAGMENT ? EXT_MIN : (e[1] + 1u) * 8;
		if (off + hlen > h->end)
			break;
		l4->ext++;
		off += hlen;
		if (next == IPPROTO_FRAGMENT && be16(e + 2) >> 3) {
			l4->kind = REF_L4_FRAGMENT;
			l4->proto = e[0];
			return off;
		}
		next = e[0];
	}
	if (ipv6_extension(next)) {
		l4->kind = REF_L4_UNWALKED;
		l4->proto = 255;
	} else {
		l4->proto = next;
	}
	return off;
}

/* The fields that a protocol's first header bytes give, of which avail
 * are there. */
static void l4_fields(const uint8_t *b, size_t avail, uint8_t family, struct ref_l4 *l4)
{
	bool icmp = (family == AF_INET && l4->proto == IPPROTO_ICMP) ||
		    (family == AF_INET6 && l4->proto == IPPROTO_ICMPV6);

	if (l4->proto == IPPROTO_TCP || l4->proto == IPPROTO_UDP || l4->proto == IPPROTO_SCTP) {
		l4->kind = avail < 4 ? REF_L4_SHORT : REF_L4_PORTS;
		if (avail >= 4)
			l4->port = be16(b + 2);
	} else if (icmp) {
		l4->kind = avail < 2 ? REF_L4_SHORT : REF_L4_TYPE;
		if (avail >= 2) {
			l4->type = b[0];
			l4->code = b[1];
		}
	} else {
		l4->kind = REF_L4_NONE;
	}
}

struct ref_l4 ref_l4_parse(const uint8_t *ip, const struct ref_ip *h)
{
	struct ref_l4 l4 = { .kind = REF_L4_NONE, .proto = h->proto };
	size_t off = h->l4_off;

	if (h->src.family == AF_INET && h->frag_offset) {
		l4.kind = REF_L4_FRAGMENT;
		return l4;
	}
	if (h->src.family == AF_INET6) {
		off = ipv6_walk(ip, h, &l4);
		if (l4.kind == REF_L4_FRAGMENT || l4.kind == REF_L4_UNWALKED)
			return l4;
	}
	l4_fields(ip + off, h->end - off, h->src.family, &l4);
	return l4;
}

uint8_t ref_l4_flags(const struct ref_l4 *l4)
{
	switch (l4->kind) {
	case REF_L4_FRAGMENT:
		return WGSF_L4_FRAGMENT;
	case REF_L4_SHORT:
		return WGSF_L4_SHORT;
	case REF_L4_UNWALKED:
		return WGSF_L4_UNWALKED;
	default:
		return 0;
	}
}

uint16_t ref_l4_port(const struct ref_l4 *l4)
{
	if (l4->kind == REF_L4_PORTS)
		return l4->port;
	return l4->kind == REF_L4_TYPE ? l4->type << 8 | l4->code : 0;
}

/* Its name, for a diagnostic alone: what decides is not shared. */
static const char *proto_name(uint8_t proto, char buf[16])
{
	if (svc_proto_name(proto))
		return svc_proto_name(proto);
	snprintf(buf, 16, "proto %u", proto);
	return buf;
}

const char *ref_l4_describe(const struct ref_l4 *l4, char *buf, size_t size)
{
	static const char *const kinds[] = {
		[REF_L4_NONE] = "no ports", [REF_L4_FRAGMENT] = "a non-first fragment",
		[REF_L4_SHORT] = "cut short", [REF_L4_UNWALKED] = "extension chain unwalked",
	};
	char p[16];

	if (l4->kind == REF_L4_PORTS)
		snprintf(buf, size, "%s port %u", proto_name(l4->proto, p), l4->port);
	else if (l4->kind == REF_L4_TYPE)
		snprintf(buf, size, "%s type %u code %u", proto_name(l4->proto, p), l4->type,
			 l4->code);
	else
		snprintf(buf, size, "%s, %s", proto_name(l4->proto, p), kinds[l4->kind]);
	if (l4->ext)
		snprintf(buf + strlen(buf), size - strlen(buf), ", %u extension headers",
			 l4->ext);
	return buf;
}
