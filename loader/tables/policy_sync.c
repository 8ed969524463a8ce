// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "fault.h"
#include "sort.h"
#include "tables/config.h"
#include "tables/entry_bits.h"
#include "tables/policy_sync.h"
#include "tables/rulesets.h"

static int src_write(const struct maps *m, const struct table_entry *e)
{
	return policy_prefix_write(m, false, e->slot, &e->prefix, e->bits);
}

static int src_delete(const struct maps *m, const struct table_entry *e)
{
	return policy_prefix_delete(m, false, e->slot, &e->prefix);
}

static int dst_write(const struct maps *m, const struct table_entry *e)
{
	return policy_prefix_write(m, true, e->slot, &e->prefix, e->bits);
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
	{ table_entry_owner_cmp, src_write, src_delete, src_map, NULL },
	{ table_entry_owner_cmp, dst_write, dst_delete, dst_map, NULL },
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
	sort_array(v, *n, sizeof(*v), table_entry_owner_cmp);
	*out = v;
	return 0;
}

/* A prefix that a peer's own rules and a group's both give is one entry. */
static size_t unique(struct table_entry *v, size_t n)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++)
		if (!kept || table_entry_owner_cmp(&v[kept - 1], &v[i]))
			v[kept++] = v[i];
	return kept;
}

/* The allowed sources of r, each with the value 1. */
static int push_sources(const struct peer_rules *r, struct table_entry *e,
			struct table_entry **v, size_t *n, size_t *cap)
{
	size_t j;
	int err = 0;

	e->bits = 1;
	for (j = 0; j < r->sources.n && !err; j++) {
		e->prefix = r->sources.v[j];
		err = table_push(v, n, cap, e);
	}
	return err;
}

/* The allowed sources pol gives the device's peers; flags[i] is peer i's. */
static int wanted(const struct wg_device *dev, const uint32_t *slot_of,
		  const struct rules_index *ix, struct table_entry **out, size_t *n,
		  uint32_t *flags)
{
	struct table_entry *v = NULL, e;
	size_t i, cap = 0;
	int err = 0;

	*n = 0;
	for (i = 0; i < dev->n_peers && !err; i++) {
		const struct peer_rules *r = rules_find(ix, dev->peers[i].public_key);
		bool quar = rules_quarantined(ix, dev->peers[i].public_key);

		/* blocked is stronger: no quarantine to ask */
		flags[i] = quar && !(r && r->blocked) ? WGSF_PEER_QUAR : 0;
		if (!r)
			continue;
		flags[i] |= (r->blocked ? WGSF_PEER_BLOCKED : 0) |
			   (r->has_sources ? WGSF_PEER_SRC_POLICY : 0) |
			   (r->rules.n ? WGSF_PEER_DST_POLICY : 0) |
			   (rate_limited(&r->rate) ? WGSF_PEER_RATE : 0);
		e.slot = slot_of[i];
		err = push_sources(r, &e, &v, n, &cap);
	}
	if (err) {
		free(v);
		return err;
	}
	sort_array(v, *n, sizeof(*v), table_entry_owner_cmp);
	*out = v;
	*n = unique(v, *n);
	return 0;
}

/* The host prefixes of v[0..n) into n4 (IPv4) and n6. */
static void count_hosts(const struct table_entry *v, size_t n, size_t *n6, size_t *n4)
{
	size_t i;

	for (i = 0; i < n; i++)
		*(v[i].prefix.family == AF_INET ? n4 : n6) +=
			v[i].prefix.cidr == prefix_bits(v[i].prefix.family);
}

int policy_hosts(const struct wg_device *dev, const struct policy *pol, size_t n[4])
{
	uint32_t *slot_of = calloc(dev->n_peers + 1, sizeof(*slot_of) * 2), *flags = NULL;
	struct table_entry *v = NULL;
	struct ruleset_plan rs = {};
	struct rules_index ix;
	size_t i, nv = 0;
	int err = slot_of ? rules_index_build(pol, &ix) : -ENOMEM;

	if (slot_of)
		flags = slot_of + dev->n_peers + 1;
	for (i = 0; slot_of && i < dev->n_peers; i++)
		slot_of[i] = i;
	err = err ?: wanted(dev, slot_of, &ix, &v, &nv, flags) ?:
		     rulesets_plan(dev, &ix, NULL, 0, NULL, 0, &rs);
	if (!err) {
		count_hosts(v, nv, &n[0], &n[1]);
		count_hosts(rs.want, rs.nw, &n[2], &n[3]);
	}
	free(v);
	rulesets_plan_free(&rs);
	if (slot_of)
		rules_index_free(&ix);
	free(slot_of);
	return err;
}

