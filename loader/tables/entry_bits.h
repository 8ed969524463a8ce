/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The WGSF_ENTRY_* bits of an allowed-IPs entry (see wgsf.h): what its
 * peer's policy says of every source in the entry, where one answer holds
 * for all of them, so that the datapath need not look the policy up.
 */
#ifndef WGSF_ENTRY_BITS_H
#define WGSF_ENTRY_BITS_H

#include <stdbool.h>
#include <stdint.h>

#include "device/model.h"
#include "policy/policy.h"
#include "wgsf.h"

/* A policy's rules by public key, for a lookup per peer in a large device:
 * each peer's as policy_flatten() gives them (its groups' and [Group *]'s
 * with its own), so that what reads them need not know of groups. */
struct rules_index {
	const struct peer_rules **v;
	size_t n;
	struct peer_rules *flat; /* those that policy_flatten() made */
	size_t n_flat;
	struct peer_rules star; /* a key the policy does not list: [Group *]'s */
	bool has_star;
	/* the keys with a quarantine entry once the sync has written it, in
	 * key order (tables/quarantine.h); none where n_quar is 0 */
	const struct wgsf_quar_key *quar;
	size_t n_quar;
};

/* pol may be NULL: no policy. */
int rules_index_build(const struct policy *pol, struct rules_index *ix);
void rules_index_free(struct rules_index *ix);
/* The rules of key's peer; NULL when the policy has none for it. */
const struct peer_rules *rules_find(const struct rules_index *ix, const uint8_t key[WG_KEY_LEN]);
/* Whether key's peer has a quarantine entry (ix->quar). */
bool rules_quarantined(const struct rules_index *ix, const uint8_t key[WG_KEY_LEN]);

/* The bits for an entry of prefix p of a peer with rules r (NULL: none)
 * and, where quar, a quarantine entry. */
uint32_t entry_bits(const struct peer_rules *r, bool quar, const struct prefix *p);

#endif
