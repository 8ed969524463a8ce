// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy verdicts with hand-counted expectations: a blocked peer, a source
 * policy, a destination policy, both at once, and a peer without policy, in
 * monitor and in enforce mode, IPv4 and IPv6.
 */
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "packet.h"
#include "reference.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#define SLOTS 1024

/* Slots past 255 put the big-endian slot of the policy keys to the test. */
static const struct {
	uint32_t slot;
	const char *allowed_ips, *sources, *destinations;
	bool blocked;
} peers[] = {
	{ 0, "192.0.2.0/24 2001:db8:1::/64", "192.0.2.10/32 2001:db8:1::10/128", NULL, false },
	{ 1, "198.51.100.0/24 2001:db8:2::/64", NULL, "203.0.113.1/32 2001:db8:ff::/120",
	  false },
	{ 258, "203.0.113.128/25 2001:db8:3::/64", NULL, NULL, true },
	{ 513, "203.0.113.0/26 2001:db8:4::/64", NULL, NULL, false },
	{ 1000, "198.51.100.128/32 2001:db8:5::/64", "198.51.100.128/32 2001:db8:5::/80",
	  "192.0.2.0/25 2001:db8:ff::/64", false },
};

#define PASS -1
/* In order, count times each; the last violation of a peer is its last case. */
static const struct {
	uint32_t slot;
	const char *src, *dst;
	unsigned int count, ip_len;
	int reason; /* PASS or the enum wgsf_reason broken */
} cases[] = {
	{ 0, "192.0.2.10", "203.0.113.9", 2, 60, PASS },
	{ 0, "192.0.2.11", "203.0.113.9", 3, 1400, WGSF_REASON_SOURCE },
	{ 0, "2001:db8:1::10", "2001:db8:ff::9", 1, 80, PASS },
	{ 0, "2001:db8:1::11", "2001:db8:ff::9", 2, 1280, WGSF_REASON_SOURCE },
	{ 1, "198.51.100.7", "203.0.113.1", 2, 100, PASS },
	{ 1, "198.51.100.7", "203.0.113.2", 2, 576, WGSF_REASON_DESTINATION },
	{ 1, "2001:db8:2::7", "2001:db8:ff::fe", 1, 140, PASS },
	{ 1, "2001:db8:2::7", "2001:db8:ff::100", 3, 40, WGSF_REASON_DESTINATION },
	{ 258, "203.0.113.200", "203.0.113.1", 2, 20, WGSF_REASON_BLOCKED },
	{ 258, "2001:db8:3::1", "2001:db8:ff::1", 1, 1500, WGSF_REASON_BLOCKED },
	{ 513, "203.0.113.5", "198.51.100.1", 3, 84, PASS },
	{ 513, "2001:db8:4::5", "2001:db8:ff::1", 2, 104, PASS },
	{ 1000, "198.51.100.128", "192.0.2.1", 1, 200, PASS },
	{ 1000, "198.51.100.128", "192.0.2.200", 2, 300, WGSF_REASON_DESTINATION },
	{ 1000, "2001:db8:5::1:0:0:1", "2001:db8:ff::1", 1, 400, WGSF_REASON_SOURCE },
	{ 1000, "2001:db8:5::1", "2001:db8:fe::1", 1, 500, WGSF_REASON_DESTINATION },
	{ 1000, "2001:db8:5::1", "2001:db8:ff::2", 2, 600, PASS },
};

enum list { ALLOWED_IPS, SOURCES, DESTINATIONS };

/* A space-separated list of prefixes into the reference; false if one is bad. */
static bool add_list(struct reference *r, const char *list, uint32_t slot, enum list what)
{
	char buf[256], *tok, *save = NULL;
	struct prefix p;

	snprintf(buf, sizeof(buf), "%s", list ?: "");
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (prefix_parse(tok, &p))
			return false;
		if (what != ALLOWED_IPS)
			ref_add_policy(r, what == DESTINATIONS, slot, &p);
		else if (!ref_add_allowedip(r, &p, slot))
			return false;
	}
	return true;
}

static bool build(struct reference *r, enum wgsf_mode mode)
{
	bool good = true;
	size_t i;

	ref_init(r, SLOTS, mode);
	for (i = 0; i < ARRAY_SIZE(peers); i++) {
		good = good && add_list(r, peers[i].allowed_ips, peers[i].slot, ALLOWED_IPS) &&
		       add_list(r, peers[i].sources, peers[i].slot, SOURCES) &&
		       add_list(r, peers[i].destinations, peers[i].slot, DESTINATIONS);
		if (peers[i].blocked)
			r->peers[peers[i].slot].flags |= WGSF_PEER_BLOCKED;
	}
	return good;
}

static bool addr_is(const struct wgsf_addr *a, const char *s)
{
	struct prefix p;

	return !addr_parse(s, &p) && a->version == (p.family == AF_INET ? 4 : 6) &&
	       !memcmp(a->addr, p.addr, a->version == 4 ? 4 : 16);
}

