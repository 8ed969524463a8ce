/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WGSF_POLICY_SYNC_H
#define WGSF_POLICY_SYNC_H

#include "device/model.h"
#include "policy/policy.h"
#include "tables/diff.h"

/*
 * Brings the policy maps in line with pol for the device's peers (slot_of[i]
 * is peer i's slot): new allowed sources and destinations first, then the
 * flags that switch them on or off, then the prefixes no longer wanted, so
 * that no packet is ever judged by half a policy.
 */
int policy_sync(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
		const struct policy *pol, struct sync_result *res);
/* Every prefix of one policy trie pair, as (slot, prefix), in slot order. */
int policy_table_read(const struct maps *m, bool dst, struct table_entry **out, size_t *n);

#endif
