// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "tables/datapath.h"
#include "tables/rulesets.h"
#include "reference.h"

void ref_init(struct reference *r, size_t slots, enum wgsf_mode mode)
{
	memset(r, 0, sizeof(*r));
	r->mode = mode;
	r->slots = slots;
	r->peers = calloc(slots, sizeof(*r->peers));
	if (!r->peers)
		abort();
}

static void rules_free(struct ref_rules *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void ref_free(struct reference *r)
{
	size_t i;

	for (i = 0; i < r->slots; i++) {
		free(r->peers[i].src.v);
		rules_free(&r->peers[i].rules);
	}
	for (i = 0; i < REF_GROUPS_MAX; i++)
		rules_free(&r->groups[i].rules);
	free(r->peers);
	free(r->aips.v);
	free(r->owner);
	free(r->aip_hash);
}

void ref_clear_counts(struct reference *r)
{
	size_t i;

	for (i = 0; i < r->slots; i++) {
		memset(&r->peers[i].want, 0, sizeof(r->peers[i].want));
		memset(&r->peers[i].quar, 0, sizeof(r->peers[i].quar));
	}
	memset(&r->want, 0, sizeof(r->want));
}

void ref_clear_tables(struct reference *r)
{
	size_t i;

	for (i = 0; i < r->slots; i++) {
		r->peers[i].flags = r->peers[i].groups = 0;
		r->peers[i].src.n = r->peers[i].rules.n = 0;
		r->peers[i].rate_burst = r->peers[i].rate_left = 0;
		memset(&r->peers[i].quar_rule, 0, sizeof(r->peers[i].quar_rule));
	}
	for (i = 0; i < r->n_groups; i++) {
		r->groups[i].blocked = r->groups[i].every = false;
		r->groups[i].rules.n = 0;
		r->groups[i].rate_burst = 0;
		memset(&r->groups[i].quar_rule, 0, sizeof(r->groups[i].quar_rule));
	}
	r->n_groups = 0;
	r->aips.n = 0;
	if (r->aip_hash)
		memset(r->aip_hash, 0, r->hash_cap * sizeof(*r->aip_hash));
}

uint32_t ref_rate_burst(const struct reference *r, uint32_t slot)
{
	uint32_t b = r->peers[slot].rate_burst, g_b;
	size_t g;

	for (g = 0; !r->peers[slot].rate_burst && g < r->n_groups; g++) {
		g_b = r->groups[g].rate_burst;
		if (g_b && ref_member(r, slot, g) && (!b || g_b < b))
			b = g_b;
	}
	return b;
}

void ref_rate_refill(struct reference *r)
{
	size_t i;

	for (i = 0; i < r->slots; i++)
		r->peers[i].rate_left = ref_rate_burst(r, i);
}

/* Whether rule a is stricter than b (wgsf.policy(5)): N/PERIOD compared
 * exactly, as N_a * PERIOD_b against N_b * PERIOD_a. */
static bool quar_stricter(const struct ref_quar_rule *a, const struct ref_quar_rule *b)
{
	unsigned __int128 ra = (unsigned __int128)a->violations * b->period_ns;
	unsigned __int128 rb = (unsigned __int128)b->violations * a->period_ns;

	if (!b->violations || ra != rb)
		return !b->violations || ra < rb;
	if (a->violations != b->violations)
		return a->violations < b->violations;
	return a->duration_ns > b->duration_ns;
}

struct ref_quar_rule ref_quar_rule(const struct reference *r, uint32_t slot)
{
	struct ref_quar_rule q = r->peers[slot].quar_rule;
	size_t g;

	for (g = 0; !r->peers[slot].quar_rule.violations && g < r->n_groups; g++)
		if (r->groups[g].quar_rule.violations && ref_member(r, slot, g) &&
		    quar_stricter(&r->groups[g].quar_rule, &q))
			q = r->groups[g].quar_rule;
	return q;
}

bool ref_quarantined(const struct reference *r, uint32_t slot)
{
	const struct ref_quar *q = &r->peers[slot].quar;

	return q->entry && r->now_ns < q->until_ns;
}

/* The entry gone (but the bits that the last sync set, which ask it). */
static void quar_delete(struct ref_quar *q)
{
	*q = (struct ref_quar){ .asked = q->asked };
}

/* wgsf release's: the windows emptied, and the entry deleted where no
 * rule needs it. */
static void quar_release(struct ref_quar *q, bool in_force)
{
	q->released = in_force;
	q->until_ns = 0;
	q->by = WGSF_QUAR_BY_NONE;
	q->count = q->count_reasons = 0;
	if (!q->rule.violations)
		quar_delete(q);
}

/* A departed peer's entry goes, and one without a rule that is not in
 * force; an automatic quarantine whose rule went is released (and its
 * entry goes), one by hand kept. A rule is written in, the windows
 * emptied where its period changed. */
bool ref_quar_sync(struct reference *r, uint32_t slot, bool present)
{
	struct ref_quar_rule rule = ref_quar_rule(r, slot);
	struct ref_quar *q = &r->peers[slot].quar;
	bool in_force = ref_quarantined(r, slot);

	if (!present || (!rule.violations && !in_force)) {
		memset(q, 0, sizeof(*q));
		return false;
	}
	if (!rule.violations && q->by == WGSF_QUAR_BY_RULE) {
		memset(q, 0, sizeof(*q));
		return true;
	}
	if (q->entry && q->rule.period_ns != rule.period_ns)
		q->count = q->count_reasons = 0;
	q->rule = rule;
	q->entry = q->asked = true;
	return false;
}

void ref_quar_hand(struct reference *r, uint32_t slot, uint64_t until_ns)
{
	struct ref_quar *q = &r->peers[slot].quar;

	if (!q->entry)
		quar_delete(q); /* from nothing */
	q->entry = true;
	q->by = WGSF_QUAR_BY_HAND;
	q->until_ns = until_ns;
	q->released = false;
}

bool ref_quar_release(struct reference *r, uint32_t slot)
{
	struct ref_quar *q = &r->peers[slot].quar;
	bool in_force = ref_quarantined(r, slot);

	if (q->entry)
		quar_release(q, in_force);
	return in_force;
}

static void push(struct ref_prefixes *s, const struct prefix *p)
{
	if (prefixes_push(&s->v, &s->n, &s->cap, p))
		abort();
}

static void push_rule(struct ref_rules *l, const struct ref_rule *rule)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n++] = *rule;
}