/*
 * Peer i's policy as final writes it, or, before the allowed-IPs entries
 * (final false), its new ruleset beside its flags as they are: an entry
 * that comes to say WGSF_ENTRY_DST finds the ruleset already there, and
 * flags that ask for no destination rules yet leave it unread.
 */
static struct wgsf_peer_policy peer_policy_of(const struct policy_plan *p, size_t i,
					      const struct wgsf_peer_policy *now, bool final)
{
	if (final)
		return (struct wgsf_peer_policy){ p->flags[i], p->rs.ruleset[i] };
	return (struct wgsf_peer_policy){ now->flags, p->rs.ruleset[i] ?: now->ruleset };
}

/* Every peer's policy (peer_policy_of) that differs from the map's, in one
 * batch (a group's new rules change each member's); counted once per peer
 * whose policy changed, by the write that finishes it. */
static int write_flags(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
		       const struct policy_plan *p, bool final, struct sync_result *res)
{
	uint32_t cap = map_capacity(m->fd[MAP_PEER_POLICY]), *slots;
	struct wgsf_peer_policy *now = NULL, *want = NULL, w;
	size_t i, n = 0, done = 0;
	int err;

	slots = malloc((dev->n_peers + 1) * (sizeof(*slots) + sizeof(*want)));
	if (slots)
		want = (void *)(slots + dev->n_peers + 1);
	err = slots ? map_read_array(m->fd[MAP_PEER_POLICY], cap, (void **)&now) : -ENOMEM;
	for (i = 0; i < dev->n_peers && !err; i++) {
		if (slot_of[i] >= cap) {
			err = -ERANGE;
			break;
		}
		w = peer_policy_of(p, i, &now[slot_of[i]], final);
		if (w.flags == now[slot_of[i]].flags && w.ruleset == now[slot_of[i]].ruleset)
			continue;
		slots[n] = slot_of[i];
		want[n++] = w;
		done += final || w.flags == p->flags[i];
	}
	/* without announcing them: config_set_policied comes after */
	err = err ?: map_update_many(m->fd[MAP_PEER_POLICY], slots, sizeof(*slots), want,
				     sizeof(*want), n);
	res->flags_changed += err ? 0 : done;
	free(slots);
	free(now);
	return err;
}

/* Whether p gives some peer destination rules. */
static bool policy_plan_has_dst(const struct wg_device *dev, const struct policy_plan *p)
{
	size_t i;

	for (i = 0; i < dev->n_peers; i++)
		if (p->flags[i] & WGSF_PEER_DST_POLICY)
			return true;
	return false;
}

/* Whether any peer has flags, or destination rules: the datapath looks at
 * them only then. */
static int announce(const struct maps *m, const struct wg_device *dev,
		    const struct policy_plan *p)
{
	bool any = false;
	size_t i;

	for (i = 0; i < dev->n_peers; i++)
		any = any || p->flags[i];
	return config_set_policied(m->fd[MAP_CONFIG], any) ?:
	       config_set_dst_rules(m->fd[MAP_CONFIG], policy_plan_has_dst(dev, p));
}

int policy_plan(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
		const struct policy *pol, const struct quar_plan *quar, struct policy_plan *p)
{
	struct rules_index ix;
	int err;

	*p = (struct policy_plan){ .flags = calloc(dev->n_peers + 1, sizeof(*p->flags)),
				   .quar = quar };
	err = p->flags ? rules_index_build(pol, &ix) : -ENOMEM;
	if (err) {
		policy_plan_free(p);
		return err;
	}
	ix.quar = quar->held;
	ix.n_quar = quar->n_held;
	err = wanted(dev, slot_of, &ix, &p->want, &p->nw, p->flags) ?:
	      policy_table_read(m, false, &p->have, &p->nh) ?:
	      policy_table_read(m, true, &p->dst_have, &p->ndh) ?:
	      svc_read(m, &p->svc_have, &p->nsh) ?:
	      rulesets_plan(dev, &ix, p->dst_have, p->ndh, p->svc_have, p->nsh, &p->rs) ?:
	      rate_plan(m, dev, slot_of, &ix, &p->rate);
	rules_index_free(&ix);
	if (err)
		policy_plan_free(p);
	return err;
}

