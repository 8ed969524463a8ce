// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host-route index (wgsf.h) on the real datapath, through
 * BPF_PROG_TEST_RUN. Keys are chosen by the index's own seed, as the head
 * gives it after the first write, to fill one key's first bucket, then its
 * second, then to overflow both; a shorter prefix lies under addresses
 * whose first bucket has flags; host routes leave, come back and move in
 * full buckets; an index of two buckets leaves most keys to the hashes; a
 * growth builds a new index; a later sync leaves the head as it is. Every
 * packet is counted to the slot that userspace's decision (wgsf lookup's)
 * names, and every slot's count is checked, exactly. The addresses are
 * documentation ones, and never leave BPF_PROG_TEST_RUN.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tables/carry.h"
#include "tables/hosts.h"
#include "tables/stats.h"
#include "tables/sync.h"
#include "tables/verdict.h"
#include "packet.h"
#include "tap.h"
#include "wgsf_hosts.h"

#define IP_LEN 100
#define PEERS 64     /* slots of the collision tests */
#define BUCKETS 4    /* the collision tests' index, per family */
#define COVER 60     /* the slot of the IPv4 keys' /24 */
#define MOVED 40     /* the first slot that keys move to */
#define MANY 300     /* host routes per family in an index of two buckets */
#define MANY_PEERS 1024

/* A datapath and what its counters must say. */
struct scene {
	struct hook_under_test h;
	uint32_t peers;
	uint64_t want[MANY_PEERS]; /* rx_packets, by slot */
	uint64_t unknown;          /* unknown_packets */
};

struct route {
	struct prefix p;
	uint32_t slot;
	bool live; /* in the tables */
};

/* The datapath on maps of cap, into s zeroed: no packet counted yet. */
static bool scene_load(struct scene *s, const struct capacity *cap)
{
	s->peers = cap->peers;
	return !hook_load(&s->h, cap);
}

/* Address i: 192.0.2.i, then 198.51.100.x and 203.0.113.x; or 2001:db8::i. */
static struct prefix address(uint8_t family, unsigned int i)
{
	static const uint8_t nets[3][3] = { { 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 } };
	struct prefix p = { .family = family, .cidr = prefix_bits(family) };

	if (family == AF_INET) {
		memcpy(p.addr, nets[i / 256 % 3], 3);
		p.addr[3] = i;
	} else {
		memcpy(p.addr, "\x20\x01\x0d\xb8", 4);
		p.addr[14] = i >> 8;
		p.addr[15] = i;
	}
	return p;
}

static int index_fd(const struct scene *s, uint8_t family)
{
	return s->h.maps.fd[family == AF_INET ? MAP_HOST_INDEX4 : MAP_HOST_INDEX6];
}

/* The head, all zero where it cannot be read (the kernel writes only
 * what it found). */
static struct wgsf_hosts_head head_of(const struct scene *s, uint8_t family)
{
	struct wgsf_hosts_head head = {};
	uint32_t zero = 0;

	bpf_map_lookup_elem(index_fd(s, family), &zero, &head);
	return head;
}

/* An address as the index's hash and search take it: host-order words. */
struct words {
	uint32_t a;
	uint64_t lo, hi;
};

static struct words words_of(const struct prefix *p)
{
	struct words w;

	memcpy(&w.a, p->addr, 4);
	memcpy(&w.lo, p->addr, 8);
	memcpy(&w.hi, p->addr + 8, 8);
	return w;
}

/* Both heads, IPv4's then IPv6's. */
static void heads_of(const struct scene *s, struct wgsf_hosts_head h[2])
{
	h[0] = head_of(s, AF_INET);
	h[1] = head_of(s, AF_INET6);
}

static uint64_t key_hash(const struct wgsf_hosts_head *head, const struct prefix *p)
{
	struct words w = words_of(p);

	if (p->family == AF_INET)
		return wgsf_host_hash4(head->seed, w.a);
	return wgsf_host_hash6(head->seed, w.lo, w.hi);
}

