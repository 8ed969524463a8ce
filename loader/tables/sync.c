// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "err.h"
#include "sort.h"
#include "fault.h"
#include "tables/config.h"
#include "tables/flowrec.h"
#include "tables/policy_sync.h"
#include "tables/stats.h"
#include "tables/sync.h"

int slots_read(int fd, uint32_t cap, struct wgsf_slot **out)
{
	return map_read_array(fd, cap, (void **)out);
}

int table_read(const struct maps *m, struct table_entry **out, size_t *n)
{
	struct table_entry *v = NULL;
	size_t cap = 0;
	int err;

	*n = 0;
	err = table_read_map(m->fd[MAP_HOST_IPS4], AF_INET, false, &v, n, &cap) ?:
	      table_read_map(m->fd[MAP_ALLOWED_IPS4], AF_INET, false, &v, n, &cap) ?:
	      table_read_map(m->fd[MAP_HOST_IPS6], AF_INET6, false, &v, n, &cap) ?:
	      table_read_map(m->fd[MAP_ALLOWED_IPS6], AF_INET6, false, &v, n, &cap);
	if (err) {
		free(v);
		return err;
	}
	sort_array(v, *n, sizeof(*v), table_entry_cmp);
	*out = v;
	return 0;
}

/* Gives the n slots s[] to their keys in slots[]: zeroes their counters
 * (see stats_clear_peers for prev_cap) and policies, then writes them to
 * the slot table, a batch each (three syscalls a slot cost a third of a
 * full sync of new peers). Their rate buckets are the caller's to empty
 * (rate_states_clear), in a batch too. */
static int claims_write(const struct maps *m, const uint32_t *s, size_t n,
			const struct wgsf_slot *slots, uint32_t prev_cap)
{
	struct wgsf_peer_policy *none = calloc(n ?: 1, sizeof(*none));
	struct wgsf_slot *claimed = malloc((n ?: 1) * sizeof(*claimed));
	uint32_t *keys = malloc((n ?: 1) * sizeof(*keys));
	int err = none && claimed && keys ? 0 : -ENOMEM;
	size_t i;

	for (i = 0; !err && i < n; i++) {
		keys[i] = s[i];
		claimed[i] = slots[s[i]];
	}
	err = err ?: stats_clear_peers(m, s, n, prev_cap) ?:
		      map_update_many(m->fd[MAP_PEER_POLICY], keys, sizeof(*keys), none,
				      sizeof(*none), n);
	if (!err && n) {
		fault_point("claim a slot");
		err = map_update_many(m->fd[MAP_PEER_SLOTS], keys, sizeof(*keys), claimed,
				      sizeof(*claimed), n);
	}
	free(none);
	free(claimed);
	free(keys);
	return err;
}

int slot_claim(const struct maps *m, struct wgsf_slot *slots, uint32_t cap, uint32_t *from,
	       const uint8_t key[WG_KEY_LEN], uint32_t *slot, struct sync_result *res)
{
	uint32_t s = *from;

	while (s < cap && slots[s].in_use)
		s++;
	if (s == cap)
		return -ENOSPC;
	*from = s;
	slots[s].in_use = 1;
	memcpy(slots[s].public_key, key, WG_KEY_LEN);
	*slot = s;
	res->peers_added++;
	return claims_write(m, &s, 1, slots, stats_slots(m->fd[MAP_PEER_STATS_PREV])) ?:
	       rate_states_clear(m, &s, 1);
}

int table_push_peer(struct table_entry **v, size_t *n, size_t *cap, const struct wg_peer *p,
		    uint32_t slot, const struct rules_index *ix)
{
	const struct peer_rules *r = rules_find(ix, p->public_key);
	bool quar = rules_quarantined(ix, p->public_key);
	struct table_entry e = { .slot = slot };
	size_t j;
	int err = 0;

	for (j = 0; j < p->n_allowedips && !err; j++) {
		e.prefix = p->allowedips[j];
		e.bits = entry_bits(r, quar, &e.prefix);
		err = table_push(v, n, cap, &e);
	}
	return err;
}

/*
 * v (n, sorted) with each prefix once. WireGuard holds a prefix for one
 * peer: a reply that gives one to two peers is no reply of its (the owner
 * would be sort's choice, and change from sync to sync); one that repeats
 * it for a peer, as a host bit set in a second copy would, counts it once.
 */
static int one_owner(struct table_entry *v, size_t *n)
{
	char buf[PREFIX_STRLEN];
	size_t i, k = 0;

	for (i = 0; i < *n; i++) {
		if (k && !prefix_cmp(&v[k - 1].prefix, &v[i].prefix)) {
			if (v[k - 1].slot == v[i].slot)
				continue;
			wgsf_set_error("malformed reply from WireGuard: %s is given to two peers",
				       prefix_format(&v[i].prefix, buf));
			return -EBADMSG;
		}
		v[k++] = v[i];
	}
	*n = k;
	return 0;
}