/* The entries of want that have lacks. */
static size_t svc_new(const struct policy_plan *p)
{
	size_t i, j = 0, n = 0;

	for (i = 0; i < p->rs.nsw; i++) {
		while (j < p->nsh && svc_entry_cmp(&p->svc_have[j], &p->rs.svc_want[i]) < 0)
			j++;
		n += j == p->nsh || svc_entry_cmp(&p->svc_have[j], &p->rs.svc_want[i]);
	}
	return n;
}

void policy_plan_peaks(const struct policy_plan *p, uint32_t peak[MAP_COUNT])
{
	diff_peaks(&ops[0], p->want, p->nw, p->have, p->nh, peak);
	diff_peaks(&ops[1], p->rs.want, p->rs.nw, p->dst_have, p->ndh, peak);
	peak[MAP_SERVICES] += p->nsh + svc_new(p);
}

int policy_drop_slots(const struct maps *m, struct policy_plan *p, const uint8_t *gone,
		      uint32_t cap)
{
	size_t i, kept;
	int err = 0;

	/* sources only: destination rules are keyed by ruleset, not slot */
	for (i = kept = 0; i < p->nh && !err; i++) {
		if (p->have[i].slot < cap && gone[p->have[i].slot])
			err = ops[0].del(m, &p->have[i]);
		else
			p->have[kept++] = p->have[i];
	}
	p->nh = kept;
	return err;
}

/* The service entries of a that b lacks (both sorted): written (add), in
 * one batch, or removed. */
static int svc_diff(const struct maps *m, const struct svc_entry *a, size_t na,
		    const struct svc_entry *b, size_t nb, bool add)
{
	struct svc_entry *fresh = add ? malloc((na + 1) * sizeof(*fresh)) : NULL;
	size_t i, j = 0, n = 0;
	int err = add && !fresh ? -ENOMEM : 0;

	for (i = 0; i < na && !err; i++) {
		while (j < nb && svc_entry_cmp(&b[j], &a[i]) < 0)
			j++;
		if (j < nb && !svc_entry_cmp(&b[j], &a[i]))
			continue;
		if (add)
			fresh[n++] = a[i];
		else
			err = svc_delete(m, &a[i]);
	}
	err = err ?: add ? svc_write_many(m, fresh, n) : 0;
	free(fresh);
	return err;
}

/* New sets, then new rulesets, then the peers' new rulesets (write_flags,
 * not final), so that an allowed-IPs entry written next finds whatever it
 * points at; the egress program records flows before any entry asks for
 * them. */
int policy_prepare(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
		   const struct policy_plan *p, struct sync_result *res)
{
	size_t unused = 0;
	int err = rate_write(m, &p->rate);

	res->limits_changed += err ? 0 : p->rate.n_set;
	return err ?: quarantine_write(m, p->quar, res) ?:
	       diff_write(m, &ops[0], p->want, p->nw, p->have, p->nh, &res->rules_added,
			  &unused) ?:
	       svc_diff(m, p->rs.svc_want, p->rs.nsw, p->svc_have, p->nsh, true) ?:
	       diff_write(m, &ops[1], p->rs.want, p->rs.nw, p->dst_have, p->ndh,
			  &res->rules_added, &unused) ?:
	       write_flags(m, dev, slot_of, p, false, res) ?:
	       (policy_plan_has_dst(dev, p) ? config_set_dst_rules(m->fd[MAP_CONFIG], true) : 0);
}

/* The peers' flags, and only then what no peer points at any more: no
 * packet is ever judged by half a policy. */
int policy_apply(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
		 const struct policy_plan *p, struct sync_result *res)
{
	fault_point("switch the new rules on");
	return write_flags(m, dev, slot_of, p, true, res) ?: announce(m, dev, p) ?:
	       diff_delete(m, &ops[0], p->want, p->nw, p->have, p->nh, &res->rules_removed) ?:
	       diff_delete(m, &ops[1], p->rs.want, p->rs.nw, p->dst_have, p->ndh,
			   &res->rules_removed) ?:
	       svc_diff(m, p->svc_have, p->nsh, p->rs.svc_want, p->rs.nsw, false) ?:
	       rate_unset(m, &p->rate) ?: quarantine_unset(m, p->quar);
}

void policy_plan_free(struct policy_plan *p)
{
	free(p->want);
	free(p->have);
	free(p->dst_have);
	free(p->svc_have);
	free(p->flags);
	rulesets_plan_free(&p->rs);
	rate_plan_free(&p->rate);
	memset(p, 0, sizeof(*p));
}
