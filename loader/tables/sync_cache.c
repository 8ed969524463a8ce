// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sync against what this process wrote last instead of reading the tables
 * back: for `wgsf watch`, whose syncs mostly change one peer among many.
 * Reading and sorting 200,000 entries costs far more than writing two.
 *
 * WireGuard gives a prefix to one peer at most, so the difference between
 * two devices is the difference between the peers that changed: a prefix
 * that moved belongs to two changed peers, and an unchanged peer's prefixes
 * are the same before and after.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "tables/config.h"
#include "tables/policy_sync.h"
#include "tables/sync.h"

void sync_cache_free(struct sync_cache *c)
{
	device_free(c->dev);
	free(c->slot_of);
	free(c->slots);
	free(c->next_slot_of);
	free(c->gone);
	free(c->state);
	free(c->hand);
	memset(c, 0, sizeof(*c));
}

static bool same_allowedips(const struct wg_peer *a, const struct wg_peer *b)
{
	/* none may be NULL, which memcmp() must not be given */
	return a->n_allowedips == b->n_allowedips &&
	       (!a->n_allowedips ||
		!memcmp(a->allowedips, b->allowedips, a->n_allowedips * sizeof(*a->allowedips)));
}

/* Peer i of a in b: where readers list peers in a stable order (the
 * kernel's list, the UAPI's), at the same index, which spares a hash
 * lookup per peer. */
static const struct wg_peer *counterpart(const struct wg_device *a, size_t i,
					 const struct wg_device *b)
{
	const uint8_t *key = a->peers[i].public_key;

	if (i < b->n_peers && !memcmp(b->peers[i].public_key, key, WG_KEY_LEN))
		return &b->peers[i];
	return device_find_peer(b, key);
}

enum peer_state { PEER_NEW, PEER_SAME, PEER_CHANGED };

/* The two sides of the difference, and the slots of dev's peers. */
struct delta {
	struct table_entry *want, *have;
	size_t nw, nh, cw, ch;
	uint32_t *slot_of, *gone;
	uint8_t *state; /* enum peer_state of dev's peer i, from delta_old */
	size_t n_gone;
};

/* Old peers: kept ones keep their slot, the rest are gone. Their entries'
 * bits came from the same policy (another one empties the cache). */
static int delta_old(const struct sync_cache *c, const struct wg_device *dev,
		     const struct rules_index *ix, struct delta *d)
{
	const struct wg_peer *old, *now;
	size_t i;
	int err = 0;

	for (i = 0; i < c->dev->n_peers && !err; i++) {
		old = &c->dev->peers[i];
		now = counterpart(c->dev, i, dev);
		if (now) {
			d->slot_of[now - dev->peers] = c->slot_of[i];
			d->state[now - dev->peers] = same_allowedips(old, now) ? PEER_SAME
									 : PEER_CHANGED;
			if (d->state[now - dev->peers] == PEER_SAME)
				continue;
		} else {
			d->gone[d->n_gone++] = c->slot_of[i];
		}
		err = table_push_peer(&d->have, &d->nh, &d->ch, old, c->slot_of[i], ix);
	}
	return err;
}

/* New and changed peers, as delta_old() found them; new ones get a slot. A
 * second pass over both devices' allowed IPs would cost as much again. */
static int delta_new(const struct maps *m, struct sync_cache *c, const struct wg_device *dev,
		     const struct rules_index *ix, struct delta *d, struct sync_result *res)
{
	const struct wg_peer *p;
	uint32_t from = 0;
	size_t i;
	int err = 0;

	for (i = 0; i < dev->n_peers && !err; i++) {
		p = &dev->peers[i];
		if (d->state[i] == PEER_SAME)
			continue;
		if (d->state[i] == PEER_NEW)
			err = slot_claim(m, c->slots, c->cap, &from, p->public_key, &d->slot_of[i],
					 res);
		err = err ?: table_push_peer(&d->want, &d->nw, &d->cw, p, d->slot_of[i], ix);
	}
	return err;
}

/* The allowed IPs' difference and the policy's (policy_sync.h): what the
 * entries' bits point at before the entries. */
static int write_delta(const struct maps *m, const struct wg_device *dev,
		       const struct policy *pol, const struct quar_plan *q, const struct delta *d,
		       struct sync_result *res)
{
	const struct diff_ops *ops = &allowedip_ops;
	struct policy_plan p;
	int err = pol ? policy_plan(m, dev, d->slot_of, pol, q, &p) : 0;

	if (err)
		return err;
	err = (pol ? policy_prepare(m, dev, d->slot_of, &p, res) : 0) ?:
	      diff_write(m, ops, d->want, d->nw, d->have, d->nh, &res->prefixes_added,
			 &res->prefixes_changed) ?:
	      diff_delete(m, ops, d->want, d->nw, d->have, d->nh, &res->prefixes_removed) ?:
	      (pol ? policy_apply(m, dev, d->slot_of, &p, res) : 0);
	if (pol)
		policy_plan_free(&p);
	return err;
}

static int grow(void **buf, size_t n, size_t size)
{
	void *p = realloc(*buf, n * size);

	if (!p)
		return -ENOMEM;
	*buf = p;
	return 0;
}

/* -ESTALE where the peers quarantined by hand without a rule are others
 * than at the cache's sync: the bits of peers that did not change would
 * be, and only a full sync finds them. */
static int hand_same(const struct sync_cache *c, const struct quar_plan *q)
{
	if (c->n_hand != q->n_hand ||
	    (q->n_hand && memcmp(c->hand, q->hand, q->n_hand * sizeof(*q->hand))))
		return -ESTALE;
	return 0;
}

