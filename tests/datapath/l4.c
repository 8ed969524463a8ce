// SPDX-License-Identifier: GPL-2.0-only
/*
 * The datapath's one parse of a packet, read exactly for every header
 * shape: IPv4 with and without options, first and non-first fragments,
 * IPv6 extension chains (hop-by-hop, routing, destination options,
 * fragment) up to the longest walked and past it, L4 headers cut short at
 * each field, ICMP and ICMPv6, protocols without fields, and an IP length
 * shorter than the frame. bpf/parse_probe.bpf.c runs the datapath's parse
 * (bpf/parse.bpf.h) and leaves what it found for the test to read; every
 * expected figure is worked out by hand.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "packet.h"
#include "tap.h"
#include "wgsf_l4.h"
#include "wgsf_verdict.h"
#include "parse_probe.skel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#define EXT_MAX 10

/* An IPv6 extension header: its type and length in bytes sent; field, a
 * fragment header's offset and M bit as its bytes 2-3 hold them, else, when
 * not 0, the length field it claims instead of its own. */
struct ext {
	uint8_t type;
	uint16_t len, field;
};

struct shape {
	const char *what;
	uint8_t family;
	uint8_t ihl;        /* IPv4 header words */
	uint16_t frag_off;  /* IPv4's field: flags and offset */
	struct ext ext[EXT_MAX];
	uint8_t proto;      /* the last header's next header */
	uint8_t l4[24];     /* the upper layer's bytes ... */
	uint8_t l4_len;     /* ... of which this many are sent */
	uint8_t pad;        /* bytes past the IP length in the frame */
	struct wgsf_l4 want; /* off counts from the IP header here */
};

#define TCP(sp, dp, doff, flags) \
	{ (sp) >> 8, (sp) & 255, (dp) >> 8, (dp) & 255, 0, 0, 0, 1, 0, 0, 0, 0, (doff) << 4, flags }
#define UDP(sp, dp) { (sp) >> 8, (sp) & 255, (dp) >> 8, (dp) & 255, 0, 8 }
#define ICMP(type, code, id) { type, code, 0, 0, (id) >> 8, (id) & 255, 0, 1 }
#define DSTOPTS8 { IPPROTO_DSTOPTS, 8, 0 }
#define SYN 0x02
#define ACK 0x10

