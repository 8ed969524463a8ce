// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "vec.h"
#include "tables/blobs.h"
#include "tables/rulesets.h"

/* A rule as a ruleset sees it: a prefix and a service, no line. Zeroed
 * whole, padding too, so that rules compare and hash as bytes. */
struct rkey {
	struct prefix dst;
	struct svc_item svc;
};

/* A ruleset's content, one of these for each of its prefixes. */
struct pair {
	struct prefix prefix;
	uint32_t set;
};

/* A service set by id. Not a pointer to its blob, which moves when the
 * index grows: its bytes, which do not. */
struct set_ref {
	uint32_t id;
	bool used; /* wanted, and listed once */
	const struct svc_entry *entries;
	size_t n;
};

/*
 * The ids a plan gives, in ascending order: each the lowest that the
 * tables do not hold (held, ascending once sorted) and that was not given
 * yet. An id is free again once what had it is gone, so that ids stay
 * below twice the sets or rulesets in use, however many syncs replace
 * them: a set's never wraps round to WGSF_SET_ANY (0), and a ruleset's
 * number never reaches the bits above it.
 */
struct free_ids {
	uint32_t *held;
	size_t n_held, cap_held;
	size_t next_held; /* the first held id not passed yet */
	uint32_t next;    /* the lowest id not given yet (from 1) */
};

static int free_ids_hold(struct free_ids *f, uint32_t id)
{
	int err = vec_room(&f->held, f->n_held, &f->cap_held, sizeof(*f->held));

	if (!err)
		f->held[f->n_held++] = id;
	return err;
}

static uint32_t free_ids_take(struct free_ids *f)
{
	for (; f->next_held < f->n_held && f->held[f->next_held] <= f->next; f->next_held++)
		if (f->held[f->next_held] == f->next)
			f->next++;
	return f->next++;
}

struct builder {
	/* contents by bytes: service sets (their entries, set 0), rulesets
	 * (their pairs), and a peer's rules (its rkeys) */
	struct blob_index sets, rulesets, rules;
	/* the tables' sets by ascending id, then the new ones, ascending too */
	struct set_ref *set_by_id;
	size_t n_sets, cap_sets, n_table_sets;
	/* sets' ids, rulesets' numbers (WGSF_RULESET_NUMBER) */
	struct free_ids set_ids, ruleset_numbers;
	struct ruleset_plan *p;
	size_t cap_want, cap_svc;
	struct svc_entry *scratch; /* one set's entries while it is built */
	size_t n_scratch, cap_scratch;
};

static int rkey_cmp(const void *a, const void *b)
{
	const struct rkey *x = a, *y = b;
	int c = prefix_cmp(&x->dst, &y->dst);

	return c ?: memcmp(&x->svc, &y->svc, sizeof(x->svc));
}

static int set_add(struct builder *b, const void *entries, size_t len, uint32_t id)
{
	struct blob *s = blob_add(&b->sets, entries, len, id);

	if (!s || vec_room(&b->set_by_id, b->n_sets, &b->cap_sets, sizeof(*b->set_by_id)))
		return -ENOMEM;
	if (s->id == id) /* not one of equal content found first */
		b->set_by_id[b->n_sets++] = (struct set_ref){ .id = id, .entries = s->bytes,
							      .n = len / sizeof(struct svc_entry) };
	return 0;
}

/* The sets the tables hold, each by its entries with set 0, and their
 * ids held. */
static int index_sets(struct builder *b, const struct svc_entry *v, size_t n)
{
	size_t i, j, k;
	int err = 0;

	for (i = 0; i < n && !err; i = j) {
		for (j = i; j < n && v[j].set == v[i].set; j++)
			;
		b->n_scratch = 0;
		for (k = i; k < j && !err; k++) {
			err = vec_room(&b->scratch, b->n_scratch, &b->cap_scratch,
				       sizeof(*b->scratch));
			if (!err) {
				b->scratch[b->n_scratch] = v[k];
				b->scratch[b->n_scratch++].set = 0;
			}
		}
		err = err ?: set_add(b, b->scratch, b->n_scratch * sizeof(*b->scratch), v[i].set) ?:
			     free_ids_hold(&b->set_ids, v[i].set);
	}
	b->n_table_sets = b->n_sets;
	return err;
}

