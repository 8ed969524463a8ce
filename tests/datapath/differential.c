// SPDX-License-Identifier: GPL-2.0-only
/*
 * Differential test: random peers (every prefix length, nested and
 * overlapping prefixes owned by different peers) and random policies
 * (allowed sources, Block, AllowedDestinations and Allow lines of every
 * service, of peers and of groups, [Group *] too; randstate.h), written as
 * a policy file and installed through the loader's own parser and sync,
 * three states in a row (peers come and go, prefixes move between them,
 * policies change, slots are freed and reused; the maps grown before the
 * third, as attach grows them, the host-route index built anew in monitor
 * mode), rate limits of 1 packet/s
 * with bursts of 1 to 4, of peers and of groups ([Group *] too; a peer's
 * own, else its groups' tightest), their buckets emptied every WINDOW_MS
 * while the reference takes each burst whole again (a second would add a
 * packet's worth); Quarantine rules of peers and groups, of periods and
 * durations of an hour and more (a run counts all its violations within a
 * period's 7/8, and no quarantine by rule ends in it), and quarantines by
 * hand (until released, for hours, or for milliseconds, which end in the
 * run) and releases, written into the map as wgsf quarantine and release
 * write them, before a sync and between packets; random packets of every
 * upper layer (randpacket.h) through the tc program with BPF_PROG_TEST_RUN
 * in monitor and enforce mode, and through the userspace decision that
 * wgsf lookup takes, told the upper layer as the reference reads it.
 * Verdicts, counters and quarantine entries are compared with the
 * reference model (tests/lib/reference.c, ref_l4.c), which shares no code
 * with either.
 * Replies are not sent here: nothing goes out, so no flow is recorded and
 * reply_packets stays 0 (tests/datapath/replies.c tests the flow table).
 * The enforce rounds run with flow records on (a table that never fills):
 * their verdicts and counters are held to the same reference, every packet
 * the reference gives a peer is in one of that peer's flows, to the byte,
 * and a departed peer's flows are gone with its slot.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "coverage.h"
#include "packet.h"
#include "randpacket.h"
#include "randstate.h"
#include "reference.h"
#include "tables/carry.h"
#include "tables/rate.h"
#include "tables/sync.h"
#include "tables/verdict.h"
#include "tap.h"
#include "world.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))

#define PACKETS 1000 /* per state and mode: five rounds of two modes of three make 30,000 */
#define FLOWS 8192    /* flow records' places: more than three states' packets */
#define CASES_MIN 10000
#define MAX_REPORTED 8
#define WINDOW_MS 200 /* well within the second that adds a packet's worth */
#define INDEX_BUCKETS 2 /* of the enforce rounds' host-route indexes */
/* The random peers, and where the loader put those of the state in force. */
struct diff {
	struct rand_state s; /* its reference's slots are the peers' indexes */
	uint32_t *slot;      /* the loader's slot of each present peer */
	size_t *holder;      /* of each slot: the peer that last held it, + 1 */
	uint64_t window_ns;  /* when the rate limits' buckets were last emptied */
	struct rand_quar_hands hands; /* quarantines by hand and releases */
};

static unsigned int reported;
static uint64_t cases, lookups; /* packets sent, and asked of lookup */
static uint64_t flows_checked;  /* flow records summed against the reference */

/* Returns false, so that a check can `return report(...)`. */
__attribute__((format(printf, 1, 2))) static bool report(const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	if (reported++ >= MAX_REPORTED)
		return false;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	diag("%s", buf);
	return false;
}

struct field {
	const char *name;
	size_t off, size; /* counters are __u64, the reason a __u32, the service's
			   * fields __u8 and __u16 */
};

