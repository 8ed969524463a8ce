// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy verdicts with hand-counted expectations: blocked peer, source
 * policy, destination policy, and a peer without policy, in monitor and in
 * enforce mode, on both hooks, IPv4 and IPv6.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "packet.h"
#include "tap.h"

static const struct {
	uint32_t slot;
	const char *allowed_ips, *sources, *destinations;
	bool blocked;
} peers[] = {
	{ 0, "192.0.2.0/24 2001:db8:1::/64", "192.0.2.10/32 2001:db8:1::10/128", NULL, false },
	{ 1, "198.51.100.0/24 2001:db8:2::/64", NULL, "203.0.113.1/32 2001:db8:ff::1/128", false },
	{ 2, "203.0.113.128/25 2001:db8:3::/64", NULL, NULL, true },
	{ 3, "203.0.113.0/26 2001:db8:4::/64", NULL, NULL, false },
};

#define PASS -1
static const struct {
	uint32_t slot;
	const char *src, *dst;
	unsigned int count;
	int reason; /* PASS or enum wgsf_reason */
} cases[] = {
	{ 0, "192.0.2.10", "203.0.113.9", 2, PASS },
	{ 0, "192.0.2.11", "203.0.113.9", 3, WGSF_REASON_SOURCE },
	{ 0, "2001:db8:1::10", "2001:db8:ff::9", 1, PASS },
	{ 0, "2001:db8:1::11", "2001:db8:ff::9", 2, WGSF_REASON_SOURCE },
	{ 1, "198.51.100.7", "203.0.113.1", 2, PASS },
	{ 1, "198.51.100.7", "203.0.113.2", 2, WGSF_REASON_DESTINATION },
	{ 1, "2001:db8:2::7", "2001:db8:ff::1", 1, PASS },
	{ 1, "2001:db8:2::7", "2001:db8:ff::2", 3, WGSF_REASON_DESTINATION },
	{ 2, "203.0.113.200", "203.0.113.1", 2, WGSF_REASON_BLOCKED },
	{ 2, "2001:db8:3::1", "2001:db8:ff::1", 1, WGSF_REASON_BLOCKED },
	{ 3, "203.0.113.5", "198.51.100.1", 3, PASS },
	{ 3, "2001:db8:4::5", "2001:db8:ff::1", 2, PASS },
};

#define N_PEERS (sizeof(peers) / sizeof(*peers))
#define N_CASES (sizeof(cases) / sizeof(*cases))
#define IP_LEN 100

static int for_each_prefix(const char *list, const struct maps *m, uint32_t slot, int what)
{
	char buf[256], *tok, *save = NULL;
	struct prefix p;
	int err = 0;

	snprintf(buf, sizeof(buf), "%s", list ?: "");
	for (tok = strtok_r(buf, " ", &save); tok && !err; tok = strtok_r(NULL, " ", &save)) {
		if (prefix_parse(tok, &p))
			return -1;
		err = what < 0 ? allowedip_write(m, &p, slot)
			       : policy_prefix_write(m, what, slot, &p);
	}
	return err;
}

static int install(const struct maps *m, enum wgsf_mode mode)
{
	size_t i;
	int err = datapath_set_mode(m->fd[MAP_CONFIG], mode);

	for (i = 0; i < N_PEERS && !err; i++) {
		uint32_t flags = (peers[i].sources ? WGSF_PEER_SRC_POLICY : 0) |
				 (peers[i].destinations ? WGSF_PEER_DST_POLICY : 0) |
				 (peers[i].blocked ? WGSF_PEER_BLOCKED : 0);

		err = for_each_prefix(peers[i].allowed_ips, m, peers[i].slot, -1) ?:
		      for_each_prefix(peers[i].sources, m, peers[i].slot, 0) ?:
		      for_each_prefix(peers[i].destinations, m, peers[i].slot, 1) ?:
		      policy_flags_write(m, peers[i].slot, flags);
	}
	return err;
}

