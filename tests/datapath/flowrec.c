// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow records through the real program, its tables written by the
 * loader's own sync from a policy text (tests/lib/world.h), the flow table
 * read as a reader reads it (tests/lib/flowrecs.h): a known set of two
 * peers' exchanges gives exactly its flows, every field worked out by hand
 * (an aggregate its segments, a non-first fragment a flow of its own, the
 * flow of an address that moves to the other peer ended, as evicted, by
 * that peer's first packet of it, which starts its own), a peer's flows
 * add up to its counters (with those ended), and a packet of no peer's is in
 * none; one sequence of packets, with violations of each reason, gives the
 * same verdicts and counters with flows on and off, its violations counted
 * in flows; with flows off the program has no flow code and counts none.
 * Evictions: flowrec_evict.c. Nothing here is random.
 */
#include <string.h>
#include <netinet/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flowrecs.h"
#include "tables/config.h"
#include "tap.h"
#include "wgsf_verdict.h"
#include "world.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#define PASS ((uint32_t)TC_ACT_UNSPEC)
#define DROP TC_ACT_SHOT
#define SIZE 64 /* the tables' places */
#define PAYLOAD 180

/* The exchanges' peers, P and Q, without rules, before and after
 * 192.0.2.32/27 moves from P to Q. */
enum { P, Q };
static const struct world_peer before[] = {
	[P] = { "192.0.2.0/26 2001:db8:1::/64", NULL },
	[Q] = { "192.0.2.64/26 2001:db8:2::/64", NULL },
};
static const struct world_peer after[] = {
	[P] = { "192.0.2.0/27 2001:db8:1::/64", NULL },
	[Q] = { "192.0.2.32/27 192.0.2.64/26 2001:db8:2::/64", NULL },
};

/* A flow's packets: sends plain ones, then, where size, an aggregate of
 * PAYLOAD bytes of payload (see gso.c); its packets and bytes worked out
 * by hand, each packet its IP length, an aggregate's headers once a
 * segment. Those of phase 1 are sent after the move. */
static const struct exchange {
	const char *what;
	int peer, phase;
	struct flow_spec f;
	unsigned int sends;
	uint16_t segs, size;
	uint64_t packets, bytes;
} exchanges[] = {
	{ "TCP", P, 0,
	  { "192.0.2.10", "198.51.100.1", IPPROTO_TCP, 40000, 443, false },
	  3, 0, 0, 3, 3 * 40 },
	{ "UDP", P, 0,
	  { "192.0.2.10", "198.51.100.53", IPPROTO_UDP, 5353, 53, false },
	  2, 0, 0, 2, 2 * 28 },
	{ "ICMP echo", P, 0,
	  { "192.0.2.10", "198.51.100.1", IPPROTO_ICMP, 7, 0, false },
	  4, 0, 0, 4, 4 * 28 },
	{ "ICMPv6 echo", P, 0,
	  { "2001:db8:1::10", "2001:db8:ff::1", IPPROTO_ICMP, 7, 0, false },
	  2, 0, 0, 2, 2 * 48 },
	{ "TCP, then an aggregate of 6 segments of 30", P, 0,
	  { "192.0.2.10", "198.51.100.1", IPPROTO_TCP, 40001, 80, false },
	  1, 6, 30, 1 + 6, 40 + 220 + 5 * 40 },
	{ "a non-first UDP fragment", P, 0,
	  { "192.0.2.10", "198.51.100.53", IPPROTO_UDP, 5353, 53, true },
	  2, 0, 0, 2, 2 * 28 },
	{ "UDP from the address that moves", P, 0,
	  { "192.0.2.40", "198.51.100.1", IPPROTO_UDP, 1000, 2000, false },
	  2, 0, 0, 2, 2 * 28 },
	{ "ICMPv6 echo", Q, 0,
	  { "2001:db8:2::10", "2001:db8:ff::1", IPPROTO_ICMP, 9, 0, false },
	  3, 0, 0, 3, 3 * 48 },
	{ "UDP, then an aggregate of segments 0, 180 B in 40s", Q, 0,
	  { "2001:db8:2::10", "2001:db8:ff::53", IPPROTO_UDP, 5000, 53, false },
	  1, 0, 40, 1 + 5, 48 + 228 + 4 * 48 },
	{ "a non-first IPv6 UDP fragment", Q, 0,
	  { "2001:db8:2::10", "2001:db8:ff::53", IPPROTO_UDP, 5000, 53, true },
	  2, 0, 0, 2, 2 * 56 },
	{ "TCP", Q, 0,
	  { "192.0.2.70", "198.51.100.1", IPPROTO_TCP, 33000, 22, false },
	  2, 0, 0, 2, 2 * 40 },
	{ "the same UDP from the address moved", Q, 1,
	  { "192.0.2.40", "198.51.100.1", IPPROTO_UDP, 1000, 2000, false },
	  3, 0, 0, 3, 3 * 28 },
};

/* UDP from a source no peer has: no peer's, and so no flow. */
static const struct flow_spec stranger = { "198.51.100.77", "198.51.100.1", IPPROTO_UDP, 1000,
					   2000, false };

/* Sends x's packets; how many returns were not a pass. */
static unsigned int exchange(const struct world *w, const struct exchange *x)
{
	struct __sk_buff ctx = { .gso_segs = x->segs, .gso_size = x->size };
	unsigned int wrong = flow_send(w->in, &x->f, x->sends, PASS);
	uint8_t ip[FLOW_ROOM];
	size_t len;

	if (!x->size)
		return wrong;
	len = flow_packet(ip, &x->f, PAYLOAD);
	return wrong + (world_run_ip(w->in, ip, len, &ctx) != PASS);
}

/* Whether exchange i's flow ended: the same flow from the other peer came
 * after the move. */
static bool moved(size_t i)
{
	struct wgsf_flowrec_key a = flow_key(&exchanges[i].f), b;
	size_t j;

	for (j = 0; j < ARRAY_SIZE(exchanges); j++) {
		b = flow_key(&exchanges[j].f);
		if (exchanges[j].phase > exchanges[i].phase && !memcmp(&a, &b, sizeof(a)))
			return true;
	}
	return false;
}

/* Each exchange's flow, its key worked out from what was sent, placed in
 * the order sent, hit where it had a packet after its first; but the one
 * whose source moved, which the other peer's first packet ended. */
static void exchange_flows(const struct world *w, const struct span *t)
{
	const struct exchange *x;
	struct wgsf_flowrec_key k;
	unsigned int bad = 0;
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(exchanges); i++) {
		x = &exchanges[i];
		if (moved(i))
			continue;
		n++;
		k = flow_key(&x->f);
		if (!flow_is(w, &k,
			     (struct wgsf_flowrec){ .packets = x->packets, .bytes = x->bytes,
						    .pos = i, .hit = x->sends + !!x->size > 1,
						    .slot = world_slot(w, x->peer) },
			     t) &&
		    ++bad)
			diag("  %s: not as sent", x->what);
	}
	ok(!bad && flows_in(w, UINT32_MAX, NULL, NULL) == n,
	   "exchanges: %zu flows, every field as worked out, the moved address's the new "
	   "peer's alone", n);
}

