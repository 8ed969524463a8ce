// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>
#include <netinet/in.h>

#include "l4packet.h"
#include "packet.h"

#define TCP_HLEN 20
#define UDP_HLEN 8
#define ICMP_HLEN 8
#define FRAG_HLEN 8 /* IPv6's fragment header */

static uint32_t sum16(uint32_t sum, const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v;
}

/* The L4 checksum over the pseudo header and the len bytes at l4, stored
 * at l4 + at. ICMP (IPv4) has no pseudo header. */
static void l4_checksum(const struct l4_spec *s, uint8_t *l4, size_t len, size_t at)
{
	size_t alen = s->src.family == AF_INET ? 4 : 16;
	uint32_t sum = 0;

	if (s->proto != IPPROTO_ICMP) {
		sum = sum16(sum16(0, s->src.addr, alen), s->dst.addr, alen);
		sum += s->proto + (uint32_t)len;
	}
	put16(l4 + at, fold(sum16(sum, l4, len)));
}

/* The header of s at l4; its length. */
static size_t l4_header(const struct l4_spec *s, uint8_t *l4, size_t total)
{
	switch (s->proto) {
	case IPPROTO_TCP:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		l4[4] = 0x01; /* a sequence number, any */
		l4[12] = (TCP_HLEN / 4) << 4;
		l4[13] = s->flags;
		put16(l4 + 14, 65535); /* the window */
		return TCP_HLEN;
	case IPPROTO_UDP:
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put16(l4 + 4, total);
		return UDP_HLEN;
	default:
		l4[0] = s->flags;
		l4[1] = s->code;
		put16(l4 + 4, s->sport); /* an echo's id, or an error's unused */
		return ICMP_HLEN;
	}
}

size_t l4_packet(uint8_t *ip, size_t room, const struct l4_spec *s)
{
	bool v4 = s->src.family == AF_INET;
	size_t hlen = v4 ? IPV4_HLEN : IPV6_HLEN, l4len, len;
	static const size_t csum_at[256] = { [IPPROTO_TCP] = 16, [IPPROTO_UDP] = 6,
					     [IPPROTO_ICMP] = 2, [IPPROTO_ICMPV6] = 2 };
	uint8_t *l4 = ip + hlen;

	l4len = (s->proto == IPPROTO_TCP ? TCP_HLEN : s->proto == IPPROTO_UDP ? UDP_HLEN
										 : ICMP_HLEN) +
		s->payload_len;
	len = hlen + l4len;
	if (len > room)
		return 0;
	ip_header(ip, &s->src, &s->dst, len, IPV4_HLEN / 4);
	ip[v4 ? 9 : 6] = s->proto;
	memset(l4, 0, l4len);
	l4 += l4_header(s, l4, l4len);
	if (s->payload_len)
		memcpy(l4, s->payload, s->payload_len);
	l4 = ip + hlen;
	l4_checksum(s, l4, l4len, csum_at[s->proto]);
	if (v4)
		put16(ip + 10, fold(sum16(0, ip, IPV4_HLEN)));
	return len;
}

size_t l4_fragment(uint8_t *ip, size_t len, size_t room, uint16_t units)
{
	if (ip[0] >> 4 == 4) {
		put16(ip + 6, units & 0x1fff); /* and no more fragments */
		put16(ip + 10, 0);
		put16(ip + 10, fold(sum16(0, ip, IPV4_HLEN)));
		return len;
	}
	if (len < IPV6_HLEN || len + FRAG_HLEN > room)
		return 0;
	memmove(ip + IPV6_HLEN + FRAG_HLEN, ip + IPV6_HLEN, len - IPV6_HLEN);
	memset(ip + IPV6_HLEN, 0, FRAG_HLEN);
	ip[IPV6_HLEN] = ip[6];
	put16(ip + IPV6_HLEN + 2, units << 3);
	ip[6] = IPPROTO_FRAGMENT;
	put16(ip + 4, len + FRAG_HLEN - IPV6_HLEN);
	return len + FRAG_HLEN;
}

int l4_spec_addrs(struct l4_spec *s, const char *src, const char *dst)
{
	return addr_parse(src, &s->src) || addr_parse(dst, &s->dst) ||
			       s->src.family != s->dst.family
		       ? -1
		       : 0;
}
