// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sync on the real maps: stable slots keyed by public key, counters kept
 * for kept peers and zeroed for reused slots, only the difference written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tables/datapath.h"
#include "tables/sync.h"
#include "tables/verdict.h"
#include "err.h"
#include "tap.h"

static void key_of(uint8_t key[WG_KEY_LEN], unsigned int id)
{
	memset(key, 0, WG_KEY_LEN);
	memcpy(key, &id, sizeof(id));
	key[31] = 0x5a;
}

static struct wg_peer *add_peer(struct wg_device *dev, unsigned int id, const char *aips)
{
	char buf[512], *tok, *save = NULL;
	uint8_t key[WG_KEY_LEN];
	struct wg_peer *p;
	struct prefix pfx;

	key_of(key, id);
	p = device_peer(dev, key);
	snprintf(buf, sizeof(buf), "%s", aips);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (prefix_parse(tok, &pfx) || peer_add_allowedip(p, &pfx))
			abort();
	return p;
}

/* The slot the peer with this id owns in the pinned slot table, or -1. */
static int slot_of(const struct maps *m, unsigned int id)
{
	uint32_t cap = map_capacity(m->fd[MAP_PEER_SLOTS]), s;
	uint8_t key[WG_KEY_LEN];
	struct wgsf_slot *slots;
	int found = -1;

	key_of(key, id);
	if (slots_read(m->fd[MAP_PEER_SLOTS], cap, &slots))
		return -2;
	for (s = 0; s < cap; s++)
		if (slots[s].in_use && !memcmp(slots[s].public_key, key, WG_KEY_LEN))
			found = s;
	free(slots);
	return found;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct table_entry *x = a, *y = b;

	return prefix_cmp(&x->prefix, &y->prefix) ?: (x->slot > y->slot) - (x->slot < y->slot);
}

/* Whether the tries hold exactly dev's allowed IPs, each with the slot the
 * slot table gives its peer. */
static bool tables_match(const struct maps *m, const struct wg_device *dev)
{
	uint32_t cap = map_capacity(m->fd[MAP_PEER_SLOTS]), s;
	struct table_entry *have, *want = NULL;
	uint32_t *slot = calloc(dev->n_peers + 1, sizeof(*slot));
	size_t nh, nw = 0, i, j;
	struct wgsf_slot *slots;
	struct wg_peer *p;
	bool same;

	if (table_read(m, &have, &nh) || slots_read(m->fd[MAP_PEER_SLOTS], cap, &slots))
		abort();
	for (s = 0; s < cap; s++)
		if (slots[s].in_use && (p = device_find_peer(dev, slots[s].public_key)))
			slot[p - dev->peers] = s;
	for (i = 0; i < dev->n_peers; i++)
		nw += dev->peers[i].n_allowedips;
	want = calloc(nw + 1, sizeof(*want));
	for (i = 0, nw = 0; i < dev->n_peers; i++)
		for (j = 0; j < dev->peers[i].n_allowedips; j++, nw++)
			want[nw] = (struct table_entry){ dev->peers[i].allowedips[j], slot[i], 0 };
	qsort(want, nw, sizeof(*want), entry_cmp);
	/* the slots, not what the policy says of them (test_entry_bits) */
	for (i = 0; i < nh; i++)
		have[i].bits = 0;
	same = nh == nw && !memcmp(have, want, nw * sizeof(*want));
	free(have);
	free(want);
	free(slots);
	free(slot);
	return same;
}

static void set_rx(const struct maps *m, uint32_t slot, uint64_t packets)
{
	struct wgsf_peer_stats *v = calloc(stats_cpus(), sizeof(*v));

	if (!v)
		abort();
	v[0].rx_packets = packets;
	if (stats_write_peer(m->fd[MAP_PEER_STATS], slot, v))
		abort();
	free(v);
}

static uint64_t rx_of(const struct maps *m, uint32_t slot)
{
	struct wgsf_peer_stats s;

	return stats_read_peer(m->fd[MAP_PEER_STATS], slot, &s) ? UINT64_MAX : s.rx_packets;
}

