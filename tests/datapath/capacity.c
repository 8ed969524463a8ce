// SPDX-License-Identifier: GPL-2.0-only
/*
 * The largest tables the issue asks for: 65,536 peer slots and 1,000,000
 * prefixes per family, filled, and packets attributed at their far ends.
 * Only map contents: no packet leaves BPF_PROG_TEST_RUN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "packet.h"
#include "tap.h"

#define PEERS 65536u
#define PREFIXES 1000000u

/* Entry i: host route i inside 240.0.0.0/4 or 2001:db8::/32, owned by slot i % PEERS. */
static void entry(unsigned int i, int v6, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = v6 ? AF_INET6 : AF_INET;
	p->cidr = v6 ? 128 : 32;
	if (v6) {
		memcpy(p->addr, "\x20\x01\x0d\xb8", 4);
		p->addr[12] = i >> 24;
		p->addr[13] = i >> 16;
		p->addr[14] = i >> 8;
		p->addr[15] = i;
	} else {
		p->addr[0] = 240 | (i >> 24);
		p->addr[1] = i >> 16;
		p->addr[2] = i >> 8;
		p->addr[3] = i;
	}
}

/* One batch call per chunk where the kernel supports it on LPM tries, else
 * one update per entry. */
static int fill(const struct maps *m, int v6)
{
	const unsigned int chunk = 65536;
	int fd = m->fd[v6 ? MAP_ALLOWED_IPS6 : MAP_ALLOWED_IPS4];
	struct wgsf_lpm6_key *keys = calloc(chunk, sizeof(*keys));
	size_t ksize = v6 ? sizeof(struct wgsf_lpm6_key) : sizeof(struct wgsf_lpm4_key);
	uint32_t *slots = calloc(chunk, sizeof(*slots));
	unsigned int i, j, n;
	struct prefix p;
	int err = 0;

	for (i = 0; i < PREFIXES && !err; i += n) {
		n = PREFIXES - i < chunk ? PREFIXES - i : chunk;
		for (j = 0; j < n; j++) {
			entry(i + j, v6, &p);
			memcpy((char *)keys + j * ksize, &(uint32_t){ p.cidr }, 4);
			memcpy((char *)keys + j * ksize + 4, p.addr, v6 ? 16 : 4);
			slots[j] = (i + j) % PEERS;
		}
		__u32 count = n;
		if (bpf_map_update_batch(fd, keys, slots, &count, NULL)) {
			for (j = 0; j < n && !err; j++) {
				entry(i + j, v6, &p);
				err = allowedip_write(m, &p, slots[j]);
			}
		}
	}
	free(keys);
	free(slots);
	return err;
}

static void attribute(const struct hook_under_test *h, unsigned int i, int v6)
{
	struct prefix src, dst;
	struct wgsf_peer_stats st;
	struct packet pkt;
	uint32_t slot = i % PEERS;

	entry(i, v6, &src);
	addr_parse(v6 ? "2001:db8:ffff::1" : "198.51.100.1", &dst);
	packet_ip(&pkt, h->l3, &src, &dst, 100);
	is_u64(hook_run(h, &pkt), h->pass, "%s: packet from entry %u (IPv%d) passes", h->name, i,
	       v6 ? 6 : 4);
	ok(!stats_read_peer(h->maps.fd[MAP_PEER_STATS], slot, &st) && st.rx_packets == 1 &&
		   st.rx_bytes == 100,
	   "%s: counted once for slot %u", h->name, slot);
}

int main(void)
{
	struct capacity cap = { .peers = PEERS, .prefixes = PREFIXES, .policy_prefixes = 16 };
	struct hook_under_test hooks[2];

	require_root_bpf();
	libbpf_set_print(NULL);
	if (!ok(!hooks_load(hooks, &cap), "load with %u peers and %u prefixes per family", PEERS,
		PREFIXES))
		return done_testing();
	ok(map_capacity(hooks[1].maps.fd[MAP_PEER_STATS]) == PEERS &&
		   map_capacity(hooks[1].maps.fd[MAP_ALLOWED_IPS6]) == PREFIXES,
	   "the maps have that capacity");
	/* one program is enough to prove the tables; both hooks read them */
	ok(!fill(&hooks[1].maps, 0), "%u IPv4 host routes", PREFIXES);
	ok(!fill(&hooks[1].maps, 1), "%u IPv6 host routes", PREFIXES);
	attribute(&hooks[1], PEERS - 1, 0);
	attribute(&hooks[1], PREFIXES - 1, 0);
	attribute(&hooks[1], PREFIXES - 2, 1);
	attribute(&hooks[1], 0, 1);
	hooks_destroy(hooks);
	return done_testing();
}
