// SPDX-License-Identifier: GPL-2.0-only
/*
 * Quarantine through the real program, its tables written by the loader's
 * own sync from Quarantine lines its parser reads (tests/lib/world.h), in
 * enforce mode and in monitor mode, every count worked out by hand:
 * N-1 violations quarantine nothing, the Nth keeps its own reason and the
 * next packet, a legitimate one, is `quarantined`, as is every one after
 * it (through the entry's bits and through the peer's flags); an
 * aggregate counts as its packets; replies and rate violations are not
 * counted; a blocked peer is never quarantined; a quarantine by hand
 * holds at once, a release at once; a quarantine of 1 s ends by itself
 * and counting starts again from zero; two violations more than a period
 * apart never count together; a changed N keeps the count, a changed
 * period empties it; a removed rule releases the peer, and the sync says
 * so, but keeps a quarantine by hand; a departed peer's entry goes; a
 * hand quarantine of a peer without a rule holds through syncs,
 * those from watch's cache too, until it is released; growth and a new
 * program keep the very map and its entries.
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "l4packet.h"
#include "reference.h"
#include "tables/carry.h"
#include "tables/datapath.h"
#include "tables/quarantine.h"
#include "tap.h"
#include "world.h"

#define PASS ((int64_t)(uint32_t)TC_ACT_UNSPEC) /* as the run returns it */
#define DROP ((int64_t)TC_ACT_SHOT)
#define IP_LEN 100
#define HOUR_NS 3600000000000ull

enum peer { FLAGS, BITS, AGG, RULES, LIMIT, BLOCK, HAND, NORULE, EXPIRE, PAUSE, NCHG, PCHG,
	    GONE, GROWN, PEERS };

static const char *const names[PEERS] = {
	"flags", "bits", "aggregate", "destination rules", "rate limit", "blocked", "by hand",
	"no rule", "expiring", "pausing", "N changed", "period changed", "rule removed",
	"grown",
};

#define Q3 "Quarantine = 3/10s for 1h\n"
#define SRC(p) "AllowedSources = " p "\n"
static const struct world_peer all_peers[PEERS] = {
	/* sources that split the entry: the datapath reads the peer's flags */
	[FLAGS] = { "192.0.2.0/28", SRC("192.0.2.0/29") Q3 },
	/* the entry's bits say it all */
	[BITS] = { "192.0.2.16/29 192.0.2.24/29", SRC("192.0.2.16/29") Q3 },
	[AGG] = { "192.0.2.32/29 192.0.2.40/29", SRC("192.0.2.32/29") Q3 },
	[RULES] = { "192.0.2.48/28", "AllowedDestinations = 198.51.100.1/32\n" Q3 },
	[LIMIT] = { "192.0.2.64/28", "RateLimit = 1pps burst 1\n" Q3 },
	[BLOCK] = { "192.0.2.80/28", "Block = true\n" Q3 },
	[HAND] = { "192.0.2.96/28", "Quarantine = 100/1h for 1h\n" },
	[NORULE] = { "192.0.2.112/28", NULL },
	[EXPIRE] = { "192.0.2.128/29 192.0.2.136/29", SRC("192.0.2.128/29")
			     "Quarantine = 2/10s for 1s\n" },
	[PAUSE] = { "192.0.2.144/29 192.0.2.152/29", SRC("192.0.2.144/29")
			    "Quarantine = 2/1s for 1h\n" },
	[NCHG] = { "192.0.2.160/29 192.0.2.168/29", SRC("192.0.2.160/29") Q3 },
	[PCHG] = { "192.0.2.176/29 192.0.2.184/29", SRC("192.0.2.176/29") Q3 },
	[GONE] = { "192.0.2.192/29 192.0.2.200/29", SRC("192.0.2.192/29") Q3 },
	[GROWN] = { "192.0.2.208/29 192.0.2.216/29", SRC("192.0.2.208/29") Q3 },
};
/* a legitimate source of each, and one outside its allowed sources */
static const char *const good[PEERS] = {
	"192.0.2.1",   "192.0.2.17",  "192.0.2.33",  "192.0.2.49",  "192.0.2.65",
	"192.0.2.81",  "192.0.2.97",  "192.0.2.113", "192.0.2.129", "192.0.2.145",
	"192.0.2.161", "192.0.2.177", "192.0.2.193", "192.0.2.209",
};
static const char *const bad[PEERS] = {
	[FLAGS] = "192.0.2.9",    [BITS] = "192.0.2.25",   [AGG] = "192.0.2.41",
	[EXPIRE] = "192.0.2.137", [PAUSE] = "192.0.2.153", [NCHG] = "192.0.2.169",
	[PCHG] = "192.0.2.185",   [GONE] = "192.0.2.201",  [GROWN] = "192.0.2.217",
};

