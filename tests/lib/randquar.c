// SPDX-License-Identifier: GPL-2.0-only
/*
 * Quarantine entries of random states: what sync, wgsf quarantine and wgsf
 * release do to them, each written into the datapath's map as those write
 * it and into the reference at once, and the map's entries held to the
 * reference's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "randstate.h"
#include "world.h"

#define MS 1000000ull
#define HOUR (3600 * 1000 * MS)

void rand_quar_sync(struct rand_state *g, struct rand_quar_hands *h)
{
	size_t k;

	for (k = 0; k < g->r.slots; k++)
		h->released += ref_quar_sync(&g->r, k, g->present[k]);
}

/* The map's entry of peer k into q; false where it has none. */
static bool quar_read(const struct rand_state *g, int fd, uint32_t k, struct wgsf_quarantine *q)
{
	struct wgsf_quar_key key;

	memcpy(key.public_key, g->keys[k], sizeof(key.public_key));
	memset(q, 0, sizeof(*q));
	return !bpf_map_lookup_elem(fd, &key, q);
}

static int quar_write(const struct rand_state *g, int fd, uint32_t k,
		      const struct wgsf_quarantine *q)
{
	struct wgsf_quar_key key;

	memcpy(key.public_key, g->keys[k], sizeof(key.public_key));
	if (q)
		return bpf_map_update_elem(fd, &key, q, BPF_ANY) ? -errno : 0;
	return bpf_map_delete_elem(fd, &key) ? -errno : 0;
}

/* wgsf quarantine of peer k: until released, for hours, or where ms for
 * 1 to 20 ms, which end before the next packet (rand_quar_now_and_then). */
static int quar_hand(struct rand_state *g, int fd, uint32_t k, bool ms,
		     struct rand_quar_hands *h)
{
	uint64_t now = g->r.now_ns, until;
	struct wgsf_quarantine q;

	switch (rand_below(ms ? 3 : 2)) {
	case 0:
		until = WGSF_QUAR_FOREVER;
		break;
	case 1:
		until = now + HOUR * (1 + rand_below(24));
		break;
	default:
		until = now + MS * (1 + rand_below(20));
		h->short_until = until;
	}
	quar_read(g, fd, k, &q);
	q.by = WGSF_QUAR_BY_HAND;
	q.since_ns = now;
	q.until_ns = until;
	ref_quar_hand(&g->r, k, until);
	h->written++;
	return quar_write(g, fd, k, &q);
}

/* wgsf release of peer k: whether it released a quarantine in force, or
 * -errno (-ENOENT: it has no entry). */
static int quar_release(struct rand_state *g, int fd, uint32_t k, struct rand_quar_hands *h)
{
	struct wgsf_quarantine q;
	bool in_force;
	int err;

	if (!quar_read(g, fd, k, &q))
		return -ENOENT;
	q.until_ns = 0;
	q.by = WGSF_QUAR_BY_NONE;
	memset(q.window, 0, sizeof(q.window));
	memset(q.window_reasons, 0, sizeof(q.window_reasons));
	in_force = ref_quar_release(&g->r, k);
	err = quar_write(g, fd, k, q.violations ? &q : NULL);
	h->released += !err && in_force;
	return err ?: in_force;
}

int rand_quar_some(struct rand_state *g, int fd, unsigned int n, struct rand_quar_hands *h)
{
	size_t k;
	int err = 0;

	while (world_coarse_ns() <= h->short_until)
		world_sleep_ms(1);
	g->r.now_ns = world_now_ns();
	while (n-- && !err) {
		k = rand_below(g->r.slots);
		if (g->present[k])
			err = quar_hand(g, fd, k, false, h);
	}
	return err;
}

/* A peer without an entry has no bits that ask one either: one by hand
 * is asked from the next sync on, as the reference has it (asked). */
int rand_quar_now_and_then(struct rand_state *g, int fd, struct rand_quar_hands *h)
{
	size_t k = rand_below(g->r.slots);
	int err;

	if (rand_below(50) || !g->present[k])
		return 0;
	g->r.now_ns = world_now_ns();
	if (rand_below(2)) {
		err = quar_hand(g, fd, k, true, h);
		/* one of milliseconds ends before the next packet: judged
		 * while it ended, a packet could be taken either way */
		while (world_coarse_ns() <= h->short_until)
			world_sleep_ms(1);
		g->r.now_ns = world_now_ns();
		return err;
	}
	err = quar_release(g, fd, k, h);
	return err == -ENOENT ? 0 : err < 0 ? err : 0;
}

