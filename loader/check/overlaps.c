// SPDX-License-Identifier: GPL-2.0-only
/*
 * Prefixes of one peer inside another's. WireGuard sends to, and accepts
 * from, the peer of the longest prefix that holds an address, so a longer
 * prefix of another peer takes that part of the shorter one away from its
 * peer. In the sorted table a prefix follows every prefix that holds it,
 * and everything it holds follows it, so one pass with a stack of the
 * prefixes that hold the current one finds, for each prefix, the shortest
 * one around it (its parent); the parts of a prefix are its children of
 * other peers, and its peer keeps the rest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check/overlaps.h"
#include "vec.h"

#define NONE ((size_t)-1)

static bool host_route(const struct prefix *p)
{
	return p->cidr == prefix_bits(p->family);
}

/* The two halves of p. */
static void halves(const struct prefix *p, struct prefix h[2])
{
	h[0] = h[1] = *p;
	h[0].cidr = h[1].cidr = p->cidr + 1;
	h[1].addr[p->cidr / 8] |= 0x80 >> (p->cidr % 8);
}

struct prefixes {
	struct prefix *v;
	size_t n, cap;
};

/* p less the parts (sorted, disjoint, inside p), as the fewest prefixes. */
static int rest(const struct prefix *p, const struct check_item *parts, size_t n,
		struct prefixes *out)
{
	struct prefix h[2];
	size_t k;

	if (!n)
		return prefixes_push(&out->v, &out->n, &out->cap, p);
	if (parts[0].prefix.cidr == p->cidr)
		return 0; /* the part is all of p */
	halves(p, h);
	for (k = 0; k < n && prefix_contains(&h[0], &parts[k].prefix); k++)
		;
	return rest(&h[0], parts, k, out) ?: rest(&h[1], parts + k, n - k, out);
}

/* Each prefix's parent in r->table, NONE for the outermost. */
static size_t *parents(const struct check_report *r)
{
	size_t *parent = malloc((r->n_table + 1) * sizeof(*parent)), stack[129], top = 0, i;

	for (i = 0; parent && i < r->n_table; i++) {
		while (top && !prefix_contains(&r->table[stack[top - 1]].prefix, &r->table[i].prefix))
			top--;
		parent[i] = top ? stack[top - 1] : NONE;
		/* a chain of prefixes that hold one another is at most 129 long */
		stack[top++] = i;
	}
	return parent;
}

/* The finding of a prefix whose children of other peers are parts, of its
 * own kind when they are all host routes (hosts behind a hub). */
static int nested(struct check_report *r, const struct check_entry *outer,
		  const struct check_item *parts, size_t n)
{
	struct finding f = { .kind = CHECK_NESTED_HOSTS,
			     .key = r->dev->peers[outer->peer].public_key, .prefix = outer->prefix,
			     .line = outer->line, .n_items = n };
	struct prefixes kept = {};
	size_t i;
	int err;

	f.items = malloc(n * sizeof(*f.items));
	err = f.items ? rest(&outer->prefix, parts, n, &kept) : -ENOMEM;
	if (err) {
		free(f.items);
		free(kept.v);
		return err;
	}
	memcpy(f.items, parts, n * sizeof(*f.items));
	for (i = 0; i < n; i++)
		if (!host_route(&parts[i].prefix))
			f.kind = CHECK_NESTED_PREFIX;
	f.rest = kept.v;
	f.n_rest = kept.n;
	return check_finding(r, &f);
}

/* Whether table entry i is a part: another peer's than its parent's. */
static bool is_part(const struct check_report *r, const size_t *parent, size_t i)
{
	return parent[i] != NONE && r->table[parent[i]].peer != r->table[i].peer;
}

/* The parts, grouped by their parent (a counting sort, which keeps them
 * in prefix order), then the findings. */
static int nested_prefixes(struct check_report *r, const size_t *parent)
{
	size_t n = r->n_table, i, *at = calloc(n + 2, sizeof(*at)), *pos;
	struct check_item *parts = malloc((n + 1) * sizeof(*parts));
	int err = at && parts ? 0 : -ENOMEM;

	for (i = 0; i < n && !err; i++)
		if (is_part(r, parent, i))
			at[parent[i] + 2]++;
	for (i = 0; i < n && !err; i++)
		at[i + 2] += at[i + 1];
	for (i = 0; i < n && !err; i++) {
		if (!is_part(r, parent, i))
			continue;
		pos = &at[parent[i] + 1];
		parts[(*pos)++] = (struct check_item){ r->table[i].prefix,
						       r->dev->peers[r->table[i].peer].public_key,
						       r->table[i].line };
	}
	for (i = 0; i < n && !err; i++)
		if (at[i + 1] > at[i])
			err = nested(r, &r->table[i], parts + at[i], at[i + 1] - at[i]);
	free(at);
	free(parts);
	return err;
}

/* A peer with all of a family, as one prefix or as its two halves. */
static int catch_all(struct check_report *r, uint8_t family)
{
	const struct check_entry *whole = NULL, *half[2] = {};
	struct finding f = { .kind = CHECK_CATCH_ALL, .prefix = { .family = family } };
	size_t i;

	for (i = 0; i < r->n_table; i++) {
		const struct check_entry *e = &r->table[i];

		if (e->prefix.family != family || e->prefix.cidr > 1)
			continue;
		if (!e->prefix.cidr)
			whole = e;
		else
			half[e->prefix.addr[0] >> 7] = e;
	}
	if (!whole && !(half[0] && half[1] && half[0]->peer == half[1]->peer))
		return 0;
	f.n_items = whole ? 1 : 2;
	f.items = calloc(f.n_items, sizeof(*f.items));
	if (!f.items)
		return -ENOMEM;
	for (i = 0; i < f.n_items; i++) {
		const struct check_entry *e = whole ?: half[i];

		f.items[i] = (struct check_item){ e->prefix, r->dev->peers[e->peer].public_key,
						  e->line };
	}
	f.key = f.items[0].key;
	f.line = f.items[0].line;
	return check_finding(r, &f);
}

int check_overlaps(struct check_report *r)
{
	size_t *parent = parents(r);
	int err = parent ? nested_prefixes(r, parent) : -ENOMEM;

	free(parent);
	if (err || r->dev->n_peers < 2)
		return err;
	return catch_all(r, AF_INET) ?: catch_all(r, AF_INET6);
}
