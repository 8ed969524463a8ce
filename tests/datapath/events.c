// SPDX-License-Identifier: GPL-2.0-only
/*
 * Denied-packet events through the real program, its tables written by the
 * loader's own sync from a policy text (tests/lib/world.h), its ring buffer
 * read as a reader reads it (libbpf's ring_buffer): nothing written while no
 * reader holds event_reader ahead of now; with one, each violation of each
 * reason one event, every byte of it as worked out by hand (compared whole,
 * padding too, over a ring filled with ones before, so that a byte left
 * unwritten shows); nothing for what passes, replies
 * included; an aggregate one event of its packets; a peer's budget (GCRA:
 * WGSF_EVENT_BURST at once, then WGSF_EVENT_RATE a second) held to its
 * arithmetic with bounds taken from the clock, and kept apart from another
 * peer's; a ring that overflows losing what it has no room for, counted.
 */
#include <string.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "l4packet.h"
#include "packet.h"
#include "tables/config.h"
#include "tap.h"
#include "wgsf_verdict.h"
#include "world.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#define PASS ((uint32_t)TC_ACT_UNSPEC)
#define DROP TC_ACT_SHOT
#define NS 1000000000ull
#define INTERVAL_NS (NS / WGSF_EVENT_RATE)
/* A ring record: the event rounded up to 8 bytes, behind the ring's
 * header. The kernel refuses a record that would make the ring's used bytes
 * reach its size, so an unread ring holds RING_RECORDS. */
#define RECORD_SIZE ((sizeof(struct wgsf_event) + 7) / 8 * 8 + BPF_RINGBUF_HDR_SZ)
#define RING_RECORDS ((WGSF_EVENT_RING - 1) / RECORD_SIZE)
#define CAPTURE_MAX 4096
#define FRAG_UNITS 185 /* a fragment's offset, in 8 bytes: 1480 */

/* The peers, each with its rules: allowed sources, allowed destinations,
 * services (UDP to the name server only), blocked, and none. */
enum peer { SRC, DST, SVC, BLK, OPEN, PEERS };
static const struct world_peer peers[PEERS] = {
	[SRC] = { "192.0.2.0/26 2001:db8:1::/64",
		  "AllowedSources = 192.0.2.10/32, 2001:db8:1::10/128\n" },
	[DST] = { "192.0.2.64/26 2001:db8:2::/64",
		  "AllowedDestinations = 198.51.100.1/32, 2001:db8:ff::1/128\n" },
	[SVC] = { "192.0.2.128/26 2001:db8:3::/64",
		  "Allow = 198.51.100.0/24, 2001:db8:ff::/64 tcp/443 icmp/echo-request\n"
		  "Allow = 198.51.100.53/32, 2001:db8:ff::53/128 udp/53\n" },
	[BLK] = { "203.0.113.0/25 2001:db8:4::/64", "Block = true\n" },
	[OPEN] = { "203.0.113.128/25 2001:db8:5::/64", NULL },
};

/* The addresses, per family: the peers' (SRC's allowed and not), and the
 * gateway's side (LOCAL its own). */
enum where { SRC_OK, SRC_BAD, DST_AT, SVC_AT, BLK_AT, OPEN_AT, ALLOWED, OTHER, DNS, LOCAL, ADDRS };
static const char *const addrs[2][ADDRS] = {
	{ "192.0.2.10", "192.0.2.11", "192.0.2.70", "192.0.2.130", "203.0.113.5",
	  "203.0.113.130", "198.51.100.1", "198.51.100.2", "198.51.100.53", "198.51.100.200" },
	{ "2001:db8:1::10", "2001:db8:1::11", "2001:db8:2::70", "2001:db8:3::130",
	  "2001:db8:4::5", "2001:db8:5::130", "2001:db8:ff::1", "2001:db8:ff::2",
	  "2001:db8:ff::53", "2001:db8:ff::200" },
};