/* A peer's flows add up to its counters, with those that ended. */
static void peer_sums(const struct world *w)
{
	struct wgsf_peer_stats st;
	uint64_t packets, bytes;
	size_t i, j, n;

	for (i = P; i <= Q; i++) {
		st = world_peer_stats(w, world_slot(w, i));
		packets = bytes = 0;
		for (j = 0; j < ARRAY_SIZE(exchanges); j++)
			if (exchanges[j].peer == (int)i && moved(j)) {
				packets += exchanges[j].packets;
				bytes += exchanges[j].bytes;
			}
		n = flows_in(w, world_slot(w, i), &packets, &bytes);
		ok(packets == st.rx_packets && bytes == st.rx_bytes,
		   "exchanges: %c's %zu flows add up to its counters: %llu packets, %llu B",
		   i == P ? 'P' : 'Q', n, (unsigned long long)st.rx_packets,
		   (unsigned long long)st.rx_bytes);
	}
}

static void exchanges_of_two(void)
{
	struct wgsf_dev_stats d;
	unsigned int wrong = 0;
	struct world w;
	struct span t;
	size_t i;

	if (!ok(flows_load(&w, SIZE, before, ARRAY_SIZE(before)),
		"exchanges: load P and Q, flows on (%d places)", SIZE))
		goto out;
	span_open(&t);
	for (i = 0; i < ARRAY_SIZE(exchanges); i++)
		if (!exchanges[i].phase)
			wrong += exchange(&w, &exchanges[i]);
	if (!ok(!world_sync(&w, after, ARRAY_SIZE(after)),
		"exchanges: 192.0.2.32/27 moved from P to Q"))
		goto out;
	for (i = 0; i < ARRAY_SIZE(exchanges); i++)
		if (exchanges[i].phase)
			wrong += exchange(&w, &exchanges[i]);
	wrong += flow_send(w.in, &stranger, 1, PASS);
	span_close(&t);
	ok(!wrong && world_dev_stats(&w).unknown_packets == 1,
	   "exchanges: every packet passed, the stranger's as unknown");
	exchange_flows(&w, &t);
	peer_sums(&w);
	d = world_dev_stats(&w);
	ok(d.flowrec_evicted == 1 && d.flowrec_untracked + d.flowrec_end_lost == 0,
	   "exchanges: the moved address's flow of P's evicted, none untracked or lost");
out:
	world_destroy(&w);
}