static int wanted_table(const struct wg_device *dev, const uint32_t *slot_of,
			const struct rules_index *ix, struct table_entry **out, size_t *n)
{
	struct table_entry *v = NULL;
	size_t i, cap = 0;
	int err = 0;

	*n = 0;
	for (i = 0; i < dev->n_peers && !err; i++)
		err = table_push_peer(&v, n, &cap, &dev->peers[i], slot_of[i], ix);
	if (err) {
		free(v);
		return err;
	}
	if (*n)
		sort_array(v, *n, sizeof(*v), table_entry_cmp);
	err = one_owner(v, n);
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	return 0;
}

static int aip_write(const struct maps *m, const struct table_entry *e)
{
	return allowedip_write(m, &e->prefix, e->slot | e->bits);
}

static int aip_delete(const struct maps *m, const struct table_entry *e)
{
	return allowedip_delete(m, &e->prefix);
}

static enum map_id aip_map(const struct table_entry *e)
{
	return allowedip_map(&e->prefix);
}

/* Allowed IPs are keyed by prefix; the slot is their value. */
const struct diff_ops allowedip_ops = { table_entry_cmp, aip_write, aip_delete, aip_map,
					allowedips_write };

int slots_free(const struct maps *m, const uint32_t *gone, size_t n, struct sync_result *res)
{
	struct wgsf_slot empty = {};
	size_t i;
	int err = flowrec_forget(m, gone, n);

	for (i = 0; !err && i < n; i++) {
		if (bpf_map_update_elem(m->fd[MAP_PEER_SLOTS], &gone[i], &empty, 0))
			return -errno;
		res->peers_removed++;
	}
	return err;
}

/* What a full sync writes, worked out before it writes anything. */
struct plan {
	uint32_t cap;            /* slots the maps have */
	struct wgsf_slot *slots; /* the slot table as the sync leaves it */
	uint32_t *slot_of;       /* the device's peer i's slot */
	uint32_t *fresh;         /* the slots that peers get now */
	size_t n_fresh;
	uint8_t *is_gone;        /* is_gone[s]: slot s's peer left the device */
	uint32_t *gone;
	size_t n_gone;
	/* Too few slots for the departed and the new side by side, and the
	 * maps at their largest: the departed go first. */
	bool free_first;
	struct table_entry *want, *have;
	size_t nw, nh;
	struct quar_plan quar; /* where has_pol */
	struct policy_plan pol;
	bool has_pol;
	uint32_t peak[MAP_COUNT]; /* entries each map holds at the fullest */
};

static void plan_free(struct plan *p)
{
	free(p->slots);
	free(p->slot_of);
	free(p->fresh);
	free(p->is_gone);
	free(p->gone);
	free(p->want);
	free(p->have);
	if (p->has_pol)
		policy_plan_free(&p->pol);
	quarantine_plan_free(&p->quar);
}

/* Peers keep their slots; the departed leave theirs; new peers take the
 * lowest free ones. */
static void plan_slot_owners(const struct wg_device *dev, struct plan *p)
{
	const struct wg_peer *peer;
	uint32_t s, in_use = 0;
	size_t i;

	for (i = 0; i < dev->n_peers; i++)
		p->slot_of[i] = UINT32_MAX;
	for (s = 0; s < p->cap; s++) {
		if (!p->slots[s].in_use)
			continue;
		in_use++;
		peer = device_find_peer(dev, p->slots[s].public_key);
		if (peer && p->slot_of[peer - dev->peers] == UINT32_MAX) {
			p->slot_of[peer - dev->peers] = s;
			continue;
		}
		p->is_gone[s] = 1;
		p->gone[p->n_gone++] = s;
	}
	p->n_fresh = dev->n_peers - (in_use - p->n_gone);
	p->free_first = in_use + p->n_fresh > p->cap && p->cap >= WGSF_MAX_PEERS &&
			dev->n_peers <= p->cap;
	p->peak[MAP_PEER_SLOTS] = p->free_first ? dev->n_peers : in_use + p->n_fresh;
	p->peak[MAP_PEER_STATS] = p->peak[MAP_PEER_POLICY] = p->peak[MAP_PEER_SLOTS];
}

static int plan_slots(const struct maps *m, const struct wg_device *dev, struct plan *p)
{
	uint32_t from = 0;
	size_t i, n = 0;
	int err;

	p->cap = map_capacity(m->fd[MAP_PEER_SLOTS]);
	p->slot_of = malloc((dev->n_peers + 1) * sizeof(*p->slot_of));
	p->fresh = malloc((dev->n_peers + 1) * sizeof(*p->fresh));
	p->is_gone = calloc(p->cap + 1, sizeof(*p->is_gone));
	p->gone = malloc((p->cap + 1) * sizeof(*p->gone));
	if (!p->slot_of || !p->fresh || !p->is_gone || !p->gone)
		return -ENOMEM;
	err = slots_read(m->fd[MAP_PEER_SLOTS], p->cap, &p->slots);
	if (err)
		return err;
	plan_slot_owners(dev, p);
	for (i = 0; p->free_first && i < p->n_gone; i++)
		p->slots[p->gone[i]].in_use = 0;
	for (i = 0; i < dev->n_peers; i++) {
		if (p->slot_of[i] != UINT32_MAX)
			continue;
		while (from < p->cap && p->slots[from].in_use)
			from++;
		if (from == p->cap)
			break; /* too few slots: the capacity check says so */
		p->slots[from].in_use = 1;
		memcpy(p->slots[from].public_key, dev->peers[i].public_key, WG_KEY_LEN);
		p->slot_of[i] = from;
		p->fresh[n++] = from;
	}
	return 0;
}

