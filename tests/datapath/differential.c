// SPDX-License-Identifier: GPL-2.0-only
/*
 * Differential test: random peers (every prefix length, nested and
 * overlapping prefixes owned by different peers) and random policies,
 * written as a policy file and installed through the loader's own parser
 * and sync, three states in a row (peers come and go, prefixes move between
 * them, policies change, slots are freed and reused); random packets
 * through the tc program with BPF_PROG_TEST_RUN in monitor and enforce mode,
 * and through the userspace decision that wgsf lookup takes. Verdicts and
 * counters are compared with the reference model (tests/lib/reference.c),
 * which shares no code with either.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "packet.h"
#include "randstate.h"
#include "reference.h"
#include "tables/sync.h"
#include "tables/verdict.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))

#define PACKETS 1000 /* per state and mode: five rounds of two make 20,000 */
#define MAX_REPORTED 8
/* The random peers, and where the loader put those of the state in force. */
struct diff {
	struct rand_state s; /* its reference's slots are the peers' indexes */
	uint32_t *slot;      /* the loader's slot of each present peer */
	size_t *holder;      /* of each slot: the peer that last held it, + 1 */
};

/* What a mode's packets exercised, over all rounds. */
struct coverage {
	uint64_t malformed, unknown, complying, violations[WGSF_REASON_COUNT], drops;
	/* attributed by a shorter prefix; by a host route that lies inside
	 * another peer's shorter prefix */
	uint64_t by_prefix, by_covered_host;
	/* decided from the entry's bits alone, or from the peer's policy */
	uint64_t by_entry_bits, by_policy_maps;
	/* peers that kept their slot across a sync, and new peers that took
	 * a departed one's */
	uint64_t kept, reused;
};

static unsigned int reported;

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

/* Breaks a well-formed header, or not quite: the reference decides. */
static size_t mangle(uint8_t *ip, size_t len)
{
	switch (rand_below(5)) {
	case 0:
		ip[0] = rand_below(16) << 4 | (ip[0] & 15); /* version */
		break;
	case 1:
		ip[0] = (ip[0] & 0xf0) | rand_below(16); /* IHL */
		break;
	case 2:
		ip[2] = 0; /* IPv4 total length about the header's */
		ip[3] = rand_below(64);
		break;
	case 3:
		/* truncated, but long enough for BPF_PROG_TEST_RUN on tc */
		len = IPV4_HLEN + rand_below(len - IPV4_HLEN);
		break;
	default:
		rand_bytes(ip, len);
	}
	return len;
}

/* IP bytes of a random packet into ip (PACKET_MAX bytes); its length. */
static size_t random_packet(const struct rand_state *g, uint8_t *ip)
{
	struct prefix src = rand_below(10) && g->r.aips.n ? rand_host_in(&g->r.aips.v[rand_below(g->r.aips.n)])
						   : rand_state_outside(g);
	struct prefix dst = rand_state_destination(g, src.family);
	unsigned int ihl = src.family == AF_INET && rand_below(8) == 0 ? 6 + rand_below(10) : 5;
	unsigned int hlen = src.family == AF_INET ? ihl * 4 : IPV6_HLEN;
	/* the length fields are 16 bits: IPv4's counts the header, IPv6's does not */
	uint32_t room = src.family == AF_INET ? 65536 - hlen : 65536;
	uint32_t ip_len = hlen + (rand_below(16) ? rand_below(1480) : rand_below(room));
	size_t len = ip_header(ip, &src, &dst, ip_len, ihl), payload = rand_below(17);

	rand_bytes(ip + len, payload);
	len += payload;
	return rand_below(16) ? len : mangle(ip, len);
}

struct field {
	const char *name;
	size_t off, size; /* counters are __u64, the reason a __u32 */
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
	FIELD(wgsf_peer_stats, last_violation_reason, "last violation reason"),
};

static const struct field dev_fields[] = {
	FIELD(wgsf_dev_stats, unknown_packets, "unknown packets"),
	FIELD(wgsf_dev_stats, unknown_bytes, "unknown bytes"),
	FIELD(wgsf_dev_stats, malformed_packets, "malformed packets"),
	FIELD(wgsf_dev_stats, violation_packets, "violation packets"),
};

