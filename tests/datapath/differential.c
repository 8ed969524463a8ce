// SPDX-License-Identifier: GPL-2.0-only
/*
 * Differential test: random allowed-IPs tables (nested and overlapping
 * prefixes owned by different peers), random policies and random packets,
 * run through both hooks with BPF_PROG_TEST_RUN and compared, verdict by
 * verdict and counter by counter, with the reference model.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "packet.h"
#include "reference.h"
#include "tap.h"

#define PACKETS_PER_ROUND 2600
#define MAX_REPORTED 5

static unsigned int rnd(unsigned int n)
{
	return n ? (unsigned int)random() % n : 0;
}

static void random_bytes(uint8_t *b, size_t n)
{
	while (n--)
		*b++ = random();
}

/* Lengths lean long, as real tables do, with /0 and everything between. */
static struct prefix random_prefix(const struct reference *r)
{
	struct prefix p = { .family = rnd(2) ? AF_INET : AF_INET6 };
	unsigned int bits = prefix_bits(p.family);

	if (r->aips.n && rnd(3) == 0) {
		/* nested inside an existing prefix, usually of another peer */
		const struct prefix *outer = &r->aips.v[rnd(r->aips.n)];

		p = *outer;
		bits = prefix_bits(p.family);
		random_bytes(p.addr + 0, 16);
		for (unsigned int i = 0; i < outer->cidr; i++)
			if (outer->addr[i / 8] & (0x80 >> (i % 8)))
				p.addr[i / 8] |= 0x80 >> (i % 8);
			else
				p.addr[i / 8] &= ~(0x80 >> (i % 8));
		p.cidr = outer->cidr + rnd(bits - outer->cidr + 1);
	} else {
		random_bytes(p.addr, 16);
		p.cidr = rnd(8) == 0 ? rnd(bits + 1) : bits - rnd(bits / 4 + 1);
	}
	prefix_normalise(&p);
	return p;
}

/* An address inside p, host bits random. */
static struct prefix inside(const struct prefix *p)
{
	struct prefix a = *p;
	unsigned int i, bits = prefix_bits(p->family);

	for (i = p->cidr; i < bits; i++)
		if (rnd(2))
			a.addr[i / 8] |= 0x80 >> (i % 8);
	a.cidr = bits;
	return a;
}

static void build_tables(struct reference *r)
{
	size_t s, k, n;
	struct prefix p;

	for (s = 0; s < r->n_peers; s++) {
		for (k = 0, n = 1 + rnd(3); k < n; k++) {
			p = random_prefix(r);
			ref_add_allowedip(r, &p, s);
		}
		switch (rnd(12)) {
		case 0:
			r->peers[s].flags |= WGSF_PEER_BLOCKED;
			break;
		case 1: case 2:
			for (k = 0, n = 1 + rnd(2); k < n; k++) {
				p = random_prefix(r);
				ref_add_policy(r, false, s, &p);
			}
			break;
		case 3: case 4:
			for (k = 0, n = 1 + rnd(2); k < n; k++) {
				p = random_prefix(r);
				ref_add_policy(r, true, s, &p);
			}
			break;
		}
	}
}

static struct prefix random_source(const struct reference *r, const struct prefix *dst)
{
	struct prefix a;

	if (rnd(10) == 0 || !r->aips.n) {
		a = (struct prefix){ .family = dst->family, .cidr = prefix_bits(dst->family) };
		random_bytes(a.addr, dst->family == AF_INET ? 4 : 16);
		return a;
	}
	do
		a = inside(&r->aips.v[rnd(r->aips.n)]);
	while (a.family != dst->family && rnd(8));
	return a;
}

/* IP bytes of a random packet: mostly valid headers, sometimes junk (long
 * enough for BPF_PROG_TEST_RUN, which refuses tc frames whose IP ethertype
 * carries less than a whole header; tests/datapath/malformed.c covers those). */
static size_t random_packet(const struct reference *r, uint8_t ip[64])
{
	struct prefix src, dst = { .family = rnd(2) ? AF_INET : AF_INET6 };
	struct packet pkt;
	size_t len;

	if (rnd(40) == 0) {
		len = 40 + rnd(24);
		random_bytes(ip, len);
		return len;
	}
	src = random_source(r, &dst);
	dst.family = src.family;
	dst.cidr = prefix_bits(dst.family);
	random_bytes(dst.addr, dst.family == AF_INET ? 4 : 16);
	packet_ip(&pkt, 0, &src, &dst,
		  (src.family == AF_INET ? 20 : 40) + rnd(1400));
	memcpy(ip, pkt.data, pkt.len);
	return pkt.len;
}

static int mismatches;

static void report(const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	if (mismatches++ >= MAX_REPORTED)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	diag("%s", buf);
}

static bool same_addr(const struct wgsf_addr *a, const struct wgsf_addr *b)
{
	return a->version == b->version && !memcmp(a->addr, b->addr, a->version == 4 ? 4 : 16);
}

