// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rate limits through the real program, its tables written by the loader's
 * own sync from RateLimit lines its parser reads (tests/lib/world.h), in
 * enforce mode and in monitor mode, with the limits derived from the
 * policy's figures checked to the picosecond first, every
 * count worked out by hand: a burst of B packets passes B and the rest are
 * `rate` violations (dropped, or passed and counted), with their bytes in
 * rate_bytes; a byte limit likewise, to the byte; both kinds at once, each
 * binding in turn, a packet over either adding to neither bucket; an
 * aggregate larger than the burst passing an empty bucket, the next packet
 * over; packets that break another rule (a destination, an allowed source,
 * through the entry's bits and through the peer's flags) counted under it
 * and using no tokens, replies metered; a peer without a limit never
 * metered; the buckets kept by a sync of the same policy and by a growth
 * of the maps, emptied by a changed limit; a removed limit no longer
 * metered, its element zeroed; a departed peer's limit zeroed and a new
 * peer in its slot starting with empty buckets; a sync as watch makes it,
 * from its cache, keeping and emptying them alike.
 *
 * Rates are slow (1 or 3 packets/s; 1 kbit/s, 8 ms a byte), so that the
 * time between a bucket's first packet and the check that it is over
 * stays well inside what one more packet is worth (333 ms at the least,
 * said at each check); a bucket that must outlast syncs and a growth is given a debt
 * of 10 minutes by an aggregate of 600 packets.
 */
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "l4packet.h"
#include "packet.h"
#include "reference.h"
#include "tables/carry.h"
#include "tables/config.h"
#include "tables/datapath.h"
#include "tables/rate.h"
#include "tables/verdict.h"
#include "tap.h"
#include "world.h"

#define PASS ((int64_t)(uint32_t)TC_ACT_UNSPEC) /* as the run returns it */
#define DROP ((int64_t)TC_ACT_SHOT)
#define UDP4_HEADERS 28 /* IPv4 and UDP */
#define UDP6_HEADERS 48
#define DEBT_SEGS 600   /* an aggregate worth 10 minutes at 1 packet/s */
#define TBIT 1000000000000ull /* bit/s: 8 ps a byte */
#define GPPS 1000000000ull   /* packets/s: 1 ns a packet */

enum peer { PKT, BYTES, BOTH, AGG, RULES, SPLIT, OPEN, DEBT, GONE, NEWCOMER, GROWN, FINE, COARSE,
	    PEERS };

static const char *const names[PEERS] = { "packets", "bytes", "both", "aggregate",
					  "destination rules", "split sources", "no limit",
					  "in debt", "departing", "newcomer", "grown",
					  "a short burst", "a long burst" };
#define PPS(b) "RateLimit = 1pps burst " #b "\n"
static const struct world_peer all_peers[PEERS] = {
	/* a packet worth 333,333,333.3 ns: 3 of them still exactly the burst */
	[PKT] = { "192.0.2.0/28 2001:db8:1::/64", "RateLimit = 3pps burst 3\n" },
	[BYTES] = { "192.0.2.16/28", "RateLimit = 1kbit burst 1500\n" },
	[BOTH] = { "192.0.2.32/28", "RateLimit = 1kbit burst 1500 1pps burst 7\n" },
	[AGG] = { "192.0.2.48/28", PPS(3) },
	[RULES] = { "192.0.2.64/28", "AllowedDestinations = 198.51.100.1/32\n" PPS(2) },
	/* sources that split the entry: the datapath reads the peer's flags */
	[SPLIT] = { "192.0.2.80/28", "AllowedSources = 192.0.2.80/29\n" PPS(2) },
	[OPEN] = { "203.0.113.0/24", NULL },
	[DEBT] = { "192.0.2.96/28", PPS(1) },
	[GONE] = { "192.0.2.112/28", PPS(2) },
	[NEWCOMER] = { NULL, NULL }, /* comes later */
	[GROWN] = { "192.0.2.144/28", PPS(1) },
	/* a burst of 1 ms, under 4 ticks at any HZ up to 1000: the precise
	 * clock; one of 1 s, 4 ticks or more at any HZ from 4: the coarse */
	[FINE] = { "192.0.2.160/28", "RateLimit = 1000pps burst 1\n" },
	[COARSE] = { "192.0.2.176/28", PPS(1) },
};
static const char *const from[PEERS] = {
	"192.0.2.1",  "192.0.2.17", "192.0.2.33",  "192.0.2.49", "192.0.2.65",
	"192.0.2.81", "203.0.113.1", "192.0.2.97", "192.0.2.113", "192.0.2.129",
	"192.0.2.145", "192.0.2.161", "192.0.2.177",
};