#define DST "198.51.100.1"
#define LOCAL "198.51.100.200" /* outside RULES' destinations */
#define PASSES (-1)
#define REPLIES (-2)

struct rig {
	struct world w;
	bool enforce;
	const char *mode;
	struct world_peer peers[PEERS];
	struct wgsf_peer_stats want[PEERS];
};

static void count(struct wgsf_peer_stats *w, uint64_t packets, int outcome, bool enforce)
{
	w->rx_packets += packets;
	if (outcome == REPLIES)
		w->reply_packets += packets;
	if (outcome < 0)
		return;
	w->violation_packets += packets;
	w->violations[outcome] += packets;
	w->last_violation_reason = outcome;
	if (enforce)
		w->drop_packets += packets;
}

/* n UDP packets (aggregates of segs, where not 0) from src to dst, ports
 * 4000 to 53 unless sport is given, each with outcome (a reason, PASSES
 * or REPLIES). */
static bool fire(struct rig *r, enum peer p, const char *src, const char *dst, uint16_t segs,
		 uint16_t sport, unsigned int n, int outcome, const char *what)
{
	static const uint8_t zeros[IP_LEN];
	struct __sk_buff ctx = { .gso_segs = segs, .gso_size = 100 };
	int64_t want = outcome >= 0 && r->enforce ? DROP : PASS, got = want;
	struct l4_spec spec;
	unsigned int i, right = 0;

	if (l4_spec_addrs(&spec, src, dst))
		return ok(false, "%s: %s: the addresses parse", r->mode, what);
	spec.proto = IPPROTO_UDP;
	spec.sport = sport ?: 4000;
	spec.dport = sport ? 5000 : 53;
	spec.payload = zeros;
	spec.payload_len = IP_LEN - 28;
	for (i = 0; i < n; i++) {
		got = world_run(r->w.in, &spec, segs ? &ctx : NULL);
		right += got == want;
		count(&r->want[p], segs ?: 1, outcome, r->enforce);
	}
	return ok(right == n, "%s: %s: %s: %u of %u %s (the last returned %lld)", r->mode,
		  names[p], what, right, n, want == DROP ? "dropped" : "passed", (long long)got);
}

static bool legit(struct rig *r, enum peer p, unsigned int n, int outcome, const char *what)
{
	return fire(r, p, good[p], DST, 0, 0, n, outcome, what);
}

static bool spoof(struct rig *r, enum peer p, unsigned int n, int outcome, const char *what)
{
	return fire(r, p, bad[p], DST, 0, 0, n, outcome, what);
}

static bool resync(struct rig *r, const char *what)
{
	return ok(!world_sync(&r->w, r->peers, PEERS) &&
			  !datapath_set_mode(r->w.maps.fd[MAP_CONFIG],
					     r->enforce ? WGSF_MODE_ENFORCE : WGSF_MODE_MONITOR),
		  "%s: sync %s", r->mode, what);
}

static int entry_of(const struct rig *r, enum peer p, struct wgsf_quarantine *q)
{
	uint8_t key[WG_KEY_LEN];

	world_key(p, key);
	return bpf_map_lookup_elem(r->w.maps.fd[MAP_QUARANTINE], key, q) ? -errno : 0;
}