/* Set id among set_by_id[from..to), ascending. By index: set_by_id is
 * NULL while there are no sets, and NULL + 0 is undefined. */
static struct set_ref *set_in(const struct builder *b, size_t from, size_t to, uint32_t id)
{
	struct set_ref *v = b->set_by_id;
	size_t lo;

	if (from == to)
		return NULL;
	lo = from + lower_bound_u32(v + from, to - from, sizeof(*v),
				    offsetof(struct set_ref, id), id);
	return lo < to && v[lo].id == id ? &v[lo] : NULL;
}

static struct set_ref *set_of(const struct builder *b, uint32_t id)
{
	return set_in(b, 0, b->n_table_sets, id) ?: set_in(b, b->n_table_sets, b->n_sets, id);
}

/* The rulesets the tables hold, less those that name a set they lack
 * (what a killed sync may leave): never reused, so removed. The numbers
 * of all of them, held until they are gone. */
static int index_rulesets(struct builder *b, const struct table_entry *v, size_t n)
{
	struct pair *pairs = malloc((n + 1) * sizeof(*pairs));
	size_t i, j, k;
	bool whole;
	int err = pairs ? 0 : -ENOMEM;

	for (i = 0; i < n && !err; i = j) {
		whole = true;
		for (j = i; j < n && v[j].slot == v[i].slot; j++) {
			k = j - i;
			memset(&pairs[k], 0, sizeof(pairs[k]));
			pairs[k].prefix = v[j].prefix;
			pairs[k].set = v[j].bits;
			whole = whole && (v[j].bits == WGSF_SET_ANY || set_of(b, v[j].bits));
		}
		if (whole && !blob_add(&b->rulesets, pairs, (j - i) * sizeof(*pairs), v[i].slot))
			err = -ENOMEM;
		err = err ?: free_ids_hold(&b->ruleset_numbers, v[i].slot & WGSF_RULESET_NUMBER);
	}
	free(pairs);
	sort_array(b->ruleset_numbers.held, b->ruleset_numbers.n_held,
		   sizeof(*b->ruleset_numbers.held), sort_u32_cmp);
	return err;
}

/* Lists a set wanted, its entries once. */
static int use_set(struct builder *b, uint32_t id)
{
	struct set_ref *s = id == WGSF_SET_ANY ? NULL : set_of(b, id);
	const struct svc_entry *e;
	size_t i;
	int err = 0;

	if (!s || s->used)
		return 0;
	s->used = true;
	e = s->entries;
	for (i = 0; i < s->n && !err; i++) {
		err = vec_room(&b->p->svc_want, b->p->nsw, &b->cap_svc, sizeof(*e));
		if (!err) {
			b->p->svc_want[b->p->nsw] = e[i];
			b->p->svc_want[b->p->nsw++].set = id;
		}
	}
	return err;
}

/* Lists a ruleset wanted, its entries and sets once. */
static int use_ruleset(struct builder *b, struct blob *r)
{
	const struct pair *pairs = r->bytes;
	size_t i;
	int err = 0;

	if (r->used)
		return 0;
	r->used = true;
	for (i = 0; i < r->len / sizeof(*pairs) && !err; i++) {
		err = vec_room(&b->p->want, b->p->nw, &b->cap_want, sizeof(*b->p->want)) ?:
		      use_set(b, pairs[i].set);
		if (!err)
			b->p->want[b->p->nw++] = (struct table_entry){
				.prefix = pairs[i].prefix, .slot = r->id, .bits = pairs[i].set
			};
	}
	return err;
}