#define LOCAL "198.51.100.200" /* the gateway's side, outside RULES' destinations */
#define ALLOWED "198.51.100.1"

/* What the peers send: UDP from port 4000 to 53, unless a reply's ports
 * are given; an aggregate of segs packets (0: a plain packet). */
struct shot {
	enum peer peer;
	const char *src, *dst; /* src NULL: the peer's own address */
	unsigned int ip_len;
	uint16_t segs;
	uint16_t sport, dport;
};

#define PASSES (-1)
#define REPLIES (-2) /* passes, as a reply */

struct rig {
	struct world w;
	bool enforce;
	const char *mode;
	struct world_peer peers[PEERS];
	struct wgsf_peer_stats want[PEERS]; /* what each peer's counters must hold */
};

static void count(struct wgsf_peer_stats *w, uint64_t packets, uint64_t bytes, int outcome,
		  bool enforce)
{
	w->rx_packets += packets;
	w->rx_bytes += bytes;
	if (outcome == REPLIES)
		w->reply_packets += packets;
	if (outcome < 0)
		return;
	w->violation_packets += packets;
	w->violation_bytes += bytes;
	w->violations[outcome] += packets;
	w->last_violation_reason = outcome;
	if (outcome == WGSF_REASON_RATE)
		w->rate_bytes += bytes;
	if (enforce) {
		w->drop_packets += packets;
		w->drop_bytes += bytes;
	}
}

/* n of s through the ingress program, each with the outcome given (a
 * reason, PASSES or REPLIES); whether each got its verdict. */
static bool fire(struct rig *r, const struct shot *s, unsigned int n, int outcome,
		 const char *what)
{
	static const uint8_t zeros[PACKET_MAX];
	struct __sk_buff ctx = { .gso_segs = s->segs, .gso_size = 100 };
	int64_t want = outcome >= 0 && r->enforce ? DROP : PASS, got = want;
	uint64_t packets = s->segs ?: 1, headers;
	struct l4_spec spec;
	unsigned int i, right = 0;

	if (l4_spec_addrs(&spec, s->src ?: from[s->peer], s->dst))
		return ok(false, "%s: %s: the addresses parse", r->mode, what);
	headers = spec.src.family == AF_INET ? UDP4_HEADERS : UDP6_HEADERS;
	spec.proto = IPPROTO_UDP;
	spec.sport = s->sport ?: 4000;
	spec.dport = s->dport ?: 53;
	spec.payload = zeros;
	spec.payload_len = s->ip_len - headers;
	for (i = 0; i < n; i++) {
		got = world_run(r->w.in, &spec, s->segs ? &ctx : NULL);
		right += got == want;
		count(&r->want[s->peer], packets, s->ip_len + (packets - 1) * headers, outcome,
		      r->enforce);
	}
	return ok(right == n, "%s: %s: %u of %u %s (the last returned %lld)", r->mode, what,
		  right, n, want == DROP ? "dropped" : "passed", (long long)got);
}

static bool send_n(struct rig *r, enum peer p, const char *dst, unsigned int ip_len,
		   unsigned int n, int outcome, const char *what)
{
	return fire(r, &(struct shot){ .peer = p, .dst = dst, .ip_len = ip_len }, n, outcome,
		    what);
}

static uint32_t slot_of(const struct rig *r, enum peer p)
{
	return world_slot(&r->w, p);
}