/* The slot of the allowed-IPs hash that holds p, or where it goes (0):
 * the test draws tens of thousands, which a scan for the one taken would
 * compare pairwise. */
static uint32_t *aip_slot(const struct reference *r, const struct prefix *p)
{
	const uint8_t *b = (const uint8_t *)p;
	size_t i, mask = r->hash_cap - 1;
	uint32_t h = 2166136261u; /* FNV-1a */

	for (i = 0; i < sizeof(*p); i++)
		h = (h ^ b[i]) * 16777619u;
	for (i = h & mask; r->aip_hash[i] && prefix_cmp(&r->aips.v[r->aip_hash[i] - 1], p);
	     i = (i + 1) & mask)
		;
	return &r->aip_hash[i];
}

static void aip_hash_grow(struct reference *r)
{
	size_t i;

	free(r->aip_hash);
	r->hash_cap = r->hash_cap ? 2 * r->hash_cap : 64;
	r->aip_hash = calloc(r->hash_cap, sizeof(*r->aip_hash));
	if (!r->aip_hash)
		abort();
	for (i = 0; i < r->aips.n; i++)
		*aip_slot(r, &r->aips.v[i]) = i + 1;
}

bool ref_add_allowedip(struct reference *r, const struct prefix *p, uint32_t slot)
{
	uint32_t *at;

	if (2 * (r->aips.n + 1) > r->hash_cap)
		aip_hash_grow(r);
	at = aip_slot(r, p);
	if (*at)
		return false;
	push(&r->aips, p);
	r->owner = realloc(r->owner, r->aips.cap * sizeof(*r->owner));
	if (!r->owner)
		abort();
	r->owner[r->aips.n - 1] = slot;
	*at = r->aips.n;
	return true;
}

