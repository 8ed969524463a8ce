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

struct sync_result {
	size_t peers_added, peers_removed;
	size_t prefixes_added, prefixes_changed, prefixes_removed;
};

/* One allowed-IPs entry as the datapath holds it. */
struct table_entry {
	struct prefix prefix;
	uint32_t slot;
};

/* Slots the device's peers need; -ENOSPC when the maps are too small
 * (the caller grows them and syncs again). */
int sync_device(const struct maps *m, const struct wg_device *dev, struct sync_result *res);
/* Every allowed-IPs entry of both tries, sorted by prefix. */
int table_read(const struct maps *m, struct table_entry **out, size_t *n);
/* The slot table: in_use entries only, as (slot, key) pairs in slot order. */
int slots_read(int peer_slots_fd, uint32_t capacity, struct wgsf_slot **out);

#endif
