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

#include "datapath.h"
#include "sync.h"
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
			want[nw] = (struct table_entry){ dev->peers[i].allowedips[j], slot[i] };
	qsort(want, nw, sizeof(*want), entry_cmp);
	same = nh == nw && !memcmp(have, want, nw * sizeof(*want));
	free(have);
	free(want);
	free(slots);
	free(slot);
	return same;
}

static void set_rx(const struct maps *m, uint32_t slot, uint64_t packets)
{
	int ncpus = libbpf_num_possible_cpus();
	struct wgsf_peer_stats *v = calloc(ncpus, sizeof(*v));

	v[0].rx_packets = packets;
	if (bpf_map_update_elem(m->fd[MAP_PEER_STATS], &slot, v, 0))
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

static void test_capacity(const struct maps *m)
{
	uint32_t cap = map_capacity(m->fd[MAP_PEER_SLOTS]);
	struct wg_device *d = device_new("wgsf-test");
	struct sync_result r;
	unsigned int i;

	for (i = 0; i <= cap; i++)
		add_peer(d, 1000 + i, "2001:db8:ffff::/48");
	ok(sync_device(m, d, NULL, &r) == -ENOSPC, "more peers than slots is -ENOSPC");
	device_free(d);
}

/* n peers with a host route and a /64 each; peer `renamed` under another key. */
static struct wg_device *big_device(unsigned int n, unsigned int renamed)
{
	struct wg_device *d = device_new("wgsf-test");
	char aips[96];
	unsigned int i;

	for (i = 0; i < n; i++) {
		snprintf(aips, sizeof(aips), "10.%u.%u.%u/32,2001:db8:%x:%x::/64", i >> 16,
			 (i >> 8) & 255, i & 255, i >> 16, i & 0xffff);
		add_peer(d, i == renamed ? 2 * n : i, aips);
	}
	return d;
}

/* One changed peer among many writes that peer's prefixes only. */
static void test_large(void)
{
	const unsigned int n = 100000;
	struct capacity cap = { .peers = 131072, .prefixes = 262144, .policy_prefixes = 16 };
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
	struct capacity cap = { .peers = 64, .prefixes = 1024, .policy_prefixes = 16 };
	struct wgsf *skel;
	struct maps m;

	require_root_bpf();
	libbpf_set_print(NULL);
	skel = datapath_load(&cap, L3_OFFSET_NONE);
	if (!ok(skel != NULL, "load the datapath"))
		return done_testing();
	maps_from_skel(skel, &m);
	test_changes(&m);
	test_capacity(&m);
	wgsf__destroy(skel);
	test_large();
	return done_testing();
}
