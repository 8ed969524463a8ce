// SPDX-License-Identifier: GPL-2.0-only
/*
 * Counters across growths of the maps (tables/carry.h), on the real maps
 * and programs. A growth is replayed as attach does it, with packets run
 * through BPF_PROG_TEST_RUN: the next generation is loaded on larger maps
 * and synced while the older program still counts, then the hook switch,
 * after which the new program counts. Twice, so that the second growth
 * carries over what the first left in peer_stats_prev. The readers' sum
 * (stats_read_peers) holds every packet, and never goes back; a slot that
 * is reused starts from zero in both maps; the sum takes the newest stamps
 * across the two maps as across CPUs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tables/carry.h"
#include "tables/sync.h"
#include "packet.h"
#include "tap.h"

#define IP_LEN 100

static struct capacity with_slots(uint32_t peers)
{
	return (struct capacity){ .peers = peers, .prefixes = 64, .hosts = 64,
				  .policy_prefixes = 16, .policy_hosts = 16 };
}

/* The generation after old, on maps of peers slots that take old's over. */
static int grow(const struct hook_under_test *old, uint32_t peers, struct hook_under_test *next)
{
	struct capacity cap = with_slots(peers);

	*next = *old;
	next->skel = carry_load(&cap, old->l3, &old->maps, &next->maps);
	if (!next->skel)
		return -errno;
	next->prog_fd = bpf_program__fd(next->skel->progs.wgsf_tc);
	return 0;
}

/* Peers first to last but skip, peer i with a key of bytes i and 192.0.2.i/32. */
static struct wg_device *peers(unsigned int first, unsigned int last, unsigned int skip)
{
	struct wg_device *d = device_new("wgsf-test");
	uint8_t key[WG_KEY_LEN];
	struct prefix p;
	unsigned int i;
	char a[32];

	for (i = first; d && i <= last; i++) {
		if (i == skip)
			continue;
		memset(key, i, sizeof(key));
		snprintf(a, sizeof(a), "192.0.2.%u/32", i);
		if (prefix_parse(a, &p) || peer_add_allowedip(device_peer(d, key), &p))
			abort();
	}
	return d;
}

static bool synced(const struct hook_under_test *h, struct wg_device *d)
{
	struct sync_result r;
	int err = d ? sync_device(&h->maps, d, NULL, &r) : -ENOMEM;

	device_free(d);
	return !err;
}

/* n packets from peer i through h's program, all passed. */
static bool send_from(const struct hook_under_test *h, unsigned int i, unsigned int n)
{
	struct prefix src, dst;
	struct packet pkt;
	char a[32];

	snprintf(a, sizeof(a), "192.0.2.%u", i);
	addr_parse(a, &src);
	addr_parse("198.51.100.1", &dst);
	packet_ip(&pkt, h->l3, &src, &dst, IP_LEN);
	while (n--)
		if (hook_run(h, &pkt) != h->pass)
			return false;
	return true;
}

/* A slot's counters as the readers give them; UINT64_MAX packets when they
 * cannot be read. */
static struct wgsf_peer_stats read_slot(const struct hook_under_test *h, uint32_t slot)
{
	uint32_t cap = map_capacity(h->maps.fd[MAP_PEER_SLOTS]);
	struct wgsf_peer_stats *all = calloc(cap + 1, sizeof(*all)), st = { .rx_packets = -1 };

	if (all && slot < cap && !stats_read_peers(&h->maps, cap, all))
		st = all[slot];
	free(all);
	return st;
}

static uint64_t rx(const struct hook_under_test *h, uint32_t slot)
{
	return read_slot(h, slot).rx_packets;
}

/*
 * Peer 1 (slot 0) sends through each program in turn, a power of two of
 * packets at each step, so that a sum short of the whole says which step
 * was lost. g[0] counts; g[1] is loaded and synced with 3 more peers while
 * g[0] counts on, then takes over; g[2] likewise over g[1]. Peer 4, new
 * with g[1], counts through g[0] (which already finds it in the allowed-IPs
 * tables they share) and g[1] (1 + 2 packets).
 */