/* Every counter the tests predict, of peer p. */
static void check_counters(const struct rig *r, enum peer p)
{
	struct wgsf_peer_stats g = world_peer_stats(&r->w, slot_of(r, p));
	const struct wgsf_peer_stats *w = &r->want[p];
	int i;

	is_u64(g.rx_packets, w->rx_packets, "%s: %s: rx packets", r->mode, names[p]);
	is_u64(g.rx_bytes, w->rx_bytes, "%s: %s: rx bytes", r->mode, names[p]);
	for (i = 0; i < WGSF_REASON_COUNT; i++)
		is_u64(g.violations[i], w->violations[i], "%s: %s: %s violations", r->mode,
		       names[p], ref_reasons[i]);
	is_u64(g.violation_bytes, w->violation_bytes, "%s: %s: violation bytes", r->mode,
	       names[p]);
	is_u64(g.rate_bytes, w->rate_bytes, "%s: %s: bytes over the limit", r->mode, names[p]);
	is_u64(g.drop_packets, w->drop_packets, "%s: %s: drop packets", r->mode, names[p]);
	is_u64(g.drop_bytes, w->drop_bytes, "%s: %s: drop bytes", r->mode, names[p]);
	is_u64(g.reply_packets, w->reply_packets, "%s: %s: reply packets", r->mode, names[p]);
	if (w->violation_packets)
		is_u64(g.last_violation_reason, w->last_violation_reason,
		       "%s: %s: the last violation's reason", r->mode, names[p]);
}

static struct wgsf_rate_state state_of(const struct world *w, uint32_t slot)
{
	struct wgsf_rate_state s;

	if (bpf_map_lookup_elem(w->maps.fd[MAP_RATE_STATE], &slot, &s))
		memset(&s, 0xff, sizeof(s));
	return s;
}

static struct wgsf_rate_limit limit_of(const struct world *w, uint32_t slot)
{
	struct wgsf_rate_limit l;

	if (bpf_map_lookup_elem(w->maps.fd[MAP_RATE_LIMIT], &slot, &l))
		memset(&l, 0xff, sizeof(l));
	return l;
}

static bool same_state(const struct wgsf_rate_state *a, const struct wgsf_rate_state *b)
{
	return a->byte_tat == b->byte_tat && a->packet_tat == b->packet_tat;
}

/* The peers and their rules of r into its world, in r's mode. */
static bool resync(struct rig *r, const char *what)
{
	return ok(!world_sync(&r->w, r->peers, PEERS) &&
			  !datapath_set_mode(r->w.maps.fd[MAP_CONFIG],
					     r->enforce ? WGSF_MODE_ENFORCE : WGSF_MODE_MONITOR),
		  "%s: sync %s", r->mode, what);
}

/* What the loader derives from the policy's figures into the datapath's
 * line (wgsf.h): a byte's and a packet's worth rounded up, a packet's to
 * the ns, the bursts' rounded down; rate_limit keeps the figures alone. */
static void test_derived(void)
{
	static const struct {
		struct rate_limit in;
		uint64_t byte_ps, byte_tau_ns, packet_ps, packet_tau_ns;
	} cases[] = {
		{ { 1000, 1500, 0, 0, 0 }, 8000000000ull, 12000000000ull, 0, 0 },
		{ { 20000000, 256000, 0, 0, 0 }, 400000, 102400000, 0, 0 },
		{ { 3000000000ull, 1500, 0, 0, 0 }, 2667, 4000, 0, 0 },
		{ { 1000000000000ull, 1u << 30, 0, 0, 0 }, 8, 8589934, 0, 0 },
		{ { 0, 0, 1, 3, 0 }, 0, 0, 1000000000000ull, 3000000000ull },
		{ { 0, 0, 3, 3, 0 }, 0, 0, 333333334000ull, 1000000002 },
		{ { 0, 0, 700000000, 10, 0 }, 0, 0, 2000, 20 },
		{ { 0, 0, 1000000000, 1000000, 0 }, 0, 0, 1000, 1000000 },
		{ { 1000, 1500, 1, 7, 0 }, 8000000000ull, 12000000000ull, 1000000000000ull,
		  7000000000ull },
	};
	struct wgsf_rate_state s;
	struct wgsf_rate_limit l;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		rate_limit_of(&cases[i].in, &l);
		rate_state_of(&l, rate_tick_ns(), &s);
		ok(l.bits_per_sec == cases[i].in.bits_per_sec &&
			   l.burst_bytes == cases[i].in.burst_bytes &&
			   l.packets_per_sec == cases[i].in.packets_per_sec &&
			   l.burst_packets == cases[i].in.burst_packets &&
			   s.byte_ps == cases[i].byte_ps && s.byte_tau_ns == cases[i].byte_tau_ns &&
			   s.packet_ps == cases[i].packet_ps &&
			   s.packet_tau_ns == cases[i].packet_tau_ns,
		   "%llu bit/s, burst %llu B; %llu packets/s, burst %llu: %llu ps a byte, %llu ns "
		   "of burst; %llu ps a packet, %llu ns of burst",
		   (unsigned long long)cases[i].in.bits_per_sec,
		   (unsigned long long)cases[i].in.burst_bytes,
		   (unsigned long long)cases[i].in.packets_per_sec,
		   (unsigned long long)cases[i].in.burst_packets, (unsigned long long)s.byte_ps,
		   (unsigned long long)s.byte_tau_ns, (unsigned long long)s.packet_ps,
		   (unsigned long long)s.packet_tau_ns);
	}
}