/* The id of the set that admits the union of items: a set of the same
 * entries, or a new one. */
static int set_id(struct builder *b, const struct svc_item *items, size_t n, uint32_t *id)
{
	struct blob *s;
	bool any;
	int err;

	b->n_scratch = 0;
	err = svc_encode(items, n, &b->scratch, &b->n_scratch, &b->cap_scratch, &any);
	if (err || any) {
		*id = WGSF_SET_ANY;
		return err;
	}
	s = blob_find(&b->sets, b->scratch, b->n_scratch * sizeof(*b->scratch));
	if (s) {
		*id = s->id;
		return 0;
	}
	*id = free_ids_take(&b->set_ids);
	return set_add(b, b->scratch, b->n_scratch * sizeof(*b->scratch), *id);
}

/* What a ruleset is built with: the services of the prefixes that hold the
 * one being built (its ancestors' and its own, a stack), and the pairs. */
struct stack {
	struct svc_item *items;
	size_t n, cap;
	struct level {
		struct prefix prefix;
		size_t items; /* where its own start */
	} *levels;
	size_t depth, cap_levels;
	struct pair *pairs;
	size_t n_pairs, cap_pairs;
};

static void stack_free(struct stack *s)
{
	free(s->items);
	free(s->levels);
	free(s->pairs);
}

/* One prefix's rules, r[0..n) (one prefix, sorted): its level on the stack,
 * above those of the prefixes that hold it, and its pair. */
static int push_prefix(struct builder *b, struct stack *s, const struct rkey *r, size_t n)
{
	size_t i;
	int err = 0;

	while (s->depth && !prefix_contains(&s->levels[s->depth - 1].prefix, &r->dst))
		s->n = s->levels[--s->depth].items;
	err = vec_room(&s->levels, s->depth, &s->cap_levels, sizeof(*s->levels)) ?:
	      vec_room(&s->pairs, s->n_pairs, &s->cap_pairs, sizeof(*s->pairs));
	if (err)
		return err;
	s->levels[s->depth++] = (struct level){ .prefix = r->dst, .items = s->n };
	for (i = 0; i < n && !err; i++) {
		err = vec_room(&s->items, s->n, &s->cap, sizeof(*s->items));
		if (!err)
			s->items[s->n++] = r[i].svc;
	}
	memset(&s->pairs[s->n_pairs], 0, sizeof(*s->pairs));
	s->pairs[s->n_pairs].prefix = r->dst;
	return err ?: set_id(b, s->items, s->n, &s->pairs[s->n_pairs++].set);
}

uint32_t ruleset_table_bit(const struct prefix *p)
{
	bool host = p->cidr == prefix_bits(p->family);

	if (p->family == AF_INET)
		return host ? WGSF_RULESET_HOSTS4 : WGSF_RULESET_PREFIXES4;
	return host ? WGSF_RULESET_HOSTS6 : WGSF_RULESET_PREFIXES6;
}

/* A new ruleset's id: a free number, and the tables its pairs are in. */
static uint32_t new_ruleset_id(struct builder *b, const struct pair *pairs, size_t n)
{
	uint32_t id = free_ids_take(&b->ruleset_numbers);
	size_t i;

	for (i = 0; i < n; i++)
		id |= ruleset_table_bit(&pairs[i].prefix);
	return id;
}

/* The ruleset of rules r[0..n) (sorted, unique): one of the same content,
 * or a new one; listed wanted. */
