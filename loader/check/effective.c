// SPDX-License-Identifier: GPL-2.0-only
/*
 * What WireGuard will hold after `wg setconf` of a file. It applies the
 * [Peer] sections one after the other, each replacing its peer's allowed
 * IPs (wg asks that of every section), and gives a prefix to the peer that
 * lists it last, taking it from any other, as both the kernel and
 * wireguard-go do. So a prefix ends with the peer of its last listing,
 * unless that peer has a later section, which dropped it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "check/effective.h"
#include "vec.h"

struct listing {
	struct prefix prefix; /* host bits cleared */
	size_t ip;            /* index into conf.ips */
};

struct build {
	struct check_report *r;
	const struct wg_conf *c;
	size_t *peer_of;  /* section -> peer */
	size_t *last;     /* peer -> its last section */
	size_t *sections; /* peer -> how many it has */
	size_t *seen;     /* peer -> the last prefix group that counted it, + 1 */
	size_t cap_table;
};

static int listing_cmp(const void *a, const void *b)
{
	const struct listing *x = a, *y = b;
	int c = prefix_cmp(&x->prefix, &y->prefix);

	return c ?: (x->ip > y->ip) - (x->ip < y->ip);
}

static const uint8_t *section_key(const struct build *b, size_t section)
{
	return b->r->dev->peers[b->peer_of[section]].public_key;
}

#define DROPPED ((size_t)-1)

/* WireGuard ignores a peer with the interface's own key, so the check
 * leaves its sections out too, after a finding for each. */
static int own_key(struct check_report *r)
{
	struct wg_conf *c = &r->conf;
	size_t *moved, s, i, n = 0;
	int err = 0;

	if (!c->has_private_key)
		return 0;
	moved = malloc((c->n_sections + 1) * sizeof(*moved));
	if (!moved)
		return -ENOMEM;
	for (s = 0; s < c->n_sections && !err; s++) {
		moved[s] = n;
		if (memcmp(c->sections[s].public_key, c->own_key, WG_KEY_LEN)) {
			c->sections[n++] = c->sections[s];
			continue;
		}
		moved[s] = DROPPED;
		err = check_finding(r, &(struct finding){ .kind = CHECK_OWN_KEY, .key = c->own_key,
							  .line = c->sections[s].line });
	}
	c->n_sections = n;
	for (i = n = 0; i < c->n_ips && !err; i++) {
		if (moved[c->ips[i].section] == DROPPED)
			continue;
		c->ips[n] = c->ips[i];
		c->ips[n++].section = moved[c->ips[i].section];
	}
	c->n_ips = err ? c->n_ips : n;
	free(moved);
	return err;
}

/* The peers of the sections, and how many sections each has. */
static int peers(struct build *b)
{
	struct wg_device *dev = b->r->dev;
	struct wg_peer *p;
	size_t s;

	b->peer_of = calloc(b->c->n_sections + 1, sizeof(size_t));
	if (!b->peer_of)
		return -ENOMEM;
	for (s = 0; s < b->c->n_sections; s++) {
		p = device_peer(dev, b->c->sections[s].public_key);
		if (!p)
			return -ENOMEM;
		b->peer_of[s] = p - dev->peers;
	}
	b->last = calloc(dev->n_peers + 1, sizeof(size_t));
	b->sections = calloc(dev->n_peers + 1, sizeof(size_t));
	b->seen = calloc(dev->n_peers + 1, sizeof(size_t));
	if (!b->last || !b->sections || !b->seen)
		return -ENOMEM;
	for (s = 0; s < b->c->n_sections; s++) {
		b->last[b->peer_of[s]] = s;
		b->sections[b->peer_of[s]]++;
	}
	return 0;
}

static int duplicate(struct build *b, const struct listing *g, size_t n, const uint8_t *holder)
{
	struct finding f = { .kind = CHECK_DUPLICATE_PREFIX, .key = holder, .prefix = g[0].prefix,
			     .line = b->c->ips[g[n - 1].ip].line,
			     .items = calloc(n, sizeof(*f.items)), .n_items = n };
	size_t i;

	if (!f.items)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct conf_ip *ip = &b->c->ips[g[i].ip];

		f.items[i] = (struct check_item){ ip->written, section_key(b, ip->section),
						  ip->line };
	}
	return check_finding(b->r, &f);
}

/* One prefix's listings, in file order: who holds it in the end, and a
 * finding when more than one peer lists it. */
static int group(struct build *b, const struct listing *g, size_t n, size_t id)
{
	const struct conf_ip *last = &b->c->ips[g[n - 1].ip];
	size_t holder = b->peer_of[last->section], i, peers = 0;
	bool held = b->last[holder] == last->section;
	struct check_report *r = b->r;
	int err = 0;

	if (held) {
		err = peer_add_allowedip(&r->dev->peers[holder], &g[0].prefix) ?:
		      vec_room(&r->table, r->n_table, &b->cap_table, sizeof(*r->table));
		if (err)
			return err;
		r->table[r->n_table++] =
			(struct check_entry){ g[0].prefix, holder, last->line };
	}
	for (i = 0; i < n; i++) {
		size_t p = b->peer_of[b->c->ips[g[i].ip].section];

		peers += b->seen[p] != id + 1;
		b->seen[p] = id + 1;
	}
	if (peers < 2)
		return 0;
	return duplicate(b, g, n, held ? r->dev->peers[holder].public_key : NULL);
}

