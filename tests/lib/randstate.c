// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "randstate.h"

/*
 * At most SHORT_PREFIXES allowed IPs shorter than SHORT_CIDR per family and
 * state, default routes aside: a few short prefixes together can cover a
 * whole family, and then no source is unknown.
 */
#define SHORT_CIDR 8
#define SHORT_PREFIXES 1

unsigned int rand_below(unsigned int n)
{
	return n ? (unsigned int)random() % n : 0;
}

void rand_bytes(uint8_t *b, size_t n)
{
	while (n--)
		*b++ = random();
}

struct prefix rand_within(const struct prefix *outer, unsigned int cidr)
{
	struct prefix p = *outer;
	unsigned int i;

	for (i = outer->cidr; i < prefix_bits(p.family); i++)
		if (rand_below(2))
			p.addr[i / 8] |= 0x80 >> (i % 8);
	p.cidr = cidr;
	prefix_normalise(&p);
	return p;
}

struct prefix rand_host_in(const struct prefix *p)
{
	return rand_within(p, prefix_bits(p->family));
}

uint8_t rand_family(void)
{
	return rand_below(2) ? AF_INET : AF_INET6;
}

/* Lengths lean long, as real tables do; any length from min up is possible. */
static unsigned int draw_cidr(struct rand_state *g, uint8_t family, unsigned int min)
{
	unsigned int bits = prefix_bits(family), c = min + rand_below(bits - min + 1);
	unsigned int *left = &g->short_left[family == AF_INET6];

	if (rand_below(8) == 0 && (c >= SHORT_CIDR || (*left && (*left)--)))
		return c;
	c = bits - rand_below(bits / 4 + 1);
	return c < min ? min : c;
}

struct prefix rand_prefix(struct rand_state *g)
{
	struct prefix any = { .family = rand_family() };
	const struct prefix *outer;

	if (g->r.aips.n && rand_below(3) == 0) {
		/* nested in an existing prefix, usually another peer's; half of
		 * them host routes, which the datapath finds in a hash before
		 * it asks the trie that holds the prefix around them */
		outer = &g->r.aips.v[rand_below(g->r.aips.n)];
		if (rand_below(2))
			return rand_host_in(outer);
		return rand_within(outer, draw_cidr(g, outer->family, outer->cidr));
	}
	return rand_within(&any, draw_cidr(g, any.family, 0));
}

static void add_sources(struct rand_state *g, uint32_t k, const struct prefix *own, size_t n_own)
{
	const struct prefix *o;
	unsigned int i, n = 1 + rand_below(3);
	struct prefix p;

	for (i = 0; i < n; i++) {
		o = &own[rand_below(n_own)];
		switch (rand_below(10)) {
		case 0:
			p = (struct prefix){ .family = rand_family() }; /* all of a family */
			break;
		case 1:
			p = rand_prefix(g); /* likely none of its own: allows nothing */
			break;
		case 2: case 3:
			p = *o;
			break;
		default:
			/* part of its allowed IPs: the rest of them breaks the policy */
			p = rand_within(o, o->cidr + rand_below(prefix_bits(o->family) - o->cidr + 1));
		}
		ref_add_policy(&g->r, false, k, &p);
	}
}

static void random_policy(struct rand_state *g, uint32_t k, const struct prefix *own, size_t n_own)
{
	switch (rand_below(12)) {
	case 0:
		g->r.peers[k].flags |= WGSF_PEER_BLOCKED;
		if (rand_below(2))
			add_sources(g, k, own, n_own);
		if (rand_below(2))
			rand_peer_rules(g, k);
		break;
	case 1: case 2:
		add_sources(g, k, own, n_own);
		break;
	case 3: case 4:
		rand_peer_rules(g, k);
		break;
	case 5: case 6:
		add_sources(g, k, own, n_own);
		rand_peer_rules(g, k);
		break;
	}
	rand_peer_limits(g, k);
}

static void keys_make(struct rand_state *g, size_t n)
{
	size_t i;

	g->keys = calloc(n, sizeof(*g->keys));
	g->present = calloc(n, sizeof(*g->present));
	g->text = calloc(n, sizeof(*g->text));
	if (!g->keys || !g->present || !g->text)
		abort();
	for (i = 0; i < n; i++) {
		rand_bytes(g->keys[i], WG_KEY_LEN);
		/* distinct, whatever the draw */
		memcpy(g->keys[i], &i, sizeof(i));
	}
}

void rand_state_init(struct rand_state *g, size_t keys)
{
	size_t i;

	memset(g, 0, sizeof(*g));
	ref_init(&g->r, keys, WGSF_MODE_MONITOR);
	keys_make(g, keys);
	for (i = 0; i < RAND_DST_POOL; i++) {
		g->dst_pool[i] = (struct prefix){ .family = i % 2 ? AF_INET6 : AF_INET };
		g->dst_pool[i] = rand_within(&g->dst_pool[i],
					rand_below(prefix_bits(g->dst_pool[i].family) + 1));
	}
}

/* Forgets the text of the state in force. */
static void texts_free(struct rand_state *g)
{
	size_t i;

	for (i = 0; i < g->r.slots; i++) {
		free(g->text[i]);
		g->text[i] = NULL;
	}
	for (i = 0; i < REF_GROUPS_MAX; i++) {
		free(g->groups[i].text);
		g->groups[i].text = NULL;
	}
}

