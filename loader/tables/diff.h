/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bringing one prefix-keyed table in line with what is wanted: both sides
 * sorted, written new-and-changed first and deleted last, so that an entry
 * valid before and after is never missing.
 */
#ifndef WGSF_DIFF_H
#define WGSF_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/prefix.h"
#include "tables/maps.h"

#define SYNC_RELEASED_SHOWN 16

/* What a sync changed, for its one-line summary. */
struct sync_result {
	size_t peers_added, peers_removed;
	size_t prefixes_added, prefixes_changed, prefixes_removed;
	size_t rules_added, rules_removed, flags_changed; /* policy */
	size_t limits_changed; /* rate limits new or changed (flags say which went) */
	/* automatic quarantines released because their rule went, and the
	 * keys of the first SYNC_RELEASED_SHOWN of them */
	size_t released;
	struct wgsf_quar_key released_keys[SYNC_RELEASED_SHOWN];
	bool from_cache; /* the allowed IPs' difference came from a sync_cache */
	/* With -ENOSPC: what each class of map must hold for this sync. */
	struct capacity need;
};

/* One entry of a prefix-keyed table: an allowed IP and its owner's slot, or
 * a policy prefix and the slot it belongs to. */
struct table_entry {
	struct prefix prefix;
	uint32_t slot;
	uint32_t bits; /* allowed IPs: the WGSF_ENTRY_* bits beside the slot;
			* policy tables: the value */
};

/* Total order of entries by prefix. */
int table_entry_cmp(const void *a, const void *b);
/* Total order of a policy table's entries: by owner (slot or ruleset), then prefix. */
int table_entry_owner_cmp(const void *a, const void *b);

/* How one kind of table is diffed: entries in cmp order, the slot their value
 * (allowed IPs) or part of their identity (policy, where cmp looks at it). */
struct diff_ops {
	int (*cmp)(const void *a, const void *b);
	int (*write)(const struct maps *m, const struct table_entry *e);
	int (*del)(const struct maps *m, const struct table_entry *e);
	/* the map that holds e */
	enum map_id (*map_of)(const struct table_entry *e);
	/* when not NULL, writes all at once in place of write: p[i] with the
	 * value values[i] */
	int (*write_many)(const struct maps *m, const struct prefix *p, const uint32_t *values,
			  size_t n);
};

int diff_write(const struct maps *m, const struct diff_ops *ops, const struct table_entry *want,
	       size_t nw, const struct table_entry *have, size_t nh, size_t *added,
	       size_t *changed);
int diff_delete(const struct maps *m, const struct diff_ops *ops, const struct table_entry *want,
		size_t nw, const struct table_entry *have, size_t nh, size_t *removed);
/* Adds to peak[map] the entries each map holds at the fullest while the
 * difference is written: those of have and, beside them, the new ones of
 * want, which diff_write() adds before diff_delete() removes any. */
void diff_peaks(const struct diff_ops *ops, const struct table_entry *want, size_t nw,
		const struct table_entry *have, size_t nh, uint32_t peak[MAP_COUNT]);
/* Appends e to the growing array *v of *n entries (*cap allocated). */
int table_push(struct table_entry **v, size_t *n, size_t *cap, const struct table_entry *e);
/* Appends every entry of one prefix-keyed map of family: an allowed-IPs
 * table, or a policy table (policy true). */
int table_read_map(int fd, uint8_t family, bool policy, struct table_entry **v, size_t *n,
		   size_t *cap);

#endif
