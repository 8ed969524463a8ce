/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Quarantine entries in the datapath's quarantine map, by public key (see
 * wgsf.h, struct wgsf_quarantine), brought in line with the policy's
 * Quarantine rules by a sync: written before the flags and entry bits that
 * make the datapath ask them, and deleted only after those are cleared.
 *
 * A peer with a rule has an entry: new, or its rule rewritten where it
 * changed (a changed period empties the windows, whose eighths it sets; a
 * changed N or duration keeps the state); an unchanged one is not written,
 * so that its counts go on. A peer whose rule went keeps a quarantine by
 * hand while it is in force; an automatic one in force is released (the
 * sync reports it), and an entry without a rule that is not in force is
 * deleted, as are the entries of keys the device no longer has.
 */
#ifndef WGSF_TABLES_QUARANTINE_H
#define WGSF_TABLES_QUARANTINE_H

#include <stddef.h>
#include <stdint.h>

#include "device/model.h"
#include "tables/diff.h"
#include "tables/entry_bits.h"
#include "tables/maps.h"

struct quar_plan {
	struct wgsf_quar_key *key; /* new and changed entries: key[i]'s is value[i] */
	struct wgsf_quarantine *value;
	size_t n_write;
	struct wgsf_quar_key *del; /* entries that go */
	size_t n_del;
	/* the device's peers with an entry after the write, in key order:
	 * what rules_index.quar points to */
	struct wgsf_quar_key *held;
	size_t n_held;
	/* of those, the ones without a rule (quarantined by hand), which the
	 * policy alone does not tell: a cached sync compares them */
	struct wgsf_quar_key *hand;
	size_t n_hand;
	struct wgsf_quar_key *released; /* automatic quarantines whose rule went */
	size_t n_released;
};

/* The plan for the device's peers under the rules of ix, against the
 * whole map read once. */
int quarantine_plan(const struct maps *m, const struct wg_device *dev,
		    const struct rules_index *ix, struct quar_plan *p);
/* The new and changed entries: before any flag or entry bit asks them.
 * Adds the released to res. */
int quarantine_write(const struct maps *m, const struct quar_plan *p, struct sync_result *res);
/* The entries that go, deleted: once no flag or entry bit asks them. */
int quarantine_unset(const struct maps *m, const struct quar_plan *p);
void quarantine_plan_free(struct quar_plan *p);

#endif