static int resolve(struct build *b)
{
	const struct wg_conf *c = b->c;
	struct listing *l = malloc((c->n_ips + 1) * sizeof(*l));
	size_t i, start, groups = 0;
	int err = 0;

	if (!l)
		return -ENOMEM;
	for (i = 0; i < c->n_ips; i++) {
		l[i].prefix = c->ips[i].written;
		prefix_normalise(&l[i].prefix);
		l[i].ip = i;
	}
	if (c->n_ips)
		sort_array(l, c->n_ips, sizeof(*l), listing_cmp);
	for (start = 0; start < c->n_ips && !err; start = i, groups++) {
		for (i = start + 1; i < c->n_ips && !prefix_cmp(&l[i].prefix, &l[start].prefix); i++)
			;
		err = group(b, l + start, i - start, groups);
	}
	free(l);
	return err;
}

/* repeated-peer: a finding per peer with more than one section, listing
 * them all; one pass over the sections fills every finding. */
static int repeated(struct build *b)
{
	size_t n_peers = b->r->dev->n_peers, p, s;
	struct check_item **items = calloc(n_peers + 1, sizeof(*items));
	size_t *n = calloc(n_peers + 1, sizeof(*n));
	int err = items && n ? 0 : -ENOMEM;

	for (p = 0; p < n_peers && !err; p++)
		if (b->sections[p] > 1 && !(items[p] = calloc(b->sections[p], sizeof(**items))))
			err = -ENOMEM;
	for (s = 0; s < b->c->n_sections && !err; s++) {
		p = b->peer_of[s];
		if (items[p])
			items[p][n[p]++] = (struct check_item){ .key = section_key(b, s),
								.line = b->c->sections[s].line };
	}
	for (p = 0; p < n_peers && !err; p++) {
		if (!items[p])
			continue;
		err = check_finding(b->r, &(struct finding){
			.kind = CHECK_REPEATED_PEER, .key = b->r->dev->peers[p].public_key,
			.items = items[p], .n_items = n[p],
			.line = b->c->sections[b->last[p]].line });
		items[p] = NULL;
	}
	for (p = 0; p < n_peers; p++)
		free(items[p]);
	free(items);
	free(n);
	return err;
}

/* A peer whose last section lists nothing has no allowed IPs; one whose
 * last section lists some, all taken by later peers, is left empty. */
static int emptied(struct build *b)
{
	const struct wg_device *dev = b->r->dev;
	size_t *listed = calloc(dev->n_peers + 1, sizeof(*listed)), i, p;
	int err = listed ? 0 : -ENOMEM;

	for (i = 0; i < b->c->n_ips && !err; i++) {
		p = b->peer_of[b->c->ips[i].section];
		listed[p] += b->last[p] == b->c->ips[i].section;
	}
	for (p = 0; p < dev->n_peers && !err; p++) {
		struct finding f = { .kind = listed[p] ? CHECK_PEER_LEFT_EMPTY : CHECK_NO_ALLOWED_IPS,
				     .key = dev->peers[p].public_key,
				     .line = b->c->sections[b->last[p]].line };

		if (listed[p] && dev->peers[p].n_allowedips)
			continue;
		err = check_finding(b->r, &f);
	}
	free(listed);
	return err;
}

static int host_bits(struct build *b)
{
	struct finding f = { .kind = CHECK_HOST_BITS };
	size_t i;
	int err = 0;

	for (i = 0; i < b->c->n_ips && !err; i++) {
		f.written = b->c->ips[i].written;
		f.prefix = f.written;
		prefix_normalise(&f.prefix);
		if (!prefix_cmp(&f.prefix, &f.written))
			continue;
		f.key = section_key(b, b->c->ips[i].section);
		f.line = b->c->ips[i].line;
		err = check_finding(b->r, &f);
	}
	return err;
}

/* Each peer's listings, grouped by peer in file order (a counting sort). */
static int listed(struct build *b)
{
	struct check_report *r = b->r;
	size_t n_peers = r->dev->n_peers, i, p;

	r->listed = malloc((b->c->n_ips + 1) * sizeof(*r->listed));
	r->listed_at = calloc(n_peers + 2, sizeof(*r->listed_at));
	if (!r->listed || !r->listed_at)
		return -ENOMEM;
	for (i = 0; i < b->c->n_ips; i++)
		r->listed_at[b->peer_of[b->c->ips[i].section] + 2]++;
	for (p = 0; p < n_peers; p++)
		r->listed_at[p + 2] += r->listed_at[p + 1];
	for (i = 0; i < b->c->n_ips; i++)
		r->listed[r->listed_at[b->peer_of[b->c->ips[i].section] + 1]++] = i;
	return 0;
}

int check_config(struct check_report *r)
{
	struct build b = { .r = r, .c = &r->conf };
	int err;

	r->dev = device_new("");
	err = r->dev ? own_key(r) ?: peers(&b) : -ENOMEM;
	err = err ?: resolve(&b) ?: repeated(&b) ?: emptied(&b) ?: host_bits(&b) ?: listed(&b);
	free(b.peer_of);
	free(b.last);
	free(b.sections);
	free(b.seen);
	return err;
}