static const struct shape shapes[] = {
	{ "IPv4 TCP", AF_INET, 5, 0, {}, IPPROTO_TCP, TCP(40000, 22, 5, SYN), 20, 0,
	  { .header_len = 40, .off = 20, .avail = 16, .sport = 40000, .dport = 22,
	    .proto = IPPROTO_TCP, .tcp_flags = SYN } },
	{ "IPv4 options (IHL 6), UDP", AF_INET, 6, 0, {}, IPPROTO_UDP, UDP(53, 5353), 8, 0,
	  { .header_len = 32, .off = 24, .avail = 8, .sport = 53, .dport = 5353,
	    .proto = IPPROTO_UDP } },
	{ "IPv4 options (IHL 15), TCP with options", AF_INET, 15, 0, {}, IPPROTO_TCP,
	  TCP(443, 50000, 6, SYN | ACK), 24, 0,
	  { .header_len = 84, .off = 60, .avail = 16, .sport = 443, .dport = 50000,
	    .proto = IPPROTO_TCP, .tcp_flags = SYN | ACK } },
	{ "IPv4 SCTP", AF_INET, 5, 0, {}, IPPROTO_SCTP, { 0x0b, 0xb8, 0x0f, 0xa0 }, 12, 0,
	  { .header_len = 20, .off = 20, .avail = 12, .sport = 3000, .dport = 4000,
	    .proto = IPPROTO_SCTP } },
	{ "IPv4 ICMP echo request", AF_INET, 5, 0, {}, IPPROTO_ICMP, ICMP(8, 0, 0x1234), 8, 0,
	  { .header_len = 20, .off = 20, .avail = 8, .echo_id = 0x1234, .proto = IPPROTO_ICMP,
	    .type = 8 } },
	{ "IPv4 ICMP port unreachable", AF_INET, 5, 0, {}, IPPROTO_ICMP, ICMP(3, 3, 0), 8, 0,
	  { .header_len = 20, .off = 20, .avail = 8, .proto = IPPROTO_ICMP, .type = 3,
	    .code = 3 } },
	{ "IPv4 first fragment (MF, offset 0), UDP", AF_INET, 5, 0x2000, {}, IPPROTO_UDP,
	  UDP(1000, 2000), 8, 0,
	  { .header_len = 28, .off = 20, .avail = 8, .sport = 1000, .dport = 2000,
	    .proto = IPPROTO_UDP } },
	{ "IPv4 non-first fragment (offset 185), UDP", AF_INET, 5, 185, {}, IPPROTO_UDP,
	  UDP(1000, 2000), 8, 0,
	  { .header_len = 20, .off = 20, .proto = IPPROTO_UDP, .flags = WGSF_L4_FRAGMENT } },
	{ "IPv4 last fragment (offset 1, no MF), TCP", AF_INET, 5, 1, {}, IPPROTO_TCP,
	  TCP(1, 2, 5, SYN), 20, 0,
	  { .header_len = 20, .off = 20, .proto = IPPROTO_TCP, .flags = WGSF_L4_FRAGMENT } },
	{ "IPv4 TCP cut at 3 bytes", AF_INET, 5, 0, {}, IPPROTO_TCP, TCP(40000, 22, 5, SYN), 3,
	  0, { .header_len = 20, .off = 20, .avail = 3, .proto = IPPROTO_TCP,
	       .flags = WGSF_L4_SHORT } },
	{ "IPv4 TCP cut at 4 bytes: ports, no flags", AF_INET, 5, 0, {}, IPPROTO_TCP,
	  TCP(40000, 22, 5, SYN), 4, 0,
	  { .header_len = 20, .off = 20, .avail = 4, .sport = 40000, .dport = 22,
	    .proto = IPPROTO_TCP } },
	{ "IPv4 TCP cut at 13 bytes: no flags", AF_INET, 5, 0, {}, IPPROTO_TCP,
	  TCP(40000, 22, 5, SYN), 13, 0,
	  { .header_len = 20, .off = 20, .avail = 13, .sport = 40000, .dport = 22,
	    .proto = IPPROTO_TCP } },
	{ "IPv4 TCP cut at 14 bytes: flags, header not whole", AF_INET, 5, 0, {}, IPPROTO_TCP,
	  TCP(40000, 22, 5, SYN), 14, 0,
	  { .header_len = 20, .off = 20, .avail = 14, .sport = 40000, .dport = 22,
	    .proto = IPPROTO_TCP, .tcp_flags = SYN } },
	{ "IPv4 TCP data offset 4", AF_INET, 5, 0, {}, IPPROTO_TCP, TCP(5, 6, 4, ACK), 20, 0,
	  { .header_len = 20, .off = 20, .avail = 16, .sport = 5, .dport = 6,
	    .proto = IPPROTO_TCP, .tcp_flags = ACK } },
	{ "IPv4 UDP cut at 7 bytes", AF_INET, 5, 0, {}, IPPROTO_UDP, UDP(53, 5353), 7, 0,
	  { .header_len = 20, .off = 20, .avail = 7, .sport = 53, .dport = 5353,
	    .proto = IPPROTO_UDP } },
	{ "IPv4 UDP, no byte of it", AF_INET, 5, 0, {}, IPPROTO_UDP, UDP(53, 5353), 0, 0,
	  { .header_len = 20, .off = 20, .proto = IPPROTO_UDP, .flags = WGSF_L4_SHORT } },
	{ "IPv4 ICMP cut at 1 byte", AF_INET, 5, 0, {}, IPPROTO_ICMP, ICMP(8, 0, 7), 1, 0,
	  { .header_len = 20, .off = 20, .avail = 1, .proto = IPPROTO_ICMP,
	    .flags = WGSF_L4_SHORT } },
	{ "IPv4 ICMP echo cut at 5 bytes: no id", AF_INET, 5, 0, {}, IPPROTO_ICMP,
	  ICMP(8, 0, 7), 5, 0,
	  { .header_len = 20, .off = 20, .avail = 5, .proto = IPPROTO_ICMP, .type = 8 } },
	{ "IPv4 GRE: a protocol without fields", AF_INET, 5, 0, {}, 47, { 1, 2, 3, 4 }, 4, 0,
	  { .header_len = 20, .off = 20, .avail = 4, .proto = 47 } },
	{ "IPv4 carrying ICMPv6: no fields", AF_INET, 5, 0, {}, IPPROTO_ICMPV6,
	  ICMP(128, 0, 9), 8, 0, { .header_len = 20, .off = 20, .avail = 8,
				   .proto = IPPROTO_ICMPV6 } },
	{ "IPv4 UDP, IP length 4 bytes into it, frame padded", AF_INET, 5, 0, {}, IPPROTO_UDP,
	  UDP(53, 5353), 4, 20,
	  { .header_len = 20, .off = 20, .avail = 4, .sport = 53, .dport = 5353,
	    .proto = IPPROTO_UDP } },
	{ "IPv6 TCP", AF_INET6, 0, 0, {}, IPPROTO_TCP, TCP(40000, 80, 5, ACK), 20, 0,
	  { .header_len = 60, .off = 40, .avail = 16, .sport = 40000, .dport = 80,
	    .proto = IPPROTO_TCP, .tcp_flags = ACK } },
	{ "IPv6 hop-by-hop, UDP", AF_INET6, 0, 0, { { IPPROTO_HOPOPTS, 8, 0 } }, IPPROTO_UDP,
	  UDP(500, 4500), 8, 0,
	  { .header_len = 56, .off = 48, .avail = 8, .sport = 500, .dport = 4500,
	    .proto = IPPROTO_UDP } },
	{ "IPv6 hop-by-hop, routing, destination options, TCP with options", AF_INET6, 0, 0,
	  { { IPPROTO_HOPOPTS, 16, 0 }, { IPPROTO_ROUTING, 24, 0 }, DSTOPTS8 }, IPPROTO_TCP,
	  TCP(22, 40001, 6, ACK), 24, 0,
	  { .header_len = 112, .off = 88, .avail = 16, .sport = 22, .dport = 40001,
	    .proto = IPPROTO_TCP, .tcp_flags = ACK } },
	{ "IPv6 first fragment (offset 0, M), UDP", AF_INET6, 0, 0,
	  { { IPPROTO_FRAGMENT, 8, 1 } }, IPPROTO_UDP, UDP(7, 9), 8, 0,
	  { .header_len = 56, .off = 48, .avail = 8, .sport = 7, .dport = 9,
	    .proto = IPPROTO_UDP } },
	{ "IPv6 non-first fragment (offset 100), UDP", AF_INET6, 0, 0,
	  { { IPPROTO_FRAGMENT, 8, 100 << 3 } }, IPPROTO_UDP, UDP(7, 9), 8, 0,
	  { .header_len = 40, .off = 48, .proto = IPPROTO_UDP, .flags = WGSF_L4_FRAGMENT } },
	{ "IPv6 hop-by-hop, non-first fragment (offset 1), TCP", AF_INET6, 0, 0,
	  { { IPPROTO_HOPOPTS, 8, 0 }, { IPPROTO_FRAGMENT, 8, 1 << 3 | 1 } }, IPPROTO_TCP,
	  TCP(1, 2, 5, SYN), 20, 0,
	  { .header_len = 40, .off = 56, .proto = IPPROTO_TCP, .flags = WGSF_L4_FRAGMENT } },
	{ "IPv6 8 destination options headers (the most walked), TCP", AF_INET6, 0, 0,
	  { DSTOPTS8, DSTOPTS8, DSTOPTS8, DSTOPTS8, DSTOPTS8, DSTOPTS8, DSTOPTS8, DSTOPTS8 },
	  IPPROTO_TCP, TCP(1234, 443, 5, SYN), 20, 0,
	  { .header_len = 124, .off = 104, .avail = 16, .sport = 1234, .dport = 443,
	    .proto = IPPROTO_TCP, .tcp_flags = SYN } },
	{ "IPv6 9 destination options headers: not walked", AF_INET6, 0, 0,
	  { DSTOPTS8, DSTOPTS8, DSTOPTS8, DSTOPTS8, DSTOPTS8, DSTOPTS8, DSTOPTS8, DSTOPTS8,
	    DSTOPTS8 },
	  IPPROTO_TCP, TCP(1234, 443, 5, SYN), 20, 0,
	  { .header_len = 40, .off = 104, .proto = 255, .flags = WGSF_L4_UNWALKED } },
	{ "IPv6 hop-by-hop after destination options: not walked", AF_INET6, 0, 0,
	  { DSTOPTS8, { IPPROTO_HOPOPTS, 8, 0 } }, IPPROTO_UDP, UDP(1, 2), 8, 0,
	  { .header_len = 40, .off = 48, .proto = 255, .flags = WGSF_L4_UNWALKED } },
	{ "IPv6 hop-by-hop cut at 4 bytes: not walked", AF_INET6, 0, 0,
	  { { IPPROTO_HOPOPTS, 4, 0 } }, IPPROTO_UDP, UDP(1, 2), 0, 0,
	  { .header_len = 40, .off = 40, .proto = 255, .flags = WGSF_L4_UNWALKED } },
	{ "IPv6 routing header, TCP without a byte: cut short", AF_INET6, 0, 0,
	  { { IPPROTO_ROUTING, 8, 0 } }, IPPROTO_TCP, TCP(1, 2, 5, SYN), 0, 0,
	  { .header_len = 48, .off = 48, .proto = IPPROTO_TCP, .flags = WGSF_L4_SHORT } },
	{ "IPv6 routing header claiming 32 bytes, 8 there: not walked", AF_INET6, 0, 0,
	  { { IPPROTO_ROUTING, 8, 3 } }, IPPROTO_TCP, TCP(1, 2, 5, SYN), 0, 0,
	  { .header_len = 40, .off = 72, .proto = 255, .flags = WGSF_L4_UNWALKED } },
	{ "IPv6 ICMPv6 echo request", AF_INET6, 0, 0, {}, IPPROTO_ICMPV6, ICMP(128, 0, 0xbeef),
	  8, 0, { .header_len = 40, .off = 40, .avail = 8, .echo_id = 0xbeef,
		  .proto = IPPROTO_ICMPV6, .type = 128 } },
	{ "IPv6 ICMPv6 packet too big", AF_INET6, 0, 0, {}, IPPROTO_ICMPV6, ICMP(2, 0, 0), 8, 0,
	  { .header_len = 40, .off = 40, .avail = 8, .proto = IPPROTO_ICMPV6, .type = 2 } },
	{ "IPv6 routing, ICMPv6 echo reply", AF_INET6, 0, 0, { { IPPROTO_ROUTING, 8, 0 } },
	  IPPROTO_ICMPV6, ICMP(129, 0, 0x0102), 8, 0,
	  { .header_len = 48, .off = 48, .avail = 8, .echo_id = 0x0102,
	    .proto = IPPROTO_ICMPV6, .type = 129 } },
	{ "IPv6 carrying ICMP: no fields", AF_INET6, 0, 0, {}, IPPROTO_ICMP, ICMP(8, 0, 1), 8, 0,
	  { .header_len = 40, .off = 40, .avail = 8, .proto = IPPROTO_ICMP } },
	{ "IPv6 no next header", AF_INET6, 0, 0, {}, IPPROTO_NONE, {}, 0, 0,
	  { .header_len = 40, .off = 40, .proto = IPPROTO_NONE } },
	{ "IPv6 authentication header: the upper layer", AF_INET6, 0, 0, {}, IPPROTO_AH,
	  { IPPROTO_TCP, 4 }, 24, 0,
	  { .header_len = 40, .off = 40, .avail = 16, .proto = IPPROTO_AH } },
	{ "IPv6 TCP data offset 15, 40 bytes there", AF_INET6, 0, 0, {}, IPPROTO_TCP,
	  TCP(9, 10, 15, ACK), 24, 0,
	  { .header_len = 40, .off = 40, .avail = 16, .sport = 9, .dport = 10,
	    .proto = IPPROTO_TCP, .tcp_flags = ACK } },
};