/* Peer p's entry: in force or not, and by whom. */
static void check_entry(const struct rig *r, enum peer p, bool in_force, uint32_t by,
			uint32_t counted, const char *what)
{
	struct wgsf_quarantine q = {};
	int err = entry_of(r, p, &q);
	uint64_t now = world_now_ns();

	ok(!err && (now < q.until_ns) == in_force && q.by == by && q.counted == counted,
	   "%s: %s: %s (by %u, counted %u, %s)", r->mode, names[p], what, q.by, q.counted,
	   err ? "no entry" : now < q.until_ns ? "in force" : "not in force");
}

static void check_gone(const struct rig *r, enum peer p, const char *what)
{
	struct wgsf_quarantine q;

	ok(entry_of(r, p, &q) == -ENOENT, "%s: %s: %s", r->mode, names[p], what);
}

static void check_counters(const struct rig *r, enum peer p)
{
	struct wgsf_peer_stats g = world_peer_stats(&r->w, world_slot(&r->w, p));
	const struct wgsf_peer_stats *w = &r->want[p];
	bool same = g.rx_packets == w->rx_packets && g.violation_packets == w->violation_packets &&
		    g.drop_packets == w->drop_packets && g.reply_packets == w->reply_packets &&
		    !memcmp(g.violations, w->violations, sizeof(g.violations));
	int i;

	if (same && w->violation_packets)
		same = g.last_violation_reason == w->last_violation_reason;
	ok(same, "%s: %s: every counter as predicted (rx %llu, drops %llu, replies %llu)",
	   r->mode, names[p], (unsigned long long)g.rx_packets,
	   (unsigned long long)g.drop_packets, (unsigned long long)g.reply_packets);
	for (i = 0; !same && i < WGSF_REASON_COUNT; i++)
		diag("  %s: got %llu, want %llu", ref_reasons[i],
		     (unsigned long long)g.violations[i], (unsigned long long)w->violations[i]);
}

/* Through the peer's flags, then through the entry's bits. */
static void test_begin(struct rig *r)
{
	static const enum peer via[] = { FLAGS, BITS };
	size_t i;

	for (i = 0; i < 2; i++) {
		enum peer p = via[i];

		spoof(r, p, 2, WGSF_REASON_SOURCE, "2 violations of 3");
		legit(r, p, 3, PASSES, "legitimate packets still pass");
		check_entry(r, p, false, WGSF_QUAR_BY_NONE, 0, "not quarantined after 2");
		spoof(r, p, 1, WGSF_REASON_SOURCE, "the 3rd keeps its reason");
		check_entry(r, p, true, WGSF_QUAR_BY_RULE, 3, "quarantined by its rule, 3 counted");
		legit(r, p, 1, WGSF_REASON_QUARANTINED, "the next, legitimate, is quarantined");
		legit(r, p, 4, WGSF_REASON_QUARANTINED, "and every one after it");
		spoof(r, p, 2, WGSF_REASON_QUARANTINED, "violations too");
	}
}

static void test_aggregate(struct rig *r)
{
	fire(r, AGG, bad[AGG], DST, 2, 0, 1, WGSF_REASON_SOURCE,
	     "an aggregate of 2 violations: 2 of 3");
	check_entry(r, AGG, false, WGSF_QUAR_BY_NONE, 0, "not quarantined by 2 packets");
	fire(r, AGG, bad[AGG], DST, 2, 0, 1, WGSF_REASON_SOURCE, "another of 2: 4 of 3");
	check_entry(r, AGG, true, WGSF_QUAR_BY_RULE, 4, "quarantined, all 4 counted");
	fire(r, AGG, good[AGG], DST, 5, 0, 1, WGSF_REASON_QUARANTINED,
	     "a legitimate aggregate of 5 is quarantined whole");
}

/* Replies and rate violations count toward nothing; a blocked peer is
 * blocked, never quarantined. */
