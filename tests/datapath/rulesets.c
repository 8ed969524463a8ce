// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rulesets' ids, written by the loader's own sync from a policy text its
 * parser reads: each names the destination tables that hold its prefixes
 * (wgsf.h, WGSF_RULESET_*), peers of the same rules share one, and new
 * rules get a new one with their own bits and the lowest number that no
 * ruleset in the tables has. Through the real program, in
 * enforce mode, a packet is judged from those tables alone: a ruleset of
 * host prefixes admits its hosts and no other address of their family, one
 * of prefixes what they hold, and one of a family nothing of the other. A
 * ruleset that names a set the tables lack goes with the next sync.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "l4packet.h"
#include "packet.h"
#include "tables/policy_sync.h"
#include "tap.h"
#include "world.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#define PASS ((uint32_t)TC_ACT_UNSPEC)
#define DROP TC_ACT_SHOT
#define BITS (~WGSF_RULESET_NUMBER)

enum peer { HOSTS, PREFIXES, BOTH, SAME, PEERS };

static const char *const names[PEERS] = { "IPv4 hosts", "prefixes", "both", "the same" };
static const char *const sources[PEERS] = { "192.0.2.10", "192.0.2.20", "192.0.2.30",
					    "192.0.2.40" };

static struct world_peer peers[PEERS] = {
	{ "192.0.2.10/32", "Allow = 198.51.100.10/32 udp/53\n" },
	{ "192.0.2.20/32", "Allow = 198.51.100.0/24, 2001:db8:ff::/64 udp/53\n" },
	{ "192.0.2.30/32 2001:db8:3::30/128",
	  "Allow = 198.51.100.10/32, 198.51.100.128/25, 2001:db8:ff::1/128 udp/53\n" },
	{ "192.0.2.40/32", "Allow = 198.51.100.0/24, 2001:db8:ff::/64 udp/53\n" },
};

static uint32_t ruleset_of(const struct world *w, enum peer p)
{
	struct wgsf_peer_policy pol = {};
	uint32_t slot = world_slot(w, p);

	bpf_map_lookup_elem(w->maps.fd[MAP_PEER_POLICY], &slot, &pol);
	return pol.ruleset;
}

/* A UDP datagram to port 53 of dst from peer p (an IPv6 one from BOTH's
 * IPv6 address, the only peer that has one): its verdict. */
static int64_t verdict(const struct world *w, enum peer p, const char *dst)
{
	const char *src = strchr(dst, ':') ? "2001:db8:3::30" : sources[p];
	struct l4_spec s = { .proto = IPPROTO_UDP, .sport = 40000, .dport = 53 };

	if (l4_spec_addrs(&s, src, dst))
		return -EINVAL;
	return world_run(w->in, &s, NULL);
}

static const struct {
	enum peer peer;
	const char *dst;
	int64_t want;
} cases[] = {
	{ HOSTS, "198.51.100.10", PASS },
	{ HOSTS, "198.51.100.11", DROP },
	{ PREFIXES, "198.51.100.77", PASS },
	{ PREFIXES, "203.0.113.1", DROP },
	{ BOTH, "198.51.100.10", PASS },
	{ BOTH, "198.51.100.200", PASS },
	{ BOTH, "198.51.100.11", DROP },
	{ BOTH, "2001:db8:ff::1", PASS },
	{ BOTH, "2001:db8:ff::2", DROP },
	{ BOTH, "2001:db8:fe::1", DROP },
};

static void test_ids(const struct world *w)
{
	uint32_t id[PEERS];
	size_t i;

	for (i = 0; i < PEERS; i++)
		id[i] = ruleset_of(w, i);
	is_u64(id[HOSTS] & BITS, WGSF_RULESET_HOSTS4, "host prefixes of IPv4: the hash's bit");
	is_u64(id[PREFIXES] & BITS, WGSF_RULESET_PREFIXES4 | WGSF_RULESET_PREFIXES6,
	       "prefixes of both families: the tries' bits");
	is_u64(id[BOTH] & BITS,
	       WGSF_RULESET_HOSTS4 | WGSF_RULESET_PREFIXES4 | WGSF_RULESET_HOSTS6,
	       "both kinds of IPv4, IPv6 hosts: three bits");
	ok(id[SAME] == id[PREFIXES], "the same rules: the same ruleset");
	ok((id[HOSTS] & WGSF_RULESET_NUMBER) && (id[PREFIXES] & WGSF_RULESET_NUMBER) &&
		   (id[BOTH] & WGSF_RULESET_NUMBER) && id[HOSTS] != id[PREFIXES] &&
		   id[HOSTS] != id[BOTH] && id[PREFIXES] != id[BOTH],
	   "other rules: rulesets of their own, each numbered");
}

