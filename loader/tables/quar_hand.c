// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>

#include "sort.h"
#include "tables/config.h"
#include "tables/quar_hand.h"

uint64_t quarantine_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int quarantine_read(int map_fd, const uint8_t key[WG_KEY_LEN], struct wgsf_quarantine *out)
{
	return bpf_map_lookup_elem(map_fd, key, out) ? -errno : 0;
}

int quarantine_key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct wgsf_quar_key));
}

int quarantine_read_all(int map_fd, struct quar_entry **out, size_t *n)
{
	struct map_entries e;
	struct quar_entry *v;
	size_t i;
	int err = map_read_all(map_fd, &e);

	if (err)
		return err;
	v = malloc((e.n + 1) * sizeof(*v));
	for (i = 0; v && i < e.n; i++) {
		memcpy(&v[i].key, (char *)e.keys + i * e.key_size, sizeof(v[i].key));
		memcpy(&v[i].value, (char *)e.values + i * e.value_size, sizeof(v[i].value));
	}
	*n = e.n;
	map_entries_free(&e);
	if (!v)
		return -ENOMEM;
	sort_array(v, *n, sizeof(*v), quarantine_key_cmp);
	*out = v;
	return 0;
}

const struct quar_entry *quarantine_find(const struct quar_entry *v, size_t n,
					 const uint8_t key[WG_KEY_LEN])
{
	return n ? bsearch(key, v, n, sizeof(*v), quarantine_key_cmp) : NULL;
}

bool quarantine_in_force(const struct wgsf_quarantine *q, uint64_t now)
{
	return now < q->until_ns;
}

static int hand_write(const struct maps *m, const uint8_t key[WG_KEY_LEN],
		      const struct wgsf_quarantine *q)
{
	struct wgsf_quar_key k;

	memcpy(k.public_key, key, WG_KEY_LEN);
	if (bpf_map_update_elem(m->fd[MAP_QUARANTINE], &k, q, BPF_ANY))
		return -errno;
	return generation_bump(m->fd[MAP_CONFIG]);
}

int quarantine_impose(const struct maps *m, const uint8_t key[WG_KEY_LEN], uint64_t duration_ns,
		      uint64_t now)
{
	struct wgsf_quarantine q;
	int err = quarantine_read(m->fd[MAP_QUARANTINE], key, &q);

	if (err == -ENOENT)
		memset(&q, 0, sizeof(q));
	else if (err)
		return err;
	q.by = WGSF_QUAR_BY_HAND;
	q.since_ns = now;
	q.until_ns = duration_ns && duration_ns < WGSF_QUAR_FOREVER - now ? now + duration_ns
									 : WGSF_QUAR_FOREVER;
	return hand_write(m, key, &q);
}

int quarantine_lift(const struct maps *m, const uint8_t key[WG_KEY_LEN], uint64_t now)
{
	struct wgsf_quarantine q;
	struct wgsf_quar_key k;
	int err = quarantine_read(m->fd[MAP_QUARANTINE], key, &q);

	if (!err && !quarantine_in_force(&q, now))
		err = -ENOENT;
	if (err)
		return err;
	if (q.violations) {
		q.until_ns = 0;
		q.by = WGSF_QUAR_BY_NONE;
		memset(q.window, 0, sizeof(q.window));
		memset(q.window_reasons, 0, sizeof(q.window_reasons));
		return hand_write(m, key, &q);
	}
	memcpy(k.public_key, key, WG_KEY_LEN);
	if (bpf_map_delete_elem(m->fd[MAP_QUARANTINE], &k) && errno != ENOENT)
		return -errno;
	return generation_bump(m->fd[MAP_CONFIG]);
}
