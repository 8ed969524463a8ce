// SPDX-License-Identifier: GPL-2.0-only
/*
 * Differential test: random allowed-IPs tables (every prefix length, nested
 * and overlapping prefixes owned by different peers, sparse slots), random
 * policies and random packets, run through both hooks with
 * BPF_PROG_TEST_RUN in monitor and in enforce mode, and compared verdict by
 * verdict and counter by counter with the reference model.
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
#include "reference.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))

#define PACKETS 2000 /* per round, mode and hook: five rounds make 10,000 */
#define MAX_REPORTED 8
#define DST_POOL 24
/*
 * At most SHORT_PREFIXES allowed IPs shorter than SHORT_CIDR per family and
 * table, default routes aside: a few short prefixes together can cover a
 * whole family, and then no source is unknown.
 */
#define SHORT_CIDR 8
#define SHORT_PREFIXES 1

struct gen {
	struct reference r;
	struct prefix dst_pool[DST_POOL]; /* what destination policies and packets share */
	unsigned int short_left[2];       /* IPv4, IPv6 */
	size_t peers;
};

/* What a mode's packets exercised, over all rounds. */
struct coverage {
	uint64_t malformed, unknown, complying, violations[WGSF_REASON_COUNT], drops;
	/* attributed by a shorter prefix; by a host route that lies inside
	 * another peer's shorter prefix */
	uint64_t by_prefix, by_covered_host;
};

static unsigned int reported;

static unsigned int rnd(unsigned int n)
{
	return n ? (unsigned int)random() % n : 0;
}

static void random_bytes(uint8_t *b, size_t n)
{
	while (n--)
		*b++ = random();
}

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

/* A prefix of length cidr inside outer, the bits between them random. */
static struct prefix within(const struct prefix *outer, unsigned int cidr)
{
	struct prefix p = *outer;
	unsigned int i;

	for (i = outer->cidr; i < prefix_bits(p.family); i++)
		if (rnd(2))
			p.addr[i / 8] |= 0x80 >> (i % 8);
	p.cidr = cidr;
	prefix_normalise(&p);
	return p;
}

static struct prefix host_in(const struct prefix *p)
{
	return within(p, prefix_bits(p->family));
}

static uint8_t random_family(void)
{
	return rnd(2) ? AF_INET : AF_INET6;
}

/* Lengths lean long, as real tables do; any length from min up is possible. */
static unsigned int draw_cidr(struct gen *g, uint8_t family, unsigned int min)
{
	unsigned int bits = prefix_bits(family), c = min + rnd(bits - min + 1);
	unsigned int *left = &g->short_left[family == AF_INET6];

	if (rnd(8) == 0 && (c >= SHORT_CIDR || (*left && (*left)--)))
		return c;
	c = bits - rnd(bits / 4 + 1);
	return c < min ? min : c;
}

static struct prefix random_prefix(struct gen *g)
{
	struct prefix any = { .family = random_family() };
	const struct prefix *outer;

	if (g->r.aips.n && rnd(3) == 0) {
		/* nested in an existing prefix, usually another peer's; half of
		 * them host routes, which the datapath finds in a hash before
		 * it asks the trie that holds the prefix around them */
		outer = &g->r.aips.v[rnd(g->r.aips.n)];
		if (rnd(2))
			return host_in(outer);
		return within(outer, draw_cidr(g, outer->family, outer->cidr));
	}
	return within(&any, draw_cidr(g, any.family, 0));
}

static void add_sources(struct gen *g, uint32_t slot, const struct prefix *own, size_t n_own)
{
	const struct prefix *o;
	unsigned int k, n = 1 + rnd(3);
	struct prefix p;

	for (k = 0; k < n; k++) {
		o = &own[rnd(n_own)];
		switch (rnd(10)) {
		case 0:
			p = (struct prefix){ .family = random_family() }; /* all of a family */
			break;
		case 1:
			p = random_prefix(g);
			break;
		case 2: case 3:
			p = *o;
			break;
		default:
			/* part of its allowed IPs: the rest of them breaks the policy */
			p = within(o, o->cidr + rnd(prefix_bits(o->family) - o->cidr + 1));
		}
		ref_add_policy(&g->r, false, slot, &p);
	}
}

