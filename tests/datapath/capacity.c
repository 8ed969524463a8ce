// SPDX-License-Identifier: GPL-2.0-only
/*
 * The largest tables wgsf supports: 262,144 peer slots and 1,000,000
 * allowed-IPs host routes per family, filled to the last entry on the hook,
 * and packets attributed at their far ends, policy included. The addresses
 * (240.0.0.0/4, 2001:db8::/32) never leave BPF_PROG_TEST_RUN.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "packet.h"
#include "tap.h"

#define PEERS WGSF_MAX_PEERS
#define PREFIXES WGSF_MAX_PREFIXES
#define CHUNK 65536u
#define TOP_SLOT (PEERS - 1)
#define IP_LEN 100

/* Entry i: a host route in 240.0.0.0/4 or 2001:db8::/32, owned by slot i % PEERS. */
static struct prefix entry(unsigned int i, uint8_t family)
{
	struct prefix p = { .family = family, .cidr = prefix_bits(family) };

	if (family == AF_INET) {
		p.addr[0] = 240 | i >> 24;
		p.addr[1] = i >> 16;
		p.addr[2] = i >> 8;
		p.addr[3] = i;
	} else {
		memcpy(p.addr, "\x20\x01\x0d\xb8", 4);
		p.addr[13] = i >> 16;
		p.addr[14] = i >> 8;
		p.addr[15] = i;
	}
	return p;
}

static void key_at(void *keys, size_t j, const struct prefix *p)
{
	struct wgsf_lpm4_key *k4 = (struct wgsf_lpm4_key *)keys + j;
	struct wgsf_lpm6_key *k6 = (struct wgsf_lpm6_key *)keys + j;

	if (p->family == AF_INET) {
		k4->prefixlen = p->cidr;
		memcpy(k4->addr, p->addr, sizeof(k4->addr));
	} else {
		k6->prefixlen = p->cidr;
		memcpy(k6->addr, p->addr, sizeof(k6->addr));
	}
}

/* One entry at a time, for a kernel without batch updates. */
static int fill_one_by_one(const struct maps *m, uint8_t family, unsigned int from)
{
	struct prefix p;
	unsigned int i;
	int err = 0;

	for (i = from; i < PREFIXES && !err; i++) {
		p = entry(i, family);
		err = allowedip_write(m, &p, i % PEERS);
	}
	return err;
}

/* Every entry, CHUNK to a bpf_map_update_batch() call, or one by one when
 * the first call fails; sets *batched. */