static uint64_t field_value(const void *s, const struct field *f)
{
	uint64_t v64;
	uint32_t v32;

	if (f->size == sizeof(v32)) {
		memcpy(&v32, (const char *)s + f->off, sizeof(v32));
		return v32;
	}
	memcpy(&v64, (const char *)s + f->off, sizeof(v64));
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

static bool peer_agrees(const struct hook_under_test *h, uint32_t slot,
			const struct wgsf_peer_stats *w)
{
	struct wgsf_peer_stats g;
	char who[64];

	snprintf(who, sizeof(who), "%s: slot %u", h->name, slot);
	if (stats_read_peer(h->maps.fd[MAP_PEER_STATS], slot, &g))
		return report("%s: cannot read its counters", who);
	return fields_agree(who, &g, w, peer_fields, ARRAY_SIZE(peer_fields)) &&
	       stamp_agrees(who, "last seen", g.last_seen_ns, w->rx_packets) &&
	       stamp_agrees(who, "last violation", g.last_violation_ns, w->violation_packets) &&
	       addr_agrees(who, "last violation source", &g.last_violation_src,
			   &w->last_violation_src) &&
	       addr_agrees(who, "last violation destination", &g.last_violation_dst,
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

static void tally(struct coverage *c, const struct reference *r)
{
	const struct wgsf_peer_stats *w;
	size_t s;
	int i;

	c->malformed += r->want.malformed_packets;
	c->unknown += r->want.unknown_packets;
	for (s = 0; s < r->slots; s++) {
		w = &r->peers[s].want;
		c->complying += w->rx_packets - w->violation_packets;
		for (i = 0; i < WGSF_REASON_COUNT; i++)
			c->violations[i] += w->violations[i];
		c->drops += w->drop_packets;
	}
}

/* Which table attributes a packet from src to slot: the trie or the hash. */
static void tally_match(struct coverage *c, const struct reference *r, const uint8_t *ip,
			long slot)
{
	struct prefix src = { .family = ip[0] >> 4 == 4 ? AF_INET : AF_INET6 };
	bool host = false, covered = false;
	size_t i;

	src.cidr = prefix_bits(src.family);
	memcpy(src.addr, ip + (src.family == AF_INET ? 12 : 8), src.cidr / 8);
	for (i = 0; i < r->aips.n; i++) {
		if (!prefix_contains(&r->aips.v[i], &src))
			continue;
		host = host || r->aips.v[i].cidr == src.cidr;
		covered = covered || (r->aips.v[i].cidr < src.cidr && r->owner[i] != slot);
	}
	c->by_prefix += !host;
	c->by_covered_host += host && covered;
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
	    !ok(!sync_full(m, dev, &pol, &res, &slot_of), "%s: synced %zu peers, %zu allowed IPs",
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
	struct wgsf_verdict v;

	src.cidr = prefix_bits(src.family);
	dst = src;
	memcpy(src.addr, ip + off, alen);
	memcpy(dst.addr, ip + off + alen, alen);
	if (verdict_decide(m, &src, &dst, NULL, &v))
		return report("lookup: no decision");
	if (v.found != (o->slot >= 0) ||
	    (v.found && ((v.entry & WGSF_ENTRY_SLOT) != d->slot[o->slot] ||
			 v.reason != o->reason || v.drop != o->drop)))
		return report("lookup: %s, slot %u, reason %d, %s", v.found ? "found" : "unknown",
			      v.entry & WGSF_ENTRY_SLOT, v.reason, v.drop ? "drop" : "pass");
	if (v.found && v.entry & WGSF_ENTRY_POLICY)
		cov->by_entry_bits++;
	else if (v.found)
		cov->by_policy_maps++;
	return true;
}

static void send_packets(struct diff *d, const struct hook_under_test *h, unsigned int *bad,
			 struct coverage *cov)
{
	char pkt[256], want[64];
	uint8_t ip[PACKET_MAX];
	struct ref_outcome o;
	unsigned int i;
	int64_t got;
	size_t len;

	for (i = 0; i < PACKETS; i++) {
		len = random_packet(&d->s, ip);
		o = ref_packet(&d->s.r, ip, len);
		if (o.slot >= 0)
			tally_match(cov, &d->s.r, ip, o.slot);
		got = hook_run_ip(h, ip, len);
		if (got != (o.drop ? h->drop : h->pass) ||
		    (!o.malformed && !lookup_agrees(d, &h->maps, ip, &o, cov))) {
			(*bad)++;
			report("packet %u, %s: returned %lld (%s), want %s", i,
			       packet_describe(pkt, sizeof(pkt), ip, len), (long long)got,
			       verdict_name(h, got), ref_outcome_describe(&o, want, sizeof(want)));
		}
	}
}

static unsigned int counters_disagree(const struct diff *d, const struct hook_under_test *h)
{
	unsigned int bad = !dev_agrees(h, &d->s.r.want);
	size_t k;

	for (k = 0; k < d->s.r.slots; k++)
		if (d->s.present[k])
			bad += !peer_agrees(h, d->slot[k], &d->s.r.peers[k].want);
	return bad;
}

/* Room for what three states of these peers hold at once, and more. */
static struct capacity capacity_for(const struct diff *d)
{
	uint32_t n = 3 * d->s.r.slots * 8 + 64;

	return (struct capacity){ .peers = 2 * d->s.r.slots + 16, .prefixes = n, .hosts = n,
				  .policy_prefixes = n, .policy_hosts = n };
}

/* Three states in a row on one datapath: the counters of the peers that
 * stay add up across syncs. */
static void run_mode(struct diff *d, unsigned int round, enum wgsf_mode mode, bool defaults,
		     struct coverage *cov)
{
	const char *name = mode == WGSF_MODE_ENFORCE ? "enforce" : "monitor";
	struct capacity cap = capacity_for(d);
	struct hook_under_test h;
	unsigned int state, bad;
	char who[64];

	d->s.r.mode = mode;
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
		if (!install(d, &h.maps, cov, who))
			break;
		send_packets(d, &h, &bad, cov);
		bad += counters_disagree(d, &h);
		ok(!bad, "%s: %u packets, verdicts, lookups and the counters of every peer as "
		   "the reference has them", who, PACKETS);
		tally(cov, &d->s.r);
	}
	hook_destroy(&h);
out:
	free(d->holder);
	d->holder = NULL;
}
/* Every path was taken: a differential test of paths never taken proves nothing. */
static void covered(const struct coverage *c, enum wgsf_mode mode)
{
	bool enforce = mode == WGSF_MODE_ENFORCE;
	bool all = c->malformed && c->unknown && c->complying &&
		   (enforce ? c->drops > 0 : c->drops == 0);
	int i;

	/* no Allow rules here yet: no service violations */
	for (i = 0; i < WGSF_REASON_SERVICE; i++)
		all = all && c->violations[i];
	all = all && c->by_prefix && c->by_covered_host && c->by_entry_bits &&
	      c->by_policy_maps && c->kept && c->reused;
	ok(all, "%s: the packets were malformed (%llu), unknown (%llu), complying (%llu), "
	   "violations by source (%llu), destination (%llu), blocked peer (%llu); %llu dropped; "
	   "%llu attributed by a shorter prefix, %llu by a host route inside another peer's "
	   "prefix; %llu decided from the entry's bits, %llu from the peer's policy; %llu peers "
	   "kept their slot, %llu slots were reused", enforce ? "enforce" : "monitor",
	   (unsigned long long)c->malformed, (unsigned long long)c->unknown,
	   (unsigned long long)c->complying,
	   (unsigned long long)c->violations[WGSF_REASON_SOURCE],
	   (unsigned long long)c->violations[WGSF_REASON_DESTINATION],
	   (unsigned long long)c->violations[WGSF_REASON_BLOCKED], (unsigned long long)c->drops,
	   (unsigned long long)c->by_prefix, (unsigned long long)c->by_covered_host,
	   (unsigned long long)c->by_entry_bits, (unsigned long long)c->by_policy_maps,
	   (unsigned long long)c->kept, (unsigned long long)c->reused);
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
	covered(&cov[WGSF_MODE_MONITOR], WGSF_MODE_MONITOR);
	covered(&cov[WGSF_MODE_ENFORCE], WGSF_MODE_ENFORCE);
	is_u64(reported, 0, "no difference from the reference (seed %u)", seed);
	return done_testing();
}