enum kind { TCP, UDP, ECHO_REQUEST, ECHO_REPLY, UDP_FRAGMENT };
static const uint8_t icmp_types[][2] = { [ECHO_REQUEST] = { 8, 128 },
					 [ECHO_REPLY] = { 0, 129 } };

/* A packet of a peer's; an echo's id is its sport. */
struct send {
	const char *what;
	enum peer peer;
	enum where from, to;
	enum kind kind;
	uint16_t sport, dport;
	int reason; /* enum wgsf_reason, or PASSES */
};
#define PASSES -1

static const struct send violations[] = {
	{ "TCP to a port no rule admits", SVC, SVC_AT, ALLOWED, TCP, 40000, 22,
	  WGSF_REASON_SERVICE },
	{ "UDP to a port no rule admits", SVC, SVC_AT, DNS, UDP, 5353, 54, WGSF_REASON_SERVICE },
	{ "an echo reply where requests only are admitted", SVC, SVC_AT, ALLOWED, ECHO_REPLY, 7,
	  0, WGSF_REASON_SERVICE },
	{ "a non-first fragment of UDP, which no rule there names", SVC, SVC_AT, ALLOWED,
	  UDP_FRAGMENT, 5353, 53, WGSF_REASON_SERVICE },
	{ "UDP outside AllowedDestinations", DST, DST_AT, OTHER, UDP, 1000, 2000,
	  WGSF_REASON_DESTINATION },
	{ "TCP from outside AllowedSources", SRC, SRC_BAD, ALLOWED, TCP, 1234, 80,
	  WGSF_REASON_SOURCE },
	{ "an echo request of a blocked peer", BLK, BLK_AT, ALLOWED, ECHO_REQUEST, 9, 0,
	  WGSF_REASON_BLOCKED },
};

static const struct send passes[] = {
	{ "TCP to the port admitted", SVC, SVC_AT, ALLOWED, TCP, 40000, 443, PASSES },
	{ "UDP to the port admitted", SVC, SVC_AT, DNS, UDP, 5353, 53, PASSES },
	{ "an echo request, admitted", SVC, SVC_AT, ALLOWED, ECHO_REQUEST, 7, 0, PASSES },
	{ "a non-first fragment of UDP where a rule names UDP", SVC, SVC_AT, DNS, UDP_FRAGMENT,
	  5353, 53, PASSES },
	{ "UDP inside AllowedDestinations", DST, DST_AT, ALLOWED, UDP, 1000, 2000, PASSES },
	{ "TCP from inside AllowedSources", SRC, SRC_OK, ALLOWED, TCP, 1234, 80, PASSES },
	{ "TCP of a peer without rules", OPEN, OPEN_AT, OTHER, TCP, 1234, 80, PASSES },
};

/* What the ring held at the last drain: the first CAPTURE_MAX events. */
static struct {
	struct wgsf_event ev[CAPTURE_MAX];
	size_t n;
} got;

/* A world in a mode, with a reader for 10 s. */
struct rig {
	struct world w;
	bool enforce;
};

/* Reads every event the ring holds into got; how many, or -1. */
static long drain(const struct rig *r)
{
	long n = world_events(&r->w, got.ev, CAPTURE_MAX);

	got.n = n < 0 ? 0 : (size_t)n;
	return n;
}

/* A world in r's mode, its ring soiled, and a reader. */
static bool rig_load(struct rig *r, const struct world_peer *ps, size_t n, bool enforce)
{
	r->enforce = enforce;
	return !world_load(&r->w, ps, n, 0) &&
	       !datapath_set_mode(r->w.maps.fd[MAP_CONFIG],
				  enforce ? WGSF_MODE_ENFORCE : WGSF_MODE_MONITOR) &&
	       world_ring_soil(&r->w) && !world_reader(&r->w, world_now_ns() + 10 * NS);
}

static struct wgsf_peer_stats peer(const struct rig *r, enum peer p)
{
	return world_peer_stats(&r->w, world_slot(&r->w, p));
}