static void add_destinations(struct gen *g, uint32_t slot)
{
	struct prefix p;
	unsigned int k, n = 1 + rnd(3);

	for (k = 0; k < n; k++) {
		p = rnd(8) ? g->dst_pool[rnd(DST_POOL)] : random_prefix(g);
		ref_add_policy(&g->r, true, slot, &p);
	}
}

static void random_policy(struct gen *g, uint32_t slot, const struct prefix *own, size_t n_own)
{
	struct ref_peer *peer = &g->r.peers[slot];

	switch (rnd(12)) {
	case 0:
		peer->flags |= WGSF_PEER_BLOCKED;
		if (rnd(2))
			add_sources(g, slot, own, n_own);
		if (rnd(2))
			add_destinations(g, slot);
		break;
	case 1: case 2:
		add_sources(g, slot, own, n_own);
		break;
	case 3: case 4:
		add_destinations(g, slot);
		break;
	case 5:
		add_sources(g, slot, own, n_own);
		add_destinations(g, slot);
		break;
	case 6:
		/* a policy that allows nothing */
		peer->flags |= rnd(2) ? WGSF_PEER_SRC_POLICY : WGSF_PEER_DST_POLICY;
		break;
	}
}

/* Random distinct slots out of r.slots, for g->peers peers. */
static uint32_t *pick_slots(struct gen *g)
{
	uint32_t *s = malloc(g->r.slots * sizeof(*s)), t;
	size_t i, j;

	if (!s)
		abort();
	for (i = 0; i < g->r.slots; i++)
		s[i] = i;
	for (i = 0; i < g->peers; i++) {
		j = i + rnd(g->r.slots - i);
		t = s[i];
		s[i] = s[j];
		s[j] = t;
	}
	return s;
}

static void default_route(struct gen *g, uint8_t family, uint32_t slot)
{
	struct prefix all = { .family = family };

	ref_add_allowedip(&g->r, &all, slot);
}

static void build(struct gen *g, size_t peers, bool default_routes)
{
	size_t i, first, slots = peers + rnd(peers / 4 + 2);
	uint32_t *slot;
	struct prefix p;

	memset(g, 0, sizeof(*g));
	ref_init(&g->r, slots, WGSF_MODE_MONITOR);
	g->peers = peers;
	g->short_left[0] = g->short_left[1] = SHORT_PREFIXES;
	for (i = 0; i < DST_POOL; i++) {
		g->dst_pool[i] = (struct prefix){ .family = i % 2 ? AF_INET6 : AF_INET };
		g->dst_pool[i] = within(&g->dst_pool[i],
					rnd(prefix_bits(g->dst_pool[i].family) + 1));
	}
	slot = pick_slots(g);
	for (i = 0; i < peers; i++) {
		first = g->r.aips.n;
		while (g->r.aips.n == first || rnd(2)) {
			p = random_prefix(g);
			ref_add_allowedip(&g->r, &p, slot[i]);
		}
		random_policy(g, slot[i], &g->r.aips.v[first], g->r.aips.n - first);
	}
	if (default_routes) {
		default_route(g, AF_INET, slot[rnd(peers)]);
		default_route(g, AF_INET6, slot[rnd(peers)]);
	}
	free(slot);
}

/* An address that no allowed IP holds, when one can be found. */
static struct prefix outside(const struct gen *g)
{
	struct prefix a = { .family = random_family() };
	int tries = 16;

	do
		a = host_in(&(struct prefix){ .family = a.family });
	while (ref_lookup(&g->r, &a) >= 0 && --tries);
	return a;
}

