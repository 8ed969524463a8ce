// SPDX-License-Identifier: GPL-2.0-only
/*
 * Malformed input: each packet is counted malformed exactly once and passed,
 * even in enforce mode with a blocked peer owning every address, and the
 * program survives it.
 *
 * BPF_PROG_TEST_RUN on this kernel refuses XDP data under 14 bytes (even
 * behind metadata) and tc frames whose IPv4/IPv6 ethertype carries less than
 * a whole IP header; those refusals are asserted here, and the same short
 * packets are sent through a real TUN device in tests/datapath/device.c.
 */
#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include <bpf/libbpf.h>

#include "packet.h"
#include "tap.h"

struct bad_packet {
	const char *what;
	uint8_t bytes[64];
	size_t len;
	bool tc_runs; /* BPF_PROG_TEST_RUN hands it to a tc program at all */
};

/* IPv4 header, 20 bytes, from 203.0.113.1; fields patched per case. */
#define V4(b0, tot_hi, tot_lo) { b0, 0, tot_hi, tot_lo, 0, 0, 0, 0, 64, 17, 0, 0, \
				 203, 0, 113, 1, 198, 51, 100, 1 }

static const struct bad_packet cases[] = {
	{ "0 bytes", {}, 0, false },
	{ "1 byte", { 0x45 }, 1, false },
	{ "truncated IPv4 header (19 bytes)", V4(0x45, 0, 20), 19, false },
	{ "truncated IPv6 header (39 bytes)", { 0x60 }, 39, false },
	{ "IPv6 version in 20 bytes", { 0x60 }, 20, false },
	{ "version 0", V4(0x05, 0, 20), 20, true },
	{ "version 5", V4(0x55, 0, 20), 20, true },
	{ "version 15", V4(0xf5, 0, 20), 20, true },
	{ "IHL 0", V4(0x40, 0, 20), 20, true },
	{ "IHL 4", V4(0x44, 0, 20), 20, true },
	{ "IHL 6 in a 20-byte packet", V4(0x46, 0, 24), 20, true },
	{ "IHL 15 in a 20-byte packet", V4(0x4f, 0, 60), 20, true },
	{ "total length 19 < header", V4(0x45, 0, 19), 20, true },
	{ "total length 0", V4(0x45, 0, 0), 20, true },
};

#define N_CASES (sizeof(cases) / sizeof(*cases))

static int block_everything(const struct maps *m)
{
	struct prefix all4, all6;

	prefix_parse("0.0.0.0/0", &all4);
	prefix_parse("::/0", &all6);
	return datapath_set_mode(m->fd[MAP_CONFIG], WGSF_MODE_ENFORCE) ?:
	       allowedip_write(m, &all4, 1) ?: allowedip_write(m, &all6, 1) ?:
	       policy_flags_write(m, 1, WGSF_PEER_BLOCKED);
}

static uint64_t malformed(const struct hook_under_test *h)
{
	struct wgsf_dev_stats d;

	return stats_read_dev(h->maps.fd[MAP_DEV_STATS], &d) ? UINT64_MAX : d.malformed_packets;
}

static uint64_t seen(const struct hook_under_test *h)
{
	struct wgsf_peer_stats s;

	return stats_read_peer(h->maps.fd[MAP_PEER_STATS], 1, &s) ? UINT64_MAX : s.rx_packets;
}

static void one(const struct hook_under_test *h, const struct bad_packet *c)
{
	uint64_t before = malformed(h);
	int64_t ret;

	ret = hook_run_ip(h, c->bytes, c->len);
	if ((h->l3 == L3_OFFSET_ETHERNET && !c->tc_runs) || h->l3 + c->len < ETH_HLEN) {
		is_u64(ret, -EINVAL, "%s: %s: BPF_PROG_TEST_RUN refuses it", h->name, c->what);
		return;
	}
	is_u64(ret, h->pass, "%s: %s: passed", h->name, c->what);
	is_u64(malformed(h) - before, 1, "%s: %s: counted malformed once", h->name, c->what);
}

/* A non-IP ethertype exists only with Ethernet framing. */
static void non_ip(const struct hook_under_test *h)
{
	static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	size_t lens[] = { 0, 1, sizeof(arp) };
	struct packet pkt;
	uint64_t before;
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(*lens); i++) {
		before = malformed(h);
		packet_raw(&pkt, h->l3, ETH_P_ARP, arp, lens[i]);
		is_u64(hook_run(h, &pkt), h->pass, "tc: ARP frame with %zu bytes: passed", lens[i]);
		is_u64(malformed(h) - before, 1, "tc: ARP frame with %zu bytes: counted malformed",
		       lens[i]);
	}
}

int main(void)
{
	struct capacity cap = { .peers = 4, .prefixes = 4, .policy_prefixes = 4 };
	struct hook_under_test hooks[2];
	struct prefix src, dst;
	struct packet pkt;
	size_t h, i;

	require_root_bpf();
	libbpf_set_print(NULL);
	if (!ok(!hooks_load(hooks, &cap) && !block_everything(&hooks[0].maps) &&
		    !block_everything(&hooks[1].maps),
		"load both hooks, enforce mode, a blocked peer owns every address"))
		return done_testing();
	addr_parse("203.0.113.1", &src);
	addr_parse("198.51.100.1", &dst);
	for (h = 0; h < 2; h++) {
		packet_ip(&pkt, hooks[h].l3, &src, &dst, 20);
		is_u64(hook_run(&hooks[h], &pkt), hooks[h].drop,
		       "%s: control: a well-formed packet is dropped", hooks[h].name);
		for (i = 0; i < N_CASES; i++)
			one(&hooks[h], &cases[i]);
		if (hooks[h].l3 == L3_OFFSET_ETHERNET)
			non_ip(&hooks[h]);
		is_u64(seen(&hooks[h]), 1, "%s: only the control packet reached the peer",
		       hooks[h].name);
	}
	hooks_destroy(hooks);
	return done_testing();
}