static uint8_t proto_of(enum kind k, int fam)
{
	if (k == TCP)
		return IPPROTO_TCP;
	if (k == UDP || k == UDP_FRAGMENT)
		return IPPROTO_UDP;
	return fam ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
}

/* The packet of c in family fam (0: IPv4) at ip, with payload bytes of
 * zeros; its length, or 0. */
static size_t packet_of(uint8_t ip[PACKET_MAX], int fam, const struct send *c, size_t payload)
{
	static const uint8_t zeros[PACKET_MAX];
	struct l4_spec s = { .payload = zeros, .payload_len = payload };
	size_t len;

	if (l4_spec_addrs(&s, addrs[fam][c->from], addrs[fam][c->to]))
		return 0;
	s.proto = proto_of(c->kind, fam);
	s.sport = c->sport;
	s.dport = c->dport;
	if (c->kind == TCP)
		s.flags = TCP_FLAG_SYN;
	else if (c->kind == ECHO_REQUEST || c->kind == ECHO_REPLY)
		s.flags = icmp_types[c->kind][fam];
	len = l4_packet(ip, PACKET_MAX - ETH_HLEN, &s);
	if (!len || c->kind != UDP_FRAGMENT)
		return len;
	return l4_fragment(ip, len, PACKET_MAX - ETH_HLEN, FRAG_UNITS);
}

static void addr_of(struct wgsf_addr *a, const char *s)
{
	struct prefix p;

	memset(a, 0, sizeof(*a));
	if (addr_parse(s, &p))
		return;
	a->version = p.family == AF_INET ? 4 : 6;
	memcpy(a->addr, p.addr, a->version == 4 ? 4 : 16);
}

/* The event c of len bytes in family fam must write, but for its time. */
static struct wgsf_event event_of(const struct rig *r, int fam, const struct send *c, size_t len)
{
	struct wgsf_event e = { .slot = world_slot(&r->w, c->peer), .packets = 1, .bytes = len,
				.reason = c->reason };

	e.action = r->enforce ? WGSF_ACTION_DROPPED : WGSF_ACTION_COUNTED;
	e.proto = proto_of(c->kind, fam);
	if (c->kind == UDP_FRAGMENT) {
		e.l4_flags = WGSF_L4_FRAGMENT;
	} else if (c->kind == TCP || c->kind == UDP) {
		e.sport = c->sport;
		e.dport = c->dport;
	} else {
		e.icmp_type = icmp_types[c->kind][fam];
	}
	addr_of(&e.src, addrs[fam][c->from]);
	addr_of(&e.dst, addrs[fam][c->to]);
	return e;
}

static void event_diag(const char *who, const struct wgsf_event *e)
{
	diag("  %s: slot %u reason %u action %u proto %u flags %u ports %u>%u icmp %u/%u "
	     "packets %u bytes %u src v%u dst v%u time %llu",
	     who, e->slot, e->reason, e->action, e->proto, e->l4_flags, e->sport, e->dport,
	     e->icmp_type, e->icmp_code, e->packets, e->bytes, e->src.version, e->dst.version,
	     (unsigned long long)e->time_ns);
}

/* Whether e is want, every byte, its time within [from, to]. */
static bool event_is(const struct wgsf_event *e, struct wgsf_event want, uint64_t from,
		     uint64_t to)
{
	bool good;

	if (e->time_ns >= from && e->time_ns <= to)
		want.time_ns = e->time_ns;
	good = !memcmp(e, &want, sizeof(want));
	if (!good) {
		event_diag("got", e);
		event_diag("want", &want);
	}
	return good;
}

/* Runs the len bytes at ip (ctx: an aggregate's, or NULL); whether r's
 * mode gave its verdict (dropped, or passed in monitor mode), and it wrote
 * one event, want but for its time, which falls within the run. */
