/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rate limits in the rate_limit map, by slot (see wgsf.h, struct
 * wgsf_rate_limit), and the datapath's line of each in rate_state
 * (struct wgsf_rate_state): written before the flags and entry bits that
 * make the datapath read them, and zeroed only after those are cleared,
 * so that no packet is ever judged by half a policy. A limit that is new
 * or changed starts with empty buckets; one that is unchanged keeps them.
 * A limit changed in place is one write of its line, which the kernel
 * copies without a lock: a packet metered at that very moment may read
 * some of its fields old and some new.
 */
#ifndef WGSF_TABLES_RATE_H
#define WGSF_TABLES_RATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/model.h"
#include "policy/policy.h"
#include "tables/entry_bits.h"
#include "tables/maps.h"

/* Whether r limits anything. */
bool rate_limited(const struct rate_limit *r);
/* r as rate_limit holds it: the policy's four figures. All 0 for no
 * limit. */
void rate_limit_of(const struct rate_limit *r, struct wgsf_rate_limit *out);

/* The coarse clock's tick (its resolution), in ns. */
uint64_t rate_tick_ns(void);
/* The datapath's line for limit l (see wgsf.h), its buckets empty: the
 * time a byte and a packet are worth, rounded up (the rate is never
 * exceeded; a packet's to the ns, so that a burst of B packets is worth
 * exactly B of them), and the bursts' worth, rounded down; the coarse
 * clock where every burst is worth WGSF_RATE_COARSE_TICKS ticks of
 * tick_ns, else the precise one. All 0 for no limit. The buckets keep
 * ns, and a packet costs at least one: past 10^8 packets a second, or a
 * few hundred Gbit/s of small packets, the limit in force is lower than
 * the policy's by up to half. */
void rate_state_of(const struct wgsf_rate_limit *l, uint64_t tick_ns, struct wgsf_rate_state *out);

/* What a sync writes to rate_limit: the limits of the slots whose differ
 * from the map's, and the slots whose limit goes (no peer of the device,
 * or one without a limit, holds them now). */
struct rate_plan {
	uint32_t *set;                 /* slots given a new or changed limit */
	struct wgsf_rate_limit *limit; /* set[i]'s */
	size_t n_set;
	uint32_t *unset; /* slots whose limit goes */
	size_t n_unset;
};

/* The plan for the device's peers (slot_of[i] is peer i's slot) under
 * the rules of ix. */
int rate_plan(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
	      const struct rules_index *ix, struct rate_plan *p);
/* The new and changed limits, and the datapath's lines of them with their
 * buckets emptied: before any flag or entry bit says to read them. */
int rate_write(const struct maps *m, const struct rate_plan *p);
/* The limits that go, and their lines, zeroed: once no flag or entry bit
 * says to read them. */
int rate_unset(const struct maps *m, const struct rate_plan *p);
void rate_plan_free(struct rate_plan *p);
/* Empties the buckets of n slots, in a batch: slots handed to new peers. */
int rate_states_clear(const struct maps *m, uint32_t *slots, size_t n);

#endif