static void compare_peer(const struct hook_under_test *h, size_t slot,
			 const struct wgsf_peer_stats *w)
{
	struct wgsf_peer_stats g;
	int i;

	if (stats_read_peer(h->maps.fd[MAP_PEER_STATS], slot, &g))
		return report("%s: cannot read slot %zu", h->name, slot);
	bool same = g.rx_packets == w->rx_packets && g.rx_bytes == w->rx_bytes &&
		    g.violation_packets == w->violation_packets &&
		    g.violation_bytes == w->violation_bytes && g.drop_packets == w->drop_packets &&
		    g.drop_bytes == w->drop_bytes && !g.last_seen_ns == !w->rx_packets &&
		    !g.last_violation_ns == !w->violation_packets;
	for (i = 0; i < WGSF_REASON_COUNT; i++)
		same = same && g.violations[i] == w->violations[i];
	if (w->violation_packets)
		same = same && g.last_violation_reason == w->last_violation_reason &&
		       same_addr(&g.last_violation_src, &w->last_violation_src) &&
		       same_addr(&g.last_violation_dst, &w->last_violation_dst);
	if (!same)
		report("%s: slot %zu: rx %llu/%llu B, violations %llu, drops %llu; want rx "
		       "%llu/%llu B, violations %llu, drops %llu", h->name, slot,
		       (unsigned long long)g.rx_packets, (unsigned long long)g.rx_bytes,
		       (unsigned long long)g.violation_packets, (unsigned long long)g.drop_packets,
		       (unsigned long long)w->rx_packets, (unsigned long long)w->rx_bytes,
		       (unsigned long long)w->violation_packets,
		       (unsigned long long)w->drop_packets);
}

static void compare_dev(const struct hook_under_test *h, const struct wgsf_dev_stats *w)
{
	struct wgsf_dev_stats g;

	if (stats_read_dev(h->maps.fd[MAP_DEV_STATS], &g) || g.unknown_packets != w->unknown_packets ||
	    g.unknown_bytes != w->unknown_bytes || g.malformed_packets != w->malformed_packets ||
	    (w->unknown_packets && !same_addr(&g.last_unknown_src, &w->last_unknown_src)))
		report("%s: device: unknown %llu/%llu B, malformed %llu; want %llu/%llu B, %llu",
		       h->name, (unsigned long long)g.unknown_packets,
		       (unsigned long long)g.unknown_bytes, (unsigned long long)g.malformed_packets,
		       (unsigned long long)w->unknown_packets, (unsigned long long)w->unknown_bytes,
		       (unsigned long long)w->malformed_packets);
}

static void round_(size_t n_peers, enum wgsf_mode mode, unsigned int round)
{
	struct capacity cap = { .peers = n_peers, .prefixes = 4 * n_peers + 16,
				.policy_prefixes = 4 * n_peers + 16 };
	struct hook_under_test hooks[2];
	struct reference r;
	uint8_t ip[64];
	size_t len, i, s, ran = 0;
	int h, before = mismatches;

	ref_init(&r, n_peers, mode);
	build_tables(&r);
	if (!ok(!hooks_load(hooks, &cap) && !ref_install(&r, &hooks[0].maps) &&
		    !ref_install(&r, &hooks[1].maps),
		"round %u: load both hooks, %zu peers, %zu allowed IPs, %s mode", round, n_peers,
		r.aips.n, mode == WGSF_MODE_ENFORCE ? "enforce" : "monitor"))
		return ref_free(&r);
	for (i = 0; i < PACKETS_PER_ROUND; i++) {
		len = random_packet(&r, ip);
		uint32_t want = ref_packet(&r, ip, len) == REF_DROP;

		for (h = 0; h < 2; h++, ran++) {
			int64_t got = hook_run_ip(&hooks[h], ip, len);

			if (got != (want ? hooks[h].drop : hooks[h].pass))
				report("%s: packet %zu (%zu bytes, version %u): verdict %lld, want %s",
				       hooks[h].name, i, len, len ? ip[0] >> 4 : 0,
				       (long long)got, want ? "drop" : "pass");
		}
	}
	for (h = 0; h < 2; h++) {
		for (s = 0; s < n_peers; s++)
			compare_peer(&hooks[h], s, &r.peers[s].want);
		compare_dev(&hooks[h], &r.want);
	}
	ok(mismatches == before, "round %u: %zu packets per hook, verdicts and counters agree",
	   round, ran / 2);
	hooks_destroy(hooks);
	ref_free(&r);
}

int main(void)
{
	size_t sizes[] = { 1, 2 + rnd(30), 100 + rnd(900), 1000 + rnd(4000), 5000 };
	unsigned int i, seed;
	cpu_set_t one;

	require_root_bpf();
	libbpf_set_print(NULL);
	seed = test_seed();
	srandom(seed);
	sizes[1] = 2 + rnd(30);
	sizes[2] = 100 + rnd(900);
	sizes[3] = 1000 + rnd(4000);
	/* one CPU: "last violation" is then the last one this test sent */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	sched_setaffinity(0, sizeof(one), &one);
	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++)
		round_(sizes[i], i % 2 ? WGSF_MODE_ENFORCE : WGSF_MODE_MONITOR, i + 1);
	is_u64(mismatches, 0, "%u packets per hook, no differences from the reference (seed %u)",
	       (unsigned int)(PACKETS_PER_ROUND * (sizeof(sizes) / sizeof(*sizes))), seed);
	return done_testing();
}
