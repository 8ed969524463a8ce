// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "sort.h"
#include "tables/config.h"
#include "tables/entry_bits.h"
#include "tables/policy_sync.h"

/* Policy entries are keyed by slot, then prefix. */
static int by_slot(const void *a, const void *b)
{
	const struct table_entry *x = a, *y = b;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return prefix_cmp(&x->prefix, &y->prefix);
}

static int src_write(const struct maps *m, const struct table_entry *e)
{
	return policy_prefix_write(m, false, e->slot, &e->prefix);
}

static int src_delete(const struct maps *m, const struct table_entry *e)
{
	return policy_prefix_delete(m, false, e->slot, &e->prefix);
}

static int dst_write(const struct maps *m, const struct table_entry *e)
{
	return policy_prefix_write(m, true, e->slot, &e->prefix);
}

static int dst_delete(const struct maps *m, const struct table_entry *e)
{
	return policy_prefix_delete(m, true, e->slot, &e->prefix);
}

static enum map_id src_map(const struct table_entry *e)
{
	return policy_prefix_map(false, &e->prefix);
}

static enum map_id dst_map(const struct table_entry *e)
{
	return policy_prefix_map(true, &e->prefix);
}

static const struct diff_ops ops[2] = {
	{ by_slot, src_write, src_delete, src_map, NULL },
	{ by_slot, dst_write, dst_delete, dst_map, NULL },
};

int policy_table_read(const struct maps *m, bool dst, struct table_entry **out, size_t *n)
{
	struct table_entry *v = NULL;
	size_t cap = 0;
	int err;

	*n = 0;
	err = table_read_map(m->fd[dst ? MAP_DST_HOSTS4 : MAP_SRC_HOSTS4], AF_INET, true, &v, n,
			     &cap) ?:
	      table_read_map(m->fd[dst ? MAP_DST_POLICY4 : MAP_SRC_POLICY4], AF_INET, true, &v, n,
			     &cap) ?:
	      table_read_map(m->fd[dst ? MAP_DST_HOSTS6 : MAP_SRC_HOSTS6], AF_INET6, true, &v, n,
			     &cap) ?:
	      table_read_map(m->fd[dst ? MAP_DST_POLICY6 : MAP_SRC_POLICY6], AF_INET6, true, &v, n,
			     &cap);
	if (err) {
		free(v);
		return err;
	}
	sort_array(v, *n, sizeof(*v), by_slot);
	*out = v;
	return 0;
}

/* A prefix that a peer's own rules and a group's both give is one entry. */
static size_t unique(struct table_entry *v, size_t n)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++)
		if (!kept || by_slot(&v[kept - 1], &v[i]))
			v[kept++] = v[i];
	return kept;
}

/* The prefixes of r in one table: its allowed sources, or (dst) the
 * prefixes of its rules of every protocol, the AllowedDestinations. */
static int push_prefixes(const struct peer_rules *r, bool dst, struct table_entry *e,
			 struct table_entry **v, size_t *n, size_t *cap)
{
	size_t j;
	int err = 0;

	for (j = 0; !dst && j < r->sources.n && !err; j++) {
		e->prefix = r->sources.v[j];
		err = table_push(v, n, cap, e);
	}
	for (j = 0; dst && j < r->rules.n && !err; j++) {
		if (!r->rules.v[j].any_proto)
			continue;
		e->prefix = r->rules.v[j].dst;
		err = table_push(v, n, cap, e);
	}
	return err;
}

/* The prefixes pol gives the device's peers; flags[i] is peer i's. */
static int wanted(const struct wg_device *dev, const uint32_t *slot_of,
		  const struct rules_index *ix, bool dst, struct table_entry **out, size_t *n,
		  uint32_t *flags)
{
	struct table_entry *v = NULL, e;
	size_t i, cap = 0;
	int err = 0;

	*n = 0;
	for (i = 0; i < dev->n_peers && !err; i++) {
		const struct peer_rules *r = rules_find(ix, dev->peers[i].public_key);

		if (!r)
			continue;
		flags[i] = (r->blocked ? WGSF_PEER_BLOCKED : 0) |
			   (r->has_sources ? WGSF_PEER_SRC_POLICY : 0) |
			   (r->rules.n ? WGSF_PEER_DST_POLICY : 0);
		e.slot = slot_of[i];
		err = push_prefixes(r, dst, &e, &v, n, &cap);
	}
	if (err) {
		free(v);
		return err;
	}
	sort_array(v, *n, sizeof(*v), by_slot);
	*out = v;
	*n = unique(v, *n);
	return 0;
}

