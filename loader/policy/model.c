// SPDX-License-Identifier: GPL-2.0-only
/* A policy once read: its lifetime, its lookups, and what it means for
 * each peer (its own rules, its groups', [Group *]'s). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/quarantine.h"
#include "policy/rate.h"
#include "vec.h"

int prefix_list_add(struct prefix_list *l, const struct prefix *p)
{
	size_t cap = l->cap;
	unsigned int *lines = l->lines;
	int err = prefixes_push(&l->v, &l->n, &l->cap, p);

	if (!err && (!lines || cap != l->cap))
		lines = realloc(l->lines, l->cap * sizeof(*lines));
	if (err || !lines) {
		l->n -= !err;
		return err ?: -ENOMEM;
	}
	l->lines = lines;
	lines[l->n - 1] = 0;
	return 0;
}

int rule_list_add(struct rule_list *l, const struct rule *r)
{
	int err = vec_room(&l->v, l->n, &l->cap, sizeof(*r));

	if (!err)
		l->v[l->n++] = *r;
	return err;
}

/* src's rules after dst's. */
static int rules_append(struct rule_list *dst, const struct rule_list *src)
{
	size_t i;
	int err = 0;

	for (i = 0; i < src->n && !err; i++)
		err = rule_list_add(dst, &src->v[i]);
	return err;
}

const struct peer_rules *policy_find(const struct policy *p, const uint8_t key[WG_KEY_LEN])
{
	size_t i;

	for (i = 0; i < p->n_peers; i++)
		if (!memcmp(p->peers[i].public_key, key, WG_KEY_LEN))
			return &p->peers[i];
	return NULL;
}

const struct policy_group *policy_group(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_groups; i++)
		if (!strcmp(p->groups[i].name, name))
			return &p->groups[i];
	return NULL;
}

void peer_rules_free(struct peer_rules *r)
{
	free(r->sources.v);
	free(r->sources.lines);
	free(r->rules.v);
	free(r->groups);
	memset(r, 0, sizeof(*r));
}

void policy_free(struct policy *p)
{
	size_t i;

	for (i = 0; i < p->n_peers; i++)
		peer_rules_free(&p->peers[i]);
	for (i = 0; i < p->n_groups; i++)
		free(p->groups[i].rules.v);
	free(p->peers);
	free(p->groups);
	memset(p, 0, sizeof(*p));
	p->mode = -1;
}

static int list_copy(struct prefix_list *dst, const struct prefix_list *src)
{
	*dst = (struct prefix_list){ .v = malloc((src->n ?: 1) * sizeof(*src->v)),
				     .lines = calloc(src->n ?: 1, sizeof(*src->lines)),
				     .n = src->n, .cap = src->n ?: 1 };
	if (!dst->v || !dst->lines)
		return -ENOMEM;
	if (src->n)
		memcpy(dst->v, src->v, src->n * sizeof(*src->v));
	if (src->n && src->lines)
		memcpy(dst->lines, src->lines, src->n * sizeof(*src->lines));
	return 0;
}

/* A deep copy of src's own parts into dst (a plain copy before, with
 * dst->n_groups of them). */
static int peer_copy(struct peer_rules *dst, const struct peer_rules *src)
{
	dst->sources = (struct prefix_list){};
	dst->rules = (struct rule_list){};
	dst->groups = dst->n_groups ? malloc(dst->n_groups * sizeof(*src->groups)) : NULL;
	if (dst->n_groups && !dst->groups)
		return -ENOMEM;
	if (dst->n_groups)
		memcpy(dst->groups, src->groups, dst->n_groups * sizeof(*src->groups));
	return list_copy(&dst->sources, &src->sources) ?: rules_append(&dst->rules, &src->rules);
}

int policy_copy(struct policy *dst, const struct policy *src)
{
	size_t i;
	int err = 0;

	*dst = (struct policy){ .mode = src->mode, .mode_line = src->mode_line,
				.cap_peers = src->n_peers, .cap_groups = src->n_groups };
	dst->peers = calloc(src->n_peers ?: 1, sizeof(*dst->peers));
	dst->groups = calloc(src->n_groups ?: 1, sizeof(*dst->groups));
	if (!dst->peers || !dst->groups) {
		policy_free(dst);
		return -ENOMEM;
	}
	for (i = 0; i < src->n_peers && !err; i++, dst->n_peers++) {
		dst->peers[i] = src->peers[i];
		err = peer_copy(&dst->peers[i], &src->peers[i]);
	}
	for (i = 0; i < src->n_groups && !err; i++, dst->n_groups++) {
		dst->groups[i] = src->groups[i];
		dst->groups[i].rules = (struct rule_list){};
		err = rules_append(&dst->groups[i].rules, &src->groups[i].rules);
	}
	if (err)
		policy_free(dst);
	return err;
}

