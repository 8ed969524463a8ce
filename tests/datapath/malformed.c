// SPDX-License-Identifier: GPL-2.0-only
/*
 * Malformed input: each packet is counted malformed exactly once and passed,
 * even in enforce mode with a blocked peer owning every address, and the
 * program survives it.
 *
 * BPF_PROG_TEST_RUN decides what the tc hook can be handed at all
 * (packet.c): no frame whose IP ethertype carries less than 20 bytes, which
 * this kernel refuses before the program runs. Those refusals are asserted,
 * so that a kernel which starts to hand them over makes this test say so;
 * tests/datapath/device.c sends such packets through a real L3 device
 * instead.
 */
#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include <bpf/libbpf.h>

#include "packet.h"
#include "reference.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#define BLOCKED_SLOT 1

/* A header from 203.0.113.1 to 198.51.100.1 claiming ip_len bytes, its
 * first byte replaced when first is not 0, cut or zero-padded to len. */
static const struct bad_packet {
	const char *what;
	uint8_t family, first;
	uint32_t ip_len;
	size_t len;
} cases[] = {
	{ "0 bytes", AF_INET, 0, 20, 0 },
	{ "1 byte", AF_INET, 0, 20, 1 },
	{ "IPv4 header cut at 10 bytes", AF_INET, 0, 20, 10 },
	{ "IPv4 header cut at 19 bytes", AF_INET, 0, 20, 19 },
	{ "IPv6 header cut at 20 bytes", AF_INET6, 0, 40, 20 },
	{ "IPv6 header cut at 39 bytes", AF_INET6, 0, 40, 39 },
	{ "version 0", AF_INET, 0x05, 40, 40 },
	{ "version 5", AF_INET, 0x55, 40, 40 },
	{ "version 15", AF_INET, 0xf5, 40, 40 },
	{ "IHL 0", AF_INET, 0x40, 20, 20 },
	{ "IHL 4", AF_INET, 0x44, 20, 20 },
	{ "total length 19, shorter than the header", AF_INET, 0, 19, 20 },
	{ "total length 0", AF_INET, 0, 0, 20 },
	{ "IHL 6, total length 20", AF_INET, 0x46, 20, 24 },
	{ "IHL 6 in a 20-byte packet", AF_INET, 0x46, 24, 20 },
	{ "IHL 15 in a 59-byte packet", AF_INET, 0x4f, 60, 59 },
};

static size_t build(const struct bad_packet *c, uint8_t ip[64])
{
	struct prefix src, dst;

	memset(ip, 0, 64);
	addr_parse(c->family == AF_INET ? "203.0.113.1" : "2001:db8::1", &src);
	addr_parse(c->family == AF_INET ? "198.51.100.1" : "2001:db8::2", &dst);
	ip_header(ip, &src, &dst, c->ip_len, 5);
	if (c->first)
		ip[0] = c->first;
	return c->len;
}

/* The model agrees on what is malformed, so the differential test's
 * expectations rest on the same rules as these hand-written ones. */
static bool model_agrees(void)
{
	struct reference r;
	uint8_t ip[64];
	size_t i, len;

	bool all = true;

	ref_init(&r, 1, WGSF_MODE_ENFORCE);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		len = build(&cases[i], ip);
		if (!ref_packet(&r, ip, len).malformed) {
			diag("the model takes '%s' for well-formed", cases[i].what);
			all = false;
		}
	}
	ref_free(&r);
	return all;
}

/* Enforce mode, and a blocked peer that owns every address. */
static int block_everything(const struct maps *m)
{
	struct prefix all4 = { .family = AF_INET }, all6 = { .family = AF_INET6 };
	struct reference r;
	int err;

	ref_init(&r, BLOCKED_SLOT + 1, WGSF_MODE_ENFORCE);
	ref_add_allowedip(&r, &all4, BLOCKED_SLOT);
	ref_add_allowedip(&r, &all6, BLOCKED_SLOT);
	r.peers[BLOCKED_SLOT].flags = WGSF_PEER_BLOCKED;
	err = ref_install(&r, m);
	ref_free(&r);
	return err;
}