static bool one_event(const struct rig *r, const uint8_t *ip, size_t len,
		      const struct __sk_buff *ctx, struct wgsf_event want)
{
	uint64_t from = world_now_ns();
	int64_t rc = world_run_ip(r->w.in, ip, len, ctx);
	uint64_t to = world_now_ns();
	long n = drain(r);

	if (rc != (r->enforce ? DROP : PASS) || n != 1)
		diag("  returned %lld, %ld events", (long long)rc, n);
	return rc == (r->enforce ? DROP : PASS) && n == 1 && event_is(&got.ev[0], want, from, to);
}

/* Sends c in family fam n times; how many returns were not as c says in
 * r's mode. */
static unsigned int send_n(const struct rig *r, int fam, const struct send *c, unsigned int n)
{
	int64_t want = c->reason != PASSES && r->enforce ? DROP : PASS, rc = -1;
	uint8_t ip[PACKET_MAX];
	size_t len = packet_of(ip, fam, c, 0);
	unsigned int i, wrong = 0;

	for (i = 0; i < n; i++) {
		rc = world_run_ip(r->w.in, ip, len, NULL);
		wrong += rc != want;
	}
	if (wrong)
		diag("  %s returned %lld, want %lld", c->what, (long long)rc, (long long)want);
	return wrong;
}

static bool budget_spent(const struct rig *r, uint32_t slot)
{
	struct wgsf_event_budget b;

	return bpf_map_lookup_elem(r->w.maps.fd[MAP_EVENT_BUDGET], &slot, &b) || b.tat;
}

/* Violations while no reader is there, event_reader 0 and then past:
 * nothing written, no budget spent, nothing suppressed or lost; the
 * counters count every violation. */
static void no_reader(void)
{
	const char *const whose[] = { "no reader", "a reader's lease run out" };
	const uint64_t until[] = { 0, world_now_ns() - NS };
	struct wgsf_dev_stats d;
	unsigned int wrong;
	bool untouched;
	struct rig r;
	size_t i, n = 0;
	int j, fam;

	if (!ok(rig_load(&r, peers, PEERS, true), "no reader: load, and sync the peers' policy"))
		goto out;
	for (j = 0; j < 2; j++) {
		wrong = world_reader(&r.w, until[j]) ? 1 : 0;
		for (fam = 0; fam < 2; fam++)
			for (i = 0; i < ARRAY_SIZE(violations); i++, n++)
				wrong += send_n(&r, fam, &violations[i], 1);
		d = world_dev_stats(&r.w);
		ok(!wrong && drain(&r) == 0 && d.violation_packets == n, "%s: %zu violations dropped "
		   "and counted, and no event written", whose[j], n);
		is_u64(d.event_suppressed + d.event_lost, 0, "%s: none suppressed, none lost",
		       whose[j]);
		for (untouched = true, i = 0; i < PEERS; i++)
			untouched = untouched && peer(&r, i).event_suppressed == 0 &&
				    !budget_spent(&r, world_slot(&r.w, i));
		ok(untouched, "%s: no peer's budget spent, none of its violations suppressed",
		   whose[j]);
	}
out:
	world_destroy(&r.w);
}

/* The gateway's UDP to DST, and DST's answer: a reply, which passes DST's
 * destination rules, and writes no event. */
static void reply(const struct rig *r, const char *mode)
{
	const struct send out = { "", DST, LOCAL, DST_AT, UDP, 5000, 53, PASSES };
	const struct send answer = { "DST's answer", DST, DST_AT, LOCAL, UDP, 53, 5000, PASSES };
	uint8_t ip[PACKET_MAX];
	size_t len;
	int fam;

	for (fam = 0; fam < 2; fam++) {
		len = packet_of(ip, fam, &out, 0);
		ok(world_run_ip(r->w.out, ip, len, NULL) == PASS && !send_n(r, fam, &answer, 1) &&
			   drain(r) == 0,
		   "%s, IPv%d: the gateway's UDP to DST, and its answer: passed, no event", mode,
		   fam ? 6 : 4);
	}
	is_u64(peer(r, DST).reply_packets, 2, "%s: the answers were counted as replies", mode);
}