#define FIELD(s, f, name) { name, offsetof(struct s, f), sizeof(((struct s *)0)->f) }
static const struct field peer_fields[] = {
	FIELD(wgsf_peer_stats, rx_packets, "rx packets"),
	FIELD(wgsf_peer_stats, rx_bytes, "rx bytes"),
	FIELD(wgsf_peer_stats, violation_packets, "violation packets"),
	FIELD(wgsf_peer_stats, violation_bytes, "violation bytes"),
	FIELD(wgsf_peer_stats, drop_packets, "drop packets"),
	FIELD(wgsf_peer_stats, drop_bytes, "drop bytes"),
	FIELD(wgsf_peer_stats, violations[WGSF_REASON_SOURCE], "source violations"),
	FIELD(wgsf_peer_stats, violations[WGSF_REASON_DESTINATION], "destination violations"),
	FIELD(wgsf_peer_stats, violations[WGSF_REASON_BLOCKED], "blocked violations"),
	FIELD(wgsf_peer_stats, violations[WGSF_REASON_SERVICE], "service violations"),
	FIELD(wgsf_peer_stats, violations[WGSF_REASON_RATE], "rate violations"),
	FIELD(wgsf_peer_stats, rate_bytes, "bytes over the rate limit"),
	FIELD(wgsf_peer_stats, last_violation_reason, "last violation reason"),
	FIELD(wgsf_peer_stats, reply_packets, "reply packets"),
	FIELD(wgsf_peer_stats, last_violation_proto, "last violation protocol"),
	FIELD(wgsf_peer_stats, last_violation_l4, "last violation L4 flags"),
	FIELD(wgsf_peer_stats, last_violation_port, "last violation port"),
};

static const struct field dev_fields[] = {
	FIELD(wgsf_dev_stats, unknown_packets, "unknown packets"),
	FIELD(wgsf_dev_stats, unknown_bytes, "unknown bytes"),
	FIELD(wgsf_dev_stats, malformed_packets, "malformed packets"),
	FIELD(wgsf_dev_stats, violation_packets, "violation packets"),
};

static uint64_t field_value(const void *s, const struct field *f)
{
	const char *at = (const char *)s + f->off;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (f->size) {
	case sizeof(uint8_t):
		return *(const uint8_t *)at;
	case sizeof(v16):
		memcpy(&v16, at, sizeof(v16));
		return v16;
	case sizeof(v32):
		memcpy(&v32, at, sizeof(v32));
		return v32;
	}
	memcpy(&v64, at, sizeof(v64));
	return v64;
}

static bool fields_agree(const char *who, const void *got, const void *want,
			 const struct field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (field_value(got, &f[i]) != field_value(want, &f[i]))
			return report("%s: %s %llu, want %llu", who, f[i].name,
				      (unsigned long long)field_value(got, &f[i]),
				      (unsigned long long)field_value(want, &f[i]));
	return true;
}

static const char *addr_str(const struct wgsf_addr *a, char buf[PREFIX_STRLEN])
{
	struct prefix p = { .family = a->version == 4 ? AF_INET : AF_INET6 };

	if (a->version != 4 && a->version != 6)
		return a->version ? "bad version" : "none";
	memcpy(p.addr, a->addr, sizeof(p.addr));
	return addr_format(&p, buf);
}

/* Exact in the bytes the version uses; a never-set address is all zero. */
static bool addr_agrees(const char *who, const char *what, const struct wgsf_addr *got,
			const struct wgsf_addr *want)
{
	size_t n = want->version == 4 ? 4 : want->version == 6 ? 16 : sizeof(want->addr);
	char g[PREFIX_STRLEN], w[PREFIX_STRLEN];

	if (got->version == want->version && !memcmp(got->addr, want->addr, n))
		return true;
	return report("%s: %s %s, want %s", who, what, addr_str(got, g), addr_str(want, w));
}

/* A time stamp is set exactly when what it stamps happened. */
static bool stamp_agrees(const char *who, const char *what, uint64_t ns, uint64_t count)
{
	if (!ns == !count)
		return true;
	return report("%s: %s time %llu after %llu packets", who, what, (unsigned long long)ns,
		      (unsigned long long)count);
}