void ref_add_rule(struct reference *r, uint32_t slot, const struct ref_rule *rule)
{
	push_rule(&r->peers[slot].rules, rule);
	r->peers[slot].flags |= WGSF_PEER_DST_POLICY;
}

void ref_add_policy(struct reference *r, bool dst, uint32_t slot, const struct prefix *p)
{
	if (dst) {
		ref_add_rule(r, slot, &(struct ref_rule){ .dst = *p, .kind = REF_ANY_PROTO });
		return;
	}
	push(&r->peers[slot].src, p);
	r->peers[slot].flags |= WGSF_PEER_SRC_POLICY;
}

size_t ref_add_group(struct reference *r, bool every)
{
	if (r->n_groups == REF_GROUPS_MAX)
		abort();
	r->groups[r->n_groups].every = every;
	return r->n_groups++;
}

void ref_group_rule(struct reference *r, size_t group, const struct ref_rule *rule)
{
	push_rule(&r->groups[group].rules, rule);
}

void ref_join(struct reference *r, uint32_t slot, size_t group)
{
	r->peers[slot].groups |= 1u << group;
}

bool ref_member(const struct reference *r, uint32_t slot, size_t g)
{
	return r->groups[g].every || (r->peers[slot].groups >> g & 1);
}

static bool blocked_by_group(const struct reference *r, uint32_t slot)
{
	size_t g;

	for (g = 0; g < r->n_groups; g++)
		if (ref_member(r, slot, g) && r->groups[g].blocked)
			return true;
	return false;
}

bool ref_blocked(const struct reference *r, uint32_t slot)
{
	return (r->peers[slot].flags & WGSF_PEER_BLOCKED) || blocked_by_group(r, slot);
}

bool ref_has_rules(const struct reference *r, uint32_t slot)
{
	size_t g;

	for (g = 0; g < r->n_groups; g++)
		if (ref_member(r, slot, g) && r->groups[g].rules.n)
			return true;
	return r->peers[slot].rules.n;
}

static long longest(const struct ref_prefixes *s, const struct prefix *addr)
{
	long best = -1;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (prefix_contains(&s->v[i], addr) &&
		    (best < 0 || s->v[i].cidr > s->v[best].cidr))
			best = i;
	return best;
}

long ref_lookup(const struct reference *r, const struct prefix *addr)
{
	long i = longest(&r->aips, addr);

	return i < 0 ? -1 : (long)r->owner[i];
}

static void to_addr(struct wgsf_addr *a, const struct prefix *p)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->addr, p->addr, sizeof(a->addr));
	a->version = p->family == AF_INET ? 4 : 6;
}

/* Whether rule admits a packet whose destination its prefix holds, of
 * upper layer l4 (wgsf.policy(5), "What passes"). */
static bool admits(const struct ref_rule *rule, const struct ref_l4 *l4)
{
	if (rule->kind == REF_ANY_PROTO)
		return true;
	if (l4->kind == REF_L4_UNWALKED || rule->proto != l4->proto)
		return false;
	switch (l4->kind) {
	case REF_L4_FRAGMENT:
		return true; /* the first fragment carries the ports, and is judged by them */
	case REF_L4_PORTS:
		return rule->kind == REF_EVERY_PORT || (rule->lo <= l4->port && l4->port <= rule->hi);
	case REF_L4_TYPE:
		return rule->kind == REF_EVERY_PORT || (rule->lo <= l4->type && l4->type <= rule->hi);
	default:
		/* no ports or type known: only a rule of every one */
		return rule->kind == REF_EVERY_PORT;
	}
}

/* Asks the rules of l whose prefix holds dst, as owner's. */
static void ask(const struct ref_rules *l, enum ref_owner owner, const struct prefix *dst,
		struct ref_outcome *o)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (!prefix_contains(&l->v[i].dst, dst))
			continue;
		o->matched |= 1u << owner;
		o->any_matched = o->any_matched || l->v[i].kind == REF_ANY_PROTO;
		if (!o->admitted && admits(&l->v[i], &o->l4)) {
			o->admitted = &l->v[i];
			o->admitted_by = owner;
		}
	}
}

/* The destination rules of slot, its own, its groups', [Group *]'s: the
 * reason they give, or -1. */