static int ruleset_of(struct builder *b, const struct rkey *r, size_t n, uint32_t *id)
{
	struct stack s = {};
	struct blob *rs;
	size_t i, j;
	int err = 0;

	/* a prefix sorts before those it holds (prefix_cmp) */
	for (i = 0; i < n && !err; i = j) {
		for (j = i + 1; j < n && !prefix_cmp(&r[j].dst, &r[i].dst); j++)
			;
		err = push_prefix(b, &s, &r[i], j - i);
	}
	rs = err ? NULL : blob_find(&b->rulesets, s.pairs, s.n_pairs * sizeof(*s.pairs));
	if (!err && !rs)
		rs = blob_add(&b->rulesets, s.pairs, s.n_pairs * sizeof(*s.pairs),
			      new_ruleset_id(b, s.pairs, s.n_pairs));
	stack_free(&s);
	if (!err && !rs)
		err = -ENOMEM;
	if (err)
		return err;
	*id = rs->id;
	return use_ruleset(b, rs);
}

/* A peer's rules as rkeys, sorted, each once (its own and a group's may
 * be the same); *out the caller's to free. */
static int rkeys_of(const struct peer_rules *pr, struct rkey **out, size_t *n)
{
	struct rkey *v = calloc(pr->rules.n + 1, sizeof(*v));
	size_t i, kept = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < pr->rules.n; i++) {
		const struct rule *r = &pr->rules.v[i];

		v[i].dst = r->dst;
		v[i].svc = (struct svc_item){ .any = r->any_proto, .proto = r->proto,
					      .lo = r->lo, .hi = r->hi };
		if (r->any_proto)
			v[i].svc.proto = v[i].svc.lo = v[i].svc.hi = 0;
	}
	sort_array(v, pr->rules.n, sizeof(*v), rkey_cmp);
	for (i = 0; i < pr->rules.n; i++)
		if (!kept || rkey_cmp(&v[kept - 1], &v[i]))
			v[kept++] = v[i];
	*out = v;
	*n = kept;
	return 0;
}

/* The ruleset of a peer's rules: the one of a peer with the same rules
 * (every member of a group), else built. */
static int peer_ruleset(struct builder *b, const struct peer_rules *pr, uint32_t *id)
{
	struct rkey *r;
	struct blob *known;
	size_t n;
	int err = rkeys_of(pr, &r, &n);

	if (err)
		return err;
	known = blob_find(&b->rules, r, n * sizeof(*r));
	if (known)
		*id = known->id;
	else
		err = ruleset_of(b, r, n, id) ?:
		      (blob_add(&b->rules, r, n * sizeof(*r), *id) ? 0 : -ENOMEM);
	free(r);
	return err;
}

int rulesets_plan(const struct wg_device *dev, const struct rules_index *ix,
		  const struct table_entry *have, size_t nh, const struct svc_entry *svc_have,
		  size_t nsh, struct ruleset_plan *p)
{
	struct builder b = { .set_ids.next = 1, .ruleset_numbers.next = 1, .p = p };
	const struct peer_rules *pr;
	size_t i;
	int err;

	*p = (struct ruleset_plan){ .ruleset = calloc(dev->n_peers + 1, sizeof(*p->ruleset)) };
	err = p->ruleset ? index_sets(&b, svc_have, nsh) ?: index_rulesets(&b, have, nh)
			 : -ENOMEM;
	for (i = 0; i < dev->n_peers && !err; i++) {
		pr = rules_find(ix, dev->peers[i].public_key);
		if (pr && pr->rules.n)
			err = peer_ruleset(&b, pr, &p->ruleset[i]);
	}
	blob_index_free(&b.sets);
	blob_index_free(&b.rulesets);
	blob_index_free(&b.rules);
	free(b.set_ids.held);
	free(b.ruleset_numbers.held);
	free(b.set_by_id);
	free(b.scratch);
	if (err) {
		rulesets_plan_free(p);
		return err;
	}
	sort_array(p->want, p->nw, sizeof(*p->want), table_entry_owner_cmp);
	sort_array(p->svc_want, p->nsw, sizeof(*p->svc_want), svc_entry_cmp);
	return 0;
}

void rulesets_plan_free(struct ruleset_plan *p)
{
	free(p->ruleset);
	free(p->want);
	free(p->svc_want);
	memset(p, 0, sizeof(*p));
}