/* One violation of each kind, in each family: one event each, exact; what
 * passes writes none. */
static void each_kind(bool enforce)
{
	const char *mode = enforce ? "enforce" : "monitor";
	const struct send *c;
	uint8_t ip[PACKET_MAX];
	struct wgsf_dev_stats d;
	struct rig r;
	size_t i, len;
	int fam;

	if (!ok(rig_load(&r, peers, PEERS, enforce),
		"%s: load, sync the peers' policy, and a reader for 10 s", mode))
		goto out;
	for (fam = 0; fam < 2; fam++)
		for (i = 0; i < ARRAY_SIZE(violations); i++) {
			c = &violations[i];
			len = packet_of(ip, fam, c, 0);
			ok(one_event(&r, ip, len, NULL, event_of(&r, fam, c, len)),
			   "%s, IPv%d: %s: one event, every field as sent", mode, fam ? 6 : 4, c->what);
		}
	for (fam = 0; fam < 2; fam++)
		for (i = 0; i < ARRAY_SIZE(passes); i++)
			ok(!send_n(&r, fam, &passes[i], 1) && drain(&r) == 0,
			   "%s, IPv%d: %s: passed, no event", mode, fam ? 6 : 4, passes[i].what);
	reply(&r, mode);
	d = world_dev_stats(&r.w);
	ok(d.violation_packets == 2 * ARRAY_SIZE(violations) && !d.event_suppressed &&
		   !d.event_lost,
	   "%s: %zu violations counted, none suppressed or lost", mode,
	   2 * ARRAY_SIZE(violations));
out:
	world_destroy(&r.w);
}

/* Aggregates of the blocked peer's, as GRO and a TUN device's writer leave
 * them (see gso.c): packets and bytes worked out by hand, 180 bytes of
 * payload under one copy of the headers, which each packet had. */
static const struct aggregate {
	const char *what;
	int fam;
	enum kind kind;
	uint16_t segs, size;
	uint32_t packets, bytes;
} aggregates[] = {
	{ "IPv4 TCP, 6 segments", 0, TCP, 6, 30, 6, 220 + 5 * 40 },
	{ "IPv4 TCP, segments 0, 180 B in 64s", 0, TCP, 0, 64, 3, 220 + 2 * 40 },
	{ "IPv6 UDP, segments 0, 180 B in 40s", 1, UDP, 0, 40, 5, 228 + 4 * 48 },
};
#define AGGREGATE_PAYLOAD 180

/* Each aggregate: one event of its packets and bytes, as the counters
 * count them. */
static void aggregate_events(void)
{
	struct send c = { "", BLK, BLK_AT, ALLOWED, TCP, 1234, 80, WGSF_REASON_BLOCKED };
	const struct aggregate *a;
	struct wgsf_peer_stats before, after;
	struct wgsf_event want;
	uint8_t ip[PACKET_MAX];
	struct rig r;
	size_t i, len;

	if (!ok(rig_load(&r, peers, PEERS, true), "aggregates: load, and a reader"))
		goto out;
	for (i = 0; i < ARRAY_SIZE(aggregates); i++) {
		struct __sk_buff ctx = { .gso_segs = aggregates[i].segs,
					 .gso_size = aggregates[i].size };

		a = &aggregates[i];
		c.kind = a->kind;
		len = packet_of(ip, a->fam, &c, AGGREGATE_PAYLOAD);
		want = event_of(&r, a->fam, &c, len);
		want.packets = a->packets;
		want.bytes = a->bytes;
		before = peer(&r, BLK);
		ok(one_event(&r, ip, len, &ctx, want),
		   "aggregates: %s: one event of %u packets, %u B", a->what, a->packets, a->bytes);
		after = peer(&r, BLK);
		ok(after.violation_packets - before.violation_packets == got.ev[0].packets &&
			   after.violation_bytes - before.violation_bytes == got.ev[0].bytes,
		   "aggregates: %s: the event's packets and bytes are the counters'", a->what);
	}
out:
	world_destroy(&r.w);
}

