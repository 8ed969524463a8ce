// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "tables/entry_bits.h"
#include "tables/quar_hand.h"
#include "tables/rate.h"
#include "wgsf.h"

static int by_key(const void *a, const void *b)
{
	const struct peer_rules *const *x = a, *const *y = b;

	return memcmp((*x)->public_key, (*y)->public_key, WG_KEY_LEN);
}

/* Each peer of pol as rules_find() gives it: itself, or its rules with
 * its groups' and [Group *]'s (flattened into ix->flat). */
static int index_peers(const struct policy *pol, struct rules_index *ix)
{
	size_t i, n = 0;
	int err = 0;

	for (i = 0; i < pol->n_peers; i++)
		n += policy_needs_flatten(pol, &pol->peers[i]);
	ix->flat = n ? calloc(n, sizeof(*ix->flat)) : NULL;
	if (n && !ix->flat)
		return -ENOMEM;
	for (i = 0; i < pol->n_peers && !err; i++) {
		if (!policy_needs_flatten(pol, &pol->peers[i])) {
			ix->v[i] = &pol->peers[i];
			continue;
		}
		err = policy_flatten(pol, &pol->peers[i], &ix->flat[ix->n_flat]);
		if (!err)
			ix->v[i] = &ix->flat[ix->n_flat++];
	}
	return err;
}

int rules_index_build(const struct policy *pol, struct rules_index *ix)
{
	int err;

	*ix = (struct rules_index){};
	if (!pol)
		return 0;
	ix->v = malloc((pol->n_peers ?: 1) * sizeof(*ix->v));
	if (!ix->v)
		return -ENOMEM;
	ix->n = pol->n_peers;
	err = index_peers(pol, ix);
	if (!err && policy_group(pol, "*")) {
		err = policy_flatten(pol, NULL, &ix->star);
		ix->has_star = !err;
	}
	if (err) {
		rules_index_free(ix);
		return err;
	}
	sort_array(ix->v, ix->n, sizeof(*ix->v), by_key);
	return 0;
}

void rules_index_free(struct rules_index *ix)
{
	size_t i;

	for (i = 0; i < ix->n_flat; i++)
		peer_rules_free(&ix->flat[i]);
	if (ix->has_star)
		peer_rules_free(&ix->star);
	free(ix->flat);
	free(ix->v);
	*ix = (struct rules_index){};
}

const struct peer_rules *rules_find(const struct rules_index *ix, const uint8_t key[WG_KEY_LEN])
{
	struct peer_rules probe;
	const struct peer_rules *p = &probe, *const *found = NULL;

	memcpy(probe.public_key, key, WG_KEY_LEN);
	if (ix->n)
		found = bsearch(&p, ix->v, ix->n, sizeof(*ix->v), by_key);
	if (found)
		return *found;
	return ix->has_star ? &ix->star : NULL;
}

bool rules_quarantined(const struct rules_index *ix, const uint8_t key[WG_KEY_LEN])
{
	return ix->n_quar && bsearch(key, ix->quar, ix->n_quar, sizeof(*ix->quar),
					 quarantine_key_cmp);
}

/* 1 when one of the allowed sources holds all of p, 0 when none holds any
 * of it, -1 when they split it. */
static int sources_hold(const struct prefix_list *l, const struct prefix *p)
{
	bool part = false;
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (prefix_contains(&l->v[i], p))
			return 1;
		part = part || prefix_contains(p, &l->v[i]);
	}
	return part ? -1 : 0;
}

uint32_t entry_bits(const struct peer_rules *r, bool quar, const struct prefix *p)
{
	uint32_t bits = WGSF_ENTRY_POLICY | (quar ? WGSF_ENTRY_QUAR : 0);

	if (!r)
		return bits;
	/* blocked is stronger: no quarantine to ask */
	if (r->blocked)
		return WGSF_ENTRY_POLICY | WGSF_ENTRY_BLOCKED;
	if (r->has_sources) {
		switch (sources_hold(&r->sources, p)) {
		case -1:
			return 0; /* the datapath asks the allowed sources, and flags */
		case 0:
			bits |= WGSF_ENTRY_SRC_OUT;
			break;
		}
	}
	return bits | (r->rules.n ? WGSF_ENTRY_DST : 0) |
	       (rate_limited(&r->rate) ? WGSF_ENTRY_RATE : 0);
}