static int destination_rules(const struct reference *r, uint32_t slot, const struct prefix *dst,
			     struct ref_outcome *o)
{
	size_t g;

	if (!ref_has_rules(r, slot))
		return -1;
	ask(&r->peers[slot].rules, REF_OWN, dst, o);
	for (g = 0; g < r->n_groups; g++)
		if (ref_member(r, slot, g))
			ask(&r->groups[g].rules, r->groups[g].every ? REF_EVERY_PEER : REF_GROUP,
			    dst, o);
	if (!o->matched)
		return WGSF_REASON_DESTINATION;
	return o->admitted ? -1 : WGSF_REASON_SERVICE;
}

/* Quarantine first, then sources, then destinations and services. */
static int broken_rule(const struct reference *r, uint32_t slot, const struct ref_ip *h,
		       struct ref_outcome *o)
{
	const struct ref_peer *p = &r->peers[slot];

	if (ref_blocked(r, slot)) {
		o->blocked_by_group = !(p->flags & WGSF_PEER_BLOCKED);
		return WGSF_REASON_BLOCKED;
	}
	if ((p->flags & WGSF_PEER_SRC_POLICY) && longest(&p->src, &h->src) < 0)
		return WGSF_REASON_SOURCE;
	return destination_rules(r, slot, &h->dst, o);
}

/* What breaks no rule of a peer with a rate limit takes a packet of its
 * burst, or is over. */
static int metered(struct reference *r, uint32_t slot, int reason)
{
	struct ref_peer *p = &r->peers[slot];

	if (reason >= 0 || !ref_rate_burst(r, slot))
		return reason;
	if (!p->rate_left)
		return WGSF_REASON_RATE;
	p->rate_left--;
	return -1;
}

/* Reasons that count toward a Quarantine rule. */
#define QUAR_COUNTED ((1u << WGSF_REASON_SOURCE) | (1u << WGSF_REASON_DESTINATION) | \
		      (1u << WGSF_REASON_SERVICE))

/* After the rules' reason: a quarantine in force makes every packet
 * quarantined; else a violation that counts is counted, and the Nth
 * within the period begins one (the Nth keeps its reason). A blocked
 * peer's entry is not asked. */
static int quarantine(struct reference *r, uint32_t slot, int reason, struct ref_outcome *o)
{
	struct ref_quar *q = &r->peers[slot].quar;

	if (!q->entry || !q->asked || ref_blocked(r, slot))
		return reason;
	if (ref_quarantined(r, slot)) {
		o->quar = REF_QUAR_IN_FORCE;
		return WGSF_REASON_QUARANTINED;
	}
	o->quar = REF_QUAR_PASSED;
	o->quar_after = q->released ? REF_QUAR_RELEASED : q->until_ns ? REF_QUAR_EXPIRED
								 : REF_QUAR_NEVER;
	if (reason < 0 || !(QUAR_COUNTED >> reason & 1) || !q->rule.violations)
		return reason;
	o->quar = REF_QUAR_COUNTED;
	q->count++;
	q->count_reasons |= 1u << reason;
	if (q->count < q->rule.violations)
		return reason;
	o->quar = REF_QUAR_BEGAN;
	q->by = WGSF_QUAR_BY_RULE;
	q->until_ns = r->now_ns + q->rule.duration_ns;
	q->released = false;
	q->counted = q->count;
	q->reasons = q->count_reasons;
	q->began_for_ns = q->rule.duration_ns;
	q->count = q->count_reasons = 0;
	return reason;
}

static void violation(struct reference *r, struct wgsf_peer_stats *w, struct ref_outcome *o,
		      const struct ref_ip *h)
{
	w->violation_packets++;
	w->violation_bytes += h->ip_len;
	w->violations[o->reason]++;
	if (o->reason == WGSF_REASON_RATE)
		w->rate_bytes += h->ip_len;
	w->last_violation_reason = o->reason;
	to_addr(&w->last_violation_src, &h->src);
	to_addr(&w->last_violation_dst, &h->dst);
	w->last_violation_proto = o->l4.proto;
	w->last_violation_l4 = ref_l4_flags(&o->l4);
	w->last_violation_port = ref_l4_port(&o->l4);
	if (r->mode != WGSF_MODE_ENFORCE)
		return;
	w->drop_packets++;
	w->drop_bytes += h->ip_len;
	o->drop = true;
}