/* Whether line s holds limit l as the datapath reads it, whatever its
 * buckets hold. */
static bool line_holds(const struct wgsf_rate_state *s, const struct wgsf_rate_limit *l)
{
	struct wgsf_rate_state want;

	rate_state_of(l, rate_tick_ns(), &want);
	return s->byte_ps == want.byte_ps && s->byte_tau_ns == want.byte_tau_ns &&
	       s->packet_ps == want.packet_ps && s->packet_tau_ns == want.packet_tau_ns &&
	       s->clock == want.clock;
}

/* The element the sync wrote for the peer with both kinds, and its line;
 * every peer's line as its element says. */
static void check_written(const struct rig *r)
{
	struct wgsf_rate_limit want, got = limit_of(&r->w, slot_of(r, BOTH));
	struct wgsf_rate_state line = state_of(&r->w, slot_of(r, BOTH));
	bool good = true;
	int p;

	rate_limit_of(&(struct rate_limit){ 1000, 1500, 1, 7, 0 }, &want);
	ok(!memcmp(&got, &want, sizeof(got)),
	   "%s: the sync wrote both kinds' limit, the policy's figures", r->mode);
	ok(line_holds(&line, &want) && line.clock == WGSF_RATE_COARSE && !line.byte_tat &&
		   !line.packet_tat,
	   "%s: and its line: what they are worth, the coarse clock, empty buckets", r->mode);
	for (p = 0; p < PEERS; p++) {
		if (!r->peers[p].allowed_ips)
			continue;
		want = limit_of(&r->w, slot_of(r, p));
		line = state_of(&r->w, slot_of(r, p));
		if (!line_holds(&line, &want)) {
			diag("  %s: clock %u, %llu ps a packet", names[p], line.clock,
			     (unsigned long long)line.packet_ps);
			good = false;
		}
	}
	ok(good, "%s: every peer's line holds its limit", r->mode);
}

/* The coarse clock where every limited kind's burst is 4 ticks or more.
 * 8 ps a byte (1 Tbit/s) and 1 ns a packet (10^9 packets/s), so that a
 * burst is worth 8 ns in 1,000 bytes and 1 ns a packet. */