static void test_uncounted(struct rig *r)
{
	struct l4_spec out = {};
	int i;

	ok(!l4_spec_addrs(&out, LOCAL, good[RULES]) &&
		   (out.proto = IPPROTO_UDP, out.sport = 5000, out.dport = 53,
		    world_run(r->w.out, &out, NULL) == PASS),
	   "%s: the gateway's UDP to the peer opens a flow", r->mode);
	fire(r, RULES, good[RULES], LOCAL, 0, 53, 5, REPLIES, "5 replies outside its rules");
	fire(r, RULES, good[RULES], LOCAL, 0, 0, 2, WGSF_REASON_DESTINATION,
	     "2 packets outside its destinations");
	check_entry(r, RULES, false, WGSF_QUAR_BY_NONE, 0, "the replies were not counted");
	fire(r, RULES, good[RULES], LOCAL, 0, 0, 1, WGSF_REASON_DESTINATION, "a 3rd");
	fire(r, RULES, good[RULES], LOCAL, 0, 53, 1, WGSF_REASON_QUARANTINED,
	     "then a reply is quarantined");
	legit(r, LIMIT, 1, PASSES, "its burst of 1");
	legit(r, LIMIT, 5, WGSF_REASON_RATE, "5 over its rate");
	check_entry(r, LIMIT, false, WGSF_QUAR_BY_NONE, 0, "rate violations were not counted");
	for (i = 0; i < 2; i++)
		legit(r, BLOCK, 5, WGSF_REASON_BLOCKED, "5 blocked, never quarantined");
	check_entry(r, BLOCK, false, WGSF_QUAR_BY_NONE, 0, "blocked: its entry untouched");
}

/* As wgsf quarantine writes it: at once, without a sync. */
static int impose(const struct rig *r, enum peer p, uint64_t until)
{
	struct wgsf_quarantine q = {};
	uint8_t key[WG_KEY_LEN];

	world_key(p, key);
	entry_of(r, p, &q);
	q.by = WGSF_QUAR_BY_HAND;
	q.since_ns = world_now_ns();
	q.until_ns = until;
	return bpf_map_update_elem(r->w.maps.fd[MAP_QUARANTINE], key, &q, BPF_ANY) ? -errno : 0;
}

static void test_hand(struct rig *r, struct sync_cache *cache)
{
	struct sync_result res;

	legit(r, HAND, 2, PASSES, "before");
	ok(!impose(r, HAND, world_now_ns() + HOUR_NS), "%s: quarantined by hand", r->mode);
	legit(r, HAND, 2, WGSF_REASON_QUARANTINED, "quarantined at once");
	ok(!impose(r, HAND, 0), "%s: released by hand", r->mode);
	legit(r, HAND, 2, PASSES, "released at once");
	/* a peer without a rule has no entry bit until a sync gives it one */
	ok(!impose(r, NORULE, WGSF_QUAR_FOREVER), "%s: no rule: quarantined by hand", r->mode);
	/* its bits are not the policy's: the cache cannot tell them */
	ok(!world_sync_cached(&r->w, r->peers, PEERS, cache, &res) && !res.from_cache,
	   "%s: sync as watch does: in full, not from its cache", r->mode);
	legit(r, NORULE, 2, WGSF_REASON_QUARANTINED, "no rule: quarantined after the sync");
	ok(!world_sync_cached(&r->w, r->peers, PEERS, cache, &res) && res.from_cache,
	   "%s: again from the cache", r->mode);
	resync(r, "in full");
	legit(r, NORULE, 1, WGSF_REASON_QUARANTINED, "no rule: still quarantined");
	ok(!impose(r, NORULE, 0), "%s: no rule: released by hand", r->mode);
	legit(r, NORULE, 1, PASSES, "released at once");
	ok(!world_sync_cached(&r->w, r->peers, PEERS, cache, &res) && !res.from_cache &&
		   !res.released,
	   "%s: sync as watch does, in full again, nothing reported", r->mode);
	check_gone(r, NORULE, "its entry deleted by the sync");
	legit(r, NORULE, 1, PASSES, "no rule: passes after it");
}