struct ref_outcome ref_packet(struct reference *r, const uint8_t *ip, size_t len)
{
	struct ref_outcome o = { .slot = -1, .reason = -1, .rules_reason = -1 };
	struct wgsf_peer_stats *w;
	struct ref_ip h;

	if (!ref_ip_parse(ip, len, &h)) {
		r->want.malformed_packets++;
		o.malformed = true;
		return o;
	}
	o.l4 = ref_l4_parse(ip, &h);
	o.slot = ref_lookup(r, &h.src);
	if (o.slot < 0) {
		r->want.unknown_packets++;
		r->want.unknown_bytes += h.ip_len;
		to_addr(&r->want.last_unknown_src, &h.src);
		return o;
	}
	w = &r->peers[o.slot].want;
	w->rx_packets++;
	w->rx_bytes += h.ip_len;
	o.reason = o.rules_reason = broken_rule(r, o.slot, &h, &o);
	o.reason = quarantine(r, o.slot, o.reason, &o);
	o.reason = metered(r, o.slot, o.reason);
	if (o.reason >= 0) {
		r->want.violation_packets++;
		violation(r, w, &o, &h);
	}
	return o;
}

const char *const ref_reasons[WGSF_REASON_COUNT] = {
	[WGSF_REASON_SOURCE] = "source",
	[WGSF_REASON_DESTINATION] = "destination",
	[WGSF_REASON_BLOCKED] = "blocked",
	[WGSF_REASON_SERVICE] = "service",
	[WGSF_REASON_RATE] = "rate",
	[WGSF_REASON_QUARANTINED] = "quarantined",
};

const char *ref_outcome_describe(const struct ref_outcome *o, char *buf, size_t size)
{
	char l4[64];

	if (o->malformed)
		snprintf(buf, size, "pass (malformed)");
	else if (o->slot < 0)
		snprintf(buf, size, "pass (unknown source)");
	else
		snprintf(buf, size, "%s (slot %ld, %s; %s)", o->drop ? "drop" : "pass", o->slot,
			 o->reason < 0 ? "no violation" : ref_reasons[o->reason],
			 ref_l4_describe(&o->l4, l4, sizeof(l4)));
	return buf;
}

const char *ref_rule_describe(const struct ref_rule *rule, char *buf, size_t size)
{
	char p[PREFIX_STRLEN];
	int n = snprintf(buf, size, "%s ", prefix_format(&rule->dst, p));

	if (rule->kind == REF_ANY_PROTO)
		snprintf(buf + n, size - n, "any");
	else if (rule->kind == REF_EVERY_PORT)
		snprintf(buf + n, size - n, "proto %u", rule->proto);
	else
		snprintf(buf + n, size - n, "proto %u %u-%u", rule->proto, rule->lo, rule->hi);
	return buf;
}

int ref_install(const struct reference *r, const struct maps *m)
{
	size_t i, j;
	int err = r->n_groups ? -EINVAL : datapath_set_mode(m->fd[MAP_CONFIG], r->mode);

	for (i = 0; !err && i < r->aips.n; i++)
		err = allowedip_write(m, &r->aips.v[i], r->owner[i]);
	for (i = 0; !err && i < r->slots; i++) {
		const struct ref_peer *p = &r->peers[i];
		uint32_t ruleset = i + 1;

		/* a ruleset of its own, numbered i + 1, of every protocol */
		for (j = 0; j < p->rules.n; j++)
			ruleset |= ruleset_table_bit(&p->rules.v[j].dst);
		err = policy_flags_write(m, i, p->flags, ruleset);
		for (j = 0; !err && j < p->src.n; j++)
			err = policy_prefix_write(m, false, i, &p->src.v[j], 1);
		for (j = 0; !err && j < p->rules.n; j++)
			err = p->rules.v[j].kind != REF_ANY_PROTO
				      ? -EINVAL
				      : policy_prefix_write(m, true, ruleset, &p->rules.v[j].dst,
							    WGSF_SET_ANY);
	}
	return err;
}