static void test_clock_choice(void)
{
	static const struct {
		struct wgsf_rate_limit l;
		uint64_t tick, byte_tau_ns, packet_tau_ns;
		uint32_t clock;
		const char *what;
	} cases[] = {
		{ { TBIT, 2000000000, 0, 0 }, 4000000, 16000000, 0, WGSF_RATE_COARSE,
		  "bytes, a burst of exactly 4 ticks" },
		{ { TBIT, 1999999875, 0, 0 }, 4000000, 15999999, 0, WGSF_RATE_PRECISE,
		  "bytes, a ns short of 4 ticks" },
		{ { 0, 0, GPPS, 250000000 }, 4000000, 0, 250000000, WGSF_RATE_COARSE,
		  "packets, 250 ms" },
		{ { 0, 0, GPPS, 1000000 }, 1000000, 0, 1000000, WGSF_RATE_PRECISE,
		  "packets, 1 ms at 1 ms a tick" },
		{ { TBIT, 31250000000ull, GPPS, 1000000 }, 4000000, 250000000, 1000000,
		  WGSF_RATE_PRECISE, "both kinds, the packets' burst short" },
		{ { TBIT, 125000000, GPPS, 250000000 }, 4000000, 1000000, 250000000,
		  WGSF_RATE_PRECISE, "both kinds, the bytes' burst short" },
		{ { TBIT, 31250000000ull, GPPS, 250000000 }, 4000000, 250000000, 250000000,
		  WGSF_RATE_COARSE, "both kinds, both long" },
		{ { 0, 0, GPPS, UINT64_MAX }, UINT64_MAX, 0, UINT64_MAX, WGSF_RATE_PRECISE,
		  "no coarse clock known" },
	};
	struct wgsf_rate_state s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		rate_state_of(&cases[i].l, cases[i].tick, &s);
		ok(s.clock == cases[i].clock && s.byte_tau_ns == cases[i].byte_tau_ns &&
			   s.packet_tau_ns == cases[i].packet_tau_ns &&
			   s.byte_ps == (cases[i].l.bits_per_sec ? 8 : 0) &&
			   s.packet_ps == (cases[i].l.packets_per_sec ? 1000 : 0) && !s.byte_tat &&
			   !s.packet_tat,
		   "the %s clock for %s", cases[i].clock == WGSF_RATE_COARSE ? "coarse" : "precise",
		   cases[i].what);
	}
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* A packet into peer p's empty bucket, worth worth ns: whether the bucket
 * then ends worth after a time of clock id taken during the run. */
static void check_clock(struct rig *r, enum peer p, clockid_t id, uint64_t worth,
			const char *what)
{
	struct wgsf_rate_state s;
	uint64_t before, after;

	before = clock_ns(id);
	send_n(r, p, ALLOWED, 100, 1, PASSES, "one packet into an empty bucket");
	after = clock_ns(id);
	s = state_of(&r->w, slot_of(r, p));
	ok(s.packet_tat >= before + worth && s.packet_tat <= after + worth,
	   "%s: %s: the bucket ends %llu ns after a time of the %s, %llu (%llu and %llu before "
	   "and after the run)", r->mode, names[p], (unsigned long long)worth, what,
	   (unsigned long long)s.packet_tat - worth, (unsigned long long)before,
	   (unsigned long long)after);
}

/* Which clock each bucket keeps (a time of the other lies outside the
 * run's, but for a tick at the very moment). */
static void test_clocks(struct rig *r)
{
	check_clock(r, FINE, CLOCK_MONOTONIC, 1000000, "precise clock");
	check_clock(r, COARSE, CLOCK_MONOTONIC_COARSE, 1000000000, "coarse clock");
}

static void test_packets(struct rig *r)
{
	const char *v6 = "2001:db8:1::1", *dst6 = "2001:db8:ff::1";

	/* one bucket for both families; over within 333 ms of the first */
	send_n(r, PKT, ALLOWED, 100, 2, PASSES, "a burst of 3 packets: 2 of IPv4 pass");
	fire(r, &(struct shot){ PKT, v6, dst6, 100, 0, 0, 0 }, 1, PASSES, "and 1 of IPv6");
	send_n(r, PKT, ALLOWED, 100, 2, WGSF_REASON_RATE, "the next 2 of IPv4 are over");
	fire(r, &(struct shot){ PKT, v6, dst6, 100, 0, 0, 0 }, 2, WGSF_REASON_RATE,
	     "and 2 of IPv6");
}

static void test_bytes(struct rig *r)
{
	/* 1,500 bytes: 6 x 240 = 1,440 fit; over for 1.4 s after the first */
	send_n(r, BYTES, ALLOWED, 240, 6, PASSES, "1,440 of a 1,500-byte burst pass");
	send_n(r, BYTES, ALLOWED, 240, 1, WGSF_REASON_RATE, "240 bytes more are over");
	send_n(r, BYTES, ALLOWED, 28, 1, PASSES, "28 bytes more fit");
	send_n(r, BYTES, ALLOWED, 240, 1, WGSF_REASON_RATE, "and 240 more are over");
}