/* Slot's counters g, as every reader gives them, against the reference's w. */
static bool peer_agrees(const struct hook_under_test *h, uint32_t slot,
			const struct wgsf_peer_stats *g, const struct wgsf_peer_stats *w)
{
	char who[64];

	snprintf(who, sizeof(who), "%s: slot %u", h->name, slot);
	return fields_agree(who, g, w, peer_fields, ARRAY_SIZE(peer_fields)) &&
	       stamp_agrees(who, "last seen", g->last_seen_ns, w->rx_packets) &&
	       stamp_agrees(who, "last violation", g->last_violation_ns, w->violation_packets) &&
	       addr_agrees(who, "last violation source", &g->last_violation_src,
			   &w->last_violation_src) &&
	       addr_agrees(who, "last violation destination", &g->last_violation_dst,
			   &w->last_violation_dst);
}

static bool dev_agrees(const struct hook_under_test *h, const struct wgsf_dev_stats *w)
{
	struct wgsf_dev_stats g;
	char who[64];

	snprintf(who, sizeof(who), "%s: device", h->name);
	if (stats_read_dev(h->maps.fd[MAP_DEV_STATS], &g))
		return report("%s: cannot read its counters", who);
	return fields_agree(who, &g, w, dev_fields, ARRAY_SIZE(dev_fields)) &&
	       stamp_agrees(who, "last unknown", g.last_unknown_ns, w->unknown_packets) &&
	       addr_agrees(who, "last unknown source", &g.last_unknown_src, &w->last_unknown_src);
}

/* The packet's bytes, and its sender's rules and quarantine entry, to
 * tell a difference by. */
static void report_context(const struct rand_state *s, const uint8_t *ip, size_t len, long slot)
{
	const struct reference *r = &s->r;
	char hex[3 * PACKET_MAX + 1], rule[160];
	size_t i, g;

	for (i = 0; i < len; i++)
		snprintf(hex + 3 * i, 4, " %02x", ip[i]);
	diag("  bytes:%s", len ? hex : " none");
	if (slot < 0)
		return;
	diag("  its quarantine: %s", rand_quar_describe(s, slot, rule, sizeof(rule)));
	for (i = 0; i < r->peers[slot].rules.n; i++)
		diag("  its rule: %s", ref_rule_describe(&r->peers[slot].rules.v[i], rule,
							  sizeof(rule)));
	for (g = 0; g < r->n_groups; g++)
		for (i = 0; ref_member(r, slot, g) && i < r->groups[g].rules.n; i++)
			diag("  group %zu's rule: %s", g,
			     ref_rule_describe(&r->groups[g].rules.v[i], rule, sizeof(rule)));
}

static const char *verdict_name(const struct hook_under_test *h, int64_t ret)
{
	return ret == h->pass ? "pass" : ret == h->drop ? "drop" : "neither";
}

/* Installs the state through the policy parser and the loader's sync, and
 * learns each present peer's slot; a counted peer that stays keeps its
 * slot, and a new one may take the slot a departed one freed. */
static bool install(struct diff *d, const struct maps *m, struct coverage *cov, const char *who)
{
	char err[POLICY_ERR_LEN] = "";
	struct policy pol = { .mode = -1 };
	uint32_t *slot_of = NULL, s;
	struct sync_result res;
	size_t len, i, k, *key_of, kept = 0;
	struct wg_device *dev = rand_state_device(&d->s, &key_of);
	char *text = rand_state_policy(&d->s, &len);
	bool moved = false, done = false;

	if (!ok(!policy_parse("random.policy", text, len, &pol, err), "%s: the policy parses %s",
		who, err) ||
	    !ok(!rand_quar_some(&d->s, m->fd[MAP_QUARANTINE], 1 + rand_below(3), &d->hands),
		"%s: quarantines by hand written", who))
		goto out;
	rand_quar_sync(&d->s, &d->hands);
	if (!ok(!sync_full(m, dev, &pol, &res, &slot_of), "%s: synced %zu peers, %zu allowed IPs",
		who, dev->n_peers, d->s.r.aips.n))
		goto out;
	for (i = 0; i < dev->n_peers; i++) {
		k = key_of[i];
		s = slot_of[i];
		if (d->s.r.peers[k].want.rx_packets) {
			kept++;
			moved = moved || d->slot[k] != s;
		}
		cov->reused += d->holder[s] && d->holder[s] != k + 1;
		d->holder[s] = k + 1;
		d->slot[k] = s;
	}
	cov->kept += kept;
	done = ok(!moved, "%s: the %zu counted peers that stayed kept their slots", who, kept);
out:
	policy_free(&pol);
	device_free(dev);
	free(key_of);
	free(slot_of);
	free(text);
	return done;
}