static void test_changes(const struct maps *m)
{
	struct wg_device *d1 = device_new("wgsf-test"), *d2 = device_new("wgsf-test");
	struct sync_result r;
	int a, b;

	add_peer(d1, 1, "192.0.2.0/24,2001:db8:1::/48");
	add_peer(d1, 2, "198.51.100.0/24");
	add_peer(d1, 3, "203.0.113.7/32");
	ok(!sync_device(m, d1, NULL, &r), "first sync");
	is_u64(r.peers_added, 3, "three peers added");
	is_u64(r.prefixes_added, 4, "four prefixes added");
	ok(tables_match(m, d1), "tables hold the first device");
	a = slot_of(m, 1);
	b = slot_of(m, 2);
	set_rx(m, a, 11);
	set_rx(m, b, 22);

	ok(!sync_device(m, d1, NULL, &r), "same device again");
	is_u64(r.peers_added + r.peers_removed + r.prefixes_added + r.prefixes_changed +
		       r.prefixes_removed, 0, "an unchanged device writes nothing");

	/* peer 1 leaves; 2 narrows and takes 3's host route; 4 arrives */
	add_peer(d2, 2, "198.51.100.0/25,203.0.113.7/32");
	add_peer(d2, 3, "203.0.113.8/32");
	add_peer(d2, 4, "192.0.2.128/25");
	ok(!sync_device(m, d2, NULL, &r), "second sync");
	is_u64(r.peers_added, 1, "one peer added");
	is_u64(r.peers_removed, 1, "one peer removed");
	is_u64(r.prefixes_changed, 1, "the moved host route changed owner in place");
	is_u64(r.prefixes_added, 3, "new prefixes added");
	is_u64(r.prefixes_removed, 3, "old prefixes removed");
	ok(tables_match(m, d2), "tables hold the second device");
	is_u64(slot_of(m, 2), b, "a kept peer keeps its slot");
	is_u64(rx_of(m, b), 22, "and its counters");
	ok(slot_of(m, 1) == -1, "the removed peer's slot is free");
	ok(slot_of(m, 4) != a, "but not reused by the sync that freed it");

	add_peer(d2, 5, "192.0.2.0/26");
	ok(!sync_device(m, d2, NULL, &r), "third sync");
	is_u64(slot_of(m, 5), a, "a later peer reuses the lowest free slot");
	is_u64(rx_of(m, a), 0, "with its counters zeroed");
	ok(tables_match(m, d2), "tables hold the third device");
	device_free(d1);
	device_free(d2);
}

static unsigned int entries(int fd)
{
	struct wgsf_pol6_key key, next; /* the largest key of any table */
	unsigned int n = 0;
	void *prev = NULL;

	for (; !bpf_map_get_next_key(fd, prev, &next); prev = &key, n++)
		key = next;
	return n;
}

/* The datapath's decision for a packet from addr, taken in userspace. */
static struct wgsf_verdict decide(const struct maps *m, const char *addr)
{
	struct wgsf_verdict v;
	struct prefix a;

	if (addr_parse(addr, &a) || verdict_decide(m, &a, NULL, NULL, &v))
		abort();
	return v;
}

/* The slot of the peer that the datapath finds for addr, or -1. */
static long owner(const struct maps *m, const char *addr)
{
	struct wgsf_verdict v = decide(m, addr);

	return v.found ? (long)(v.entry & WGSF_ENTRY_SLOT) : -1;
}

/* 1 when slot's allowed sources hold addr (of its allowed IPs), else 0. */
/* A prefix given twice: once where one peer has it twice (a host bit set
 * in one copy); where two peers have it, refused, the tables as they were. */