static uint32_t bucket_of(const struct wgsf_hosts_head *head, const struct prefix *p, int second)
{
	return wgsf_hosts_bucket(head, key_hash(head, p), second);
}

union bucket {
	struct wgsf_host4_bucket v4;
	struct wgsf_host6_bucket v6;
};

/* Bucket i of family's index, all ones where it cannot be read. */
static union bucket bucket_read(const struct scene *s, uint8_t family, uint32_t i)
{
	union bucket b;

	memset(&b, 0xff, sizeof(b));
	bpf_map_lookup_elem(index_fd(s, family), &i, &b);
	return b;
}

/* The used bits (low byte) and flags (high byte) of bucket i. */
static unsigned int bucket_top(const struct scene *s, uint8_t family, uint32_t i)
{
	union bucket b = bucket_read(s, family, i);

	if (family == AF_INET)
		return b.v4.flags << 8 | b.v4.used;
	return b.v6.flags << 8 | b.v6.used;
}

/* The used bits of a full bucket. */
static unsigned int full(uint8_t family)
{
	return (1u << (family == AF_INET ? WGSF_HOSTS_WAYS4 : WGSF_HOSTS_WAYS6)) - 1;
}

/* The way of bucket i that holds p, with *value, or -1. */
static int way_of(const struct scene *s, uint32_t i, const struct prefix *p, uint32_t *value)
{
	union bucket b = bucket_read(s, p->family, i);
	struct words w = words_of(p);

	if (p->family == AF_INET)
		return wgsf_host4_find(&b.v4, w.a, value);
	return wgsf_host6_find(&b.v6, w.lo, w.hi, value);
}

/* Ways in use over the whole index of family. */
static unsigned int used_ways(const struct scene *s, uint8_t family)
{
	uint32_t i, n = map_capacity(index_fd(s, family));
	unsigned int used = 0;

	for (i = 1; i < n; i++)
		used += __builtin_popcount(bucket_top(s, family, i) & 0xff);
	return used;
}

/* The slot that userspace's decision names for src; -1: unknown. */
static long decided(const struct scene *s, const struct prefix *src)
{
	struct wgsf_verdict v;

	if (verdict_decide(&s->h.maps, src, NULL, NULL, &v))
		return -2;
	return v.found ? (long)(v.entry & WGSF_ENTRY_SLOT) : -1;
}

/* One packet from src, which slot must count (-1: unknown); passed? */
static bool send_from(struct scene *s, const struct prefix *src, long slot)
{
	struct prefix dst;
	struct packet pkt;

	if (slot >= (long)s->peers)
		return false;
	addr_parse(src->family == AF_INET ? "203.0.113.200" : "2001:db8:ffff::200", &dst);
	packet_ip(&pkt, s->h.l3, src, &dst, IP_LEN);
	if (slot >= 0)
		s->want[slot]++;
	else
		s->unknown++;
	return hook_run(&s->h, &pkt) == s->h.pass;
}

/* Every slot's packets, and the unknown ones, as s wants them. */
static void counts_exact(const struct scene *s, const char *what)
{
	struct wgsf_peer_stats *all = calloc(s->peers, sizeof(*all));
	struct wgsf_dev_stats d = { .unknown_packets = -1 };
	bool read = all && !stats_read_peers(&s->h.maps, s->peers, all) &&
		    !stats_read_dev(s->h.maps.fd[MAP_DEV_STATS], &d);
	unsigned int wrong = 0;
	uint32_t slot;

	for (slot = 0; read && slot < s->peers; slot++)
		if (all[slot].rx_packets != s->want[slot] && !wrong++)
			diag("  slot %u counted %llu packets, not %llu", slot,
			     (unsigned long long)all[slot].rx_packets,
			     (unsigned long long)s->want[slot]);
	ok(read && !wrong && d.unknown_packets == s->unknown,
	   "%s: every slot counted exactly, and %llu unknown (%llu)", what,
	   (unsigned long long)s->unknown, (unsigned long long)d.unknown_packets);
	free(all);
}