static bool addr_is(const struct wgsf_addr *a, const char *s)
{
	struct prefix p;

	return !addr_parse(s, &p) && a->version == (p.family == AF_INET ? 4 : 6) &&
	       !memcmp(a->addr, p.addr, a->version == 4 ? 4 : 16);
}

static void check_peer(const struct hook_under_test *h, uint32_t slot, bool enforce,
		       const char *mode)
{
	uint64_t rx = 0, by_reason[WGSF_REASON_COUNT] = {}, violations = 0;
	struct wgsf_peer_stats st;
	int last = -1, r;
	size_t i;

	for (i = 0; i < N_CASES; i++) {
		if (cases[i].slot != slot)
			continue;
		rx += cases[i].count;
		if (cases[i].reason != PASS) {
			by_reason[cases[i].reason] += cases[i].count;
			violations += cases[i].count;
			last = i;
		}
	}
	if (!ok(!stats_read_peer(h->maps.fd[MAP_PEER_STATS], slot, &st), "%s %s: read slot %u",
		h->name, mode, slot))
		return;
	is_u64(st.rx_packets, rx, "%s %s: slot %u rx packets", h->name, mode, slot);
	is_u64(st.rx_bytes, rx * IP_LEN, "%s %s: slot %u rx bytes", h->name, mode, slot);
	for (r = 0; r < WGSF_REASON_COUNT; r++)
		is_u64(st.violations[r], by_reason[r], "%s %s: slot %u violations, reason %d",
		       h->name, mode, slot, r);
	is_u64(st.violation_packets, violations, "%s %s: slot %u violation packets", h->name,
	       mode, slot);
	is_u64(st.drop_packets, enforce ? violations : 0, "%s %s: slot %u drops", h->name, mode,
	       slot);
	is_u64(st.drop_bytes, enforce ? violations * IP_LEN : 0, "%s %s: slot %u drop bytes",
	       h->name, mode, slot);
	if (last >= 0)
		ok(addr_is(&st.last_violation_src, cases[last].src) &&
			   addr_is(&st.last_violation_dst, cases[last].dst) &&
			   st.last_violation_reason == (uint32_t)cases[last].reason,
		   "%s %s: slot %u last violation is %s -> %s", h->name, mode, slot,
		   cases[last].src, cases[last].dst);
}

static void run_mode(enum wgsf_mode mode)
{
	const char *name = mode == WGSF_MODE_ENFORCE ? "enforce" : "monitor";
	struct capacity cap = { .peers = 8, .prefixes = 64, .policy_prefixes = 64 };
	struct hook_under_test hooks[2];
	struct prefix src, dst;
	struct packet pkt;
	unsigned int n, bad;
	size_t h, i;

	if (!ok(!hooks_load(hooks, &cap) && !install(&hooks[0].maps, mode) &&
		    !install(&hooks[1].maps, mode), "%s: load both hooks and install policies", name))
		return;
	for (h = 0; h < 2; h++) {
		for (i = 0, bad = 0; i < N_CASES; i++) {
			bool drop = mode == WGSF_MODE_ENFORCE && cases[i].reason != PASS;

			addr_parse(cases[i].src, &src);
			addr_parse(cases[i].dst, &dst);
			packet_ip(&pkt, hooks[h].l3, &src, &dst, IP_LEN);
			for (n = 0; n < cases[i].count; n++)
				bad += hook_run(&hooks[h], &pkt) !=
				       (drop ? hooks[h].drop : hooks[h].pass);
		}
		is_u64(bad, 0, "%s %s: every verdict as the policy says", hooks[h].name, name);
		for (i = 0; i < N_PEERS; i++)
			check_peer(&hooks[h], peers[i].slot, mode == WGSF_MODE_ENFORCE, name);
	}
	hooks_destroy(hooks);
}

int main(void)
{
	require_root_bpf();
	libbpf_set_print(NULL);
	run_mode(WGSF_MODE_MONITOR);
	run_mode(WGSF_MODE_ENFORCE);
	return done_testing();
}