static void test_duplicates(const struct maps *m)
{
	struct wg_device *d = device_new("wgsf-test"), *bad = device_new("wgsf-test");
	struct sync_result r;

	wgsf_clear_error();
	add_peer(d, 6, "192.0.2.0/24,192.0.2.7/24");
	ok(!sync_device(m, d, NULL, &r) && r.prefixes_added == 1 && r.prefixes_changed == 0,
	   "one peer's prefix twice: synced, counted once");
	is_u64(entries(m->fd[MAP_ALLOWED_IPS4]), 1, "one entry");
	add_peer(bad, 6, "192.0.2.0/24");
	add_peer(bad, 7, "198.51.100.0/24,192.0.2.0/24");
	ok(sync_device(m, bad, NULL, &r) == -EBADMSG &&
		   !strcmp(wgsf_error(-EBADMSG), "malformed reply from WireGuard: 192.0.2.0/24 is given "
					 "to two peers"),
	   "two peers' prefix: refused, naming it");
	ok(entries(m->fd[MAP_ALLOWED_IPS4]) == 1 && owner(m, "192.0.2.1") == slot_of(m, 6) &&
		   slot_of(m, 7) == -1,
	   "nothing of it applied");
	device_free(d);
	device_free(bad);
}

static int allowed_source(const struct maps *m, uint32_t slot, const char *addr)
{
	struct wgsf_verdict v = decide(m, addr);

	if (!v.found || (v.entry & WGSF_ENTRY_SLOT) != slot)
		return -1;
	return v.reason != WGSF_REASON_SOURCE;
}

/* Host routes go to the hash, the rest to the trie, and moves between the
 * two tables keep the longest match right. */
static void test_split(const struct maps *m)
{
	struct wg_device *d = device_new("wgsf-test");
	struct sync_result r;
	long a, b, c;

	add_peer(d, 11, "192.0.2.0/24,2001:db8:1::/48");
	add_peer(d, 12, "198.51.100.9/32");
	ok(!sync_device(m, d, NULL, &r), "split: first sync");
	a = slot_of(m, 11);
	b = slot_of(m, 12);
	ok(entries(m->fd[MAP_HOST_IPS4]) == 1 && entries(m->fd[MAP_ALLOWED_IPS4]) == 1 &&
		   entries(m->fd[MAP_HOST_IPS6]) == 0 && entries(m->fd[MAP_ALLOWED_IPS6]) == 1,
	   "split: the host route in the hash, the prefixes in the tries");
	device_free(d);

	d = device_new("wgsf-test");
	add_peer(d, 11, "192.0.2.0/24,2001:db8:1::/48");
	add_peer(d, 12, "192.0.2.77/32,2001:db8:1::5/128");
	add_peer(d, 13, "198.51.100.9/32");
	ok(!sync_device(m, d, NULL, &r), "split: host routes inside another peer's prefixes");
	c = slot_of(m, 13);
	is_u64(r.prefixes_changed, 1, "split: the moved host route changed owner in place");
	ok(owner(m, "192.0.2.77") == b && owner(m, "2001:db8:1::5") == b,
	   "split: the host routes win over the prefixes around them");
	ok(owner(m, "192.0.2.78") == a && owner(m, "2001:db8:1::6") == a,
	   "split: their neighbours stay with the prefix");
	ok(owner(m, "198.51.100.9") == c, "split: the moved host route names its new peer");
	ok(tables_match(m, d), "split: tables hold the device");
	device_free(d);

	d = device_new("wgsf-test");
	add_peer(d, 11, "192.0.2.0/24,2001:db8:1::/48");
	add_peer(d, 13, "198.51.100.9/32");
	ok(!sync_device(m, d, NULL, &r) && r.prefixes_removed == 2,
	   "split: the host routes inside the prefixes removed");
	ok(owner(m, "192.0.2.77") == a && owner(m, "2001:db8:1::5") == a,
	   "split: the prefix around them answers again");
	ok(entries(m->fd[MAP_HOST_IPS4]) == 1 && entries(m->fd[MAP_HOST_IPS6]) == 0,
	   "split: the hash holds only what is left");
	device_free(d);
}

