/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WGSF_POLICY_SYNC_H
#define WGSF_POLICY_SYNC_H

#include "device/model.h"
#include "policy/policy.h"
#include "tables/diff.h"
#include "tables/quarantine.h"
#include "tables/rate.h"
#include "tables/rulesets.h"

/*
 * Bringing the policy maps in line with pol for the device's peers
 * (slot_of[i] is peer i's slot), in steps, so that a sync can size the
 * maps for what it will write before it writes anything: a plan, then
 * the new rate limits (tables/rate.h), quarantine entries
 * (tables/quarantine.h), allowed sources, service sets and rulesets
 * (tables/rulesets.h) and each peer's new ruleset, before the allowed-IPs
 * entries whose bits point at them are written; then the flags that
 * switch them on or off, then what is no longer wanted, so that no packet
 * is ever judged by half a policy.
 */
struct policy_plan {
	struct table_entry *want, *have; /* allowed sources */
	size_t nw, nh;
	struct table_entry *dst_have; /* destination rules in force, by ruleset */
	size_t ndh;
	struct svc_entry *svc_have; /* service sets in force */
	size_t nsh;
	struct ruleset_plan rs; /* destination rules and sets wanted */
	uint32_t *flags;        /* the device's peer i's */
	struct rate_plan rate;  /* rate limits */
	const struct quar_plan *quar; /* quarantine entries: the caller's */
};
/* quar: the plan of the quarantine entries under pol, which the entry bits
 * need before this plan is made. */
int policy_plan(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
		const struct policy *pol, const struct quar_plan *quar, struct policy_plan *p);
/* Adds the entries each policy map holds at the fullest (see diff_peaks). */
void policy_plan_peaks(const struct policy_plan *p, uint32_t peak[MAP_COUNT]);
/* Deletes the prefixes of the slots marked in gone[] (cap of them) now,
 * before those slots go to other peers, and leaves them out of p's have. */
int policy_drop_slots(const struct maps *m, struct policy_plan *p, const uint8_t *gone,
		      uint32_t cap);
/* What the allowed-IPs entries may point at, before they are written: the
 * new and changed rate limits and quarantine entries, allowed sources,
 * service sets and rulesets, and each peer's new ruleset. */
int policy_prepare(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
		   const struct policy_plan *p, struct sync_result *res);
/* The rest, once they are: the flags, then the removals. */
int policy_apply(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
		 const struct policy_plan *p, struct sync_result *res);
void policy_plan_free(struct policy_plan *p);
/* The host prefixes (of a policy hash) pol gives the device's peers:
 * n[0], n[1] their allowed sources' (IPv6, IPv4), n[2], n[3] their
 * destinations'. Added to n. */
int policy_hosts(const struct wg_device *dev, const struct policy *pol, size_t n[4]);
/* Every prefix of one policy trie pair, as (owner, prefix) with its value
 * in bits (a destination's service set), in owner order. */
int policy_table_read(const struct maps *m, bool dst, struct table_entry **out, size_t *n);

#endif
