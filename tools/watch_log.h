/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wgsf watch's log of counters that grew: each round, one line per peer
 * whose violations or whose packets rejected by WireGuard grew, in a fixed
 * key=value form for log scanners (README, "Keeping in sync"):
 *
 *   wg0: violation peer=KEY packets=+N total=T reason=R source=A destination=B action=drop|count
 *   wg0: rejected peer=KEY packets=+N total=T source=A destination=B owner=KEY|none
 *
 * or, with --json, {"interface": "wg0", "violation": {"peer": KEY, ...}},
 * the same keys with numbers as numbers and none as null.
 *
 * A round only reads each peer's counters when the interface's totals say
 * that some grew.
 */
#ifndef WGSF_WATCH_LOG_H
#define WGSF_WATCH_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/model.h"

struct seen_peer {
	uint8_t public_key[WG_KEY_LEN];
	uint64_t violations, rejected;
};

/* What the last round saw. Zeroed: nothing yet, so the first round only
 * takes note. */
struct seen {
	bool primed;
	uint64_t violations, rejected; /* the interface's totals */
	struct seen_peer *peers;       /* by public key */
	size_t n;
};

void watch_log_counters(const char *ifname, struct seen *seen);
void seen_free(struct seen *seen);

#endif