bool policy_needs_flatten(const struct policy *pol, const struct peer_rules *r)
{
	return !r || r->n_groups || policy_group(pol, "*");
}

/* A group's part in the rules of a peer whose own are own. */
static int add_group(struct peer_rules *out, const struct peer_rules *own,
		     const struct policy_group *g)
{
	out->blocked = out->blocked || g->blocked;
	rate_tighten(&out->rate, &own->rate, &g->rate);
	quarantine_tighten(&out->quarantine, &own->quarantine, &g->quarantine);
	return rules_append(&out->rules, &g->rules);
}

int policy_flatten(const struct policy *pol, const struct peer_rules *r, struct peer_rules *out)
{
	const struct policy_group *star = policy_group(pol, "*");
	const struct peer_rules none = {}, *own = r ?: &none;
	size_t i;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (r) {
		*out = *r;
		out->n_groups = 0; /* flattened: its groups' rules are its own */
		err = peer_copy(out, r);
	}
	for (i = 0; r && i < r->n_groups && !err; i++)
		err = add_group(out, own, &pol->groups[r->groups[i]]);
	err = err ?: star ? add_group(out, own, star) : 0;
	if (err)
		peer_rules_free(out);
	return err;
}

int policy_peer_rules(const struct policy *pol, const uint8_t key[WG_KEY_LEN],
		      struct peer_rules *out)
{
	int err = policy_flatten(pol, policy_find(pol, key), out);

	if (!err)
		memcpy(out->public_key, key, WG_KEY_LEN);
	return err;
}

/* Prefixes nest or are apart: they overlap when one holds the other. */
static bool overlaps(const struct prefix *a, const struct prefix *b)
{
	return prefix_contains(a, b) || prefix_contains(b, a);
}

/* The allowed sources of r that no allowed IP of peer overlaps: a source
 * wider than an allowed IP still admits that part. */
static void sources_outside(const struct peer_rules *r, const struct wg_peer *peer,
			    void (*fn)(const struct policy_warning *w, void *ctx), void *ctx)
{
	struct policy_warning w = { .kind = POLICY_SOURCE_OUTSIDE, .peer = r };
	size_t j, k;

	for (j = 0; j < r->sources.n; j++) {
		for (k = 0; k < peer->n_allowedips; k++)
			if (overlaps(&peer->allowedips[k], &r->sources.v[j]))
				break;
		if (k < peer->n_allowedips)
			continue;
		w.src = &r->sources.v[j];
		w.line = r->sources.lines && r->sources.lines[j] ? r->sources.lines[j] : r->line;
		fn(&w, ctx);
	}
}

static bool has_member(const struct policy *pol, size_t group)
{
	size_t i, j;

	for (i = 0; i < pol->n_peers; i++)
		for (j = 0; j < pol->peers[i].n_groups; j++)
			if (pol->peers[i].groups[j] == group)
				return true;
	return false;
}

void policy_ineffective(const struct policy *pol, const struct wg_device *dev,
			void (*fn)(const struct policy_warning *w, void *ctx), void *ctx)
{
	const struct wg_peer *peer;
	size_t i;

	for (i = 0; i < pol->n_peers; i++) {
		const struct peer_rules *r = &pol->peers[i];

		peer = device_find_peer(dev, r->public_key);
		if (peer)
			sources_outside(r, peer, fn, ctx);
		else
			fn(&(struct policy_warning){ .kind = POLICY_NOT_A_PEER, .peer = r,
						     .line = r->line }, ctx);
	}
	for (i = 0; i < pol->n_groups; i++)
		if (strcmp(pol->groups[i].name, "*") && !has_member(pol, i))
			fn(&(struct policy_warning){ .kind = POLICY_EMPTY_GROUP,
						     .group = &pol->groups[i],
						     .line = pol->groups[i].line }, ctx);
}
