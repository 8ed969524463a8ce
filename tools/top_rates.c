// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "attach/view.h"
#include "top_rates.h"
#include "wait.h"

static int by_key(const void *a, const void *b)
{
	return memcmp(((const struct top_peer *)a)->public_key,
		      ((const struct top_peer *)b)->public_key, WG_KEY_LEN);
}

static void peer_counts(const struct iface_view *v, const struct peer_view *p,
			struct top_peer *out)
{
	out->count[TOP_PACKETS] = p->stats.rx_packets;
	out->count[TOP_BITS] = p->stats.rx_bytes * 8;
	out->count[TOP_VIOLATIONS] = p->stats.violation_packets;
	out->count[TOP_REJECTIONS] = v->rejected_visible && p->rejected ? p->rejected->packets : 0;
}

static int iface_counts(const struct iface_view *v, uint64_t read_ns, struct top_iface *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	memcpy(out->name, v->name, sizeof(out->name));
	out->rejections_visible = v->rejected_visible;
	out->read_ns = read_ns;
	out->peers = calloc(v->n_peers ?: 1, sizeof(*out->peers));
	if (!out->peers)
		return -ENOMEM;
	for (i = 0; i < v->n_peers; i++) {
		memcpy(out->peers[i].public_key, v->peers[i].public_key, WG_KEY_LEN);
		peer_counts(v, &v->peers[i], &out->peers[i]);
	}
	out->n_peers = v->n_peers;
	sort_array(out->peers, out->n_peers, sizeof(*out->peers), by_key);
	return 0;
}

int top_read(const char *ifname, struct top_round *r, char failed[IFNAMSIZ])
{
	uint64_t before = wait_now(), read_ns;
	struct iface_view *views;
	size_t n, i;
	int err = view_read_all(ifname, false, &views, &n, failed);

	if (err)
		return err;
	/* the counters were read one peer after another, in between */
	read_ns = before + (wait_now() - before) / 2;
	memset(r, 0, sizeof(*r));
	r->ifaces = calloc(n ?: 1, sizeof(*r->ifaces));
	err = r->ifaces ? 0 : -ENOMEM;
	for (i = 0; i < n && !err; i++, r->n_ifaces++)
		err = iface_counts(&views[i], read_ns, &r->ifaces[i]);
	view_free_all(views, n);
	if (err)
		top_free(r);
	return err;
}

static const struct top_iface *find_iface(const struct top_round *r, const char *name)
{
	size_t i;

	for (i = 0; r && i < r->n_ifaces; i++)
		if (!strcmp(r->ifaces[i].name, name))
			return &r->ifaces[i];
	return NULL;
}

/* p's rates against was, its previous read, seconds before. */
static void peer_rates(struct top_peer *p, const struct top_peer *was, double seconds)
{
	int c;

	p->state = was ? TOP_RATE : TOP_NEW;
	for (c = 0; was && c < TOP_COLUMNS; c++)
		if (p->count[c] < was->count[c])
			p->state = TOP_RESET;
	for (c = 0; p->state == TOP_RATE && c < TOP_COLUMNS; c++)
		p->rate[c] = (p->count[c] - was->count[c]) / seconds;
}

static void iface_rates(struct top_iface *now, const struct top_iface *was)
{
	const struct top_peer *prev = NULL;
	size_t i;
	int c;

	now->state = was ? TOP_RATE : TOP_NEW;
	memset(now->total, 0, sizeof(now->total));
	if (was)
		now->seconds = (now->read_ns - was->read_ns) / 1e9;
	for (i = 0; i < now->n_peers; i++) {
		if (was)
			prev = bsearch(&now->peers[i], was->peers, was->n_peers,
				       sizeof(*was->peers), by_key);
		peer_rates(&now->peers[i], prev, now->seconds);
		if (now->peers[i].state == TOP_RESET)
			now->state = TOP_RESET;
		for (c = 0; now->peers[i].state == TOP_RATE && c < TOP_COLUMNS; c++)
			now->total[c] += now->peers[i].rate[c];
	}
}

void top_rates(struct top_round *now, const struct top_round *was)
{
	size_t i;

	for (i = 0; i < now->n_ifaces; i++)
		iface_rates(&now->ifaces[i], find_iface(was, now->ifaces[i].name));
}

void top_free(struct top_round *r)
{
	size_t i;

	for (i = 0; i < r->n_ifaces; i++)
		free(r->ifaces[i].peers);
	free(r->ifaces);
	memset(r, 0, sizeof(*r));
}