/* A packet from each address of r, counted to the route's slot where it
 * is live, else to fallback (-1: unknown), which the decision names too. */
static void attributed(struct scene *s, const struct route *r, size_t n, long fallback,
		       const char *what)
{
	char a[PREFIX_STRLEN];
	unsigned int wrong = 0;
	long want, got;
	size_t i;

	for (i = 0; i < n; i++) {
		want = r[i].live ? (long)r[i].slot : fallback;
		got = decided(s, &r[i].p);
		if ((!send_from(s, &r[i].p, want) || got != want) && !wrong++)
			diag("  %s: decided %ld, not %ld", addr_format(&r[i].p, a), got, want);
	}
	ok(!wrong, "%s: the decision names the slot of each of %zu addresses", what, n);
	counts_exact(s, what);
}

static bool route_write(const struct scene *s, struct route *r)
{
	r->live = !allowedip_write(&s->h.maps, &r->p, r->slot);
	return r->live;
}

static bool route_delete(const struct scene *s, struct route *r)
{
	r->live = allowedip_delete(&s->h.maps, &r->p) != 0;
	return !r->live;
}

/*
 * A family's keys, in the order written: key 0 and the keys that fill
 * its first bucket a with it, the key that spills into its second bucket
 * b, the keys that fill b (theirs first), the key that overflows (a and b
 * its buckets too). Probes are addresses of no host route: buckets a then
 * b, a then another, b then another.
 */
struct crowd {
	const char *name; /* "IPv4" */
	uint8_t family;
	unsigned int w; /* ways a bucket */
	struct wgsf_hosts_head head;
	uint32_t a, b;
	struct route r[2 * WGSF_HOSTS_WAYS4 + 1];
	struct route probe[3];
};

#define SPILLER(c) ((c)->w)
#define OVERFLOWER(c) (2 * (c)->w)

/* attributed() for c's keys, what said of c's family. */
static void crowd_attributed(struct scene *s, const struct crowd *c, long fallback,
			     const char *what)
{
	char both[64];

	snprintf(both, sizeof(both), "%s %s", c->name, what);
	attributed(s, c->r, OVERFLOWER(c) + 1, fallback, both);
}

/* The address after *i (among the first 256: 192.0.2.0/24 for IPv4) whose
 * first bucket is first and whose second is second (same) or not (!same). */
static bool next_key(const struct crowd *c, unsigned int *i, uint32_t first, uint32_t second,
		     bool same, struct prefix *p)
{
	while (++*i < 256) {
		*p = address(c->family, *i);
		if (bucket_of(&c->head, p, 0) == first &&
		    (bucket_of(&c->head, p, 1) == second) == same)
			return true;
	}
	return false;
}

/* Keys and probes of c for buckets a and b, slots from slot0 on. */
static bool crowd_fill(struct crowd *c, uint32_t slot0)
{
	unsigned int fa = -1, fb = -1, fo = -1, k, w = c->w;
	bool found = next_key(c, &fo, c->a, c->b, true, &c->r[0].p);

	for (k = 1; k < w; k++)
		found = found && next_key(c, &fa, c->a, c->b, false, &c->r[k].p);
	found = found && next_key(c, &fo, c->a, c->b, true, &c->r[SPILLER(c)].p);
	for (k = w + 1; k < 2 * w; k++)
		found = found && next_key(c, &fb, c->b, c->a, false, &c->r[k].p);
	found = found && next_key(c, &fo, c->a, c->b, true, &c->r[OVERFLOWER(c)].p) &&
		next_key(c, &fo, c->a, c->b, true, &c->probe[0].p) &&
		next_key(c, &fa, c->a, c->b, false, &c->probe[1].p) &&
		next_key(c, &fb, c->b, c->a, false, &c->probe[2].p);
	for (k = 0; k <= OVERFLOWER(c); k++)
		c->r[k].slot = slot0 + k;
	return found;
}

/* The first pair of distinct buckets, among the first 256 addresses', that
 * enough of them share for the keys and probes. */
