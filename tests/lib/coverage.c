// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "coverage.h"
#include "tap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))

void coverage_tally_counts(struct coverage *c, const struct reference *r)
{
	const struct wgsf_peer_stats *w;
	size_t s;
	int i;

	c->malformed += r->want.malformed_packets;
	c->unknown += r->want.unknown_packets;
	for (s = 0; s < r->slots; s++) {
		w = &r->peers[s].want;
		c->complying += w->rx_packets - w->violation_packets;
		for (i = 0; i < WGSF_REASON_COUNT; i++)
			c->violations[i] += w->violations[i];
		c->drops += w->drop_packets;
	}
}

/* Which table attributes a packet from src to slot: the trie or the hash. */
static void tally_match(struct coverage *c, const struct reference *r, const uint8_t *ip,
			long slot)
{
	struct prefix src = { .family = ip[0] >> 4 == 4 ? AF_INET : AF_INET6 };
	bool host = false, covered = false;
	size_t i;

	src.cidr = prefix_bits(src.family);
	memcpy(src.addr, ip + (src.family == AF_INET ? 12 : 8), src.cidr / 8);
	for (i = 0; i < r->aips.n; i++) {
		if (!prefix_contains(&r->aips.v[i], &src))
			continue;
		host = host || r->aips.v[i].cidr == src.cidr;
		covered = covered || (r->aips.v[i].cidr < src.cidr && r->owner[i] != slot);
	}
	c->by_prefix += !host;
	c->by_covered_host += host && covered;
}

/* What the packet's upper layer and the rules that judged it were. */
static void tally_services(struct coverage *c, const struct ref_outcome *o, const uint8_t *ip)
{
	const struct ref_rule *a = o->admitted;

	c->group_blocked += o->blocked_by_group;
	if (a)
		c->admitted_by[o->admitted_by]++;
	if (!o->matched || o->any_matched)
		return;
	c->judged[o->l4.kind]++;
	c->ipv6_fragments += o->l4.kind == REF_L4_FRAGMENT && ip[0] >> 4 == 6;
	if (o->l4.kind != REF_L4_UNWALKED)
		c->chains[0] += o->l4.ext > 0;
	else
		c->chains[o->l4.ext == REF_IPV6_EXT_MAX ? 1 : 2]++;
	c->by_port += a && a->kind == REF_RANGE && o->l4.kind == REF_L4_PORTS;
	c->by_type += a && a->kind == REF_RANGE && o->l4.kind == REF_L4_TYPE;
	c->type_refused += !a && o->l4.kind == REF_L4_TYPE;
}

void coverage_tally_packet(struct coverage *c, const struct reference *r,
			   const struct ref_outcome *o, const uint8_t *ip)
{
	if (o->slot < 0)
		return;
	c->quar[o->quar]++;
	c->quar_after[o->quar_after]++;
	tally_match(c, r, ip, o->slot);
	tally_services(c, o, ip);
	c->rate_by_group += o->reason == WGSF_REASON_RATE && !r->peers[o->slot].rate_burst;
}

/* Every path was taken: a differential test of paths never taken proves nothing. */
static void covered(const struct coverage *c, enum wgsf_mode mode)
{
	bool enforce = mode == WGSF_MODE_ENFORCE;
	bool all = c->malformed && c->unknown && c->complying &&
		   (enforce ? c->drops > 0 : c->drops == 0);
	int i;

	for (i = 0; i < WGSF_REASON_COUNT; i++)
		all = all && c->violations[i];
	all = all && c->by_prefix && c->by_covered_host && c->by_entry_bits &&
	      c->by_policy_maps && c->kept && c->reused && c->rate_by_group &&
	      (enforce ? c->index_overflowed > 0 : !c->index_overflowed);
	ok(all, "%s: the packets were malformed (%llu), unknown (%llu), complying (%llu), "
	   "violations by source (%llu), destination (%llu), blocked peer (%llu), rate (%llu, "
	   "%llu by a group's limit); %llu dropped; "
	   "%llu attributed by a shorter prefix, %llu by a host route inside another peer's "
	   "prefix; %llu decided from the entry's bits, %llu from the peer's policy; %llu peers "
	   "kept their slot, %llu slots were reused; %llu states overflowed a host-route "
	   "index", enforce ? "enforce" : "monitor",
	   (unsigned long long)c->malformed, (unsigned long long)c->unknown,
	   (unsigned long long)c->complying,
	   (unsigned long long)c->violations[WGSF_REASON_SOURCE],
	   (unsigned long long)c->violations[WGSF_REASON_DESTINATION],
	   (unsigned long long)c->violations[WGSF_REASON_BLOCKED],
	   (unsigned long long)c->violations[WGSF_REASON_RATE],
	   (unsigned long long)c->rate_by_group, (unsigned long long)c->drops,
	   (unsigned long long)c->by_prefix, (unsigned long long)c->by_covered_host,
	   (unsigned long long)c->by_entry_bits, (unsigned long long)c->by_policy_maps,
	   (unsigned long long)c->kept, (unsigned long long)c->reused,
	   (unsigned long long)c->index_overflowed);
}