/* The IPv6 extension headers of s at b; their length. */
static size_t ext_headers(const struct shape *s, uint8_t *b)
{
	size_t n = 0, i;

	/* (hop-by-hop is type 0: a header is there where its length is not 0) */
	for (i = 0; i < EXT_MAX && s->ext[i].len; i++) {
		uint8_t next = i + 1 < EXT_MAX && s->ext[i + 1].len ? s->ext[i + 1].type
								     : s->proto;

		memset(b + n, 0, s->ext[i].len);
		b[n] = next;
		if (s->ext[i].type == IPPROTO_FRAGMENT) {
			b[n + 2] = s->ext[i].field >> 8;
			b[n + 3] = s->ext[i].field;
		} else if (s->ext[i].len > 1) {
			b[n + 1] = s->ext[i].field ?: s->ext[i].len / 8 - 1;
		}
		n += s->ext[i].len;
	}
	return n;
}

/* The IP packet of s at ip, padding included; its IP length in *ip_len. */
static size_t build(const struct shape *s, uint8_t *ip, uint32_t *ip_len)
{
	struct prefix src, dst;
	size_t hlen, ext = 0;

	addr_parse(s->family == AF_INET ? "192.0.2.7" : "2001:db8::7", &src);
	addr_parse(s->family == AF_INET ? "198.51.100.1" : "2001:db8:ff::1", &dst);
	memset(ip, 0, PACKET_MAX);
	if (s->family == AF_INET6)
		ext = ext_headers(s, ip + IPV6_HLEN);
	hlen = s->family == AF_INET ? s->ihl * 4u : IPV6_HLEN;
	*ip_len = hlen + ext + s->l4_len;
	ip_header(ip, &src, &dst, *ip_len, s->ihl);
	if (s->family == AF_INET) {
		ip[6] = s->frag_off >> 8;
		ip[7] = s->frag_off;
		ip[9] = s->proto;
	} else {
		ip[6] = s->ext[0].len ? s->ext[0].type : s->proto;
	}
	memcpy(ip + hlen + ext, s->l4, s->l4_len);
	return *ip_len + s->pad;
}