static const struct send *violation_of(enum peer p)
{
	size_t i;

	for (i = 0; violations[i].peer != p; i++)
		;
	return &violations[i];
}

#define FLOOD 1000
#define LATER 100
#define PAUSE_MS 200

/* How many of the events drained are not of peer p's. */
static size_t not_of(const struct rig *r, enum peer p)
{
	uint32_t slot = world_slot(&r->w, p);
	size_t i, n = 0;

	for (i = 0; i < got.n && i < CAPTURE_MAX; i++)
		n += got.ev[i].slot != slot;
	return n;
}

/*
 * GCRA's arithmetic, with I the interval and B the burst: the n-th event
 * admitted since a first at t0 needs (n - 1) I <= (B - 1) I + t - t0, so by
 * t at most B + (t - t0) / I; each one admitted at t leaves the bucket's
 * time at most t + B I, so that from the last, by t, at least (t - last) / I
 * more are admitted in a row. Both bounds from the clock read around the
 * runs.
 */
static void budget(void)
{
	const struct send *a = violation_of(BLK), *b = violation_of(SRC);
	uint64_t start, flood_end, resume, end, lo, hi, supp;
	struct wgsf_dev_stats d;
	unsigned int wrong;
	long e1, e2, eb;
	struct rig r;

	if (!ok(rig_load(&r, peers, PEERS, true), "budget: load, and a reader"))
		goto out;
	start = world_now_ns();
	wrong = send_n(&r, 0, a, FLOOD);
	flood_end = world_now_ns();
	e1 = drain(&r);
	supp = peer(&r, BLK).event_suppressed;
	d = world_dev_stats(&r.w);
	ok(!wrong && e1 + supp == FLOOD && !not_of(&r, BLK) && d.event_suppressed == supp,
	   "budget: %d violations of A's in a row: %ld events of A's, %llu suppressed, on the "
	   "device's count too", FLOOD, e1, (unsigned long long)supp);
	hi = WGSF_EVENT_BURST + (flood_end - start) / INTERVAL_NS;
	ok(e1 >= WGSF_EVENT_BURST && (uint64_t)e1 <= hi,
	   "budget: the burst (%u) and at most one a %llu ms more in %.1f ms: %ld <= %llu",
	   WGSF_EVENT_BURST, INTERVAL_NS / 1000000, (flood_end - start) / 1e6, e1,
	   (unsigned long long)hi);
	wrong = send_n(&r, 0, b, 5);
	eb = drain(&r);
	ok(!wrong && eb == 5 && !not_of(&r, SRC) && peer(&r, SRC).event_suppressed == 0 &&
		   world_dev_stats(&r.w).event_suppressed == supp,
	   "budget: then B's 5 violations: 5 events, none suppressed (a budget of its own)");
	world_sleep_ms(PAUSE_MS);
	resume = world_now_ns();
	wrong = send_n(&r, 0, a, LATER);
	end = world_now_ns();
	e2 = drain(&r);
	supp = peer(&r, BLK).event_suppressed - supp;
	ok(!wrong && e2 + supp == LATER && !not_of(&r, BLK),
	   "budget: %d ms on, A's next %d: %ld events, %llu suppressed", PAUSE_MS, LATER, e2,
	   (unsigned long long)supp);
	lo = (resume - flood_end) / INTERVAL_NS;
	hi = WGSF_EVENT_BURST + (end - start) / INTERVAL_NS - e1;
	ok((uint64_t)e2 >= lo && (uint64_t)e2 <= hi && lo >= PAUSE_MS / (INTERVAL_NS / 1000000),
	   "budget: one a %llu ms since the flood, %llu <= %ld <= %llu",
	   INTERVAL_NS / 1000000, (unsigned long long)lo, e2, (unsigned long long)hi);
out:
	world_destroy(&r.w);
}