/* The hand quarantines of q, for the next sync's hand_same(). */
static int hand_keep(struct sync_cache *c, const struct quar_plan *q)
{
	int err = grow((void **)&c->hand, q->n_hand + 1, sizeof(*c->hand));

	if (err)
		return err;
	if (q->n_hand)
		memcpy(c->hand, q->hand, q->n_hand * sizeof(*q->hand));
	c->n_hand = q->n_hand;
	return 0;
}

static int sync_delta(const struct maps *m, struct sync_cache *c, const struct wg_device *dev,
		      const struct policy *pol, struct delta *d, struct sync_result *res)
{
	struct quar_plan q = {};
	struct rules_index ix;
	size_t i;
	int err = rules_index_build(pol, &ix) ?: (pol ? quarantine_plan(m, dev, &ix, &q) : 0) ?:
		  hand_same(c, &q);

	ix.quar = q.held;
	ix.n_quar = q.n_held;
	err = err ?: delta_old(c, dev, &ix, d) ?: delta_new(m, c, dev, &ix, d, res);
	rules_index_free(&ix);
	if (err) {
		quarantine_plan_free(&q);
		return err;
	}
	if (d->nw)
		sort_array(d->want, d->nw, sizeof(*d->want), allowedip_ops.cmp);
	if (d->nh)
		sort_array(d->have, d->nh, sizeof(*d->have), allowedip_ops.cmp);
	err = write_delta(m, dev, pol, &q, d, res) ?: slots_free(m, d->gone, d->n_gone, res) ?:
		     hand_keep(c, &q);
	quarantine_plan_free(&q);
	for (i = 0; !err && i < d->n_gone; i++)
		memset(&c->slots[d->gone[i]], 0, sizeof(*c->slots));
	return err;
}

/* The peers quarantined by hand without a rule, as the sync just done
 * found them (the plan of a sync now finds the same). */
static int hand_fill(const struct maps *m, const struct wg_device *dev, const struct policy *pol,
		     struct sync_cache *c)
{
	struct quar_plan q = {};
	struct rules_index ix;
	int err;

	if (!pol)
		return 0;
	err = rules_index_build(pol, &ix) ?: quarantine_plan(m, dev, &ix, &q) ?: hand_keep(c, &q);
	rules_index_free(&ix);
	quarantine_plan_free(&q);
	return err;
}

/* A cache of the sync just done the whole way. */
static int cache_fill(const struct maps *m, const struct wg_device *dev, const struct policy *pol,
		      struct sync_cache *c)
{
	c->cap = map_capacity(m->fd[MAP_PEER_SLOTS]);
	return slots_read(m->fd[MAP_PEER_SLOTS], c->cap, &c->slots) ?: hand_fill(m, dev, pol, c);
}

static bool cache_valid(const struct maps *m, const struct sync_cache *c)
{
	struct wgsf_config cfg;

	return c->dev && !config_read(m->fd[MAP_CONFIG], &cfg) && cfg.generation == c->generation &&
	       c->cap == map_capacity(m->fd[MAP_PEER_SLOTS]);
}

/* Room in the scratch buffers, and in slot_of, which trades places with
 * next_slot_of after each sync, for need peers. */
static int scratch(struct sync_cache *c, size_t need)
{
	int err;

	if (need <= c->scratch)
		return 0;
	err = grow((void **)&c->slot_of, need, sizeof(*c->slot_of)) ?:
	      grow((void **)&c->next_slot_of, need, sizeof(*c->next_slot_of)) ?:
	      grow((void **)&c->gone, need, sizeof(*c->gone)) ?:
	      grow((void **)&c->state, need, sizeof(*c->state));
	if (!err)
		c->scratch = need;
	return err;
}

static int sync_changed(const struct maps *m, struct wg_device *dev, const struct policy *pol,
			struct sync_cache *c, struct sync_result *res)
{
	size_t most = dev->n_peers > c->dev->n_peers ? dev->n_peers : c->dev->n_peers;
	struct delta d = {};
	int err = scratch(c, most + 1);

	if (!err) {
		d.slot_of = c->next_slot_of;
		d.gone = c->gone;
		d.state = c->state;
		memset(d.state, PEER_NEW, dev->n_peers);
		err = sync_delta(m, c, dev, pol, &d, res) ?: generation_bump(m->fd[MAP_CONFIG]);
	}
	if (!err) {
		device_free(c->dev);
		c->dev = NULL;
		c->next_slot_of = c->slot_of;
		c->slot_of = d.slot_of;
	}
	free(d.want);
	free(d.have);
	return err;
}

int sync_device_cached(const struct maps *m, struct wg_device *dev, const struct policy *pol,
		       struct sync_cache *c, struct sync_result *res)
{
	struct wgsf_config cfg;
	int err;

	memset(res, 0, sizeof(*res));
	/* in full where the cache is stale, or cannot tell some bits */
	err = cache_valid(m, c) ? sync_changed(m, dev, pol, c, res) : -ESTALE;
	res->from_cache = err != -ESTALE;
	if (err == -ESTALE) {
		sync_cache_free(c);
		err = sync_full(m, dev, pol, res, &c->slot_of) ?: cache_fill(m, dev, pol, c);
	}
	err = err ?: config_read(m->fd[MAP_CONFIG], &cfg);
	if (err) {
		sync_cache_free(c); /* its device is its own, never dev */
		return err;
	}
	c->dev = dev;
	c->generation = cfg.generation;
	return 0;
}