/* A peer's allowed sources split the same way. */
static void test_policy_split(const struct maps *m)
{
	struct wg_device *d = device_new("wgsf-test");
	struct policy pol = { .mode = -1 };
	struct wgsf_config cfg;
	struct peer_rules *rules;
	struct sync_result r;
	struct prefix p;
	long a;

	add_peer(d, 21, "192.0.2.0/24");
	pol.peers = rules = calloc(1, sizeof(*rules));
	pol.n_peers = pol.cap_peers = 1;
	key_of(rules->public_key, 21);
	rules->has_sources = true;
	prefix_parse("192.0.2.5/32", &p);
	prefix_list_add(&rules->sources, &p);
	prefix_parse("192.0.2.128/25", &p);
	prefix_list_add(&rules->sources, &p);
	ok(!sync_device(m, d, &pol, &r), "policy split: sync");
	a = slot_of(m, 21);
	ok(entries(m->fd[MAP_SRC_HOSTS4]) == 1 && entries(m->fd[MAP_SRC_POLICY4]) == 1,
	   "policy split: the host source in the hash, the prefix in the trie");
	ok(allowed_source(m, a, "192.0.2.5") == 1 && allowed_source(m, a, "192.0.2.6") == 0 &&
		   allowed_source(m, a, "192.0.2.200") == 1,
	   "policy split: sources match in either table, and nothing else does");
	prefix_parse("192.0.2.6/32", &p);
	rules->sources.v[0] = p;
	ok(!sync_device(m, d, &pol, &r) && r.rules_added == 1 && r.rules_removed == 1,
	   "policy split: a host source replaced");
	ok(allowed_source(m, a, "192.0.2.5") == 0 && allowed_source(m, a, "192.0.2.6") == 1,
	   "policy split: the new host source matches, the old one no longer");
	ok(!config_read(m->fd[MAP_CONFIG], &cfg) && cfg.policied,
	   "policy split: the datapath is told that peers have policies");
	rules->has_sources = false;
	rules->sources.n = 0;
	ok(!sync_device(m, d, &pol, &r) && !config_read(m->fd[MAP_CONFIG], &cfg) && !cfg.policied,
	   "policy split: and that none has, once the last policy goes");
	policy_free(&pol);
	device_free(d);
}

/* A random device of up to 40 peers (of 60 keys) with prefixes drawn from a
 * pool of 120, each given to one peer at most, as WireGuard gives them. */
static struct wg_device *random_device(void)
{
	struct wg_device *d = device_new("wgsf-test");
	char aip[64];
	unsigned int i, owner;
	uint8_t key[WG_KEY_LEN];

	for (i = 0; i < 120; i++) {
		if (random() % 3 == 0)
			continue;
		owner = random() % 60;
		if (owner >= 40)
			continue;
		if (i % 3 == 0)
			snprintf(aip, sizeof(aip), "198.51.100.%u/32", i);
		else if (i % 3 == 1)
			snprintf(aip, sizeof(aip), "2001:db8:%x::/48", i);
		else
			snprintf(aip, sizeof(aip), "2001:db8::%x/128", i);
		add_peer(d, 100 + owner, aip);
	}
	key_of(key, 999); /* a peer without allowed IPs */
	if (random() % 2)
		device_peer(d, key);
	return d;
}