static void test_growths(struct hook_under_test g[3])
{
	ok(synced(&g[0], peers(1, 3, 0)) && send_from(&g[0], 1, 1), "g0: 3 peers, 1 packet from peer 1");
	is_u64(rx(&g[0], 0), 1, "g0: counted");
	if (!ok(!grow(&g[0], 8, &g[1]), "g1: loaded on maps of 8 slots, taking g0's over"))
		return;
	is_u64(rx(&g[1], 0), 1, "g1: its readers see g0's count from the start");
	ok(send_from(&g[0], 1, 2) && synced(&g[1], peers(1, 6, 0)) && send_from(&g[0], 1, 4) &&
		   send_from(&g[0], 4, 1),
	   "g1: synced with 6 peers while g0 counts 2 and 4 packets from peer 1, 1 from peer 4");
	is_u64(rx(&g[1], 0), 7, "g1: g0's counts since the growth are in g1's sum");
	ok(send_from(&g[1], 1, 8) && send_from(&g[1], 4, 2), "switch to g1: 8 packets from peer 1, 2 from peer 4");
	is_u64(rx(&g[1], 0), 15, "g1: every packet of peer 1 in the sum");
	is_u64(rx(&g[1], 3), 3, "g1: and of peer 4");
	if (!ok(!grow(&g[1], 16, &g[2]), "g2: loaded on maps of 16 slots, taking g1's over"))
		return;
	is_u64(rx(&g[2], 0), 15, "g2: its readers see g1's sum from the start");
	ok(send_from(&g[1], 1, 16) && synced(&g[2], peers(1, 12, 0)),
	   "g2: synced with 12 peers while g1 counts 16 packets");
	ok(send_from(&g[2], 1, 32), "switch to g2: 32 packets");
	is_u64(rx(&g[2], 0), 63, "g2: every packet of peer 1 in the sum, after two growths");
	is_u64(rx(&g[2], 3), 3, "g2: and of peer 4");
	is_u64(read_slot(&g[2], 0).rx_bytes, 63 * IP_LEN, "g2: and every byte");
}

/* Peer 1 leaves g[2]; the next sync gives its slot, whose counts lie in
 * both maps, to peer 13, which starts from zero. */
static void test_reuse(struct hook_under_test g[3])
{
	ok(synced(&g[2], peers(1, 12, 1)), "reuse: peer 1 leaves");
	ok(synced(&g[2], peers(2, 13, 0)), "reuse: peer 13 comes");
	is_u64(rx(&g[2], 0), 0, "reuse: peer 13 takes peer 1's slot, zeroed in both maps");
	ok(send_from(&g[2], 13, 1), "reuse: a packet from peer 13");
	is_u64(rx(&g[2], 0), 1, "reuse: counted alone");
}

/* One copy per CPU of slot's counters in map id: cpu0 on the first CPU,
 * the rest zero. */
static int set_counters(const struct hook_under_test *h, enum map_id id, uint32_t slot,
			const struct wgsf_peer_stats *cpu0)
{
	struct wgsf_peer_stats *v = calloc(stats_cpus(), sizeof(*v));
	int err;

	if (!v)
		return -ENOMEM;
	v[0] = *cpu0;
	err = stats_write_peer(h->maps.fd[id], slot, v);
	free(v);
	return err;
}

/* Counters add up across the two maps; each stamp, and what it stamps, is
 * the newer map's; a slot past peer_stats_prev's end is peer_stats' alone. */
static void test_merge(const struct hook_under_test *h)
{
	struct wgsf_peer_stats now = { .rx_packets = 1, .last_seen_ns = 300,
				       .violation_packets = 1, .last_violation_ns = 100,
				       .last_violation_reason = WGSF_REASON_SOURCE,
				       .last_violation_src = { .addr = { 10 }, .version = 4 } };
	struct wgsf_peer_stats before = { .rx_packets = 2, .last_seen_ns = 200,
					  .violation_packets = 3, .last_violation_ns = 400,
					  .last_violation_reason = WGSF_REASON_BLOCKED,
					  .last_violation_src = { .addr = { 20 }, .version = 4 } };
	uint32_t past = stats_slots(h->maps.fd[MAP_PEER_STATS_PREV]);
	struct wgsf_peer_stats st;

	if (!ok(!set_counters(h, MAP_PEER_STATS, 5, &now) &&
			!set_counters(h, MAP_PEER_STATS_PREV, 5, &before) &&
			!set_counters(h, MAP_PEER_STATS, past, &now),
		"merge: counters written to both maps"))
		return;
	st = read_slot(h, 5);
	ok(st.rx_packets == 3 && st.violation_packets == 4, "merge: counters add up");
	is_u64(st.last_seen_ns, 300, "merge: the newer last-seen stamp, from peer_stats");
	ok(st.last_violation_ns == 400 && st.last_violation_reason == WGSF_REASON_BLOCKED &&
		   st.last_violation_src.addr[0] == 20,
	   "merge: the newer violation, from peer_stats_prev, with its reason and source");
	st = read_slot(h, past);
	ok(st.rx_packets == 1 && st.last_violation_ns == 100,
	   "merge: slot %u, past peer_stats_prev's end, is peer_stats' alone", past);
}

int main(void)
{
	struct capacity cap = with_slots(4);
	struct hook_under_test g[3] = {};
	int i;

	require_root_bpf();
	libbpf_set_print(NULL);
	if (!ok(!hook_load(&g[0], &cap), "g0: loaded on maps of 4 slots"))
		return done_testing();
	is_u64(stats_slots(g[0].maps.fd[MAP_PEER_STATS_PREV]), 1,
	       "g0: a first load's peer_stats_prev has one slot");
	test_growths(g);
	if (g[2].skel) {
		is_u64(stats_slots(g[2].maps.fd[MAP_PEER_STATS_PREV]), 8,
		       "g2: its peer_stats_prev is g1's peer_stats, of 8 slots");
		test_reuse(g);
		test_merge(&g[2]);
	}
	for (i = 0; i < 3; i++)
		hook_destroy(&g[i]);
	return done_testing();
}
