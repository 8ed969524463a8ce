/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One parse of a packet's headers, for everything the datapath does with
 * them: the IP header, read in place (the hook makes it linear), then the
 * upper-layer protocol and its header, copied out through the includer's
 * WGSF_LOAD_BYTES(ctx, offset, to, len) (bpf_skb_load_bytes on tc, whose
 * context, WGSF_CTX, is struct __sk_buff), since
 * they may lie past the linear part: its protocol and ports, TCP flags,
 * ICMP type, code and echo id, whether it is a non-first fragment or cut
 * short, and how long the headers are (what each packet of an aggregate
 * had of its own). IPv6 extension headers are walked: hop-by-hop (first
 * only), routing, destination options and fragment, at most
 * PARSE_IPV6_EXT_MAX of them; a chain that cannot be walked is protocol 255
 * with WGSF_L4_UNWALKED.
 */
#ifndef WGSF_PARSE_BPF_H
#define WGSF_PARSE_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "wgsf_l4.h"
#include "wgsf_verdict.h"

#if !defined(WGSF_CTX) || !defined(WGSF_LOAD_BYTES)
#error "define WGSF_CTX, the program's context type, and WGSF_LOAD_BYTES(ctx, offset, to, len)"
#endif

/*
 * Where the IP header starts: 0 on WireGuard and TUN devices (L3, no link
 * header), ETH_HLEN with Ethernet framing (BPF_PROG_TEST_RUN on tc).
 */
const volatile __u32 l3_offset = 0;

#define PARSE_IPV6_EXT_MAX 8
/* The bytes of an L4 header that anything here reads: a TCP header up to
 * its flags, ICMP up to its echo id, the ports of the rest. */
#define PARSE_L4_BYTES 16
#define PARSE_TCP_FLAGS 13 /* their offset in the TCP header */
#define PARSE_ECHO_ID 4    /* the echo id's, in an ICMP echo header */
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

/* The fields of one IP header that the datapath needs. */
struct packet {
	__u8 version;
	__u8 proto;  /* IPv4's protocol, IPv6's first next header */
	__u16 frag;  /* IPv4's fragment offset, in 8-byte units */
	__u32 len;   /* IP length */
	__u32 hlen;  /* IP header length, without IPv6 extension headers */
	const __u8 *src;
	const __u8 *dst;
};

/*
 * Returns 0 when the packet holds a whole IPv4 or IPv6 header. An
 * aggregate (a GSO skb) of more than 64 KiB, as GRO and TCP make them where
 * the device's gro_max_size or gso_max_size allows (BIG TCP), has a length
 * field of 0: its IP bytes are then the skb's, as the kernel reads them.
 */
static __always_inline int parse_ip(void *data, void *data_end, __u64 pkt_len, int aggregate,
				    struct packet *p)
{
	const __u8 *ip = data + l3_offset;

	if (l3_offset == ETH_HLEN) {
		const struct ethhdr *eth = data;

		if ((void *)(eth + 1) > data_end)
			return -1;
		if (eth->h_proto != bpf_htons(ETH_P_IP) &&
		    eth->h_proto != bpf_htons(ETH_P_IPV6))
			return -1;
	}
	if ((void *)(ip + 1) > data_end)
		return -1;
	p->version = ip[0] >> 4;
	if (p->version == 4) {
		const struct iphdr *h = (const void *)ip;

		if ((void *)(h + 1) > data_end)
			return -1;
		p->hlen = h->ihl * 4;
		p->len = bpf_ntohs(h->tot_len);
		if (!p->len && aggregate)
			p->len = pkt_len - l3_offset;
		if (p->hlen < sizeof(*h) || pkt_len < l3_offset + p->hlen || p->len < p->hlen)
			return -1;
		p->proto = h->protocol;
		p->frag = bpf_ntohs(h->frag_off) & IP_OFFSET;
		p->src = (const __u8 *)&h->saddr;
		p->dst = (const __u8 *)&h->daddr;
		return 0;
	}
	if (p->version == 6) {
		const struct ipv6hdr *h = (const void *)ip;

		if ((void *)(h + 1) > data_end)
			return -1;
		p->hlen = sizeof(*h);
		p->len = sizeof(*h) + bpf_ntohs(h->payload_len);
		if (!h->payload_len && aggregate)
			p->len = pkt_len - l3_offset;
		p->proto = h->nexthdr;
		p->frag = 0;
		p->src = (const __u8 *)&h->saddr;
		p->dst = (const __u8 *)&h->daddr;
		return 0;
	}
	return -1;
}