void rand_state_free(struct rand_state *g)
{
	texts_free(g);
	free(g->text);
	ref_free(&g->r);
	free(g->keys);
	free(g->present);
}

static void default_route(struct rand_state *g, uint8_t family, uint32_t k)
{
	struct prefix all = { .family = family };

	ref_add_allowedip(&g->r, &all, k);
}

/* A new state: each peer present with chance in_of_4 in 4, with new allowed
 * IPs and policy; the counters of the peers that stay are kept, those of
 * the departed forgotten. Prefixes are unique across peers, as WireGuard
 * keeps them. */
void rand_state_next(struct rand_state *g, unsigned int in_of_4, bool default_routes)
{
	size_t k, first, n = 0, last = 0;
	struct prefix p;

	ref_clear_tables(&g->r);
	texts_free(g);
	g->short_left[0] = g->short_left[1] = SHORT_PREFIXES;
	rand_groups(g);
	for (k = 0; k < g->r.slots; k++) {
		g->present[k] = rand_below(4) < in_of_4;
		if (rand_below(g->present[k] ? 2 : 8) == 0)
			rand_join(g, k);
		if (!g->present[k]) {
			memset(&g->r.peers[k].want, 0, sizeof(g->r.peers[k].want));
			continue;
		}
		first = g->r.aips.n;
		while (g->r.aips.n == first || rand_below(2)) {
			p = rand_prefix(g);
			ref_add_allowedip(&g->r, &p, k);
		}
		random_policy(g, k, &g->r.aips.v[first], g->r.aips.n - first);
		n++;
		last = k;
	}
	if (default_routes && n) {
		default_route(g, AF_INET, last);
		default_route(g, AF_INET6, last);
	}
	g->states++;
}

/* One key's prefixes as a policy line, comma-separated, or split over
 * repeated lines, which append. */
static void policy_line(FILE *f, const char *key, const struct ref_prefixes *l)
{
	char buf[PREFIX_STRLEN];
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i == 0 || rand_below(3) == 0)
			fprintf(f, "%s%s = ", i ? "\n" : "", key);
		else
			fputs(", ", f);
		fputs(prefix_format(&l->v[i], buf), f);
	}
	if (l->n)
		fputc('\n', f);
}

/* The [Group] sections of groups from to to - 1. */
static void groups_write(const struct rand_state *g, FILE *f, size_t from, size_t to)
{
	for (; from < to; from++)
		fprintf(f, "\n[Group %s]\n%s", g->groups[from].name, g->groups[from].text ?: "");
}

/* The state's policies as a policy file's text, its groups before and
 * after the peers that name them, and a peer that is not on the interface
 * now and then, whose rules cannot take effect. */
char *rand_state_policy(const struct rand_state *g, size_t *len)
{
	char b64[WG_KEY_B64_LEN], *text = NULL;
	FILE *f = open_memstream(&text, len);
	size_t k, before = rand_below(g->r.n_groups + 1);
	const struct ref_peer *p;

	if (!f)
		abort();
	fputs("# random policy\n[Interface]\n", f);
	groups_write(g, f, 0, before);
	for (k = 0; k < g->r.slots; k++) {
		p = &g->r.peers[k];
		if (!(p->flags || g->text[k] || (!g->present[k] && rand_below(8) == 0)))
			continue;
		key_to_base64(b64, g->keys[k]);
		fprintf(f, "\n[Peer]\nPublicKey = %s\n", b64);
		if (p->flags & WGSF_PEER_BLOCKED)
			fputs("Block = true\n", f);
		else if (!g->present[k])
			fputs("Block = false\nAllowedSources = 192.0.2.0/24\n", f);
		policy_line(f, "AllowedSources", &p->src);
		fputs(g->text[k] ?: "", f);
	}
	groups_write(g, f, before, g->r.n_groups);
	if (fclose(f))
		abort();
	return text;
}

/* The state's allowed IPs as WireGuard would hand them to the loader. */
struct wg_device *rand_state_device(const struct rand_state *g, size_t **key_of)
{
	struct wg_device *dev = device_new("wgsf-diff");
	struct wg_peer *peer;
	size_t i;

	*key_of = calloc(g->r.slots, sizeof(**key_of));
	if (!dev || !*key_of)
		abort();
	for (i = 0; i < g->r.aips.n; i++) {
		peer = device_peer(dev, g->keys[g->r.owner[i]]);
		if (!peer || peer_add_allowedip(peer, &g->r.aips.v[i]))
			abort();
		(*key_of)[peer - dev->peers] = g->r.owner[i];
	}
	return dev;
}

/* An address that no allowed IP holds, when one can be found. */
struct prefix rand_state_outside(const struct rand_state *g)
{
	struct prefix a = { .family = rand_family() };
	int tries = 16;

	do
		a = rand_host_in(&(struct prefix){ .family = a.family });
	while (ref_lookup(&g->r, &a) >= 0 && --tries);
	return a;
}

struct prefix rand_state_destination(const struct rand_state *g, uint8_t family)
{
	const struct prefix *p;

	if (rand_below(4) == 0)
		return rand_host_in(&(struct prefix){ .family = family });
	do
		p = &g->dst_pool[rand_below(RAND_DST_POOL)];
	while (p->family != family);
	return rand_host_in(p);
}