static struct prefix destination(const struct gen *g, uint8_t family)
{
	const struct prefix *p;

	if (rnd(4) == 0)
		return host_in(&(struct prefix){ .family = family });
	do
		p = &g->dst_pool[rnd(DST_POOL)];
	while (p->family != family);
	return host_in(p);
}

/* Breaks a well-formed header, or not quite: the reference decides. */
static size_t mangle(uint8_t *ip, size_t len)
{
	switch (rnd(5)) {
	case 0:
		ip[0] = rnd(16) << 4 | (ip[0] & 15); /* version */
		break;
	case 1:
		ip[0] = (ip[0] & 0xf0) | rnd(16); /* IHL */
		break;
	case 2:
		ip[2] = 0; /* IPv4 total length about the header's */
		ip[3] = rnd(64);
		break;
	case 3:
		/* truncated, but long enough for BPF_PROG_TEST_RUN on tc */
		len = IPV4_HLEN + rnd(len - IPV4_HLEN);
		break;
	default:
		random_bytes(ip, len);
	}
	return len;
}

/* IP bytes of a random packet into ip (PACKET_MAX bytes); its length. */
static size_t random_packet(const struct gen *g, uint8_t *ip)
{
	struct prefix src = rnd(10) && g->r.aips.n ? host_in(&g->r.aips.v[rnd(g->r.aips.n)])
						   : outside(g);
	struct prefix dst = destination(g, src.family);
	unsigned int ihl = src.family == AF_INET && rnd(8) == 0 ? 6 + rnd(10) : 5;
	unsigned int hlen = src.family == AF_INET ? ihl * 4 : IPV6_HLEN;
	/* the length fields are 16 bits: IPv4's counts the header, IPv6's does not */
	uint32_t room = src.family == AF_INET ? 65536 - hlen : 65536;
	uint32_t ip_len = hlen + (rnd(16) ? rnd(1480) : rnd(room));
	size_t len = ip_header(ip, &src, &dst, ip_len, ihl), payload = rnd(17);

	random_bytes(ip + len, payload);
	len += payload;
	return rnd(16) ? len : mangle(ip, len);
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

static unsigned int counters_disagree(const struct hook_under_test *h, const struct reference *r)
{
	unsigned int bad = !dev_agrees(h, &r->want);
	size_t s;

	for (s = 0; s < r->slots; s++)
		bad += !peer_agrees(h, s, &r->peers[s].want);
	return bad;
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

static unsigned int send_packets(struct gen *g, struct hook_under_test hooks[HOOKS],
				 unsigned int bad[HOOKS], struct coverage *cov)
{
	char pkt[256], want[64];
	uint8_t ip[PACKET_MAX];
	struct ref_outcome o;
	unsigned int i, h;
	int64_t got;
	size_t len;

	for (i = 0; i < PACKETS; i++) {
		len = random_packet(g, ip);
		o = ref_packet(&g->r, ip, len);
		if (o.slot >= 0)
			tally_match(cov, &g->r, ip, o.slot);
		for (h = 0; h < HOOKS; h++) {
			got = hook_run_ip(&hooks[h], ip, len);
			if (got == (o.drop ? hooks[h].drop : hooks[h].pass))
				continue;
			bad[h]++;
			report("%s: packet %u, %s: returned %lld (%s), want %s", hooks[h].name, i,
			       packet_describe(pkt, sizeof(pkt), ip, len), (long long)got,
			       verdict_name(&hooks[h], got),
			       ref_outcome_describe(&o, want, sizeof(want)));
		}
	}
	return i;
}

static size_t policy_prefixes(const struct reference *r)
{
	size_t s, n = 0;

	for (s = 0; s < r->slots; s++)
		n += r->peers[s].src.n + r->peers[s].dst.n;
	return n;
}

static void run_mode(struct gen *g, unsigned int round, enum wgsf_mode mode,
		     struct coverage *cov)
{
	const char *name = mode == WGSF_MODE_ENFORCE ? "enforce" : "monitor";
	struct capacity cap = { .peers = g->r.slots, .prefixes = g->r.aips.n + 16,
				.hosts = g->r.aips.n + 16,
				.policy_prefixes = policy_prefixes(&g->r) + 16,
				.policy_hosts = policy_prefixes(&g->r) + 16 };
	struct hook_under_test hooks[HOOKS];
	unsigned int bad[HOOKS] = {}, sent, h;

	g->r.mode = mode;
	ref_clear_counts(&g->r);
	if (!ok(!hooks_load(hooks, &cap), "round %u, %s: both hooks loaded", round, name))
		return;
	if (ok(!ref_install(&g->r, &hooks[HOOK_TC].maps),
	       "round %u, %s: %zu peers in %zu slots, %zu allowed IPs, %zu policy prefixes",
	       round, name, g->peers, g->r.slots, g->r.aips.n, policy_prefixes(&g->r))) {
		sent = send_packets(g, hooks, bad, cov);
		for (h = 0; h < HOOKS; h++) {
			bad[h] += counters_disagree(&hooks[h], &g->r);
			ok(!bad[h], "round %u, %s, %s: %u packets, verdicts and the counters of "
			   "%zu slots as the reference has them", round, name, hooks[h].name, sent,
			   g->r.slots);
		}
		tally(cov, &g->r);
	}
	hooks_destroy(hooks);
}

/* Every path was taken: a differential test of paths never taken proves nothing. */
static void covered(const struct coverage *c, enum wgsf_mode mode)
{
	bool enforce = mode == WGSF_MODE_ENFORCE;
	bool all = c->malformed && c->unknown && c->complying &&
		   (enforce ? c->drops > 0 : c->drops == 0);
	int i;

	for (i = 0; i < WGSF_REASON_COUNT; i++)
		all = all && c->violations[i];
	all = all && c->by_prefix && c->by_covered_host;
	ok(all, "%s: the packets were malformed (%llu), unknown (%llu), complying (%llu), "
	   "violations by source (%llu), destination (%llu), blocked peer (%llu); %llu dropped; "
	   "%llu attributed by a shorter prefix, %llu by a host route inside another peer's "
	   "prefix", enforce ? "enforce" : "monitor", (unsigned long long)c->malformed,
	   (unsigned long long)c->unknown, (unsigned long long)c->complying,
	   (unsigned long long)c->violations[WGSF_REASON_SOURCE],
	   (unsigned long long)c->violations[WGSF_REASON_DESTINATION],
	   (unsigned long long)c->violations[WGSF_REASON_BLOCKED], (unsigned long long)c->drops,
	   (unsigned long long)c->by_prefix, (unsigned long long)c->by_covered_host);
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
	struct gen g;

	require_root_bpf();
	libbpf_set_print(NULL);
	seed = test_seed();
	srandom(seed);
	if (!ok(pin_to_one_cpu(), "pinned to one CPU"))
		return done_testing();
	peers[0] = 1;
	peers[1] = 2 + rnd(30);
	peers[2] = 100 + rnd(900);
	peers[3] = 1000 + rnd(3000);
	peers[4] = 5000;
	for (i = 0; i < ARRAY_SIZE(peers); i++) {
		build(&g, peers[i], i % 2);
		run_mode(&g, i + 1, WGSF_MODE_MONITOR, &cov[WGSF_MODE_MONITOR]);
		run_mode(&g, i + 1, WGSF_MODE_ENFORCE, &cov[WGSF_MODE_ENFORCE]);
		ref_free(&g.r);
	}
	covered(&cov[WGSF_MODE_MONITOR], WGSF_MODE_MONITOR);
	covered(&cov[WGSF_MODE_ENFORCE], WGSF_MODE_ENFORCE);
	is_u64(reported, 0, "no difference from the reference (seed %u)", seed);
	return done_testing();
}