#define LOSS_PEERS 32
_Static_assert(LOSS_PEERS * WGSF_EVENT_BURST > RING_RECORDS, "the loss peers fill the ring");
_Static_assert(LOSS_PEERS < WORLD_PEERS, "and one more has a slot");

/* Peer i of the loss world: blocked, at 203.0.113.(i + 1). */
static const struct world_peer *loss_peer(size_t i)
{
	static char aips[LOSS_PEERS + 1][32];
	static struct world_peer p[LOSS_PEERS + 1];

	snprintf(aips[i], sizeof(aips[i]), "203.0.113.%zu/32", i + 1);
	p[i] = (struct world_peer){ aips[i], "Block = true\n" };
	return &p[i];
}

/* The first LOSS_PEERS peers each send their burst, which their budgets
 * admit whole, into a ring nobody reads: it takes RING_RECORDS of them,
 * in the order sent, and the rest are lost, counted. Read, it has room
 * again: the last peer's violation is written, across the ring's end. */
static void loss(void)
{
	struct send c = { "", LOSS_PEERS, BLK_AT, ALLOWED, ECHO_REQUEST, 9, 0,
			  WGSF_REASON_BLOCKED };
	const uint64_t sent = LOSS_PEERS * WGSF_EVENT_BURST;
	uint32_t slots[LOSS_PEERS + 1];
	unsigned int wrong = 0, misplaced = 0;
	uint8_t ip[PACKET_MAX];
	struct wgsf_dev_stats d;
	struct wgsf_event want;
	struct rig r;
	size_t i, k, len = packet_of(ip, 0, &c, 0);
	long n;

	for (i = 0; i <= LOSS_PEERS; i++)
		loss_peer(i);
	if (!ok(rig_load(&r, loss_peer(0), LOSS_PEERS + 1, true),
		"loss: load %d blocked peers, and a reader", LOSS_PEERS + 1))
		goto out;
	for (i = 0; i <= LOSS_PEERS; i++)
		slots[i] = world_slot(&r.w, i);
	for (i = 0; i < LOSS_PEERS; i++) {
		ip[15] = i + 1; /* the source's last byte; ICMP's checksum leaves it out */
		for (k = 0; k < WGSF_EVENT_BURST; k++)
			wrong += world_run_ip(r.w.in, ip, len, NULL) != DROP;
	}
	n = drain(&r);
	for (k = 0; k < got.n && k < CAPTURE_MAX; k++)
		misplaced += got.ev[k].slot != slots[k / WGSF_EVENT_BURST];
	d = world_dev_stats(&r.w);
	ok(!wrong && n == (long)RING_RECORDS && !misplaced,
	   "loss: %llu violations: the ring held %zu events (of %zu B), in the order sent",
	   (unsigned long long)sent, (size_t)RING_RECORDS, (size_t)RECORD_SIZE);
	ok(d.event_lost == sent - RING_RECORDS && d.event_suppressed == 0 &&
		   n + d.event_lost + d.event_suppressed == sent,
	   "loss: %llu lost, none suppressed: read, lost and suppressed add up to those sent",
	   (unsigned long long)(sent - RING_RECORDS));
	ip[15] = LOSS_PEERS + 1;
	want = event_of(&r, 0, &c, len);
	want.src.addr[3] = ip[15];
	ok(one_event(&r, ip, len, NULL, want) &&
		   world_dev_stats(&r.w).event_lost == d.event_lost,
	   "loss: the ring read, another peer's violation is written whole");
out:
	world_destroy(&r.w);
}

int main(void)
{
	require_root_bpf();
	libbpf_set_print(NULL);
	no_reader();
	each_kind(true);
	each_kind(false);
	aggregate_events();
	budget();
	loss();
	return done_testing();
}