/* The cached sync writes what the full one would, whoever else writes. */
static void test_cached(const struct maps *m)
{
	struct sync_cache cache = {};
	struct wg_device *d;
	struct sync_result r;
	unsigned int round, bad = 0, slots_moved = 0, written = 0, cached = 0;
	long slot100 = -1, now;

	for (round = 0; round < 200; round++) {
		d = random_device();
		if (round % 17 == 16) {
			/* someone else syncs in between: the cache must not be trusted */
			if (sync_device(m, d, NULL, &r))
				bad++;
		}
		if (sync_device_cached(m, d, NULL, &cache, &r)) {
			bad++;
			device_free(d);
			continue;
		}
		written += r.prefixes_added + r.prefixes_changed + r.prefixes_removed;
		cached += r.from_cache;
		bad += !tables_match(m, d);
		now = device_find_peer(d, (uint8_t[WG_KEY_LEN]){ 100, [31] = 0x5a }) ? slot_of(m, 100)
										: -1;
		slots_moved += slot100 >= 0 && now >= 0 && now != slot100;
		slot100 = now;
	}
	is_u64(bad, 0, "cached: 200 random devices, each table as a full sync leaves it");
	is_u64(slots_moved, 0, "cached: a peer that stays keeps its slot");
	ok(written > 0, "cached: the syncs wrote %u entries", written);
	/* the first sync, and each after someone else's, reads the tables */
	is_u64(cached, 200 - 1 - 200 / 17, "cached: the others came from the cache");
	sync_cache_free(&cache);
}

static void test_capacity(const struct maps *m)
{
	uint32_t cap = map_capacity(m->fd[MAP_PEER_SLOTS]);
	struct wg_device *d = device_new("wgsf-test");
	struct sync_result r;
	char aip[PREFIX_STRLEN];
	unsigned int i;

	for (i = 0; i <= cap; i++) {
		snprintf(aip, sizeof(aip), "2001:db8:ffff:%x::/64", i);
		add_peer(d, 1000 + i, aip);
	}
	ok(sync_device(m, d, NULL, &r) == -ENOSPC, "more peers than slots is -ENOSPC");
	device_free(d);
}

/* n peers with a host route and a /64 each; the peers from `renamed` on
 * (up to `to`) under other keys. */
static struct wg_device *rekeyed_device(unsigned int n, unsigned int renamed, unsigned int to)
{
	struct wg_device *d = device_new("wgsf-test");
	char aips[96];
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(aips, sizeof(aips), "10.%u.%u.%u/32,2001:db8:%x:%x::/64", i >> 16,
			 (i >> 8) & 255, i & 255, i >> 16, i & 0xffff);
		add_peer(d, i >= renamed && i < to ? 2 * n + i : i, aips);
	}
	return d;
}

/* n peers; peer `renamed` under another key. */
static struct wg_device *big_device(unsigned int n, unsigned int renamed)
{
	return rekeyed_device(n, renamed, renamed + 1);
}

/* An allowed-IPs entry's value as the datapath finds it. */
static uint32_t value_of(const struct maps *m, const char *prefix)
{
	struct wgsf_lpm6_key key = {};
	struct prefix p;
	uint32_t v = 0;

	if (prefix_parse(prefix, &p))
		abort();
	key.prefixlen = p.cidr;
	memcpy(key.addr, p.addr, sizeof(key.addr));
	bpf_map_lookup_elem(m->fd[allowedip_map(&p)], &key, &v);
	return v & ~WGSF_ENTRY_SLOT;
}

/* Entries say what their peer's policy says of all their sources, where
 * one answer holds for all; else nothing, and the datapath asks. */