/* The userspace decision (wgsf lookup's) against the reference. */
static bool lookup_agrees(const struct diff *d, const struct maps *m, const uint8_t *ip,
			  const struct ref_outcome *o, struct coverage *cov)
{
	struct prefix src = { .family = ip[0] >> 4 == 4 ? AF_INET : AF_INET6 }, dst;
	size_t off = src.family == AF_INET ? 12 : 8, alen = src.family == AF_INET ? 4 : 16;
	struct verdict_l4 l4 = { o->l4.proto, ref_l4_flags(&o->l4), ref_l4_port(&o->l4) };
	/* lookup judges by the rules alone (quarantine and rate limits are
	 * the datapath's), and says whether a limit meters what passes them
	 * (a blocked peer's passes nothing) */
	int reason = o->rules_reason;
	bool drop = reason >= 0 && d->s.r.mode == WGSF_MODE_ENFORCE;
	bool limited = o->slot >= 0 && ref_rate_burst(&d->s.r, o->slot) &&
		       !ref_blocked(&d->s.r, o->slot);
	/* and whether the peer's quarantine entry is asked */
	bool asked = o->slot >= 0 && d->s.r.peers[o->slot].quar.asked &&
		     !ref_blocked(&d->s.r, o->slot);
	struct wgsf_verdict v;

	src.cidr = prefix_bits(src.family);
	dst = src;
	memcpy(src.addr, ip + off, alen);
	memcpy(dst.addr, ip + off + alen, alen);
	lookups++;
	if (verdict_decide(m, &src, &dst, &l4, &v))
		return report("lookup: no decision");
	if (v.found != (o->slot >= 0) ||
	    (v.found && ((v.entry & WGSF_ENTRY_SLOT) != d->slot[o->slot] ||
			 v.reason != reason || v.drop != drop ||
			 v.rate != limited || v.quar != asked)))
		return report("lookup: %s, slot %u, reason %d, %s%s%s",
			      v.found ? "found" : "unknown", v.entry & WGSF_ENTRY_SLOT, v.reason,
			      v.drop ? "drop" : "pass", v.rate ? ", a rate limit" : "",
			      v.quar ? ", a quarantine entry" : "");
	if (v.found && v.entry & WGSF_ENTRY_POLICY)
		cov->by_entry_bits++;
	else if (v.found)
		cov->by_policy_maps++;
	return true;
}

/* The buckets of every present peer with a rate limit emptied, and the
 * reference's bursts whole again. */
static bool rates_refill(struct diff *d, const struct hook_under_test *h)
{
	uint32_t *slots = malloc((d->s.r.slots + 1) * sizeof(*slots));
	size_t k, n = 0;
	bool good;

	for (k = 0; slots && k < d->s.r.slots; k++)
		if (d->s.present[k] && ref_rate_burst(&d->s.r, k))
			slots[n++] = d->slot[k];
	good = slots && !rate_states_clear(&h->maps, slots, n);
	free(slots);
	ref_rate_refill(&d->s.r);
	d->window_ns = world_now_ns();
	return good || report("%s: cannot empty the rate limits' buckets", h->name);
}

static void send_packets(struct diff *d, const struct hook_under_test *h, unsigned int *bad,
			 struct coverage *cov)
{
	char pkt[256], want[160];
	uint8_t ip[PACKET_MAX];
	struct ref_outcome o;
	unsigned int i;
	int64_t got;
	size_t len;

