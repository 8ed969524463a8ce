/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bringing the datapath's tables in line with a device model.
 *
 * Peer slots are keyed by public key and kept in the pinned peer_slots map:
 * a peer keeps its slot, and so its counters, across syncs and restarts. A
 * sync writes only the difference, adding and updating before deleting, so
 * that a source valid both before and after it is never missing.
 */
#ifndef WGSF_SYNC_H
#define WGSF_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "maps.h"
#include "model.h"
#include "policy.h"

struct sync_result {
	size_t peers_added, peers_removed;
	size_t prefixes_added, prefixes_changed, prefixes_removed;
	size_t rules_added, rules_removed, flags_changed; /* policy */
};


/* One allowed-IPs entry as the datapath holds it. */
struct table_entry {
	struct prefix prefix;
	uint32_t slot;
};

/* Slots the device's peers need, their allowed IPs, and, when pol is not
 * NULL, their policy; -ENOSPC when the maps are too small (the caller grows
 * them and syncs again). */
int sync_device(const struct maps *m, const struct wg_device *dev, const struct policy *pol,
		struct sync_result *res);

/* How one kind of table is diffed: entries in cmp order, the slot their value
 * (allowed IPs) or part of their identity (policy, where cmp looks at it). */
struct diff_ops {
	int (*cmp)(const void *a, const void *b);
	int (*write)(const struct maps *m, const struct table_entry *e);
	int (*del)(const struct maps *m, const struct table_entry *e);
};

int diff_write(const struct maps *m, const struct diff_ops *ops, const struct table_entry *want,
	       size_t nw, const struct table_entry *have, size_t nh, size_t *added,
	       size_t *changed);
int diff_delete(const struct maps *m, const struct diff_ops *ops, const struct table_entry *want,
		size_t nw, const struct table_entry *have, size_t nh, size_t *removed);
/* Appends e to the growing array *v of *n entries (*cap allocated). */
int table_push(struct table_entry **v, size_t *n, size_t *cap, const struct table_entry *e);
/* Every allowed-IPs entry of both tries, sorted by prefix. */
int table_read(const struct maps *m, struct table_entry **out, size_t *n);
/* The slot table: in_use entries only, as (slot, key) pairs in slot order. */
int slots_read(int peer_slots_fd, uint32_t capacity, struct wgsf_slot **out);

#endif
