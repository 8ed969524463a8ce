// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "tables/config.h"
#include "tables/policy_sync.h"
#include "tables/stats.h"
#include "tables/sync.h"

int slots_read(int fd, uint32_t cap, struct wgsf_slot **out)
{
	struct wgsf_slot *slots = calloc(cap ?: 1, sizeof(*slots));
	struct map_entries e;
	uint32_t *key;
	size_t i;
	int err = slots ? map_read_all(fd, &e) : -ENOMEM;

	for (i = 0; !err && i < e.n; i++) {
		key = (uint32_t *)e.keys + i;
		if (*key < cap)
			slots[*key] = ((struct wgsf_slot *)e.values)[i];
	}
	if (slots && !err)
		map_entries_free(&e);
	if (err) {
		free(slots);
		return err;
	}
	*out = slots;
	return 0;
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
	qsort(v, *n, sizeof(*v), table_entry_cmp);
	*out = v;
	return 0;
}

int slot_claim(const struct maps *m, struct wgsf_slot *slots, uint32_t cap, uint32_t *from,
	       const uint8_t key[WG_KEY_LEN], uint32_t *slot, struct sync_result *res)
{
	uint32_t s = *from;
	int err;

	while (s < cap && slots[s].in_use)
		s++;
	if (s == cap)
		return -ENOSPC;
	*from = s;
	slots[s].in_use = 1;
	memcpy(slots[s].public_key, key, WG_KEY_LEN);
	*slot = s;
	res->peers_added++;
	err = stats_clear_peer(m->fd[MAP_PEER_STATS], s) ?: policy_flags_write(m, s, 0);
	if (err)
		return err;
	return bpf_map_update_elem(m->fd[MAP_PEER_SLOTS], &s, &slots[s], 0) ? -errno : 0;
}

/*
 * Gives every peer of dev a slot: the one its key already owns, else the
 * lowest free one, its counters and policy zeroed first. slot_of[i] is peer
 * i's slot; gone[] lists the slots whose peers left the device.
 */
static int assign_slots(const struct maps *m, const struct wg_device *dev, uint32_t *slot_of,
			uint32_t *gone, size_t *n_gone, struct sync_result *res)
{
	uint32_t cap = map_capacity(m->fd[MAP_PEER_SLOTS]), s, free_slot = 0;
	struct wgsf_slot *slots;
	struct wg_peer *p;
	size_t i;
	int err = slots_read(m->fd[MAP_PEER_SLOTS], cap, &slots);

	if (err)
		return err;
	for (i = 0; i < dev->n_peers; i++)
		slot_of[i] = UINT32_MAX;
	for (s = 0; s < cap; s++) {
		if (!slots[s].in_use)
			continue;
		p = device_find_peer(dev, slots[s].public_key);
		if (p && slot_of[p - dev->peers] == UINT32_MAX)
			slot_of[p - dev->peers] = s;
		else
			gone[(*n_gone)++] = s;
	}
	for (i = 0; i < dev->n_peers && !err; i++)
		if (slot_of[i] == UINT32_MAX)
			err = slot_claim(m, slots, cap, &free_slot, dev->peers[i].public_key,
					 &slot_of[i], res);
	free(slots);
	return err;
}

static int wanted_table(const struct wg_device *dev, const uint32_t *slot_of,
			struct table_entry **out, size_t *n)
{
	struct table_entry *v = NULL, e;
	size_t i, j, cap = 0;
	int err;

	*n = 0;
	for (i = 0; i < dev->n_peers; i++) {
		for (j = 0; j < dev->peers[i].n_allowedips; j++) {
			e.prefix = dev->peers[i].allowedips[j];
			e.slot = slot_of[i];
			err = table_push(&v, n, &cap, &e);
			if (err) {
				free(v);
				return err;
			}
		}
	}
	qsort(v, *n, sizeof(*v), table_entry_cmp);
	*out = v;
	return 0;
}

static int aip_write(const struct maps *m, const struct table_entry *e)
{
	return allowedip_write(m, &e->prefix, e->slot);
}

static int aip_delete(const struct maps *m, const struct table_entry *e)
{
	return allowedip_delete(m, &e->prefix);
}

/* Allowed IPs are keyed by prefix; the slot is their value. */
const struct diff_ops allowedip_ops = { table_entry_cmp, aip_write, aip_delete, allowedips_write };

int slots_free(const struct maps *m, const uint32_t *gone, size_t n, struct sync_result *res)
{
	struct wgsf_slot empty = {};
	size_t i;

	for (i = 0; i < n; i++) {
		if (bpf_map_update_elem(m->fd[MAP_PEER_SLOTS], &gone[i], &empty, 0))
			return -errno;
		res->peers_removed++;
	}
	return 0;
}

int sync_full(const struct maps *m, const struct wg_device *dev, const struct policy *pol,
	      struct sync_result *res, uint32_t **slot_of_out)
{
	uint32_t cap = map_capacity(m->fd[MAP_PEER_SLOTS]);
	uint32_t *slot_of = calloc(dev->n_peers + 1, sizeof(*slot_of));
	uint32_t *gone = calloc(cap + 1, sizeof(*gone));
	struct table_entry *want = NULL, *have = NULL;
	size_t n_gone = 0, nw = 0, nh = 0;
	int err;

	memset(res, 0, sizeof(*res));
	if (!slot_of || !gone) {
		err = -ENOMEM;
		goto out;
	}
	if (dev->n_peers > cap) {
		err = -ENOSPC;
		goto out;
	}
	/* new and changed first, gone last: what stays valid is never missing */
	err = assign_slots(m, dev, slot_of, gone, &n_gone, res) ?:
	      wanted_table(dev, slot_of, &want, &nw) ?:
	      table_read(m, &have, &nh) ?:
	      diff_write(m, &allowedip_ops, want, nw, have, nh, &res->prefixes_added,
			 &res->prefixes_changed) ?:
	      diff_delete(m, &allowedip_ops, want, nw, have, nh, &res->prefixes_removed) ?:
	      (pol ? policy_sync(m, dev, slot_of, pol, res) : 0) ?:
	      slots_free(m, gone, n_gone, res) ?: generation_bump(m->fd[MAP_CONFIG]);
out:
	if (!err && slot_of_out) {
		*slot_of_out = slot_of;
		slot_of = NULL;
	}
	free(slot_of);
	free(gone);
	free(want);
	free(have);
	return err;
}

int sync_device(const struct maps *m, const struct wg_device *dev, const struct policy *pol,
		struct sync_result *res)
{
	return sync_full(m, dev, pol, res, NULL);
}