	for (i = 0; i < PACKETS; i++) {
		if (((!i || world_now_ns() - d->window_ns > WINDOW_MS * 1000000ull) &&
		     !rates_refill(d, h)) ||
		    rand_quar_now_and_then(&d->s, h->maps.fd[MAP_QUARANTINE], &d->hands)) {
			(*bad)++;
			return;
		}
		len = rand_packet(&d->s, ip);
		got = hook_run_ip(h, ip, len);
		d->s.r.now_ns = world_now_ns();
		o = ref_packet(&d->s.r, ip, len);
		coverage_tally_packet(cov, &d->s.r, &o, ip);
		cases++;
		if (got != (o.drop ? h->drop : h->pass) ||
		    (!o.malformed && !lookup_agrees(d, &h->maps, ip, &o, cov))) {
			(*bad)++;
			report("packet %u, %s: returned %lld (%s), want %s", i,
			       packet_describe(pkt, sizeof(pkt), ip, len), (long long)got,
			       verdict_name(h, got), ref_outcome_describe(&o, want, sizeof(want)));
			if (reported <= MAX_REPORTED)
				report_context(&d->s, ip, len, o.slot);
		}
	}
}

/* The counters, as every reader sums them over a growth (peer_stats and
 * peer_stats_prev), and every peer's quarantine entry, present or not. */
static unsigned int counters_disagree(struct diff *d, const struct hook_under_test *h)
{
	unsigned int bad = !dev_agrees(h, &d->s.r.want);
	uint32_t cap = map_capacity(h->maps.fd[MAP_PEER_STATS]);
	struct wgsf_peer_stats *all = calloc(cap + 1, sizeof(*all));
	char why[256];
	size_t k;

	if (!all || stats_read_peers(&h->maps, cap, all)) {
		free(all);
		return !report("%s: cannot read the peers' counters", h->name);
	}
	d->s.r.now_ns = world_now_ns();
	for (k = 0; k < d->s.r.slots; k++) {
		if (d->s.present[k])
			bad += !peer_agrees(h, d->slot[k], &all[d->slot[k]], &d->s.r.peers[k].want);
		if (!rand_quar_agrees(&d->s, h->maps.fd[MAP_QUARANTINE], k, why, sizeof(why)))
			bad += !report("%s: %s", h->name, why);
	}
	free(all);
	return bad;
}

/* The packets and bytes of each slot's flow records, into sum (cap slots
 * of two each); false where they cannot be read or a flow's slot is out
 * of range. */
static bool flow_sums(const struct hook_under_test *h, uint64_t (*sum)[2], uint32_t cap)
{
	const struct wgsf_flowrec *v;
	struct map_entries e;
	bool good = true;
	size_t i;

	if (map_read_all(h->maps.fd[MAP_FLOWREC], &e))
		return report("%s: cannot read the flow records", h->name);
	v = e.values;
	for (i = 0; i < e.n && good; i++) {
		good = v[i].slot < cap ||
		       report("%s: a flow of slot %u, past the %u slots", h->name, v[i].slot, cap);
		if (good) {
			sum[v[i].slot][0] += v[i].packets;
			sum[v[i].slot][1] += v[i].bytes;
		}
	}
	flows_checked += e.n;
	map_entries_free(&e);
	return good;
}

/* Each present peer's flows add up to what the reference counted of it,
 * and no other slot has any. */
