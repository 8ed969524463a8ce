// SPDX-License-Identifier: GPL-2.0-only
/*
 * Aggregates counted as the packets their sender sent: BPF_PROG_TEST_RUN
 * hands the tc program an skb whose gso_segs and gso_size come from the
 * __sk_buff given as its context (the kernel copies them into the skb's
 * shared info), as GRO leaves them on a WireGuard interface and as a TUN
 * device's writer leaves them (segments 0, a segment size). Every expected
 * figure below is worked out by hand: n packets, and the aggregate's IP
 * length plus n - 1 more copies of its IP and L4 headers; an aggregate whose
 * length field is 0 (BIG TCP's, over 64 KiB) is as long as the skb, and a
 * blocked peer's is dropped as any.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "packet.h"
#include "tables/config.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#define SLOT 1
#define BLOCKED_SLOT 2
#define FRAME_MAX 512

/* An IP packet of ip_len bytes (what its header says, and what is sent)
 * with proto's header behind an IP header of ihl words (IPv4), the TCP one
 * doff words long; the L4 header is cut where ip_len ends. */
struct aggregate {
	const char *what;
	const char *src;
	uint8_t proto, ihl, doff;
	uint16_t ip_len;
	uint16_t gso_segs, gso_size;
	uint64_t packets, bytes; /* worked out by hand */
	uint8_t hopopts;         /* IPv6: bytes of a hop-by-hop header before proto's */
	/* its IP length field 0, as one over 64 KiB has it (BIG TCP): its length
	 * is the skb's */
	bool zero_len;
};

static const struct aggregate cases[] = {
	/* IPv4 + TCP: 40 bytes of headers, 200 of payload */
	{ "IPv4 TCP, plain", "192.0.2.7", IPPROTO_TCP, 5, 5, 240, 0, 0, 1, 240, 0, false },
	{ "IPv4 TCP, plain, gso_segs without gso_size", "192.0.2.7", IPPROTO_TCP, 5, 5, 240, 9,
	  0, 1, 240, 0, false },
	{ "IPv4 TCP, 6 segments", "192.0.2.7", IPPROTO_TCP, 5, 5, 240, 6, 100, 6, 440, 0, false },
	{ "IPv4 TCP, segments 0, 200 B in 64s", "192.0.2.7", IPPROTO_TCP, 5, 5, 240, 0, 64, 4,
	  360, 0, false },
	{ "IPv4 TCP, segments 0, 200 B in 200s", "192.0.2.7", IPPROTO_TCP, 5, 5, 240, 0, 200, 1,
	  240, 0, false },
	/* IP options (24) and TCP options (32): 56 bytes of headers */
	{ "IPv4 options, TCP options, 3 segments", "192.0.2.7", IPPROTO_TCP, 6, 8, 256, 3, 100, 3,
	  368, 0, false },
	{ "IPv4 options, TCP options, segments 0, 200 B in 50s", "192.0.2.7", IPPROTO_TCP, 6, 8,
	  256, 0, 50, 4, 424, 0, false },
	/* IPv4 + UDP: 28 */
	{ "IPv4 UDP, 5 segments", "192.0.2.7", IPPROTO_UDP, 5, 0, 228, 5, 100, 5, 340, 0, false },
	{ "IPv4 UDP, segments 0, 200 B in 64s", "192.0.2.7", IPPROTO_UDP, 5, 0, 228, 0, 64, 4,
	  312, 0, false },
	/* IPv6 + TCP: 60; with 20 bytes of TCP options, 80 */
	{ "IPv6 TCP, 7 segments", "2001:db8::7", IPPROTO_TCP, 0, 5, 260, 7, 100, 7, 620, 0, false },
	{ "IPv6 TCP, segments 0, 200 B in 100s", "2001:db8::7", IPPROTO_TCP, 0, 5, 260, 0, 100, 2,
	  320, 0, false },
	{ "IPv6 TCP options, 4 segments", "2001:db8::7", IPPROTO_TCP, 0, 10, 280, 4, 100, 4, 520,
	  0, false },
	/* IPv6 + UDP: 48 */
	{ "IPv6 UDP, 2 segments", "2001:db8::7", IPPROTO_UDP, 0, 0, 248, 2, 100, 2, 296, 0, false },
	{ "IPv6 UDP, segments 0, 200 B in 40s", "2001:db8::7", IPPROTO_UDP, 0, 0, 248, 0, 40, 5,
	  440, 0, false },
	/* an L4 header cut short, or none wgsf knows: the IP header alone */
	{ "IPv4 TCP cut at 10 bytes, 3 segments", "192.0.2.7", IPPROTO_TCP, 5, 5, 30, 3, 100, 3,
	  70, 0, false },
	{ "IPv4 TCP cut at 10 bytes, segments 0, 10 B in 8s", "192.0.2.7", IPPROTO_TCP, 5, 5, 30,
	  0, 8, 2, 50, 0, false },
	{ "IPv4 TCP of 60 bytes by its offset, 40 there, 2 segments", "192.0.2.7", IPPROTO_TCP, 5,
	  15, 60, 2, 100, 2, 80, 0, false },
	{ "IPv4 TCP offset 4, less than a header, 2 segments", "192.0.2.7", IPPROTO_TCP, 5, 4, 60,
	  2, 100, 2, 80, 0, false },
	{ "IPv6 UDP cut at 4 bytes, 2 segments", "2001:db8::7", IPPROTO_UDP, 0, 0, 44, 2, 100, 2,
	  84, 0, false },
	{ "IPv4 ICMP, 3 segments", "192.0.2.7", IPPROTO_ICMP, 5, 0, 100, 3, 100, 3, 140, 0, false },
	{ "IPv6 hop-by-hop header, 3 segments", "2001:db8::7", IPPROTO_HOPOPTS, 0, 0, 120, 3, 100,
	  3, 200, 0, false },
	/* the IPv6 extension headers are each packet's own too: 40 + 8 + 20 */
	{ "IPv6 hop-by-hop, TCP, 3 segments", "2001:db8::7", IPPROTO_TCP, 0, 5, 268, 3, 100, 3,
	  404, 8, false },
	/* BIG TCP's length fields of 0 (a hop-by-hop jumbo header before 6.12) */
	{ "IPv4 TCP, length 0, 6 segments", "192.0.2.7", IPPROTO_TCP, 5, 5, 240, 6, 100, 6, 440,
	  0, true },
	{ "IPv6 TCP, payload length 0, 7 segments", "2001:db8::7", IPPROTO_TCP, 0, 5, 260, 7, 100,
	  7, 620, 0, true },
	{ "IPv6 hop-by-hop, TCP, payload length 0, 3 segments", "2001:db8::7", IPPROTO_TCP, 0, 5,
	  268, 3, 100, 3, 404, 8, true },
};
#define BIG4 (ARRAY_SIZE(cases) - 3)
#define BIG6 (ARRAY_SIZE(cases) - 1)