static void test_entry_bits(void)
{
	struct capacity cap = { .peers = 8, .prefixes = 64, .hosts = 64,
				.policy_prefixes = 64, .policy_hosts = 64 };
	struct wgsf *skel = datapath_load(&cap, L3_OFFSET_NONE);
	struct wg_device *d = device_new("wgsf-test");
	struct policy pol = { .mode = -1 };
	struct peer_rules *r;
	struct sync_result res;
	struct prefix p;
	struct maps m;

	if (!ok(skel != NULL, "entry bits: load"))
		goto out;
	maps_from_skel(skel, &m);
	add_peer(d, 1, "192.0.2.0/24,192.0.2.77/32,198.51.100.0/24,203.0.113.9/32");
	add_peer(d, 2, "203.0.113.0/28");
	add_peer(d, 3, "2001:db8::/64");
	pol.peers = r = calloc(2, sizeof(*r));
	pol.n_peers = pol.cap_peers = 2;
	key_of(r[0].public_key, 1);
	r[0].has_sources = true;
	prefix_parse("198.51.100.7/32", &p);
	rule_list_add(&r[0].rules, &(struct rule){ .dst = p, .any_proto = true, .hi = 65535 });
	prefix_parse("192.0.2.64/26", &p); /* inside 192.0.2.0/24, holding .77 */
	prefix_list_add(&r[0].sources, &p);
	prefix_parse("198.51.0.0/16", &p); /* holding 198.51.100.0/24 */
	prefix_list_add(&r[0].sources, &p);
	key_of(r[1].public_key, 2);
	r[1].blocked = true;
	ok(!sync_device(&m, d, &pol, &res), "entry bits: sync");
	is_u64(value_of(&m, "192.0.2.0/24"), 0, "entry bits: a prefix its allowed sources split: none");
	is_u64(value_of(&m, "192.0.2.77/32"), WGSF_ENTRY_POLICY | WGSF_ENTRY_DST,
	       "entry bits: a host route inside them: allowed, destinations to ask");
	is_u64(value_of(&m, "198.51.100.0/24"), WGSF_ENTRY_POLICY | WGSF_ENTRY_DST,
	       "entry bits: a prefix inside one: allowed");
	is_u64(value_of(&m, "203.0.113.9/32"),
	       WGSF_ENTRY_POLICY | WGSF_ENTRY_SRC_OUT | WGSF_ENTRY_DST,
	       "entry bits: a host route outside them: a source violation");
	is_u64(value_of(&m, "203.0.113.0/28"), WGSF_ENTRY_POLICY | WGSF_ENTRY_BLOCKED,
	       "entry bits: a blocked peer's");
	is_u64(value_of(&m, "2001:db8::/64"), WGSF_ENTRY_POLICY, "entry bits: a peer without rules");
	r[1].blocked = false;
	ok(!sync_device(&m, d, &pol, &res) && res.prefixes_changed == 0 &&
		   value_of(&m, "203.0.113.0/28") == WGSF_ENTRY_POLICY,
	   "entry bits: unblocked, its entry is written again, which is no change of owner");
	/* [Group *]: every peer, listed or not, a member */
	pol.groups = calloc(1, sizeof(*pol.groups));
	pol.n_groups = pol.cap_groups = 1;
	strcpy(pol.groups[0].name, "*");
	pol.groups[0].blocked = true;
	ok(!sync_device(&m, d, &pol, &res) &&
		   value_of(&m, "2001:db8::/64") == (WGSF_ENTRY_POLICY | WGSF_ENTRY_BLOCKED) &&
		   value_of(&m, "203.0.113.0/28") == (WGSF_ENTRY_POLICY | WGSF_ENTRY_BLOCKED) &&
		   value_of(&m, "192.0.2.77/32") == (WGSF_ENTRY_POLICY | WGSF_ENTRY_BLOCKED),
	   "entry bits: Block in [Group *] blocks every peer, one the policy does not list too");
	wgsf__destroy(skel);
out:
	policy_free(&pol);
	device_free(d);
}

/* A sync whose old and new entries together outgrow the maps says so before
 * it writes anything, and how much they need. */
static void test_need(void)
{
	struct capacity cap = { .peers = 64, .prefixes = 1024, .hosts = 64,
				.policy_prefixes = 16, .policy_hosts = 16 };
	struct wgsf *skel = datapath_load(&cap, L3_OFFSET_NONE);
	struct wg_device *a = rekeyed_device(40, 40, 40), *b = rekeyed_device(40, 0, 40);
	struct sync_result r;
	struct maps m;

	if (!ok(skel != NULL, "need: load with 64 slots"))
		return;
	maps_from_skel(skel, &m);
	ok(!sync_device(&m, a, NULL, &r), "need: 40 peers fit");
	is_u64(sync_device(&m, b, NULL, &r), -ENOSPC, "need: all 40 re-keyed do not, beside the old");
	is_u64(r.need.peers, 80, "need: the 40 departed and the 40 new peers: 80 slots");
	is_u64(r.need.hosts, 40, "need: the host routes only change owner: 40");
	ok(tables_match(&m, a) && slot_of(&m, 0) == 0, "need: nothing was written");
	device_free(a);
	device_free(b);
	wgsf__destroy(skel);
}