int policy_hosts(const struct wg_device *dev, const struct policy *pol, size_t n[4])
{
	uint32_t *slot_of = calloc(dev->n_peers + 1, sizeof(*slot_of) * 2), *flags;
	struct table_entry *v = NULL;
	struct rules_index ix;
	size_t i, nv;
	int d, err = slot_of ? rules_index_build(pol, &ix) : -ENOMEM;

	flags = slot_of + dev->n_peers + 1;
	for (i = 0; i < dev->n_peers; i++)
		slot_of[i] = i;
	for (d = 0; d < 2 && !err; d++) {
		err = wanted(dev, slot_of, &ix, d, &v, &nv, flags);
		for (i = 0; !err && i < nv; i++)
			n[2 * d + (v[i].prefix.family == AF_INET)] +=
				v[i].prefix.cidr == prefix_bits(v[i].prefix.family);
		free(v);
		v = NULL;
	}
	if (slot_of)
		rules_index_free(&ix);
	free(slot_of);
	return err;
}

static int write_flags(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
		       const uint32_t *flags, struct sync_result *res)
{
	struct wgsf_peer_policy now;
	bool any = false, dst = false;
	size_t i;
	int err;

	for (i = 0; i < dev->n_peers; i++) {
		any = any || flags[i];
		dst = dst || flags[i] & WGSF_PEER_DST_POLICY;
		if (bpf_map_lookup_elem(m->fd[MAP_PEER_POLICY], &slot_of[i], &now))
			return -errno;
		if (now.flags == flags[i])
			continue;
		err = policy_flags_write(m, slot_of[i], flags[i]);
		if (err)
			return err;
		res->flags_changed++;
	}
	/* exactly whether any peer has flags, or destination rules, now */
	return config_set_policied(m->fd[MAP_CONFIG], any) ?:
	       config_set_dst_rules(m->fd[MAP_CONFIG], dst);
}

int policy_plan(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
		const struct policy *pol, struct policy_plan *p)
{
	struct rules_index ix;
	int d, err;

	*p = (struct policy_plan){ .flags = calloc(dev->n_peers + 1, sizeof(*p->flags)) };
	err = p->flags ? rules_index_build(pol, &ix) : -ENOMEM;
	if (err) {
		policy_plan_free(p);
		return err;
	}
	for (d = 0; d < 2 && !err; d++)
		err = wanted(dev, slot_of, &ix, d, &p->want[d], &p->nw[d], p->flags) ?:
		      policy_table_read(m, d, &p->have[d], &p->nh[d]);
	rules_index_free(&ix);
	if (err)
		policy_plan_free(p);
	return err;
}

void policy_plan_peaks(const struct policy_plan *p, uint32_t peak[MAP_COUNT])
{
	int d;

	for (d = 0; d < 2; d++)
		diff_peaks(&ops[d], p->want[d], p->nw[d], p->have[d], p->nh[d], peak);
}

int policy_drop_slots(const struct maps *m, struct policy_plan *p, const uint8_t *gone,
		      uint32_t cap)
{
	size_t i, kept;
	int d, err = 0;

	for (d = 0; d < 2; d++) {
		for (i = kept = 0; i < p->nh[d] && !err; i++) {
			if (p->have[d][i].slot < cap && gone[p->have[d][i].slot])
				err = ops[d].del(m, &p->have[d][i]);
			else
				p->have[d][kept++] = p->have[d][i];
		}
		p->nh[d] = kept;
	}
	return err;
}

bool policy_plan_has_dst(const struct wg_device *dev, const struct policy_plan *p)
{
	size_t i;

	for (i = 0; i < dev->n_peers; i++)
		if (p->flags[i] & WGSF_PEER_DST_POLICY)
			return true;
	return false;
}

int policy_apply(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
		 const struct policy_plan *p, struct sync_result *res)
{
	size_t unused = 0;
	int d, err = 0;

	for (d = 0; d < 2 && !err; d++)
		err = diff_write(m, &ops[d], p->want[d], p->nw[d], p->have[d], p->nh[d],
				 &res->rules_added, &unused);
	err = err ?: write_flags(m, dev, slot_of, p->flags, res);
	for (d = 0; d < 2 && !err; d++)
		err = diff_delete(m, &ops[d], p->want[d], p->nw[d], p->have[d], p->nh[d],
				  &res->rules_removed);
	return err;
}

void policy_plan_free(struct policy_plan *p)
{
	int d;

	for (d = 0; d < 2; d++) {
		free(p->want[d]);
		free(p->have[d]);
	}
	free(p->flags);
	memset(p, 0, sizeof(*p));
}

int policy_sync(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
		const struct policy *pol, struct sync_result *res)
{
	struct policy_plan p;
	int err = policy_plan(m, dev, slot_of, pol, &p);

	err = err ?: policy_apply(m, dev, slot_of, &p, res);
	policy_plan_free(&p);
	return err;
}