/* The Ethernet frame of c (tc under BPF_PROG_TEST_RUN gets one); its length. */
static size_t build(const struct aggregate *c, const char *src_addr, uint8_t frame[FRAME_MAX])
{
	uint8_t ip[FRAME_MAX] = {};
	struct prefix src, dst;
	struct packet pkt;

	addr_parse(src_addr, &src);
	addr_parse(src.family == AF_INET ? "198.51.100.1" : "2001:db8:ff::1", &dst);
	ip_l4_header(ip, &src, &dst, c->ip_len - c->hopopts, c->ihl, c->proto, c->doff);
	if (c->hopopts) {
		memmove(ip + IPV6_HLEN + c->hopopts, ip + IPV6_HLEN,
			c->ip_len - IPV6_HLEN - c->hopopts);
		memset(ip + IPV6_HLEN, 0, c->hopopts);
		ip[IPV6_HLEN] = c->proto;
		ip[IPV6_HLEN + 1] = c->hopopts / 8 - 1;
		ip[6] = IPPROTO_HOPOPTS;
		ip[5] += c->hopopts; /* the payload length */
	}
	if (c->zero_len)
		memset(ip + (src.family == AF_INET ? 2 : 4), 0, 2);
	/* the Ethernet header as packet_raw writes it, then the packet, which
	 * may be longer than a struct packet holds */
	packet_raw(&pkt, ETH_HLEN, src.family == AF_INET ? ETH_P_IP : ETH_P_IPV6, ip, 0);
	memcpy(frame, pkt.data, ETH_HLEN);
	memcpy(frame + ETH_HLEN, ip, c->ip_len);
	return ETH_HLEN + c->ip_len;
}

/* Runs c from src_addr through h with c's segment count and size; the
 * program's return code, or -errno. */
static int64_t run(const struct hook_under_test *h, const struct aggregate *c,
		   const char *src_addr)
{
	struct __sk_buff ctx = { .gso_segs = c->gso_segs, .gso_size = c->gso_size };
	uint8_t frame[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);

	opts.data_size_in = build(c, src_addr, frame);
	if (bpf_prog_test_run_opts(h->prog_fd, &opts))
		return -errno;
	return opts.retval;
}

static struct wgsf_peer_stats peer(const struct hook_under_test *h, uint32_t slot)
{
	struct wgsf_peer_stats st = {};