static void test_verdicts(const struct world *w)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		is_u64(verdict(w, cases[i].peer, cases[i].dst), cases[i].want, "%s: to %s %s",
		       names[cases[i].peer], cases[i].dst,
		       cases[i].want == PASS ? "passes" : "dropped");
}

/* HOSTS's rules to text, synced: its ruleset's id. */
static uint32_t rules_to(const struct world *w, const char *text)
{
	peers[HOSTS].rules = text;
	return world_sync(w, peers, PEERS) ? 0 : ruleset_of(w, HOSTS);
}

/* The host rule becomes a prefix: a new ruleset, of the trie's bit, with
 * the lowest number free (1 to 3 are in use); the next change finds 1
 * free again, and the one after, 4. */
static void test_change(const struct world *w)
{
	ok(ruleset_of(w, HOSTS) == (WGSF_RULESET_HOSTS4 | 1) &&
		   ruleset_of(w, PREFIXES) == (WGSF_RULESET_PREFIXES4 | WGSF_RULESET_PREFIXES6 | 2) &&
		   (ruleset_of(w, BOTH) & WGSF_RULESET_NUMBER) == 3,
	   "change: the rulesets in use are numbered 1 to 3, in the peers' order");
	is_u64(rules_to(w, "Allow = 198.51.100.0/24 udp/53\n"), WGSF_RULESET_PREFIXES4 | 4,
	       "change: a prefix, the trie's bit, number 4");
	is_u64(verdict(w, HOSTS, "198.51.100.11"), PASS, "change: the prefix holds .11");
	is_u64(rules_to(w, "Allow = 198.51.100.0/25 udp/53\n"), WGSF_RULESET_PREFIXES4 | 1,
	       "change: again, number 1, free once its ruleset went");
	is_u64(rules_to(w, "Allow = 198.51.100.12/32 udp/53\n"), WGSF_RULESET_HOSTS4 | 4,
	       "change: and again, number 4");
	is_u64(verdict(w, HOSTS, "198.51.100.11"), DROP, "change: the host alone passes, not .11");
	is_u64(verdict(w, HOSTS, "198.51.100.12"), PASS, "change: the host passes");
}

/* The service set of HOSTS's one rule, or UINT32_MAX. */
static uint32_t hosts_set(const struct world *w)
{
	uint32_t owner = ruleset_of(w, HOSTS), set = UINT32_MAX;
	struct table_entry *v;
	size_t n, i;

	if (policy_table_read(&w->maps, true, &v, &n))
		return UINT32_MAX;
	for (i = 0; i < n; i++)
		if (v[i].slot == owner)
			set = v[i].bits;
	free(v);
	return set;
}

/* New services: a new set each time, with the lowest id free (udp/53,
 * which the others keep, is 1), as rulesets' numbers are (2 and 3 stay in
 * use, 4 is HOSTS's): 2 and 1, 3 and 4, then 2 and 1 again. */
static void test_sets(const struct world *w)
{
	static const struct {
		const char *svc;
		uint32_t set, number;
	} steps[] = { { "tcp/22", 2, 1 }, { "tcp/23", 3, 4 }, { "tcp/24", 2, 1 } };
	static char rules[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		snprintf(rules, sizeof(rules), "Allow = 198.51.100.12/32 %s\n", steps[i].svc);
		ok(rules_to(w, rules) == (WGSF_RULESET_HOSTS4 | steps[i].number) &&
			   hosts_set(w) == steps[i].set,
		   "sets: %s, set %u, ruleset number %u", steps[i].svc, steps[i].set,
		   steps[i].number);
	}
}

/* A ruleset that names a set the tables lack, as a sync killed midway
 * may leave one, where they hold no set at all: the next sync removes it. */
static void test_stray(void)
{
	static const struct world_peer alone[] = { { "192.0.2.10/32", NULL } };
	struct table_entry *v = NULL;
	struct prefix p;
	struct world w;
	size_t n = 1;

	if (!ok(!world_load(&w, alone, 1, 0), "stray: load and sync, no rules"))
		return;
	prefix_parse("198.51.100.0/24", &p);
	ok(!policy_prefix_write(&w.maps, true, WGSF_RULESET_PREFIXES4 | 9, &p, 7) &&
		   !world_sync(&w, alone, 1) && !policy_table_read(&w.maps, true, &v, &n) && !n,
	   "stray: a ruleset of set 7, which no table holds, is gone after the next sync");
	free(v);
	world_destroy(&w);
}

int main(void)
{
	struct world w;

	require_root_bpf();
	libbpf_set_print(NULL);
	if (!ok(!world_load(&w, peers, PEERS, 0), "load and sync"))
		return done_testing();
	test_ids(&w);
	test_verdicts(&w);
	test_change(&w);
	test_sets(&w);
	world_destroy(&w);
	test_stray();
	return done_testing();
}