static bool crowd_pick(struct crowd *c, uint32_t slot0)
{
	struct prefix p;
	unsigned int i;

	for (i = 0; i < 256; i++) {
		p = address(c->family, i);
		c->a = bucket_of(&c->head, &p, 0);
		c->b = bucket_of(&c->head, &p, 1);
		if (c->a != c->b && crowd_fill(c, slot0))
			return true;
	}
	return false;
}

static bool routes_write(const struct scene *s, struct route *r, unsigned int from,
			 unsigned int to)
{
	bool written = true;

	while (from < to)
		written = route_write(s, &r[from++]) && written;
	return written;
}

/* Whether key k of c lies in way `way` of bucket b with its slot. */
static bool placed(const struct scene *s, const struct crowd *c, unsigned int k, uint32_t b,
		   int way)
{
	uint32_t value = -1;

	return way_of(s, b, &c->r[k].p, &value) == way && value == c->r[k].slot;
}

/* A first write gives the head; that key's delete leaves every bucket
 * empty. The keys are picked by the head. */
static bool head_first(struct scene *s, struct crowd *c)
{
	struct route first = { .p = address(c->family, 2 * 256 + 9), .slot = 0 };
	unsigned int i, busy = 0;
	bool picked;

	is_u64(head_of(s, c->family).mask, 0, "%s: no head before a write", c->name);
	ok(route_write(s, &first) && route_delete(s, &first), "%s: a key written and deleted",
	   c->name);
	c->head = head_of(s, c->family);
	diag("%s index: seed %u, mask %u", c->name, c->head.seed, c->head.mask);
	for (i = 1; i <= BUCKETS; i++)
		busy += bucket_top(s, c->family, i) != 0;
	if (!ok(c->head.mask == BUCKETS - 1 && c->head.seed && !busy,
		"%s: the head has the mask of %u buckets, all empty", c->name, BUCKETS))
		return false;
	picked = crowd_pick(c, c->family == AF_INET ? 1 : 20);
	return ok(picked, "%s: keys that fill buckets %u and %u, and overflow them", c->name,
		  c->a, c->b);
}

static void test_collisions(struct scene *s, struct crowd *c)
{
	unsigned int k, w = c->w, inplace = 0;

	if (!head_first(s, c))
		return;
	ok(routes_write(s, c->r, 0, w), "%s: %u keys of first bucket %u written", c->name, w, c->a);
	for (k = 0; k < w; k++)
		inplace += placed(s, c, k, c->a, k);
	ok(inplace == w && bucket_top(s, c->family, c->a) == full(c->family),
	   "%s: bucket %u full, in the order written, no flags", c->name, c->a);
	ok(route_write(s, &c->r[SPILLER(c)]) && placed(s, c, SPILLER(c), c->b, 0) &&
		   bucket_top(s, c->family, c->a) == (WGSF_HOSTS_SPILL << 8 | full(c->family)) &&
		   bucket_top(s, c->family, c->b) == 1,
	   "%s: one more in way 0 of bucket %u, and bucket %u says SPILL", c->name,
	   c->b, c->a);
	ok(routes_write(s, c->r, w + 1, 2 * w) &&
		   bucket_top(s, c->family, c->b) == full(c->family),
	   "%s: bucket %u filled by %u keys of its own, no flags", c->name, c->b, w - 1);
	ok(route_write(s, &c->r[OVERFLOWER(c)]) &&
		   bucket_top(s, c->family, c->a) ==
			   ((WGSF_HOSTS_SPILL | WGSF_HOSTS_OVERFLOW) << 8 | full(c->family)) &&
		   bucket_top(s, c->family, c->b) == full(c->family),
	   "%s: one more, of buckets %u and %u: bucket %u says SPILL and OVERFLOW",
	   c->name, c->a, c->b, c->a);
	ok(way_of(s, c->a, &c->r[OVERFLOWER(c)].p, &(uint32_t){ 0 }) < 0 &&
		   way_of(s, c->b, &c->r[OVERFLOWER(c)].p, &(uint32_t){ 0 }) < 0,
	   "%s: the overflowing key is in the hash alone", c->name);
	crowd_attributed(s, c, -1, "every key");
}

