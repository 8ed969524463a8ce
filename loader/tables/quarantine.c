// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "sort.h"
#include "tables/quar_hand.h"
#include "tables/quarantine.h"

/* The map's entries, in key order, with a mark for each that a peer of
 * the device claims. */
struct quar_have {
	struct quar_entry *v;
	uint8_t *claimed;
	size_t n;
};

static int have_read(int fd, struct quar_have *h)
{
	int err = quarantine_read_all(fd, &h->v, &h->n);

	if (err)
		return err;
	h->claimed = calloc(h->n + 1, 1);
	return h->claimed ? 0 : -ENOMEM;
}

/* Room for each list of p: at most one entry per peer, and one deletion
 * per entry of the map. */
static int plan_alloc(struct quar_plan *p, size_t peers, size_t entries)
{
	p->key = malloc((peers + 1) * sizeof(*p->key));
	p->value = malloc((peers + 1) * sizeof(*p->value));
	p->held = malloc((peers + 1) * sizeof(*p->held));
	p->hand = malloc((peers + 1) * sizeof(*p->hand));
	p->released = malloc((peers + 1) * sizeof(*p->released));
	p->del = malloc((entries + 1) * sizeof(*p->del));
	return p->key && p->value && p->held && p->hand && p->released && p->del ? 0 : -ENOMEM;
}

/* have (NULL: none) with rule r's figures: new, or its state kept, all
 * but the windows where the period changed (their eighths are its). */
static void with_rule(const struct quarantine_rule *r, const struct wgsf_quarantine *have,
		      struct wgsf_quarantine *out)
{
	*out = have ? *have : (struct wgsf_quarantine){};
	if (have && have->period_ns != r->period_ns) {
		memset(out->window, 0, sizeof(out->window));
		memset(out->window_reasons, 0, sizeof(out->window_reasons));
	}
	out->violations = r->violations;
	out->period_ns = r->period_ns;
	out->duration_ns = r->duration_ns;
}

static bool rule_same(const struct quarantine_rule *r, const struct wgsf_quarantine *q)
{
	return q->violations == r->violations && q->period_ns == r->period_ns &&
	       q->duration_ns == r->duration_ns;
}

static void push_write(struct quar_plan *p, const struct wgsf_quar_key *key,
		       const struct wgsf_quarantine *value)
{
	p->key[p->n_write] = *key;
	p->value[p->n_write++] = *value;
}

/* A peer without a rule, whose entry is have: kept while a quarantine by
 * hand holds (its rule's figures gone, so that nothing more counts), and
 * otherwise deleted; an automatic one in force is released. */
static void plan_ruleless(struct quar_plan *p, const struct quar_entry *have, uint64_t now)
{
	struct wgsf_quarantine q = have->value;

	if (now >= q.until_ns) {
		p->del[p->n_del++] = have->key;
		return;
	}
	if (q.by != WGSF_QUAR_BY_HAND) {
		p->released[p->n_released++] = have->key;
		p->del[p->n_del++] = have->key;
		return;
	}
	if (q.violations) {
		with_rule(&(struct quarantine_rule){}, &q, &q);
		push_write(p, &have->key, &q);
	}
	p->held[p->n_held++] = have->key;
	p->hand[p->n_hand++] = have->key;
}

/* The peer of key, its rules r (NULL: none) and its entry have (NULL:
 * none). */
static void plan_peer(struct quar_plan *p, const uint8_t key[WG_KEY_LEN],
		      const struct peer_rules *r, const struct quar_entry *have, uint64_t now)
{
	struct wgsf_quar_key k;
	struct wgsf_quarantine q;

	memcpy(k.public_key, key, sizeof(k.public_key));
	if (r && r->quarantine.violations) {
		if (!have || !rule_same(&r->quarantine, &have->value)) {
			with_rule(&r->quarantine, have ? &have->value : NULL, &q);
			push_write(p, &k, &q);
		}
		p->held[p->n_held++] = k;
	} else if (have) {
		plan_ruleless(p, have, now);
	}
}

static void plan_against(const struct wg_device *dev, const struct rules_index *ix,
			 struct quar_have *h, struct quar_plan *p)
{
	uint64_t now = quarantine_now();
	const struct quar_entry *have;
	size_t i;

	for (i = 0; i < dev->n_peers; i++) {
		const uint8_t *key = dev->peers[i].public_key;

		have = quarantine_find(h->v, h->n, key);
		if (have)
			h->claimed[have - h->v] = 1;
		plan_peer(p, key, rules_find(ix, key), have, now);
	}
	/* the keys the device no longer has */
	for (i = 0; i < h->n; i++)
		if (!h->claimed[i])
			p->del[p->n_del++] = h->v[i].key;
	sort_array(p->held, p->n_held, sizeof(*p->held), quarantine_key_cmp);
	sort_array(p->hand, p->n_hand, sizeof(*p->hand), quarantine_key_cmp);
}

int quarantine_plan(const struct maps *m, const struct wg_device *dev,
		    const struct rules_index *ix, struct quar_plan *p)
{
	struct quar_have h = {};
	int err;

	*p = (struct quar_plan){};
	err = have_read(m->fd[MAP_QUARANTINE], &h) ?: plan_alloc(p, dev->n_peers, h.n);
	if (!err)
		plan_against(dev, ix, &h, p);
	free(h.v);
	free(h.claimed);
	if (err)
		quarantine_plan_free(p);
	return err;
}

/*
 * The plan's entries with the state that the map holds now: the datapath
 * and the tracer count and quarantine on while a sync plans, and an entry
 * written back as planned would undo what they did since (a quarantine
 * begun, its violations). Only the rule's figures are the plan's.
 */
static int with_state_now(int fd, const struct quar_plan *p)
{
	const struct quar_entry *now;
	struct quarantine_rule r;
	struct quar_entry *v = NULL;
	size_t n = 0, i;
	int err = p->n_write ? quarantine_read_all(fd, &v, &n) : 0;

	for (i = 0; !err && i < p->n_write; i++) {
		now = quarantine_find(v, n, p->key[i].public_key);
		if (!now)
			continue;
		r = (struct quarantine_rule){ .violations = p->value[i].violations,
					      .period_ns = p->value[i].period_ns,
					      .duration_ns = p->value[i].duration_ns };
		with_rule(&r, &now->value, &p->value[i]);
	}
	free(v);
	return err;
}

int quarantine_write(const struct maps *m, const struct quar_plan *p, struct sync_result *res)
{
	size_t i;
	int err = with_state_now(m->fd[MAP_QUARANTINE], p) ?:
		  map_update_many(m->fd[MAP_QUARANTINE], p->key, sizeof(*p->key), p->value,
				  sizeof(*p->value), p->n_write);

	for (i = 0; !err && i < p->n_released; i++, res->released++)
		if (res->released < SYNC_RELEASED_SHOWN)
			res->released_keys[res->released] = p->released[i];
	return err;
}

int quarantine_unset(const struct maps *m, const struct quar_plan *p)
{
	size_t i;

	for (i = 0; i < p->n_del; i++)
		if (bpf_map_delete_elem(m->fd[MAP_QUARANTINE], &p->del[i]) && errno != ENOENT)
			return -errno;
	return 0;
}

void quarantine_plan_free(struct quar_plan *p)
{
	free(p->key);
	free(p->value);
	free(p->del);
	free(p->held);
	free(p->hand);
	free(p->released);
	*p = (struct quar_plan){};
}