static struct wgsf_dev_stats device(const struct hook_under_test *h)
{
	struct wgsf_dev_stats d = {};

	if (stats_read_dev(h->maps.fd[MAP_DEV_STATS], &d))
		d.malformed_packets = d.unknown_packets = UINT64_MAX;
	return d;
}

static uint64_t malformed(const struct hook_under_test *h)
{
	return device(h).malformed_packets;
}

/* Returns how many packets the program was handed. */
static unsigned int one(const struct hook_under_test *h, const struct bad_packet *c)
{
	uint64_t before = malformed(h);
	uint8_t ip[64];
	size_t len = build(c, ip);
	int64_t ret = hook_run_ip(h, ip, len);

	if (!hook_takes(len)) {
		is_u64(ret, -EINVAL, "%s: %s: BPF_PROG_TEST_RUN refuses it", h->name, c->what);
		is_u64(malformed(h) - before, 0, "%s: %s: so nothing is counted", h->name,
		       c->what);
		return 0;
	}
	is_u64(ret, h->pass, "%s: %s: passed", h->name, c->what);
	is_u64(malformed(h) - before, 1, "%s: %s: counted malformed once", h->name, c->what);
	return 1;
}

/* BPF_PROG_TEST_RUN's Ethernet framing has an ethertype that is not IP. */
static unsigned int not_ip(const struct hook_under_test *h)
{
	static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	size_t lens[] = { 0, 1, sizeof(arp) };
	struct packet pkt;
	uint64_t before;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		before = malformed(h);
		packet_raw(&pkt, h->l3, ETH_P_ARP, arp, lens[i]);
		is_u64(hook_run(h, &pkt), h->pass, "%s: ARP frame of %zu bytes: passed", h->name,
		       lens[i]);
		is_u64(malformed(h) - before, 1, "%s: ARP frame of %zu bytes: counted malformed once",
		       h->name, lens[i]);
	}
	return i;
}

/* Well-formed packets from the blocked peer are dropped: the passes above
 * are the malformed path's doing, not a missing policy. */
static void control(const struct hook_under_test *h)
{
	static const char *const from[][2] = { { "203.0.113.1", "198.51.100.1" },
					       { "2001:db8::1", "2001:db8::2" } };
	struct wgsf_peer_stats st;
	struct prefix src, dst;
	struct packet pkt;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(from); i++) {
		addr_parse(from[i][0], &src);
		addr_parse(from[i][1], &dst);
		packet_ip(&pkt, h->l3, &src, &dst, 100);
		is_u64(hook_run(h, &pkt), h->drop, "%s: control: %s -> %s is dropped", h->name,
		       from[i][0], from[i][1]);
	}
	ok(!stats_read_peer(h->maps.fd[MAP_PEER_STATS], BLOCKED_SLOT, &st) &&
		   st.rx_packets == i && st.drop_packets == i,
	   "%s: only the %zu control packets reached the peer, and were dropped", h->name, i);
}

int main(void)
{
	struct capacity cap = { .peers = BLOCKED_SLOT + 1, .prefixes = 4, .hosts = 4,
				.policy_prefixes = 4, .policy_hosts = 4 };
	struct hook_under_test hooks[HOOKS];
	unsigned int handed;
	size_t h, i;

	require_root_bpf();
	libbpf_set_print(NULL);
	ok(model_agrees(), "the reference model calls all %zu cases malformed", ARRAY_SIZE(cases));
	if (!ok(!hooks_load(hooks, &cap) && !block_everything(&hooks[HOOK_TC].maps),
		"load the hook, enforce mode, a blocked peer owns every address"))
		return done_testing();
	for (h = 0; h < HOOKS; h++) {
		for (i = 0, handed = 0; i < ARRAY_SIZE(cases); i++)
			handed += one(&hooks[h], &cases[i]);
		handed += not_ip(&hooks[h]);
		control(&hooks[h]);
		is_u64(malformed(&hooks[h]), handed, "%s: %u malformed in all", hooks[h].name,
		       handed);
		is_u64(device(&hooks[h]).unknown_packets, 0, "%s: none unknown", hooks[h].name);
	}
	hooks_destroy(hooks);
	return done_testing();
}