static void check_peer(const struct hook_under_test *h, const char *mode, bool enforce,
		       uint32_t slot)
{
	uint64_t rx = 0, bytes = 0, by_reason[WGSF_REASON_COUNT] = {}, v = 0, v_bytes = 0;
	struct wgsf_peer_stats st;
	int last = -1, r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cases[i].slot != slot)
			continue;
		rx += cases[i].count;
		bytes += cases[i].count * cases[i].ip_len;
		if (cases[i].reason == PASS)
			continue;
		by_reason[cases[i].reason] += cases[i].count;
		v += cases[i].count;
		v_bytes += cases[i].count * cases[i].ip_len;
		last = i;
	}
	if (!ok(!stats_read_peer(h->maps.fd[MAP_PEER_STATS], slot, &st), "%s %s: read slot %u",
		h->name, mode, slot))
		return;
	is_u64(st.rx_packets, rx, "%s %s: slot %u rx packets", h->name, mode, slot);
	is_u64(st.rx_bytes, bytes, "%s %s: slot %u rx bytes", h->name, mode, slot);
	ok(st.last_seen_ns != 0, "%s %s: slot %u last seen", h->name, mode, slot);
	for (r = 0; r < WGSF_REASON_COUNT; r++)
		is_u64(st.violations[r], by_reason[r], "%s %s: slot %u %s violations", h->name,
		       mode, slot, ref_reasons[r]);
	is_u64(st.violation_packets, v, "%s %s: slot %u violation packets", h->name, mode, slot);
	is_u64(st.violation_bytes, v_bytes, "%s %s: slot %u violation bytes", h->name, mode,
	       slot);
	is_u64(st.drop_packets, enforce ? v : 0, "%s %s: slot %u drop packets", h->name, mode,
	       slot);
	is_u64(st.drop_bytes, enforce ? v_bytes : 0, "%s %s: slot %u drop bytes", h->name, mode,
	       slot);
	if (last < 0)
		ok(!st.last_violation_ns && !st.last_violation_src.version,
		   "%s %s: slot %u has no last violation", h->name, mode, slot);
	else
		ok(st.last_violation_ns && addr_is(&st.last_violation_src, cases[last].src) &&
			   addr_is(&st.last_violation_dst, cases[last].dst) &&
			   st.last_violation_reason == (uint32_t)cases[last].reason,
		   "%s %s: slot %u last violation: %s -> %s, %s", h->name, mode, slot,
		   cases[last].src, cases[last].dst, ref_reasons[cases[last].reason]);
}

static void check_device(const struct hook_under_test *h, const char *mode)
{
	struct wgsf_dev_stats d;

	ok(!stats_read_dev(h->maps.fd[MAP_DEV_STATS], &d) && !d.unknown_packets &&
		   !d.malformed_packets,
	   "%s %s: no packet unknown or malformed", h->name, mode);
}

/* Every case through h; returns how many verdicts were not as the case says. */
static unsigned int send_cases(const struct hook_under_test *h, bool enforce)
{
	unsigned int n, wrong = 0;
	struct prefix src, dst;
	struct packet pkt;
	int64_t want, got;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		want = enforce && cases[i].reason != PASS ? h->drop : h->pass;
		if (addr_parse(cases[i].src, &src) || addr_parse(cases[i].dst, &dst))
			return ++wrong;
		packet_ip(&pkt, h->l3, &src, &dst, cases[i].ip_len);
		for (n = 0; n < cases[i].count; n++) {
			got = hook_run(h, &pkt);
			if (got != want && !wrong++)
				diag("%s: %s -> %s returned %lld, want %lld", h->name, cases[i].src,
				     cases[i].dst, (long long)got, (long long)want);
		}
	}
	return wrong;
}

static void run_mode(enum wgsf_mode mode)
{
	const char *name = mode == WGSF_MODE_ENFORCE ? "enforce" : "monitor";
	struct capacity cap = { .peers = SLOTS, .prefixes = 64, .hosts = 64,
				.policy_prefixes = 64, .policy_hosts = 64 };
	struct hook_under_test hooks[HOOKS];
	struct reference r;
	size_t h, i;

	if (!ok(build(&r, mode), "%s: the peers' prefixes parse", name) ||
	    !ok(!hooks_load(hooks, &cap), "%s: load the hook", name)) {
		ref_free(&r);
		return;
	}
	for (h = 0; h < HOOKS; h++) {
		if (!ok(!ref_install(&r, &hooks[h].maps), "%s %s: install the peers' policies",
			hooks[h].name, name))
			continue;
		is_u64(send_cases(&hooks[h], mode == WGSF_MODE_ENFORCE), 0,
		       "%s %s: every verdict as the policy says", hooks[h].name, name);
		for (i = 0; i < ARRAY_SIZE(peers); i++)
			check_peer(&hooks[h], name, mode == WGSF_MODE_ENFORCE, peers[i].slot);
		check_device(&hooks[h], name);
	}
	hooks_destroy(hooks);
	ref_free(&r);
}

int main(void)
{
	require_root_bpf();
	libbpf_set_print(NULL);
	run_mode(WGSF_MODE_MONITOR);
	run_mode(WGSF_MODE_ENFORCE);
	return done_testing();
}