static __always_inline int ipv6_ext(__u8 next)
{
	return next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS ||
	       next == IPPROTO_FRAGMENT;
}

/* Steps over IPv6 extension headers from l4->off (just past the fixed
 * header) to the upper layer's; returns its protocol, or -1 where the chain
 * cannot be walked: too long, cut short (a header that ends past the
 * packet), or a hop-by-hop header after the first. A fragment header of a non-first fragment ends the walk. */
static __always_inline int ipv6_walk(WGSF_CTX *ctx, __u8 next, __u32 end, struct wgsf_l4 *l4)
{
	__u8 h[4]; /* next header, length, and a fragment header's offset */
	int i;

	for (i = 0; i < PARSE_IPV6_EXT_MAX && ipv6_ext(next); i++) {
		if ((next == IPPROTO_HOPOPTS && i) || l4->off + 8 > end ||
		    WGSF_LOAD_BYTES(ctx, l4->off, h, sizeof(h)))
			return -1;
		if (next == IPPROTO_FRAGMENT) {
			l4->off += 8;
			if ((h[2] << 8 | h[3]) & ~7)
				l4->flags |= WGSF_L4_FRAGMENT;
		} else {
			l4->off += (h[1] + 1) * 8;
		}
		next = h[0];
		if (l4->off > end)
			return -1;
		if (l4->flags & WGSF_L4_FRAGMENT)
			return next;
	}
	return ipv6_ext(next) ? -1 : next;
}

/* The ports, TCP flags, ICMP type, code and echo id in the first bytes of
 * the L4 header, b, of which l4->avail were there. */
static __always_inline void l4_fields(const __u8 *b, __u8 version, struct wgsf_l4 *l4)
{
	switch (l4->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		if (l4->avail < 4) {
			l4->flags |= WGSF_L4_SHORT;
			return;
		}
		l4->sport = b[0] << 8 | b[1];
		l4->dport = b[2] << 8 | b[3];
		if (l4->proto == IPPROTO_TCP && l4->avail > PARSE_TCP_FLAGS)
			l4->tcp_flags = b[PARSE_TCP_FLAGS];
		return;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* ICMP in IPv4, ICMPv6 in IPv6; either in the other is a
		 * protocol without fields here */
		if ((l4->proto == IPPROTO_ICMP) != (version == 4))
			return;
		if (l4->avail < 2) {
			l4->flags |= WGSF_L4_SHORT;
			return;
		}
		l4->type = b[0];
		l4->code = b[1];
		if (l4->avail >= PARSE_ECHO_ID + 2)
			l4->echo_id = b[PARSE_ECHO_ID] << 8 | b[PARSE_ECHO_ID + 1];
	}
}

/*
 * Copies the first avail bytes of the L4 header at off into b: as many as
 * the fields need of them, in a size known when the program is verified
 * (a size known only at run time makes the verifier follow every path
 * that led to it apart).
 */