/* Quarantines began by rule, were in force, ended by themselves and were
 * released, by hand and by syncs, and packets came after each. */
static void covered_quarantine(const struct coverage *c, enum wgsf_mode mode)
{
	const uint64_t *q = c->quar, *after = c->quar_after;
	bool all = c->quar_hand && c->quar_released && after[REF_QUAR_EXPIRED] &&
		   after[REF_QUAR_RELEASED];
	uint64_t asked = 0;
	int i;

	for (i = REF_QUAR_PASSED; i < REF_QUAR_CASES; i++) {
		all = all && q[i];
		asked += q[i];
	}
	ok(all, "%s: quarantine entries asked %llu times: %llu violations counted, %llu began a "
	   "quarantine, %llu packets in one, %llu with nothing to do, %llu after one ended by "
	   "itself, %llu after one released; %llu quarantines by hand, %llu in force released",
	   mode == WGSF_MODE_ENFORCE ? "enforce" : "monitor", (unsigned long long)asked,
	   (unsigned long long)q[REF_QUAR_COUNTED], (unsigned long long)q[REF_QUAR_BEGAN],
	   (unsigned long long)q[REF_QUAR_IN_FORCE], (unsigned long long)q[REF_QUAR_PASSED],
	   (unsigned long long)after[REF_QUAR_EXPIRED], (unsigned long long)after[REF_QUAR_RELEASED],
	   (unsigned long long)c->quar_hand, (unsigned long long)c->quar_released);
}

/* The destination rules were asked about every kind of upper layer, and
 * admitted and refused by ports and types, groups' rules and [Group *]'s. */
static void covered_services(const struct coverage *c, enum wgsf_mode mode)
{
	bool all = c->violations[WGSF_REASON_SERVICE] && c->by_port && c->by_type &&
		   c->type_refused && c->ipv6_fragments && c->group_blocked;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c->judged); i++)
		all = all && c->judged[i];
	for (i = 0; i < REF_OWNERS; i++)
		all = all && c->admitted_by[i];
	for (i = 0; i < ARRAY_SIZE(c->chains); i++)
		all = all && c->chains[i];
	ok(all, "%s: %llu service violations; judged by services alone: %llu with ports, %llu "
	   "ICMP with a type, %llu of another protocol, %llu non-first fragments (%llu IPv6), "
	   "%llu cut short, %llu IPv6 extension chains unwalked (%llu walked, %llu too long, %llu "
	   "cut short); admitted by a port %llu, by an ICMP type "
	   "%llu, ICMP refused by type %llu; admitted by a peer's own rule %llu, a group's "
	   "%llu, [Group *]'s %llu; blocked by a group %llu",
	   mode == WGSF_MODE_ENFORCE ? "enforce" : "monitor",
	   (unsigned long long)c->violations[WGSF_REASON_SERVICE],
	   (unsigned long long)c->judged[REF_L4_PORTS], (unsigned long long)c->judged[REF_L4_TYPE],
	   (unsigned long long)c->judged[REF_L4_NONE],
	   (unsigned long long)c->judged[REF_L4_FRAGMENT], (unsigned long long)c->ipv6_fragments,
	   (unsigned long long)c->judged[REF_L4_SHORT],
	   (unsigned long long)c->judged[REF_L4_UNWALKED], (unsigned long long)c->chains[0],
	   (unsigned long long)c->chains[1], (unsigned long long)c->chains[2],
	   (unsigned long long)c->by_port,
	   (unsigned long long)c->by_type, (unsigned long long)c->type_refused,
	   (unsigned long long)c->admitted_by[REF_OWN],
	   (unsigned long long)c->admitted_by[REF_GROUP],
	   (unsigned long long)c->admitted_by[REF_EVERY_PEER],
	   (unsigned long long)c->group_blocked);
}

void coverage_check(const struct coverage *c, enum wgsf_mode mode)
{
	covered(c, mode);
	covered_services(c, mode);
	covered_quarantine(c, mode);
}
