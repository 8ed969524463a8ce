/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Destination rules as the datapath keeps them (wgsf.h): each peer points
 * at a ruleset, which peers of the same rules share (a group's members),
 * and each ruleset's prefix at the service set that its longest match
 * admits, sets shared by content too. A ruleset or set, once written, is
 * never changed: new contents get new ids, written before any peer points
 * at them, and old ones are removed after none does; a ruleset's number
 * is given again only once it is gone.
 */
#ifndef WGSF_RULESETS_H
#define WGSF_RULESETS_H

#include "device/model.h"
#include "tables/diff.h"
#include "tables/entry_bits.h"
#include "tables/services.h"

struct ruleset_plan {
	uint32_t *ruleset; /* the device's peer i's, 0: no destination rules */
	/* destination entries: slot the ruleset, bits the set; by ruleset */
	struct table_entry *want;
	size_t nw;
	struct svc_entry *svc_want; /* sorted */
	size_t nsw;
};

/* The rulesets and sets for the rules of ix of the device's peers, reusing
 * those of have (nh entries, sorted by ruleset then prefix) and svc_have
 * (nsh, sorted) where their contents are the same. */
int rulesets_plan(const struct wg_device *dev, const struct rules_index *ix,
		  const struct table_entry *have, size_t nh, const struct svc_entry *svc_have,
		  size_t nsh, struct ruleset_plan *p);
void rulesets_plan_free(struct ruleset_plan *p);

/* The WGSF_RULESET_* bit of the table that holds destination prefix p. */
uint32_t ruleset_table_bit(const struct prefix *p);

#endif