/* The verdicts' peers: A with every kind of rule, B blocked, C without
 * rules. */
enum peer { A, B, C, PEERS };
static const struct world_peer rule_peers[PEERS] = {
	[A] = { "192.0.2.0/26 2001:db8:1::/64",
		"AllowedSources = 192.0.2.0/28, 2001:db8:1::/120\n"
		"AllowedDestinations = 198.51.100.1/32, 2001:db8:ff::1/128\n"
		"Allow = 198.51.100.0/24, 2001:db8:ff::/64 tcp/443 icmp/echo-request\n" },
	[B] = { "203.0.113.0/25 2001:db8:4::/64", "Block = true\n" },
	[C] = { "192.0.2.64/26 2001:db8:2::/64", NULL },
};

enum where { A_IN, A_OUT, B_AT, C_AT, ONE, SVC, LOCAL, WHERE };
static const char *const addrs[2][WHERE] = {
	{ "192.0.2.10", "192.0.2.20", "203.0.113.5", "192.0.2.70", "198.51.100.1",
	  "198.51.100.5", "203.0.113.200" },
	{ "2001:db8:1::10", "2001:db8:1::200", "2001:db8:4::5", "2001:db8:2::70",
	  "2001:db8:ff::1", "2001:db8:ff::5", "2001:db8:ee::200" },
};

/* A packet of the verdicts' sequence; out: the gateway's, on egress. */
struct step {
	enum peer peer;
	enum where from, to;
	uint8_t proto;
	uint16_t sport, dport;
	bool fragment, out;
	int reason; /* enum wgsf_reason, or PASSES */
};
#define PASSES -1
#define REPEAT 2 /* each step, in each family */

static const struct step steps[] = {
	{ A, A_OUT, ONE, IPPROTO_TCP, 1234, 80, false, false, WGSF_REASON_SOURCE },
	{ A, A_IN, ONE, IPPROTO_TCP, 1234, 80, false, false, PASSES },
	{ A, A_IN, LOCAL, IPPROTO_UDP, 1000, 2000, false, false, WGSF_REASON_DESTINATION },
	{ A, A_IN, SVC, IPPROTO_TCP, 40000, 22, false, false, WGSF_REASON_SERVICE },
	{ A, A_IN, SVC, IPPROTO_TCP, 40000, 443, false, false, PASSES },
	{ A, A_IN, SVC, IPPROTO_ICMP, 7, 0, false, false, PASSES },
	{ A, A_IN, SVC, IPPROTO_UDP, 0, 0, true, false, WGSF_REASON_SERVICE },
	/* the gateway's UDP to A, and A's answer: a reply */
	{ A, LOCAL, A_IN, IPPROTO_UDP, 5000, 53, false, true, PASSES },
	{ A, A_IN, LOCAL, IPPROTO_UDP, 53, 5000, false, false, PASSES },
	{ B, B_AT, ONE, IPPROTO_ICMP, 9, 0, false, false, WGSF_REASON_BLOCKED },
	{ C, C_AT, LOCAL, IPPROTO_TCP, 1234, 80, false, false, PASSES },
};
#define STEPS (2 * ARRAY_SIZE(steps))

static struct flow_spec spec_of(const struct step *s, int fam)
{
	return (struct flow_spec){ addrs[fam][s->from], addrs[fam][s->to], s->proto, s->sport,
				   s->dport, s->fragment };
}

/* Runs the steps, IPv4's then IPv6's, through w, REPEAT times each; their
 * return codes into rc, in order. */
static void run_steps(const struct world *w, int64_t rc[STEPS][REPEAT])
{
	const struct step *s;
	uint8_t ip[FLOW_ROOM];
	struct flow_spec f;
	size_t i, len;
	int k;

	for (i = 0; i < STEPS; i++) {
		s = &steps[i % ARRAY_SIZE(steps)];
		f = spec_of(s, i >= ARRAY_SIZE(steps));
		len = flow_packet(ip, &f, 0);
		for (k = 0; k < REPEAT; k++)
			rc[i][k] = world_run_ip(s->out ? w->out : w->in, ip, len, NULL);
	}
}

/* A peer's counters but for their times. */
static struct wgsf_peer_stats counters(const struct world *w, enum peer p)
{
	struct wgsf_peer_stats st = world_peer_stats(w, world_slot(w, p));

	st.last_seen_ns = st.last_violation_ns = 0;
	return st;
}

static uint32_t xlated_len(int prog)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	return bpf_obj_get_info_by_fd(prog, &info, &len) ? 0 : info.xlated_prog_len;
}

/* Flows off: no table (both sized maps of one entry), nothing counted,
 * and fewer instructions than with flows on. */