static unsigned int flows_disagree(const struct diff *d, const struct hook_under_test *h,
				   uint32_t cap)
{
	uint64_t (*sum)[2] = calloc(cap, sizeof(*sum));
	const struct wgsf_peer_stats *w;
	unsigned int bad = 0;
	uint32_t s;
	size_t k;

	if (!sum || !flow_sums(h, sum, cap)) {
		free(sum);
		return 1;
	}
	for (k = 0; k < d->s.r.slots; k++) {
		if (!d->s.present[k])
			continue;
		s = d->slot[k];
		w = &d->s.r.peers[k].want;
		if (sum[s][0] != w->rx_packets || sum[s][1] != w->rx_bytes)
			bad += !report("%s: slot %u's flows hold %llu packets, %llu bytes; want "
				       "%llu, %llu", h->name, s, (unsigned long long)sum[s][0],
				       (unsigned long long)sum[s][1],
				       (unsigned long long)w->rx_packets,
				       (unsigned long long)w->rx_bytes);
		sum[s][0] = sum[s][1] = 0;
	}
	for (s = 0; s < cap; s++)
		if (sum[s][0])
			bad += !report("%s: slot %u, which no peer holds, has flows of %llu packets",
				       h->name, s, (unsigned long long)sum[s][0]);
	free(sum);
	return bad;
}

/* Room for what three states of these peers hold at once, and more; flow
 * records in enforce mode. Host-route indexes too small for the host
 * routes, so that lookups take every path: in monitor mode one bucket for
 * two to four peers, whose keys spill into their second buckets and some
 * beyond; in enforce mode two buckets, which every state's host routes
 * overflow into the hashes (the index a sync sizes is everyone else's). */
static struct capacity capacity_for(const struct diff *d, enum wgsf_mode mode)
{
	uint32_t n = 3 * d->s.r.slots * 8 + 64, half = 2;
	bool enforce = mode == WGSF_MODE_ENFORCE;

	while (half * 4 <= d->s.r.slots)
		half *= 2;

	return (struct capacity){ .peers = 2 * d->s.r.slots + 16, .prefixes = n, .hosts = n,
				  .policy_prefixes = n, .policy_hosts = n,
				  .flows = enforce ? FLOWS : 0,
				  .index_buckets = enforce ? INDEX_BUCKETS : half };
}

/* Whether a small index's buckets all overflowed, for both families: where
 * they did, lookups took every path (first bucket, second, hash). */
static bool index_overflowed(const struct maps *m)
{
	struct wgsf_host4_bucket b4;
	struct wgsf_host6_bucket b6;
	uint32_t i, full = 0;

	for (i = 1; i <= INDEX_BUCKETS; i++) {
		full += !bpf_map_lookup_elem(m->fd[MAP_HOST_INDEX4], &i, &b4) &&
			b4.flags & WGSF_HOSTS_OVERFLOW;
		full += !bpf_map_lookup_elem(m->fd[MAP_HOST_INDEX6], &i, &b6) &&
			b6.flags & WGSF_HOSTS_OVERFLOW;
	}
	return full == 2 * INDEX_BUCKETS;
}

/* The maps grown between two states, as attach grows them (carry_load):
 * twice the slots and prefixes, and in monitor mode twice the index's
 * buckets, which the growth builds anew from the hashes; the counters go
 * on in peer_stats_prev, the flows and the quarantine entries in their
 * maps, kept. */
static bool grow(struct diff *d, struct hook_under_test *h, struct capacity *cap,
		 const char *who)
{
	struct capacity next = *cap;
	size_t *holder;
	struct wgsf *skel;
	struct maps m;

	next.peers *= 2;
	next.prefixes *= 2;
	next.hosts *= 2;
	next.policy_prefixes *= 2;
	next.policy_hosts *= 2;
	if (!next.flows)
		next.index_buckets *= 2;
	holder = realloc(d->holder, next.peers * sizeof(*holder));
	if (holder)
		d->holder = holder;
	skel = holder ? carry_load(&next, h->l3, &h->maps, &m) : NULL;
	if (!ok(skel != NULL, "%s: the maps grow to %u slots, the index to %u buckets", who,
		next.peers, next.index_buckets))
		return false;
	memset(d->holder + cap->peers, 0, (next.peers - cap->peers) * sizeof(*holder));
	wgsf__destroy(h->skel);
	h->skel = skel;
	h->maps = m;
	h->prog_fd = bpf_program__fd(skel->progs.wgsf_tc);
	*cap = next;
	return true;
}