/* Way `way` of bucket b given value, behind the loader's back. */
static bool way_forge(const struct scene *s, uint8_t family, uint32_t b, int way,
		      uint32_t value)
{
	union bucket x = bucket_read(s, family, b);

	if (family == AF_INET)
		x.v4.way[way].value = value;
	else
		x.v6.value[way] = value;
	return !bpf_map_update_elem(index_fd(s, family), &b, &x, BPF_EXIST);
}

/* The index decides, not the hash, for the keys it holds: the values of
 * key 0 (way 0 of bucket a) and of the spilled key (way 0 of b), forged,
 * count to slot; a write of the same routes puts their own back. */
static void test_index_decides(struct scene *s, struct crowd *c, uint32_t slot)
{
	uint32_t own[2] = { c->r[0].slot, c->r[SPILLER(c)].slot };

	c->r[0].slot = c->r[SPILLER(c)].slot = slot;
	ok(way_forge(s, c->family, c->a, 0, slot) && way_forge(s, c->family, c->b, 0, slot),
	   "%s forged: slot %u in way 0 of buckets %u and %u", c->name, slot, c->a, c->b);
	crowd_attributed(s, c, -1, "forged: the index's value, not the hash's");
	c->r[0].slot = own[0];
	c->r[SPILLER(c)].slot = own[1];
	ok(route_write(s, &c->r[0]) && route_write(s, &c->r[SPILLER(c)]) &&
		   placed(s, c, 0, c->a, 0) && placed(s, c, SPILLER(c), c->b, 0),
	   "%s written again: their own values in their ways", c->name);
	crowd_attributed(s, c, -1, "written again");
}

/* Key 0 (in bucket a), the spilled key (in b) and the overflowing one (in
 * the hash) move to other slots, and count there from the next packet. */
static void test_moves(struct scene *s, struct crowd *c, uint32_t to)
{
	unsigned int moved[3] = { 0, SPILLER(c), OVERFLOWER(c) }, i;
	bool written = true;

	for (i = 0; i < 3; i++) {
		c->r[moved[i]].slot = to + i;
		written = route_write(s, &c->r[moved[i]]) && written;
	}
	ok(written && placed(s, c, 0, c->a, 0) && placed(s, c, SPILLER(c), c->b, 0),
	   "%s moves: three keys to slots %u-%u, in their ways", c->name, to, to + 2);
	crowd_attributed(s, c, -1, "moves");
}

/* Keys 1 and w-1 leave the full bucket a: they fall to fallback; key 1
 * comes back into its way, the lowest free one. */
static void test_deletes(struct scene *s, struct crowd *c, long fallback)
{
	unsigned int w = c->w, left = full(c->family) & ~(1u << 1 | 1u << (w - 1));

	ok(route_delete(s, &c->r[1]) && route_delete(s, &c->r[w - 1]) &&
		   bucket_top(s, c->family, c->a) ==
			   ((WGSF_HOSTS_SPILL | WGSF_HOSTS_OVERFLOW) << 8 | left),
	   "%s deletes: ways 1 and %u of bucket %u free, its flags kept", c->name, w - 1,
	   c->a);
	crowd_attributed(s, c, fallback, "deletes");
	ok(route_write(s, &c->r[1]) && placed(s, c, 1, c->a, 1) &&
		   (bucket_top(s, c->family, c->a) & 0xff) == (left | 1u << 1),
	   "%s re-add: key 1 back in way 1", c->name);
	crowd_attributed(s, c, fallback, "re-add");
}