static int fill(const struct maps *m, uint8_t family, bool *batched)
{
	int fd = m->fd[family == AF_INET ? MAP_HOST_IPS4 : MAP_HOST_IPS6];
	struct wgsf_lpm6_key *keys = calloc(CHUNK, sizeof(*keys));
	uint32_t *slots = calloc(CHUNK, sizeof(*slots));
	unsigned int i, j, n;
	struct prefix p;
	__u32 count;
	int err = keys && slots ? 0 : -ENOMEM;

	*batched = true;
	for (i = 0; i < PREFIXES && !err; i += n) {
		n = PREFIXES - i < CHUNK ? PREFIXES - i : CHUNK;
		for (j = 0; j < n; j++) {
			p = entry(i + j, family);
			key_at(keys, j, &p);
			slots[j] = (i + j) % PEERS;
		}
		count = n;
		if (!bpf_map_update_batch(fd, keys, slots, &count, NULL))
			continue;
		err = -errno;
		if (i == 0) {
			*batched = false;
			err = fill_one_by_one(m, family, 0);
			break;
		}
	}
	free(keys);
	free(slots);
	return err;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void fill_both_families(const struct hook_under_test *h)
{
	static const uint8_t families[] = { AF_INET, AF_INET6 };
	bool batched;
	double t;
	size_t f;

	for (f = 0; f < sizeof(families); f++) {
		t = now_s();
		if (ok(!fill(&h->maps, families[f], &batched), "%s: %u IPv%d host routes", h->name,
		       PREFIXES, families[f] == AF_INET ? 4 : 6))
			diag("  %.2f s, %s", now_s() - t,
			     batched ? "bpf_map_update_batch" : "one update per entry");
	}
}

/* The host tables hold exactly PREFIXES: one more is refused. */
static void full(const struct hook_under_test *h)
{
	struct prefix extra = entry(PREFIXES, AF_INET);

	is_u64(allowedip_write(&h->maps, &extra, 0), -ENOSPC,
	       "%s: prefix %u does not fit", h->name, PREFIXES + 1);
}

/* The top slot may send from entry TOP_SLOT only, and enforce drops the rest. */
static int top_slot_policy(const struct hook_under_test *h)
{
	struct prefix only = entry(TOP_SLOT, AF_INET);

	return datapath_set_mode(h->maps.fd[MAP_CONFIG], WGSF_MODE_ENFORCE) ?:
	       policy_prefix_write(&h->maps, false, TOP_SLOT, &only, 1) ?:
	       policy_flags_write(&h->maps, TOP_SLOT, WGSF_PEER_SRC_POLICY, 0);
}

static void send_from(const struct hook_under_test *h, const struct prefix *src, bool drop)
{
	char a[PREFIX_STRLEN];
	struct prefix dst;
	struct packet pkt;

	addr_parse(src->family == AF_INET ? "198.51.100.1" : "2001:db8:ffff::1", &dst);
	packet_ip(&pkt, h->l3, src, &dst, IP_LEN);
	is_u64(hook_run(h, &pkt), drop ? h->drop : h->pass, "%s: packet from %s %s", h->name,
	       addr_format(src, a), drop ? "dropped" : "passes");
}

static void counted(const struct hook_under_test *h, uint32_t slot, uint64_t rx,
		    uint64_t source_violations)
{
	struct wgsf_peer_stats st;

	ok(!stats_read_peer(h->maps.fd[MAP_PEER_STATS], slot, &st) && st.rx_packets == rx &&
		   st.rx_bytes == rx * IP_LEN &&
		   st.violations[WGSF_REASON_SOURCE] == source_violations &&
		   st.violation_packets == source_violations &&
		   st.drop_packets == source_violations,
	   "%s: slot %u counted %llu packets, %llu source violations and as many drops",
	   h->name, slot, (unsigned long long)rx, (unsigned long long)source_violations);
}

static void attribute(const struct hook_under_test *h)
{
	struct prefix p, outside = entry(PREFIXES, AF_INET);
	struct wgsf_dev_stats d;

	if (!ok(!top_slot_policy(h), "%s: enforce a source policy on slot %u", h->name, TOP_SLOT))
		return;
	p = entry(TOP_SLOT, AF_INET);
	send_from(h, &p, false);
	p = entry(TOP_SLOT + PEERS, AF_INET);
	send_from(h, &p, true);
	counted(h, TOP_SLOT, 2, 1);
	p = entry(PREFIXES - 1, AF_INET);
	send_from(h, &p, false);
	counted(h, (PREFIXES - 1) % PEERS, 1, 0);
	p = entry(PREFIXES - 2, AF_INET6);
	send_from(h, &p, false);
	counted(h, (PREFIXES - 2) % PEERS, 1, 0);
	p = entry(0, AF_INET6);
	send_from(h, &p, false);
	counted(h, 0, 1, 0);
	send_from(h, &outside, false);
	ok(!stats_read_dev(h->maps.fd[MAP_DEV_STATS], &d) && d.unknown_packets == 1,
	   "%s: the address past the last entry is unknown", h->name);
}

int main(void)
{
	struct capacity cap = { .peers = PEERS, .prefixes = PREFIXES, .hosts = PREFIXES,
				.policy_prefixes = 16, .policy_hosts = 16 };
	struct hook_under_test hooks[HOOKS];
	size_t h;

	require_root_bpf();
	libbpf_set_print(NULL);
	if (!ok(!hooks_load(hooks, &cap), "the hook loads with %u peer slots and %u prefixes "
	       "per family", PEERS, PREFIXES))
		return done_testing();
	for (h = 0; h < HOOKS; h++) {
		ok(stats_slots(hooks[h].maps.fd[MAP_PEER_STATS]) == PEERS &&
			   map_capacity(hooks[h].maps.fd[MAP_PEER_POLICY]) == PEERS &&
			   map_capacity(hooks[h].maps.fd[MAP_HOST_IPS4]) == PREFIXES &&
			   map_capacity(hooks[h].maps.fd[MAP_HOST_IPS6]) == PREFIXES,
		   "%s: the maps have that capacity", hooks[h].name);
		fill_both_families(&hooks[h]);
		full(&hooks[h]);
		attribute(&hooks[h]);
	}
	hooks_destroy(hooks);
	return done_testing();
}