/* Three states in a row on one datapath, the maps grown before the last:
 * the counters of the peers that stay add up across syncs and growth. */
static void run_mode(struct diff *d, unsigned int round, enum wgsf_mode mode, bool defaults,
		     struct coverage *cov)
{
	const char *name = mode == WGSF_MODE_ENFORCE ? "enforce" : "monitor";
	struct capacity cap = capacity_for(d, mode);
	struct hook_under_test h;
	unsigned int state, bad;
	char who[64];

	d->s.r.mode = mode;
	d->hands = (struct rand_quar_hands){};
	ref_clear_counts(&d->s.r);
	d->holder = calloc(cap.peers, sizeof(*d->holder));
	if (!d->holder || !ok(!hook_load(&h, &cap) &&
			      !datapath_set_mode(h.maps.fd[MAP_CONFIG], mode),
			      "round %u, %s: loaded", round, name))
		goto out;
	for (state = 1; state <= 3; state++) {
		snprintf(who, sizeof(who), "round %u, %s, state %u", round, name, state);
		rand_state_next(&d->s, 3, defaults);
		bad = 0;
		if ((state == 3 && !grow(d, &h, &cap, who)) || !install(d, &h.maps, cov, who))
			break;
		send_packets(d, &h, &bad, cov);
		bad += counters_disagree(d, &h);
		if (cap.flows)
			bad += flows_disagree(d, &h, cap.peers);
		cov->index_overflowed += cap.index_buckets && index_overflowed(&h.maps);
		ok(!bad, "%s: %u packets, verdicts, lookups and the counters of every peer%s as "
		   "the reference has them", who, PACKETS, cap.flows ? ", and its flows," : "");
		coverage_tally_counts(cov, &d->s.r);
	}
	cov->quar_hand += d->hands.written;
	cov->quar_released += d->hands.released;
	hook_destroy(&h);
out:
	free(d->holder);
	d->holder = NULL;
}

/* One CPU: the per-CPU "last violation" is then the last one this test sent. */
static bool pin_to_one_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu < 0 ? 0 : cpu, &one);
	return !sched_setaffinity(0, sizeof(one), &one);
}

int main(void)
{
	struct coverage cov[2] = {};
	size_t peers[5];
	unsigned int i, seed;
	struct diff d = {};

	require_root_bpf();
	libbpf_set_print(NULL);
	seed = test_seed();
	srandom(seed);
	if (!ok(pin_to_one_cpu(), "pinned to one CPU"))
		return done_testing();
	peers[0] = 1;
	peers[1] = 2 + rand_below(30);
	peers[2] = 100 + rand_below(900);
	peers[3] = 1000 + rand_below(3000);
	peers[4] = 5000;
	for (i = 0; i < ARRAY_SIZE(peers); i++) {
		rand_state_init(&d.s, peers[i]);
		d.slot = calloc(peers[i], sizeof(*d.slot));
		if (!d.slot)
			abort();
		run_mode(&d, i + 1, WGSF_MODE_MONITOR, i % 2, &cov[WGSF_MODE_MONITOR]);
		run_mode(&d, i + 1, WGSF_MODE_ENFORCE, i % 2, &cov[WGSF_MODE_ENFORCE]);
		rand_state_free(&d.s);
		free(d.slot);
	}
	for (i = WGSF_MODE_MONITOR; i <= WGSF_MODE_ENFORCE; i++)
		coverage_check(&cov[i], i);
	ok(cases >= CASES_MIN && lookups >= CASES_MIN,
	   "%llu packets through the datapath, %llu through lookup (at least %d each)",
	   (unsigned long long)cases, (unsigned long long)lookups, CASES_MIN);
	ok(flows_checked > 0, "%llu flow records summed against the reference",
	   (unsigned long long)flows_checked);
	is_u64(reported, 0, "no difference from the reference (seed %u)", seed);
	return done_testing();
}
