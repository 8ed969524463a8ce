/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Quarantines by hand (wgsf quarantine, wgsf release): the entry of a key
 * in the quarantine map (see wgsf.h) written in place, its rule kept. The
 * peer's flag and entry bits that make the datapath read it are the
 * sync's to set, after this write, and to clear, before an entry of a
 * peer without a rule goes. Each raises the config's generation, so that
 * a watch notices.
 */
#ifndef WGSF_TABLES_QUAR_HAND_H
#define WGSF_TABLES_QUAR_HAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/model.h"
#include "tables/maps.h"

/* CLOCK_MONOTONIC_COARSE in ns, the clock the datapath's quarantine reads
 * (bpf_ktime_get_coarse_ns()), so that both tell in force alike. */
uint64_t quarantine_now(void);
/* The entry of key: 0, or -ENOENT where the map has none. */
int quarantine_read(int map_fd, const uint8_t key[WG_KEY_LEN], struct wgsf_quarantine *out);

/* An entry of the map beside its key. */
struct quar_entry {
	struct wgsf_quar_key key;
	struct wgsf_quarantine value;
};

/* Orders struct wgsf_quar_key, and what starts with one, by key. */
int quarantine_key_cmp(const void *a, const void *b);
/* Every entry of the map, in one read, sorted by key: *out (the caller's
 * to free) holds *n of them. */
int quarantine_read_all(int map_fd, struct quar_entry **out, size_t *n);
/* The entry of key among n sorted by quarantine_read_all(), or NULL. */
const struct quar_entry *quarantine_find(const struct quar_entry *v, size_t n,
					 const uint8_t key[WG_KEY_LEN]);
/* Whether q is in force at now (quarantine_now()). */
bool quarantine_in_force(const struct wgsf_quarantine *q, uint64_t now);
/* Quarantines key from now for duration_ns (0: until released), by hand,
 * whatever was in force: since, until and by written (wgsf.h), its rule
 * and windows kept; a key without an entry gets one, of no rule. */
int quarantine_impose(const struct maps *m, const uint8_t key[WG_KEY_LEN], uint64_t duration_ns,
		      uint64_t now);
/* Ends key's quarantine at once and empties its count; the entry of a key
 * without a rule goes. -ENOENT where key is not in quarantine at now. */
int quarantine_lift(const struct maps *m, const uint8_t key[WG_KEY_LEN], uint64_t now);

#endif