	if (stats_read_peer(h->maps.fd[MAP_PEER_STATS], slot, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

static struct wgsf_dev_stats device(const struct hook_under_test *h)
{
	struct wgsf_dev_stats d = {};

	if (stats_read_dev(h->maps.fd[MAP_DEV_STATS], &d))
		memset(&d, 0xff, sizeof(d));
	return d;
}

/* Each case from a peer without policy: received as n packets, their
 * bytes, passed. */
static void received(const struct hook_under_test *h)
{
	struct wgsf_peer_stats before, after;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct aggregate *c = &cases[i];

		before = peer(h, SLOT);
		is_u64(run(h, c, c->src), h->pass, "%s: passed", c->what);
		after = peer(h, SLOT);
		ok(after.rx_packets - before.rx_packets == c->packets &&
			   after.rx_bytes - before.rx_bytes == c->bytes,
		   "%s: %llu packets, %llu B", c->what, (unsigned long long)c->packets,
		   (unsigned long long)c->bytes);
		if (after.rx_packets - before.rx_packets != c->packets ||
		    after.rx_bytes - before.rx_bytes != c->bytes)
			diag("  counted %llu packets, %llu B",
			     (unsigned long long)(after.rx_packets - before.rx_packets),
			     (unsigned long long)(after.rx_bytes - before.rx_bytes));
	}
}

/* A blocked peer's aggregate: its violations, per reason, and its drops in
 * packets as sent, in monitor and in enforce mode. */
static void violations(const struct hook_under_test *h, const struct aggregate *c,
		       const char *from, bool enforce)
{
	const char *mode = enforce ? "enforce" : "monitor";
	struct wgsf_peer_stats b = peer(h, BLOCKED_SLOT), a;
	struct wgsf_dev_stats db = device(h), da;

	datapath_set_mode(h->maps.fd[MAP_CONFIG], enforce ? WGSF_MODE_ENFORCE : WGSF_MODE_MONITOR);
	is_u64(run(h, c, from), enforce ? h->drop : h->pass, "%s, blocked, %s: %s", c->what, mode,
	       enforce ? "dropped" : "passed");
	a = peer(h, BLOCKED_SLOT);
	da = device(h);
	ok(a.rx_packets - b.rx_packets == c->packets && a.rx_bytes - b.rx_bytes == c->bytes &&
		   a.violation_packets - b.violation_packets == c->packets &&
		   a.violation_bytes - b.violation_bytes == c->bytes &&
		   a.violations[WGSF_REASON_BLOCKED] - b.violations[WGSF_REASON_BLOCKED] ==
			   c->packets &&
		   da.violation_packets - db.violation_packets == c->packets,
	   "%s, blocked, %s: %llu packets and %llu B received and in violation, by reason and "
	   "on the device's total", c->what, mode, (unsigned long long)c->packets,
	   (unsigned long long)c->bytes);
	ok(a.drop_packets - b.drop_packets == (enforce ? c->packets : 0) &&
		   a.drop_bytes - b.drop_bytes == (enforce ? c->bytes : 0),
	   "%s, blocked, %s: %s", c->what, mode,
	   enforce ? "dropped as that many packets and bytes" : "no drops");
}

/* Unknown sources and malformed packets count in packets as sent too. */
static void device_counters(const struct hook_under_test *h, const struct aggregate *c)
{
	struct aggregate bad = *c;
	struct wgsf_dev_stats b = device(h), a;

	run(h, c, "203.0.113.9");
	a = device(h);
	ok(a.unknown_packets - b.unknown_packets == c->packets &&
		   a.unknown_bytes - b.unknown_bytes == c->bytes,
	   "%s from a source of no peer: %llu unknown packets, %llu B", c->what,
	   (unsigned long long)c->packets, (unsigned long long)c->bytes);
	/* ihl 4: no IPv4 header wgsf can read */
	bad.ihl = 4;
	b = a;
	run(h, &bad, "192.0.2.7");
	a = device(h);
	is_u64(a.malformed_packets - b.malformed_packets, c->gso_segs,
	       "%s with IHL 4: %u malformed packets", c->what, c->gso_segs);
}

int main(void)
{
	struct capacity cap = { .peers = 8, .prefixes = 8, .hosts = 8, .policy_prefixes = 8,
				.policy_hosts = 8 };
	const char *mine[] = { "192.0.2.0/24", "2001:db8::/64" };
	const char *blocked[] = { "198.51.100.128/25", "2001:db8:2::/64" };
	struct hook_under_test h;
	struct prefix p;
	bool good = true;
	size_t i;

	require_root_bpf();
	libbpf_set_print(NULL);
	if (!ok(!hook_load(&h, &cap), "load the tc program"))
		return done_testing();
	for (i = 0; i < 2; i++) {
		good = good && !prefix_parse(mine[i], &p) && !allowedip_write(&h.maps, &p, SLOT);
		good = good && !prefix_parse(blocked[i], &p) &&
		       !allowedip_write(&h.maps, &p, BLOCKED_SLOT);
	}
	if (ok(good && !policy_flags_write(&h.maps, BLOCKED_SLOT, WGSF_PEER_BLOCKED, 0),
	       "two peers, one of them blocked")) {
		received(&h);
		violations(&h, &cases[2], "198.51.100.200", false);
		violations(&h, &cases[2], "198.51.100.200", true);
		violations(&h, &cases[13], "2001:db8:2::9", true);
		violations(&h, &cases[14], "198.51.100.200", true);
		violations(&h, &cases[BIG4], "198.51.100.200", true);
		violations(&h, &cases[BIG6], "2001:db8:2::9", true);
		device_counters(&h, &cases[2]);
	}
	hook_destroy(&h);
	return done_testing();
}