/* Tests 1-3 on an index of BUCKETS buckets, the IPv4 keys under a /24. */
static void test_full_buckets(void)
{
	struct capacity cap = { .peers = PEERS, .prefixes = 64, .hosts = 64,
				.policy_prefixes = 16, .policy_hosts = 16,
				.index_buckets = BUCKETS };
	struct crowd c4 = { .name = "IPv4", .family = AF_INET, .w = WGSF_HOSTS_WAYS4 };
	struct crowd c6 = { .name = "IPv6", .family = AF_INET6, .w = WGSF_HOSTS_WAYS6 };
	struct route cover = { .slot = COVER };
	struct scene scene = {}, *s = &scene;

	if (!ok(scene_load(s, &cap), "loaded with an index of %u buckets", BUCKETS))
		return;
	test_collisions(s, &c4);
	test_collisions(s, &c6);
	test_index_decides(s, &c4, MOVED + 6);
	test_index_decides(s, &c6, MOVED + 7);
	/* addresses of no host route, first bucket a with its flags */
	attributed(s, c6.probe, 3, -1, "no host route, no shorter prefix: unknown");
	prefix_parse("192.0.2.0/24", &cover.p);
	if (ok(route_write(s, &cover), "192.0.2.0/24 to slot %u", COVER))
		attributed(s, c4.probe, 3, COVER, "no host route: the shorter prefix's peer");
	test_moves(s, &c4, MOVED);
	test_moves(s, &c6, MOVED + 3);
	test_deletes(s, &c4, COVER);
	test_deletes(s, &c6, -1);
	hook_destroy(&s->h);
}

/* MANY routes of each family, the ith to slot i, shuffled by seed, and
 * written in one allowedips_write. */
static bool many_routes_write(const struct scene *s, struct route *r, unsigned int seed)
{
	struct prefix p[2 * MANY];
	uint32_t v[2 * MANY], i, j;
	bool written;

	for (i = 0; i < 2 * MANY; i++) {
		j = rand_r(&seed) % (i + 1);
		r[i] = r[j];
		r[j] = (struct route){ .p = address(i < MANY ? AF_INET : AF_INET6, i % MANY),
				       .slot = i };
	}
	for (i = 0; i < 2 * MANY; i++) {
		p[i] = r[i].p;
		v[i] = r[i].slot;
	}
	written = !allowedips_write(&s->h.maps, p, v, 2 * MANY);
	for (i = 0; i < 2 * MANY; i++)
		r[i].live = written;
	return written;
}

/* Test 4: an index of two buckets holds 2 * ways keys; the rest overflow. */
static void test_tiny(struct scene *s, struct route *r, unsigned int seed)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	unsigned int f, both, want;

	ok(many_routes_write(s, r, seed),
	   "tiny: %u host routes of each family written in one batch, in an order drawn", MANY);
	for (f = 0; f < 2; f++) {
		both = bucket_top(s, families[f], 1) & bucket_top(s, families[f], 2);
		want = WGSF_HOSTS_OVERFLOW << 8 | full(families[f]);
		ok((both & want) == want && head_of(s, families[f]).mask == 1 &&
			   used_ways(s, families[f]) == 2u * __builtin_popcount(full(families[f])),
		   "tiny: IPv%s: both buckets full and overflowing",
		   families[f] == AF_INET ? "4" : "6");
	}
	attributed(s, r, 2 * MANY, -1, "tiny");
}

/* Test 5: a growth to an index sized by the hosts builds it anew. */
static void test_growth(struct scene *s, struct route *r)
{
	struct capacity cap = { .peers = MANY_PEERS, .prefixes = 64, .hosts = 1024,
				.policy_prefixes = 16, .policy_hosts = 16 };
	struct hook_under_test old = s->h;
	struct wgsf_hosts_head h[2];

	s->h.skel = carry_load(&cap, old.l3, &old.maps, &s->h.maps);
	if (!ok(s->h.skel != NULL, "growth: loaded, taking the maps over")) {
		s->h = old;
		return;
	}
	s->h.prog_fd = bpf_program__fd(s->h.skel->progs.wgsf_tc);
	heads_of(s, h);
	diag("grown index: IPv4 seed %u mask %u, IPv6 seed %u mask %u", h[0].seed, h[0].mask,
	     h[1].seed, h[1].mask);
	ok(h[0].mask && h[0].mask == hosts_index_size(cap.hosts, AF_INET) - 2 && h[1].mask &&
		   h[1].mask == hosts_index_size(cap.hosts, AF_INET6) - 2,
	   "growth: a head on each new index, of the hosts' size");
	is_u64(used_ways(s, AF_INET), MANY, "growth: every IPv4 host route in a way");
	is_u64(used_ways(s, AF_INET6), MANY, "growth: every IPv6 host route in a way");
	attributed(s, r, 2 * MANY, -1, "growth, through the new program");
	hook_destroy(&old);
}