static void flows_off(const struct world *on, const struct world *off)
{
	struct wgsf_dev_stats d = world_dev_stats(off);
	uint32_t lon = xlated_len(on->in), loff = xlated_len(off->in);

	ok(flows_in(off, UINT32_MAX, NULL, NULL) == 0 &&
		   d.flowrec_evicted + d.flowrec_untracked + d.flowrec_end_lost == 0,
	   "flows off: after the sequence the table is empty, no flowrec_* counted");
	ok(map_capacity(off->maps.fd[MAP_FLOWREC]) == 1 &&
		   map_capacity(off->maps.fd[MAP_FLOWREC_ORDER]) == 1 &&
		   map_capacity(on->maps.fd[MAP_FLOWREC]) == SIZE + WGSF_FLOWREC_SLACK &&
		   map_capacity(on->maps.fd[MAP_FLOWREC_ORDER]) == SIZE,
	   "flows off: the table and its places hold one entry (on: %u and %u)",
	   SIZE + WGSF_FLOWREC_SLACK, SIZE);
	ok(loff && lon && loff < lon,
	   "flows off: the program has no flow code: %u bytes of instructions, %u with flows on",
	   loff, lon);
}

/* The steps' flows in on: each ingress step one flow of REPEAT packets,
 * violations too, in the order placed; and no other. */
static void step_flows(const struct world *on, const struct span *t)
{
	unsigned int bad = 0, n = 0;
	struct wgsf_flowrec_key k;
	uint8_t ip[FLOW_ROOM];
	const struct step *s;
	struct flow_spec f;
	size_t i;

	for (i = 0; i < STEPS; i++) {
		s = &steps[i % ARRAY_SIZE(steps)];
		if (s->out)
			continue;
		f = spec_of(s, i >= ARRAY_SIZE(steps));
		k = flow_key(&f);
		bad += !flow_is(on, &k,
				(struct wgsf_flowrec){ .packets = REPEAT,
						       .bytes = REPEAT * flow_packet(ip, &f, 0),
						       .pos = n++, .hit = 1,
						       .slot = world_slot(on, s->peer) },
				t);
	}
	ok(!bad && flows_in(on, UINT32_MAX, NULL, NULL) == n,
	   "flows on: %u flows, one a step, each of %d packets, violations and the reply too", n,
	   REPEAT);
}

/* The counts of the steps, worked out by hand. */
static void step_counts(const struct world *on)
{
	struct wgsf_peer_stats a = counters(on, A), b = counters(on, B), c = counters(on, C);

	ok(a.rx_packets == 32 && a.violation_packets == 16 && a.drop_packets == 16 &&
		   a.reply_packets == 4 && a.violations[WGSF_REASON_SOURCE] == 4 &&
		   a.violations[WGSF_REASON_DESTINATION] == 4 &&
		   a.violations[WGSF_REASON_SERVICE] == 8,
	   "verdicts: A received 32, 16 violations (4 source, 4 destination, 8 service) "
	   "dropped, 4 replies");
	ok(b.rx_packets == 4 && b.violations[WGSF_REASON_BLOCKED] == 4 && b.drop_packets == 4 &&
		   c.rx_packets == 4 && c.violation_packets == 0,
	   "verdicts: B received 4, blocked and dropped; C 4, passed");
}

static void verdicts(void)
{
	static int64_t rc_on[STEPS][REPEAT], rc_off[STEPS][REPEAT];
	struct wgsf_peer_stats a, b;
	unsigned int wrong = 0;
	struct world on = {}, off = {};
	struct span t;
	size_t i;
	int k;

	if (!ok(flows_load(&on, SIZE, rule_peers, PEERS) && flows_load(&off, 0, rule_peers, PEERS),
		"verdicts: a world with flows on (%d places), one with flows off", SIZE))
		goto out;
	span_open(&t);
	run_steps(&on, rc_on);
	run_steps(&off, rc_off);
	span_close(&t);
	for (i = 0; i < STEPS; i++)
		for (k = 0; k < REPEAT; k++)
			wrong += rc_on[i][k] !=
				 (steps[i % ARRAY_SIZE(steps)].reason == PASSES ? PASS : DROP);
	ok(!wrong && !memcmp(rc_on, rc_off, sizeof(rc_on)),
	   "verdicts: %zu packets, the same return codes with flows on and off, violations "
	   "dropped",
	   STEPS * REPEAT);
	for (i = 0; i < PEERS; i++) {
		a = counters(&on, i);
		b = counters(&off, i);
		ok(!memcmp(&a, &b, sizeof(a)), "verdicts: %c's counters the same, flows on and off",
		   (char)('A' + i));
	}
	step_counts(&on);
	step_flows(&on, &t);
	flows_off(&on, &off);
out:
	world_destroy(&on);
	world_destroy(&off);
}

int main(void)
{
	require_root_bpf();
	libbpf_set_print(NULL);
	exchanges_of_two();
	verdicts();
	return done_testing();
}