/* Each kind binds in turn; a packet over the one adds to neither. */
static void test_both(struct rig *r)
{
	struct wgsf_rate_state before, after;
	uint32_t slot = slot_of(r, BOTH);

	send_n(r, BOTH, ALLOWED, 240, 6, PASSES, "6 packets, 1,440 bytes, of 7 and 1,500 pass");
	before = state_of(&r->w, slot);
	send_n(r, BOTH, ALLOWED, 240, 1, WGSF_REASON_RATE, "240 bytes more are over the bytes");
	after = state_of(&r->w, slot);
	ok(same_state(&before, &after), "%s: both: a packet over adds to neither bucket", r->mode);
	send_n(r, BOTH, ALLOWED, 28, 1, PASSES, "a 7th packet of 28 bytes fits both");
	before = state_of(&r->w, slot);
	send_n(r, BOTH, ALLOWED, 28, 1, WGSF_REASON_RATE, "an 8th is over the packets");
	after = state_of(&r->w, slot);
	ok(same_state(&before, &after), "%s: both: again, neither bucket moved", r->mode);
}

static void test_aggregate(struct rig *r)
{
	struct shot agg = { .peer = AGG, .dst = ALLOWED, .ip_len = 240, .segs = 10 };

	fire(r, &agg, 1, PASSES, "an aggregate of 10 passes an empty bucket of 3");
	send_n(r, AGG, ALLOWED, 100, 1, WGSF_REASON_RATE, "the next packet is over");
	fire(r, &agg, 1, WGSF_REASON_RATE, "and so is the next aggregate, whole");
}

/* Packets that break a rule use no tokens; a reply is metered. */
static void test_rules(struct rig *r)
{
	struct shot reply = { .peer = RULES, .dst = LOCAL, .ip_len = 100, .sport = 53,
			      .dport = 5000 };
	struct l4_spec out = {};

	ok(!l4_spec_addrs(&out, LOCAL, from[RULES]) &&
		   (out.proto = IPPROTO_UDP, out.sport = 5000, out.dport = 53,
		    world_run(r->w.out, &out, NULL) == PASS),
	   "%s: rules: the gateway's UDP to the peer opens a flow", r->mode);
	fire(r, &reply, 1, REPLIES, "the peer's reply passes, a token used");
	send_n(r, RULES, ALLOWED, 100, 1, PASSES, "a packet to its destination, the second");
	fire(r, &reply, 1, WGSF_REASON_RATE, "a second reply is over");
	send_n(r, RULES, "198.51.100.9", 100, 5, WGSF_REASON_DESTINATION,
	       "5 packets outside its destinations break that rule alone");
	send_n(r, RULES, ALLOWED, 100, 1, WGSF_REASON_RATE, "and one to its destination is over");
	fire(r, &(struct shot){ SPLIT, "192.0.2.90", ALLOWED, 100, 0, 0, 0 }, 3,
	     WGSF_REASON_SOURCE, "split sources: 3 from outside them break that rule");
	send_n(r, SPLIT, ALLOWED, 100, 2, PASSES, "then 2 of a burst of 2 pass");
	send_n(r, SPLIT, ALLOWED, 100, 1, WGSF_REASON_RATE, "and the next is over");
}

static void test_open(struct rig *r)
{
	struct wgsf_rate_state s;

	send_n(r, OPEN, ALLOWED, 240, 50, PASSES, "a peer without a limit: 50 pass");
	s = state_of(&r->w, slot_of(r, OPEN));
	ok(!s.byte_tat && !s.packet_tat, "%s: no limit: its buckets were never touched", r->mode);
}