/* Past the largest peer maps, the departed make room first: a device of
 * 200,000 peers, half of them re-keyed, in one sync. */
static void test_free_first(void)
{
	const unsigned int n = 200000, half = n / 2;
	struct capacity cap = { .peers = WGSF_MAX_PEERS, .prefixes = 262144, .hosts = 262144,
				.policy_prefixes = 16, .policy_hosts = 16 };
	struct wgsf *skel = datapath_load(&cap, L3_OFFSET_NONE);
	struct wg_device *a = rekeyed_device(n, n, n), *b = rekeyed_device(n, half, n);
	struct sync_result r;
	struct maps m;
	int kept;

	if (!ok(skel != NULL, "free first: load with %u slots", WGSF_MAX_PEERS))
		goto out;
	maps_from_skel(skel, &m);
	ok(!sync_device(&m, a, NULL, &r), "free first: sync %u peers", n);
	kept = slot_of(&m, 7);
	set_rx(&m, kept, 5);
	ok(!sync_device(&m, b, NULL, &r), "free first: %u of them re-keyed, in one sync", half);
	is_u64(r.peers_added * 1000000 + r.peers_removed, half * 1000001ull,
	       "free first: %u peers removed and %u added", half, half);
	ok(tables_match(&m, b), "free first: the tables hold the new device");
	ok(slot_of(&m, 7) == kept && rx_of(&m, kept) == 5, "free first: a kept peer kept its counters");
	wgsf__destroy(skel);
out:
	device_free(a);
	device_free(b);
}

/* One changed peer among many writes that peer's prefixes only. */
static void test_large(void)
{
	const unsigned int n = 100000;
	struct capacity cap = { .peers = 131072, .prefixes = 262144, .hosts = 262144,
				.policy_prefixes = 16, .policy_hosts = 16 };
	struct wgsf *skel = datapath_load(&cap, L3_OFFSET_NONE);
	struct wg_device *d = big_device(n, n);
	struct sync_result r;
	struct maps m;

	if (!ok(skel != NULL, "load with %u peer slots", cap.peers))
		return;
	maps_from_skel(skel, &m);
	ok(!sync_device(&m, d, NULL, &r), "sync %u peers", n);
	is_u64(r.prefixes_added, 2 * n, "every prefix added once");
	device_free(d);
	d = big_device(n, 777);
	ok(!sync_device(&m, d, NULL, &r), "sync with one peer's key replaced");
	is_u64(r.peers_added, 1, "one peer added");
	is_u64(r.peers_removed, 1, "one peer removed");
	is_u64(r.prefixes_added + r.prefixes_changed + r.prefixes_removed, 2,
	       "only that peer's two prefixes were written");
	ok(tables_match(&m, d), "tables hold the device");
	device_free(d);
	wgsf__destroy(skel);
}

int main(void)
{
	struct capacity cap = { .peers = 64, .prefixes = 1024, .hosts = 1024,
				.policy_prefixes = 16, .policy_hosts = 16 };
	struct wgsf *skel;
	struct maps m;

	require_root_bpf();
	libbpf_set_print(NULL);
	srandom(test_seed());
	skel = datapath_load(&cap, L3_OFFSET_NONE);
	if (!ok(skel != NULL, "load the datapath"))
		return done_testing();
	maps_from_skel(skel, &m);
	test_changes(&m);
	test_duplicates(&m);
	test_split(&m);
	test_policy_split(&m);
	test_cached(&m);
	test_capacity(&m);
	wgsf__destroy(skel);
	test_large();
	test_need();
	test_free_first();
	test_entry_bits();
	return done_testing();
}