static bool same(const struct wgsf_l4 *a, const struct wgsf_l4 *b)
{
	return a->header_len == b->header_len && a->off == b->off && a->avail == b->avail &&
	       a->sport == b->sport && a->dport == b->dport && a->echo_id == b->echo_id &&
	       a->proto == b->proto && a->flags == b->flags && a->tcp_flags == b->tcp_flags &&
	       a->type == b->type && a->code == b->code;
}

static void describe(const char *what, const struct wgsf_l4 *l)
{
	diag("  %s: proto %u flags %#x ports %u -> %u tcp flags %#x type %u code %u id %#x "
	     "avail %u off %u header_len %u", what, l->proto, l->flags, l->sport, l->dport,
	     l->tcp_flags, l->type, l->code, l->echo_id, l->avail, l->off, l->header_len);
}

static void parse_one(const struct parse_probe *skel, const struct shape *s)
{
	uint8_t ip[PACKET_MAX];
	struct wgsf_l4 want = s->want;
	struct packet pkt;
	uint32_t ip_len;
	size_t len = build(s, ip, &ip_len);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = 1);

	packet_raw(&pkt, ETH_HLEN, s->family == AF_INET ? ETH_P_IP : ETH_P_IPV6, ip, len);
	opts.data_in = pkt.data;
	opts.data_size_in = pkt.len;
	want.off += ETH_HLEN;
	if (!ok(!bpf_prog_test_run_opts(bpf_program__fd(skel->progs.parse_probe), &opts) &&
			skel->bss->probe_ip_ok && skel->bss->probe_ip_len == ip_len,
		"%s: an IP packet of %u bytes", s->what, ip_len))
		return;
	if (!ok(same(&skel->bss->probe_l4, &want), "%s: read exactly", s->what)) {
		describe("got", &skel->bss->probe_l4);
		describe("want", &want);
	}
}

int main(void)
{
	struct parse_probe *skel;
	size_t i;

	require_root_bpf();
	libbpf_set_print(NULL);
	skel = parse_probe__open();
	if (skel)
		skel->rodata->l3_offset = ETH_HLEN;
	if (!ok(skel && !parse_probe__load(skel), "load the parse probe"))
		return done_testing();
	for (i = 0; i < ARRAY_SIZE(shapes); i++)
		parse_one(skel, &shapes[i]);
	parse_probe__destroy(skel);
	return done_testing();
}