/* What the decision says of each peer's limit (wgsf lookup's). */
static void check_decisions(const struct rig *r, const char *when)
{
	struct prefix src, dst;
	struct wgsf_verdict v;
	bool good = true;
	int p;

	for (p = 0; p < PEERS; p++) {
		if (!r->peers[p].allowed_ips)
			continue;
		good = good && !addr_parse(from[p], &src) && !addr_parse(ALLOWED, &dst) &&
		       !verdict_decide(&r->w.maps, &src, &dst, NULL, &v) &&
		       v.rate == (r->peers[p].rules && strstr(r->peers[p].rules, "RateLimit"));
		if (!good)
			diag("  %s: rate %u", names[p], v.rate);
	}
	ok(good, "%s: %s: the decision says which peers have a limit", r->mode, when);
}

/* Syncs through a cache as watch keeps one: the first in full, the
 * second from the cache; whether both went so. */
static bool resync_cached(struct rig *r, struct sync_cache *cache, const char *what)
{
	struct sync_result res[2];
	bool good = true;
	int i;

	for (i = 0; i < 2 && good; i++)
		good = !world_sync_cached(&r->w, r->peers, PEERS, cache, &res[i]);
	return ok(good && !res[0].from_cache && res[1].from_cache,
		  "%s: sync %s as watch does, twice, the second from its cache", r->mode, what);
}

/* A debt of 10 minutes outlasts syncs of the same policy, in full and
 * from watch's cache; a changed limit empties the buckets. */
static void test_sync(struct rig *r)
{
	struct wgsf_rate_state before, after;
	struct sync_cache cache = {};
	uint32_t slot = slot_of(r, DEBT);

	fire(r, &(struct shot){ DEBT, NULL, ALLOWED, 240, DEBT_SEGS, 0, 0 }, 1, PASSES,
	     "an aggregate of 600 passes an empty bucket of 1");
	send_n(r, DEBT, ALLOWED, 100, 1, WGSF_REASON_RATE, "the next is over");
	before = state_of(&r->w, slot);
	resync(r, "with the same policy");
	resync_cached(r, &cache, "with the same policy");
	after = state_of(&r->w, slot);
	ok(same_state(&before, &after) && before.packet_tat,
	   "%s: the same limit keeps its buckets through the syncs", r->mode);
	send_n(r, DEBT, ALLOWED, 100, 1, WGSF_REASON_RATE, "still over after them");
	r->peers[DEBT].rules = PPS(4);
	ok(!world_sync_cached(&r->w, r->peers, PEERS, &cache, &(struct sync_result){}),
	   "%s: sync a burst of 4 from the cache", r->mode);
	sync_cache_free(&cache);
	after = state_of(&r->w, slot);
	ok(!after.byte_tat && !after.packet_tat, "%s: a changed limit starts with empty buckets",
	   r->mode);
	send_n(r, DEBT, ALLOWED, 100, 4, PASSES, "the new burst of 4 passes");
	send_n(r, DEBT, ALLOWED, 100, 1, WGSF_REASON_RATE, "and the next is over");
}

static void test_remove(struct rig *r)
{
	struct wgsf_rate_limit none = {}, l;
	struct wgsf_rate_state s;
	struct wgsf_peer_policy pol = { .flags = ~0u };
	uint32_t slot = slot_of(r, PKT);

	r->peers[PKT].rules = NULL;
	resync(r, "without the packets peer's limit");
	l = limit_of(&r->w, slot);
	bpf_map_lookup_elem(r->w.maps.fd[MAP_PEER_POLICY], &slot, &pol);
	s = state_of(&r->w, slot);
	ok(!memcmp(&l, &none, sizeof(l)) && !(pol.flags & WGSF_PEER_RATE) &&
		   !memcmp(&s, &(struct wgsf_rate_state){}, sizeof(s)),
	   "%s: a removed limit: its element and line zeroed, its flag cleared", r->mode);
	send_n(r, PKT, ALLOWED, 100, 20, PASSES, "20 packets pass, unmetered");
}

