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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/model.h"
#include "policy/policy.h"
#include "tables/diff.h"
#include "tables/entry_bits.h"
#include "tables/maps.h"

/* Slots the device's peers need, their allowed IPs, and, when pol is not
 * NULL, their policy. Reads the tables back whole to find the difference,
 * and checks before it writes anything that the maps hold the old entries
 * and the new ones side by side (adding goes before deleting): -ENOSPC with
 * res->need when they do not (the caller grows them and syncs again), -E2BIG
 * for more peers than WGSF_MAX_PEERS. Where the peer maps are at their
 * largest and the departed and the new peers together do not fit, the
 * departed are removed first. */
int sync_device(const struct maps *m, const struct wg_device *dev, const struct policy *pol,
		struct sync_result *res);

/*
 * What a process's last sync wrote (sync_cache.c), so that its next sync
 * need not read the tables back: valid while the config's generation is
 * the one it recorded, that is while no other process wrote. Zeroed: empty.
 */
struct sync_cache {
	uint64_t generation;
	/* the config's policy_id of the policy that gave the entries their
	 * bits (see entry_bits.h): the caller empties the cache for another */
	uint32_t policy_id;
	struct wg_device *dev; /* the device last synced: the cache's own */
	uint32_t *slot_of;     /* dev's peer i's slot */
	struct wgsf_slot *slots; /* the slot table as written */
	uint32_t cap;
	/* Kept from sync to sync: fresh large buffers come from mmap, and
	 * faulting their pages in cost more than the rest of a sync. */
	uint32_t *next_slot_of, *gone;
	uint8_t *state;
	size_t scratch; /* peers each of these and slot_of has room for */
	/* the peers quarantined by hand without a rule as the last sync
	 * found them, in key order: their entry bits are not the policy's */
	struct wgsf_quar_key *hand;
	size_t n_hand;
};

/* sync_device(), looking only at the peers that changed since the cache's
 * sync when the cache is valid. On success the cache keeps dev, which the
 * caller must then neither change nor free; on failure the cache is empty
 * and dev still the caller's. */
int sync_device_cached(const struct maps *m, struct wg_device *dev, const struct policy *pol,
		       struct sync_cache *cache, struct sync_result *res);
void sync_cache_free(struct sync_cache *cache);

/* What each class of map must hold for sync_device() on m to write the
 * difference: the figures that -ENOSPC gives, whether or not it would. */
int sync_need(const struct maps *m, const struct wg_device *dev, const struct policy *pol,
	      struct capacity *need);
/* sync_device(), giving the slot of each of dev's peers (*slot_of, the
 * caller's to free). */
int sync_full(const struct maps *m, const struct wg_device *dev, const struct policy *pol,
	      struct sync_result *res, uint32_t **slot_of);
/* Gives key the lowest free slot from *from on, zeroing its counters and
 * policy and writing it to the slot table; -ENOSPC when none is free. */
int slot_claim(const struct maps *m, struct wgsf_slot *slots, uint32_t cap, uint32_t *from,
	       const uint8_t key[WG_KEY_LEN], uint32_t *slot, struct sync_result *res);
/* Frees the slots of peers that left, and their flow records. */
int slots_free(const struct maps *m, const uint32_t *gone, size_t n, struct sync_result *res);

/* Allowed IPs: keyed by prefix, the slot their value. */
extern const struct diff_ops allowedip_ops;

/* Appends the allowed-IPs entries of peer p, in slot, with the bits its
 * rules in ix give them. */
int table_push_peer(struct table_entry **v, size_t *n, size_t *cap, const struct wg_peer *p,
		    uint32_t slot, const struct rules_index *ix);
/* Every allowed-IPs entry of all four tables, sorted by prefix. */
int table_read(const struct maps *m, struct table_entry **out, size_t *n);
/* The slot table: in_use entries only, as (slot, key) pairs in slot order. */
int slots_read(int peer_slots_fd, uint32_t capacity, struct wgsf_slot **out);

#endif