static void test_tiny_then_growth(unsigned int seed)
{
	struct capacity cap = { .peers = MANY_PEERS, .prefixes = 64, .hosts = 1024,
				.policy_prefixes = 16, .policy_hosts = 16, .index_buckets = 2 };
	struct scene scene = {}, *s = &scene;
	struct route r[2 * MANY];

	if (!ok(scene_load(s, &cap), "loaded with an index of 2 buckets"))
		return;
	test_tiny(s, r, seed);
	test_growth(s, r);
	hook_destroy(&s->h);
}

/* A device of peers 1 to n, peer i with 192.0.2.i/32 and 2001:db8::i/128. */
static struct wg_device *device_of(unsigned int n)
{
	struct wg_device *d = device_new("wgsf-test");
	uint8_t key[WG_KEY_LEN];
	struct prefix p;
	unsigned int i;

	for (i = 1; d && i <= 2 * n; i++) {
		memset(key, (i + 1) / 2, sizeof(key));
		p = address(i % 2 ? AF_INET : AF_INET6, (i + 1) / 2);
		if (peer_add_allowedip(device_peer(d, key), &p))
			abort();
	}
	return d;
}

static bool synced(const struct scene *s, unsigned int n)
{
	struct wg_device *d = device_of(n);
	struct sync_result res;
	int err = d ? sync_device(&s->h.maps, d, NULL, &res) : -ENOMEM;

	device_free(d);
	return !err;
}

/* Before the head, the datapath asks the hash: a key written there alone. */
static void test_headless(struct scene *s)
{
	struct wgsf_lpm4_key k = { .prefixlen = 32, .addr = { 192, 0, 2, 99 } };
	struct route r = { .p = address(AF_INET, 99), .slot = 7, .live = true };
	int fd = s->h.maps.fd[MAP_HOST_IPS4];

	if (!ok(!bpf_map_update_elem(fd, &k, &r.slot, BPF_ANY), "headless: a key in the hash"))
		return;
	attributed(s, &r, 1, -1, "headless: the datapath asks the hash");
	ok(!bpf_map_delete_elem(fd, &k), "headless: the key taken out");
}

/* Test 6: the head is written once, by the first sync. */
static void test_head_once(void)
{
	struct capacity cap = { .peers = 16, .prefixes = 64, .hosts = 64,
				.policy_prefixes = 16, .policy_hosts = 16 };
	struct scene scene = {}, *s = &scene;
	struct wgsf_hosts_head first[2], again[2];
	struct route r[2 * 6];
	unsigned int i;

	if (!ok(scene_load(s, &cap), "loaded with an index sized by the hosts"))
		return;
	test_headless(s);
	ok(synced(s, 3), "sync: 3 peers");
	heads_of(s, first);
	ok(first[0].mask && first[1].mask, "sync: each index has its head");
	ok(synced(s, 6), "sync again: 6 peers");
	heads_of(s, again);
	ok(!memcmp(first, again, sizeof(first)), "sync again: seed and mask unchanged");
	for (i = 0; i < 2 * 6; i++) {
		r[i] = (struct route){ .p = address(i < 6 ? AF_INET : AF_INET6, 1 + i % 6),
				       .live = true };
		r[i].slot = decided(s, &r[i].p);
	}
	attributed(s, r, 2 * 6, -1, "sync again");
	hook_destroy(&s->h);
}

int main(void)
{
	unsigned int seed;

	require_root_bpf();
	libbpf_set_print(NULL);
	seed = test_seed();
	test_full_buckets();
	test_tiny_then_growth(seed);
	test_head_once();
	return done_testing();
}
