// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "tables/datapath.h"
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

void ref_free(struct reference *r)
{
	size_t i;

	for (i = 0; i < r->slots; i++) {
		free(r->peers[i].src.v);
		free(r->peers[i].dst.v);
	}
	free(r->peers);
	free(r->aips.v);
	free(r->owner);
}

void ref_clear_counts(struct reference *r)
{
	size_t i;

	for (i = 0; i < r->slots; i++)
		memset(&r->peers[i].want, 0, sizeof(r->peers[i].want));
	memset(&r->want, 0, sizeof(r->want));
}

void ref_clear_tables(struct reference *r)
{
	size_t i;

	for (i = 0; i < r->slots; i++) {
		r->peers[i].flags = 0;
		r->peers[i].src.n = r->peers[i].dst.n = 0;
	}
	r->aips.n = 0;
}

static void push(struct ref_prefixes *s, const struct prefix *p)
{
	if (prefixes_push(&s->v, &s->n, &s->cap, p))
		abort();
}

bool ref_add_allowedip(struct reference *r, const struct prefix *p, uint32_t slot)
{
	size_t i;

	for (i = 0; i < r->aips.n; i++)
		if (!prefix_cmp(&r->aips.v[i], p))
			return false;
	push(&r->aips, p);
	r->owner = realloc(r->owner, r->aips.cap * sizeof(*r->owner));
	if (!r->owner)
		abort();
	r->owner[r->aips.n - 1] = slot;
	return true;
}

void ref_add_policy(struct reference *r, bool dst, uint32_t slot, const struct prefix *p)
{
	struct ref_peer *peer = &r->peers[slot];

	push(dst ? &peer->dst : &peer->src, p);
	peer->flags |= dst ? WGSF_PEER_DST_POLICY : WGSF_PEER_SRC_POLICY;
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

/*
 * The rules of the datapath's parse(): a whole fixed header of the version
 * in the first nibble; for IPv4 also IHL >= 5, the whole header with its
 * options present, and a total length that holds the header. The IP length
 * counted is the header's claim, not the bytes present.
 */
static bool parse(const uint8_t *ip, size_t len, struct prefix *src, struct prefix *dst,
		  uint64_t *ip_len)
{
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if (len >= 20 && ip[0] >> 4 == 4) {
		size_t hlen = (ip[0] & 15) * 4;

		*ip_len = ip[2] << 8 | ip[3];
		if (hlen < 20 || len < hlen || *ip_len < hlen)
			return false;
		src->family = dst->family = AF_INET;
		src->cidr = dst->cidr = 32;
		memcpy(src->addr, ip + 12, 4);
		memcpy(dst->addr, ip + 16, 4);
		return true;
	}
	if (len >= 40 && ip[0] >> 4 == 6) {
		*ip_len = 40 + (ip[4] << 8 | ip[5]);
		src->family = dst->family = AF_INET6;
		src->cidr = dst->cidr = 128;
		memcpy(src->addr, ip + 8, 16);
		memcpy(dst->addr, ip + 24, 16);
		return true;
	}
	return false;
}

/* Quarantine first, then sources, then destinations. */
static int broken_rule(const struct ref_peer *p, const struct prefix *src,
		       const struct prefix *dst)
{
	if (p->flags & WGSF_PEER_BLOCKED)
		return WGSF_REASON_BLOCKED;
	if ((p->flags & WGSF_PEER_SRC_POLICY) && longest(&p->src, src) < 0)
		return WGSF_REASON_SOURCE;
	if ((p->flags & WGSF_PEER_DST_POLICY) && longest(&p->dst, dst) < 0)
		return WGSF_REASON_DESTINATION;
	return -1;
}

static void violation(struct reference *r, struct wgsf_peer_stats *w, struct ref_outcome *o,
		      const struct prefix *src, const struct prefix *dst, uint64_t ip_len)
{
	w->violation_packets++;
	w->violation_bytes += ip_len;
	w->violations[o->reason]++;
	w->last_violation_reason = o->reason;
	to_addr(&w->last_violation_src, src);
	to_addr(&w->last_violation_dst, dst);
	if (r->mode != WGSF_MODE_ENFORCE)
		return;
	w->drop_packets++;
	w->drop_bytes += ip_len;
	o->drop = true;
}

struct ref_outcome ref_packet(struct reference *r, const uint8_t *ip, size_t len)
{
	struct ref_outcome o = { .slot = -1, .reason = -1 };
	struct wgsf_peer_stats *w;
	struct prefix src, dst;
	uint64_t ip_len;

	if (!parse(ip, len, &src, &dst, &ip_len)) {
		r->want.malformed_packets++;
		o.malformed = true;
		return o;
	}
	o.slot = ref_lookup(r, &src);
	if (o.slot < 0) {
		r->want.unknown_packets++;
		r->want.unknown_bytes += ip_len;
		to_addr(&r->want.last_unknown_src, &src);
		return o;
	}
	w = &r->peers[o.slot].want;
	w->rx_packets++;
	w->rx_bytes += ip_len;
	o.reason = broken_rule(&r->peers[o.slot], &src, &dst);
	if (o.reason >= 0) {
		r->want.violation_packets++;
		violation(r, w, &o, &src, &dst, ip_len);
	}
	return o;
}

const char *const ref_reasons[WGSF_REASON_COUNT] = {
	[WGSF_REASON_SOURCE] = "source",
	[WGSF_REASON_DESTINATION] = "destination",
	[WGSF_REASON_BLOCKED] = "blocked",
};

const char *ref_outcome_describe(const struct ref_outcome *o, char *buf, size_t size)
{
	if (o->malformed)
		snprintf(buf, size, "pass (malformed)");
	else if (o->slot < 0)
		snprintf(buf, size, "pass (unknown source)");
	else
		snprintf(buf, size, "%s (slot %ld, %s)", o->drop ? "drop" : "pass", o->slot,
			 o->reason < 0 ? "no violation" : ref_reasons[o->reason]);
	return buf;
}

int ref_install(const struct reference *r, const struct maps *m)
{
	size_t i, j;
	int err = datapath_set_mode(m->fd[MAP_CONFIG], r->mode);

	for (i = 0; !err && i < r->aips.n; i++)
		err = allowedip_write(m, &r->aips.v[i], r->owner[i]);
	for (i = 0; !err && i < r->slots; i++) {
		const struct ref_peer *p = &r->peers[i];

		/* a ruleset of its own, i + 1, of every protocol */
		err = policy_flags_write(m, i, p->flags, i + 1);
		for (j = 0; !err && j < p->src.n; j++)
			err = policy_prefix_write(m, false, i, &p->src.v[j], 1);
		for (j = 0; !err && j < p->dst.n; j++)
			err = policy_prefix_write(m, true, i + 1, &p->dst.v[j], WGSF_SET_ANY);
	}
	return err;
}