/* A departed peer's limit goes; a new one in its slot starts empty. */
static void test_reuse(struct rig *r)
{
	struct wgsf_rate_limit none = {}, l;
	struct wgsf_rate_state s;
	uint32_t slot = slot_of(r, GONE);

	send_n(r, GONE, ALLOWED, 100, 2, PASSES, "departing: its burst of 2 passes");
	send_n(r, GONE, ALLOWED, 100, 1, WGSF_REASON_RATE, "the next is over");
	r->peers[GONE].allowed_ips = NULL;
	resync(r, "without the departing peer");
	l = limit_of(&r->w, slot);
	s = state_of(&r->w, slot);
	ok(!memcmp(&l, &none, sizeof(l)) && !memcmp(&s, &(struct wgsf_rate_state){}, sizeof(s)),
	   "%s: its slot's limit and line zeroed", r->mode);
	r->peers[NEWCOMER].allowed_ips = "192.0.2.128/28";
	resync(r, "with a newcomer, without a limit");
	s = state_of(&r->w, slot);
	ok(slot_of(r, NEWCOMER) == slot && !s.byte_tat && !s.packet_tat,
	   "%s: the newcomer has the departed peer's slot %u, with empty buckets", r->mode, slot);
	r->peers[NEWCOMER].rules = PPS(2);
	resync(r, "with the newcomer's limit");
	send_n(r, NEWCOMER, ALLOWED, 100, 2, PASSES, "newcomer: its burst of 2 passes");
	send_n(r, NEWCOMER, ALLOWED, 100, 1, WGSF_REASON_RATE, "the next is over");
}

/* The maps grown as attach grows them: limits and buckets carried over. */
static void test_growth(struct rig *r)
{
	struct capacity cap = { .peers = 2 * WORLD_PEERS, .prefixes = 128, .hosts = 128,
				.policy_prefixes = 128, .policy_hosts = 128 };
	uint32_t slot = slot_of(r, GROWN);
	struct wgsf_rate_limit l0, l1;
	struct wgsf_rate_state s0, s1;
	struct world next = {};

	fire(r, &(struct shot){ GROWN, NULL, ALLOWED, 240, DEBT_SEGS, 0, 0 }, 1, PASSES,
	     "an aggregate of 600 passes an empty bucket of 1");
	l0 = limit_of(&r->w, slot);
	s0 = state_of(&r->w, slot);
	next.skel = carry_load(&cap, L3_OFFSET_ETHERNET, &r->w.maps, &next.maps);
	if (!ok(next.skel != NULL, "%s: the maps grow to %u slots", r->mode, cap.peers))
		return;
	next.in = bpf_program__fd(next.skel->progs.wgsf_tc);
	next.out = bpf_program__fd(next.skel->progs.wgsf_egress);
	world_destroy(&r->w);
	r->w = next;
	resync(r, "after the growth");
	l1 = limit_of(&r->w, slot);
	s1 = state_of(&r->w, slot);
	ok(map_capacity(r->w.maps.fd[MAP_RATE_STATE]) == cap.peers &&
		   !memcmp(&l0, &l1, sizeof(l0)) && same_state(&s0, &s1),
	   "%s: the grown maps hold the limit and the buckets", r->mode);
	send_n(r, GROWN, ALLOWED, 100, 1, WGSF_REASON_RATE, "in debt: over after the growth");
}

static void run_mode(bool enforce)
{
	struct rig r = { .enforce = enforce, .mode = enforce ? "enforce" : "monitor" };
	int p;

	memcpy(r.peers, all_peers, sizeof(r.peers));
	if (!ok(!world_load(&r.w, r.peers, PEERS, 0), "%s: load", r.mode) ||
	    !resync(&r, "with the limits")) {
		world_destroy(&r.w);
		return;
	}
	check_decisions(&r, "with the limits");
	check_written(&r);
	test_clocks(&r);
	test_packets(&r);
	test_bytes(&r);
	test_both(&r);
	test_aggregate(&r);
	test_rules(&r);
	test_open(&r);
	test_sync(&r);
	test_remove(&r);
	check_decisions(&r, "one limit removed");
	test_reuse(&r);
	for (p = 0; p < PEERS; p++)
		if (r.peers[p].allowed_ips)
			check_counters(&r, p);
	test_growth(&r);
	world_destroy(&r.w);
}

int main(void)
{
	require_root_bpf();
	libbpf_set_print(NULL);
	test_derived();
	test_clock_choice();
	run_mode(true);
	run_mode(false);
	return done_testing();
}