static int plan_make(const struct maps *m, const struct wg_device *dev, const struct policy *pol,
		     struct plan *p)
{
	struct rules_index ix;
	int err;

	memset(p, 0, sizeof(*p));
	err = rules_index_build(pol, &ix) ?: plan_slots(m, dev, p) ?:
	      (pol ? quarantine_plan(m, dev, &ix, &p->quar) : 0);
	/* the entry bits say which peers have a quarantine entry */
	ix.quar = p->quar.held;
	ix.n_quar = p->quar.n_held;
	err = err ?: wanted_table(dev, p->slot_of, &ix, &p->want, &p->nw) ?:
		     table_read(m, &p->have, &p->nh);
	rules_index_free(&ix);
	if (!err && pol) {
		err = policy_plan(m, dev, p->slot_of, pol, &p->quar, &p->pol);
		p->has_pol = !err;
	}
	if (err)
		return err;
	diff_peaks(&allowedip_ops, p->want, p->nw, p->have, p->nh, p->peak);
	if (p->has_pol)
		policy_plan_peaks(&p->pol, p->peak);
	return 0;
}

/* -ENOSPC when a map is too small for the plan; need says what would do. */
static int plan_check(const struct maps *m, const struct plan *p, struct capacity *need)
{
	int id, err = 0;

	*need = (struct capacity){};
	for (id = 0; id < MAP_COUNT; id++) {
		capacity_raise(need, id, p->peak[id]);
		if (p->peak[id] > map_capacity(m->fd[id]))
			err = -ENOSPC;
	}
	return err;
}

/* The departed's entries and slots, before new peers take those slots; what
 * is left of have is what the tables hold then. */
static int drop_gone(const struct maps *m, struct plan *p, struct sync_result *res)
{
	size_t i, kept = 0;
	int err = 0;

	for (i = 0; i < p->nh && !err; i++) {
		if (p->have[i].slot < p->cap && p->is_gone[p->have[i].slot])
			err = allowedip_delete(m, &p->have[i].prefix);
		else
			p->have[kept++] = p->have[i];
	}
	p->nh = kept;
	if (!err && p->has_pol)
		err = policy_drop_slots(m, &p->pol, p->is_gone, p->cap);
	err = err ?: slots_free(m, p->gone, p->n_gone, res);
	p->n_gone = 0;
	return err;
}

/* New and changed first, gone last: what stays valid is never missing. */
static int plan_apply(const struct maps *m, const struct wg_device *dev, struct plan *p,
		      struct sync_result *res)
{
	uint32_t prev_cap = stats_slots(m->fd[MAP_PEER_STATS_PREV]);
	int err = p->free_first ? drop_gone(m, p, res) : 0;

	err = err ?: claims_write(m, p->fresh, p->n_fresh, p->slots, prev_cap);
	res->peers_added += err ? 0 : p->n_fresh;
	return err ?: rate_states_clear(m, p->fresh, p->n_fresh) ?:
		      (p->has_pol ? policy_prepare(m, dev, p->slot_of, &p->pol, res) : 0) ?:
		      diff_write(m, &allowedip_ops, p->want, p->nw, p->have, p->nh,
				 &res->prefixes_added, &res->prefixes_changed) ?:
		      diff_delete(m, &allowedip_ops, p->want, p->nw, p->have, p->nh,
				  &res->prefixes_removed) ?:
		      (p->has_pol ? policy_apply(m, dev, p->slot_of, &p->pol, res) : 0) ?:
		      slots_free(m, p->gone, p->n_gone, res) ?: generation_bump(m->fd[MAP_CONFIG]);
}

int sync_need(const struct maps *m, const struct wg_device *dev, const struct policy *pol,
	      struct capacity *need)
{
	struct plan p;
	int err = plan_make(m, dev, pol, &p);

	if (!err && plan_check(m, &p, need) == -ENOSPC)
		err = 0; /* the caller wants the figures either way */
	plan_free(&p);
	return err;
}

int sync_full(const struct maps *m, const struct wg_device *dev, const struct policy *pol,
	      struct sync_result *res, uint32_t **slot_of_out)
{
	struct plan p;
	int err;

	memset(res, 0, sizeof(*res));
	if (dev->n_peers > WGSF_MAX_PEERS)
		return -E2BIG;
	err = plan_make(m, dev, pol, &p) ?: plan_check(m, &p, &res->need) ?:
	      plan_apply(m, dev, &p, res);
	if (!err && slot_of_out) {
		*slot_of_out = p.slot_of;
		p.slot_of = NULL;
	}
	plan_free(&p);
	return err;
}

int sync_device(const struct maps *m, const struct wg_device *dev, const struct policy *pol,
		struct sync_result *res)
{
	return sync_full(m, dev, pol, res, NULL);
}
