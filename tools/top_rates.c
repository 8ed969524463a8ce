// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "attach/view.h"
#include "tables/stats.h"
#include "top_rates.h"
#include "wait.h"

static int by_key(const void *a, const void *b)
{
	return memcmp(((const struct top_peer *)a)->public_key,
		      ((const struct top_peer *)b)->public_key, WG_KEY_LEN);
}

static void peer_counts(const struct iface_view *v, const struct peer_view *p,
			const struct wgsf_peer_stats *s, struct top_peer *out)
{
	out->count[TOP_PACKETS] = s->rx_packets;
	out->count[TOP_BITS] = s->rx_bytes * 8;
	out->count[TOP_VIOLATIONS] = s->violation_packets;
	out->count[TOP_REJECTIONS] = v->rejected_visible && p->rejected ? p->rejected->packets : 0;
}

/* v's counters read again, alone, into *stats (by slot, to free), so that
 * the time of the read is known to within its few syscalls: the view's
 * whole read (pins, tables, the tracer) can take long enough on a busy
 * machine to skew a rate by a tenth. WireGuard's rejections are taken from
 * the view, read a moment before. */
static int timed_counters(const struct iface_view *v, struct wgsf_peer_stats **stats,
			  uint64_t *read_ns)
{
	uint32_t cap = map_capacity(v->pins.maps.fd[MAP_PEER_SLOTS]);
	uint64_t before;
	int err;

	*stats = calloc(cap ?: 1, sizeof(**stats));
	if (!*stats)
		return -ENOMEM;
	before = wait_now();
	err = stats_read_peers(&v->pins.maps, cap, *stats);
	*read_ns = before + (wait_now() - before) / 2;
	return err;
}

static int iface_counts(const struct iface_view *v, struct top_iface *out)
{
	struct wgsf_peer_stats *stats;
	size_t i;
	int err = timed_counters(v, &stats, &out->read_ns);

	memcpy(out->name, v->name, sizeof(out->name));
	out->rejections_visible = v->rejected_visible;
	out->peers = err ? NULL : calloc(v->n_peers ?: 1, sizeof(*out->peers));
	if (!err && !out->peers)
		err = -ENOMEM;
	for (i = 0; !err && i < v->n_peers; i++) {
		memcpy(out->peers[i].public_key, v->peers[i].public_key, WG_KEY_LEN);
		peer_counts(v, &v->peers[i], &stats[v->peers[i].slot], &out->peers[i]);
	}
	free(stats);
	if (err)
		return err;
	out->n_peers = v->n_peers;
	sort_array(out->peers, out->n_peers, sizeof(*out->peers), by_key);
	return 0;
}

int top_read(const char *ifname, struct top_round *r, char failed[IFNAMSIZ])
{
	struct iface_view *views;
	size_t n, i;
	int err = view_read_all(ifname, false, &views, &n, failed);

	if (err)
		return err;
	memset(r, 0, sizeof(*r));
	failed[0] = '\0';
	r->ifaces = calloc(n ?: 1, sizeof(*r->ifaces));
	err = r->ifaces ? 0 : -ENOMEM;
	for (i = 0; i < n && !err; i++, r->n_ifaces++)
		err = iface_counts(&views[i], &r->ifaces[i]);
	if (err && i)
		memcpy(failed, views[i - 1].name, IFNAMSIZ);
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
