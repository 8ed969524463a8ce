// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <linux/rtnetlink.h>

#include "check/route.h"
#include "check/rules.h"
#include "vec.h"

/* What the checks go through: each Allow rule of the policy once, with
 * whose it is. */
struct allow_rule {
	const struct rule *rule;
	const uint8_t *key;
	const char *group;
};

static int collect(const struct policy *pol, struct allow_rule **out, size_t *n)
{
	size_t i, j, cap = 0;
	const struct rule_list *l;
	int err = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < pol->n_peers + pol->n_groups && !err; i++) {
		l = i < pol->n_peers ? &pol->peers[i].rules : &pol->groups[i - pol->n_peers].rules;
		for (j = 0; j < l->n && !err; j++) {
			if (l->v[j].any_proto)
				continue;
			err = vec_room(out, *n, &cap, sizeof(**out));
			if (!err)
				(*out)[(*n)++] = (struct allow_rule){
					&l->v[j], i < pol->n_peers ? pol->peers[i].public_key : NULL,
					i < pol->n_peers ? NULL : pol->groups[i - pol->n_peers].name
				};
		}
	}
	return err;
}

/* Where packets to a rule's prefix cannot go. */
static bool unroutable(const struct check_route *rt)
{
	return rt->err || rt->type == RTN_BLACKHOLE || rt->type == RTN_UNREACHABLE ||
	       rt->type == RTN_PROHIBIT;
}

static int not_routed(struct check_report *r, const struct allow_rule *v, size_t n)
{
	struct check_route *out = calloc(n + 1, sizeof(*out));
	size_t i;
	int err = out ? 0 : -ENOMEM;

	for (i = 0; i < n && !err; i++)
		check_route_addr(&v[i].rule->dst, &out[i].addr);
	err = err ?: check_routes(out, n);
	for (i = 0; i < n && !err; i++)
		if (unroutable(&out[i]))
			err = check_finding(r, &(struct finding){
				.kind = CHECK_RULE_NOT_ROUTED, .key = v[i].key, .group = v[i].group,
				.prefix = v[i].rule->dst, .line = v[i].rule->line,
				.rule = *v[i].rule, .routed = true, .route = out[i] });
	free(out);
	return err;
}

/* The AllowedDestinations rule of l that holds x, or NULL. */
static const struct rule *holder(const struct rule_list *l, const struct rule *x)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].any_proto && prefix_contains(&l->v[i].dst, &x->dst))
			return &l->v[i];
	return NULL;
}

/* Whether rule x came from group g of pol: its line is one of g's. */
static bool in_group(const struct policy_group *g, const struct rule *x)
{
	size_t i;

	for (i = 0; i < g->rules.n; i++)
		if (g->rules.v[i].line == x->line)
			return true;
	return false;
}

/* Whether a group of the peer (or [Group *]) holds rule x and, among its own
 * rules, one that shadows it: the group's finding says it, not each
 * member's, whichever AllowedDestinations of the member comes first. */
static bool group_says(const struct policy *pol, const struct peer_rules *r,
		       const struct rule *x)
{
	const struct policy_group *star = policy_group(pol, "*"), *g;
	size_t i;

	for (i = 0; i < r->n_groups; i++) {
		g = &pol->groups[r->groups[i]];
		if (in_group(g, x) && holder(&g->rules, x))
			return true;
	}
	return star && in_group(star, x) && holder(&star->rules, x);
}

static int shadowed_in(struct check_report *r, const struct rule_list *l, const uint8_t *key,
		       const char *group, const struct peer_rules *member)
{
	const struct rule *by;
	size_t i;
	int err = 0;

	for (i = 0; i < l->n && !err; i++) {
		by = l->v[i].any_proto ? NULL : holder(l, &l->v[i]);
		if (!by || (member && group_says(&r->policy, member, &l->v[i])))
			continue;
		err = check_finding(r, &(struct finding){
			.kind = CHECK_RULE_SHADOWED, .key = key, .group = group,
			.prefix = l->v[i].dst, .line = l->v[i].line, .rule = l->v[i], .by = *by });
	}
	return err;
}

static int shadowed(struct check_report *r)
{
	const struct policy *pol = &r->policy;
	struct peer_rules flat;
	size_t i;
	int err = 0;

	for (i = 0; i < pol->n_groups && !err; i++)
		err = shadowed_in(r, &pol->groups[i].rules, NULL, pol->groups[i].name, NULL);
	for (i = 0; i < pol->n_peers && !err; i++) {
		err = policy_flatten(pol, &pol->peers[i], &flat);
		if (err)
			break;
		err = shadowed_in(r, &flat.rules, pol->peers[i].public_key, NULL, &pol->peers[i]);
		peer_rules_free(&flat);
	}
	return err;
}

int check_policy_rules(struct check_report *r)
{
	struct allow_rule *v;
	size_t n;
	int err = collect(&r->policy, &v, &n);

	err = err ?: (n ? not_routed(r, v, n) : 0) ?: shadowed(r);
	free(v);
	return err;
}