/* A quarantine of 1 s ends by itself; counting starts again from zero. */
static void test_expiry(struct rig *r)
{
	spoof(r, EXPIRE, 2, WGSF_REASON_SOURCE, "2 violations of 2");
	legit(r, EXPIRE, 1, WGSF_REASON_QUARANTINED, "then quarantined for 1 s");
	world_sleep_ms(1100);
	legit(r, EXPIRE, 2, PASSES, "1.1 s later, passes");
	check_entry(r, EXPIRE, false, WGSF_QUAR_BY_RULE, 2, "no longer in force");
	spoof(r, EXPIRE, 1, WGSF_REASON_SOURCE, "1 violation, the first counted anew");
	legit(r, EXPIRE, 1, PASSES, "not quarantined by it");
	spoof(r, EXPIRE, 1, WGSF_REASON_SOURCE, "a 2nd");
	legit(r, EXPIRE, 1, WGSF_REASON_QUARANTINED, "quarantined again");
}

/* Two violations more than the period apart never count together. */
static void test_pause(struct rig *r)
{
	spoof(r, PAUSE, 1, WGSF_REASON_SOURCE, "1 violation of 2 in 1 s");
	world_sleep_ms(1200);
	spoof(r, PAUSE, 1, WGSF_REASON_SOURCE, "1.2 s later, another");
	legit(r, PAUSE, 1, PASSES, "not quarantined");
	check_entry(r, PAUSE, false, WGSF_QUAR_BY_NONE, 0, "never quarantined");
}

/* A changed N or duration keeps the count; a changed period empties it. */
static void test_changes(struct rig *r)
{
	struct wgsf_quarantine q = {};

	spoof(r, NCHG, 2, WGSF_REASON_SOURCE, "2 violations of 3");
	spoof(r, PCHG, 2, WGSF_REASON_SOURCE, "2 violations of 3");
	r->peers[NCHG].rules = SRC("192.0.2.160/29") "Quarantine = 4/10s for 2h\n";
	r->peers[PCHG].rules = SRC("192.0.2.176/29") "Quarantine = 3/20s for 1h\n";
	resync(r, "with N 4 and 2 h for the one, a period of 20 s for the other");
	spoof(r, NCHG, 1, WGSF_REASON_SOURCE, "a 3rd of 4");
	legit(r, NCHG, 1, PASSES, "not quarantined by 3 of 4");
	spoof(r, NCHG, 1, WGSF_REASON_SOURCE, "the 4th, counted with those before the sync");
	check_entry(r, NCHG, true, WGSF_QUAR_BY_RULE, 4, "quarantined, 4 counted");
	ok(!entry_of(r, NCHG, &q) && q.until_ns - q.since_ns == 2 * HOUR_NS,
	   "%s: for the new duration, 2 h", r->mode);
	legit(r, NCHG, 1, WGSF_REASON_QUARANTINED, "the next is quarantined");
	spoof(r, PCHG, 2, WGSF_REASON_SOURCE, "2 violations after the new period");
	legit(r, PCHG, 1, PASSES, "not quarantined: the 2 before it were emptied");
	spoof(r, PCHG, 1, WGSF_REASON_SOURCE, "a 3rd");
	legit(r, PCHG, 1, WGSF_REASON_QUARANTINED, "quarantined");
}

/* A removed rule releases the peer, and the sync says so. */
static void test_removed(struct rig *r)
{
	struct sync_cache cache = {};
	struct sync_result res = {};
	uint8_t key[WG_KEY_LEN];

	spoof(r, GONE, 3, WGSF_REASON_SOURCE, "3 violations of 3");
	legit(r, GONE, 1, WGSF_REASON_QUARANTINED, "quarantined");
	ok(!impose(r, HAND, world_now_ns() + HOUR_NS), "%s: by hand: quarantined again",
	   r->mode);
	r->peers[GONE].rules = SRC("192.0.2.192/29");
	r->peers[HAND].rules = NULL;
	world_key(GONE, key);
	ok(!world_sync_cached(&r->w, r->peers, PEERS, &cache, &res) && res.released == 1 &&
		   !memcmp(res.released_keys[0].public_key, key, WG_KEY_LEN),
	   "%s: sync without both rules: 1 released, its key reported (%zu)", r->mode,
	   res.released);
	sync_cache_free(&cache);
	ok(!datapath_set_mode(r->w.maps.fd[MAP_CONFIG],
			      r->enforce ? WGSF_MODE_ENFORCE : WGSF_MODE_MONITOR),
	   "%s: the mode again", r->mode);
	check_gone(r, GONE, "its entry deleted");
	legit(r, GONE, 2, PASSES, "released: passes");
	spoof(r, GONE, 4, WGSF_REASON_SOURCE, "4 violations, none counted");
	legit(r, GONE, 1, PASSES, "still passes");
	check_entry(r, HAND, true, WGSF_QUAR_BY_HAND, 0, "its rule gone, kept by hand");
	legit(r, HAND, 1, WGSF_REASON_QUARANTINED, "still quarantined");
}