/* The violations of q's windows that count at now (the eighths from 7
 * before now's to now's), and their reasons' bits. */
static uint32_t quar_windows(const struct wgsf_quarantine *q, uint64_t now, uint32_t *reasons)
{
	uint64_t eighth = q->period_ns / WGSF_QUAR_WINDOWS, e = eighth ? now / eighth : 0, we;
	uint32_t count = 0;
	int i;

	*reasons = 0;
	for (i = 0; eighth && i < WGSF_QUAR_WINDOWS; i++) {
		we = q->window[i] >> 32;
		if (we > e || we + WGSF_QUAR_WINDOWS <= e)
			continue;
		count += (uint32_t)q->window[i];
		*reasons |= q->window_reasons[i];
	}
	return count;
}

/* Whether entry q is the reference's w at now; where not, why. */
static bool quar_fields_agree(const struct ref_quar *w, const struct wgsf_quarantine *q,
			      uint64_t now, char *why, size_t size)
{
	uint32_t reasons, count = quar_windows(q, now, &reasons);
	bool in_force = now < q->until_ns, want_in_force = now < w->until_ns;

	if (q->violations != w->rule.violations || q->period_ns != w->rule.period_ns ||
	    q->duration_ns != w->rule.duration_ns)
		snprintf(why, size, "rule %u/%llu ns for %llu ns, want %u/%llu for %llu",
			 q->violations, (unsigned long long)q->period_ns,
			 (unsigned long long)q->duration_ns, w->rule.violations,
			 (unsigned long long)w->rule.period_ns,
			 (unsigned long long)w->rule.duration_ns);
	else if (q->by != w->by || in_force != want_in_force)
		snprintf(why, size, "by %u, %sin force, want by %u, %sin force", q->by,
			 in_force ? "" : "not ", w->by, want_in_force ? "" : "not ");
	else if (w->by == WGSF_QUAR_BY_RULE && q->until_ns - q->since_ns != w->began_for_ns)
		snprintf(why, size, "from %llu until %llu, not its duration",
			 (unsigned long long)q->since_ns, (unsigned long long)q->until_ns);
	else if (w->by == WGSF_QUAR_BY_HAND && q->until_ns != w->until_ns)
		snprintf(why, size, "until %llu, want %llu", (unsigned long long)q->until_ns,
			 (unsigned long long)w->until_ns);
	else if (q->counted != w->counted || q->reasons != w->reasons)
		snprintf(why, size, "began by %u violations of reasons %#x, want %u of %#x",
			 q->counted, q->reasons, w->counted, w->reasons);
	else if (count != w->count || reasons != w->count_reasons)
		snprintf(why, size, "%u violations of reasons %#x in its windows, want %u of %#x",
			 count, reasons, w->count, w->count_reasons);
	else
		return true;
	return false;
}

bool rand_quar_agrees(const struct rand_state *g, int fd, uint32_t k, char *why, size_t size)
{
	const struct ref_quar *w = &g->r.peers[k].quar;
	struct wgsf_quarantine q;
	bool has = quar_read(g, fd, k, &q);
	int n = snprintf(why, size, "peer %u's quarantine entry: ", k);

	if (has != w->entry) {
		snprintf(why + n, size - n, "%s, want %s", has ? "one" : "none",
			 w->entry ? "one" : "none");
		return false;
	}
	return !has || quar_fields_agree(w, &q, g->r.now_ns, why + n, size - n);
}

const char *rand_quar_describe(const struct rand_state *g, uint32_t k, char *buf, size_t size)
{
	const struct ref_quar *q = &g->r.peers[k].quar;

	snprintf(buf, size, "%s%s, rule %u/%llu ns for %llu ns, by %u until %llu, %u counted",
		 q->entry ? "an entry" : "no entry", q->asked ? " asked" : "", q->rule.violations,
		 (unsigned long long)q->rule.period_ns, (unsigned long long)q->rule.duration_ns,
		 q->by, (unsigned long long)q->until_ns, q->count);
	return buf;
}