static __always_inline long load_l4(WGSF_CTX *ctx, __u32 off, __u32 avail, __u8 *b)
{
	if (avail >= PARSE_L4_BYTES)
		return WGSF_LOAD_BYTES(ctx, off, b, PARSE_L4_BYTES);
	if (avail > PARSE_TCP_FLAGS)
		return WGSF_LOAD_BYTES(ctx, off, b, PARSE_TCP_FLAGS + 1);
	if (avail >= PARSE_ECHO_ID + 2)
		return WGSF_LOAD_BYTES(ctx, off, b, PARSE_ECHO_ID + 2);
	if (avail >= 4)
		return WGSF_LOAD_BYTES(ctx, off, b, 4);
	if (avail >= 2)
		return WGSF_LOAD_BYTES(ctx, off, b, 2);
	return avail ? WGSF_LOAD_BYTES(ctx, off, b, 1) : 0;
}

/* What each packet of an aggregate had of its own past the IP header: a
 * TCP header (data offset x 4) or a UDP header, where it is whole. */
static __always_inline __u32 l4_header_len(const __u8 *b, const struct wgsf_l4 *l4, __u32 end)
{
	__u32 len = 0;

	if (l4->proto == IPPROTO_UDP)
		len = 8;
	else if (l4->proto == IPPROTO_TCP && l4->avail > 12 && b[12] >> 4 >= 5)
		len = (b[12] >> 4) * 4;
	return l4->off + len <= end ? len : 0;
}

/* The fields of the L4 header of l4->proto at l4->off, of a packet of IP
 * version that ends at end; its length added to l4->header_len. */
static __always_inline void read_l4(WGSF_CTX *ctx, __u8 version, __u32 end, struct wgsf_l4 *l4)
{
	__u8 b[PARSE_L4_BYTES] = {};

	l4->avail = end > l4->off ? end - l4->off : 0;
	if (l4->avail > PARSE_L4_BYTES)
		l4->avail = PARSE_L4_BYTES;
	if (load_l4(ctx, l4->off, l4->avail, b))
		l4->avail = 0;
	l4_fields(b, version, l4);
	l4->header_len += l4_header_len(b, l4, end);
}

/*
 * The upper layer of an IP packet of version whose fixed header ends at
 * l4->off, its first protocol l4->proto, flags WGSF_L4_FRAGMENT where it is
 * an IPv4 non-first fragment, and header_len the fixed header's length, in
 * a packet that ends at end: l4 filled. Only the bytes before end are read.
 *
 * A function of its own, which the verifier follows once, on its own: its
 * caller goes on from one state, not from one per path through the IPv6
 * extension headers, which would be more than the verifier follows.
 */
__attribute__((noinline)) int parse_upper_layer(WGSF_CTX *ctx, struct wgsf_l4 *l4, __u32 version,
						__u32 end)
{
	__u32 ip_off;
	int proto;

	if (!l4)
		return 0;
	ip_off = l4->off - l4->header_len;
	proto = l4->proto;
	if (!(l4->flags & WGSF_L4_FRAGMENT) && version == 6)
		proto = ipv6_walk(ctx, proto, end, l4);
	if (proto < 0) {
		l4->proto = 255;
		l4->flags |= WGSF_L4_UNWALKED;
		return 0;
	}
	l4->proto = proto;
	if (l4->flags & WGSF_L4_FRAGMENT)
		return 0;
	l4->header_len = l4->off - ip_off;
	read_l4(ctx, version, end, l4);
	return 0;
}

/* The upper layer of the IP packet at ip_off whose header p holds, in a
 * packet that ends at end. */
static __always_inline void parse_l4(WGSF_CTX *ctx, const struct packet *p, __u32 ip_off,
				     __u32 end, struct wgsf_l4 *l4)
{
	__builtin_memset(l4, 0, sizeof(*l4));
	l4->off = ip_off + p->hlen;
	l4->header_len = p->hlen;
	l4->proto = p->proto;
	if (p->frag)
		l4->flags = WGSF_L4_FRAGMENT;
	parse_upper_layer(ctx, l4, p->version, end);
}

/* Where the packet's IP bytes end: its IP length, or the skb's end where
 * that comes first. */
static __always_inline __u32 ip_end(const struct packet *p, __u64 pkt_len)
{
	__u64 end = l3_offset + p->len;

	return end < pkt_len ? end : pkt_len;
}

#endif