/* A peer that leaves the device takes its entry with it. */
static void test_departed(struct rig *r)
{
	r->peers[PAUSE].allowed_ips = NULL;
	resync(r, "without the pausing peer");
	check_gone(r, PAUSE, "departed: its entry deleted");
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The maps loaded anew as attach loads them (peers: their capacity, more
 * for a growth, the same for a new program): the quarantine map itself
 * kept, and its entries with it. */
static void test_carried(struct rig *r, uint32_t peers, const char *what)
{
	struct capacity cap = { .peers = peers, .prefixes = 128, .hosts = 128,
				.policy_prefixes = 128, .policy_hosts = 128 };
	uint32_t id = map_id(r->w.maps.fd[MAP_QUARANTINE]);
	struct world next = {};

	next.skel = carry_load(&cap, L3_OFFSET_ETHERNET, &r->w.maps, &next.maps);
	if (!ok(next.skel != NULL, "%s: %s", r->mode, what))
		return;
	next.in = bpf_program__fd(next.skel->progs.wgsf_tc);
	next.out = bpf_program__fd(next.skel->progs.wgsf_egress);
	world_destroy(&r->w);
	r->w = next;
	resync(r, "after it");
	ok(id && map_id(r->w.maps.fd[MAP_QUARANTINE]) == id,
	   "%s: %s: the very quarantine map kept (id %u)", r->mode, what, id);
	check_entry(r, GROWN, true, WGSF_QUAR_BY_RULE, 3, "its entry kept");
	legit(r, GROWN, 1, WGSF_REASON_QUARANTINED, "still quarantined");
}

static void run_mode(bool enforce)
{
	struct rig r = { .enforce = enforce, .mode = enforce ? "enforce" : "monitor" };
	struct sync_cache cache = {};
	struct sync_result res;
	int p;

	memcpy(r.peers, all_peers, sizeof(r.peers));
	if (!ok(!world_load(&r.w, r.peers, PEERS, 0), "%s: load", r.mode) ||
	    !resync(&r, "with the rules") ||
	    !ok(!world_sync_cached(&r.w, r.peers, PEERS, &cache, &res),
		"%s: sync as watch does, its cache filled", r.mode)) {
		world_destroy(&r.w);
		return;
	}
	test_begin(&r);
	test_aggregate(&r);
	test_uncounted(&r);
	test_hand(&r, &cache);
	sync_cache_free(&cache);
	test_expiry(&r);
	test_pause(&r);
	test_changes(&r);
	test_removed(&r);
	resync(&r, "with the same policy");
	legit(&r, BITS, 1, WGSF_REASON_QUARANTINED, "still quarantined after the syncs");
	for (p = 0; p < PEERS; p++)
		check_counters(&r, p);
	test_departed(&r);
	spoof(&r, GROWN, 3, WGSF_REASON_SOURCE, "3 violations of 3");
	test_carried(&r, 2 * WORLD_PEERS, "the maps grow");
	test_carried(&r, 2 * WORLD_PEERS, "a new program on the same maps");
	world_destroy(&r.w);
}

int main(void)
{
	require_root_bpf();
	libbpf_set_print(NULL);
	run_mode(true);
	run_mode(false);
	return done_testing();
}
