/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wgsf watch's log of counters that grew: each round, one line per peer
 * whose violations or whose packets rejected by WireGuard grew, in a fixed
 * key=value form for log scanners (README, "Keeping in sync"):
 *
 *   wg0: violation peer=KEY packets=+N total=T reason=R source=A destination=B action=drop|count
 *   wg0: rejected peer=KEY packets=+N total=T source=A destination=B owner=KEY|none
 *
 * and a line when a peer's quarantine begins and when it ends (until in
 * seconds since the epoch, none: until released; by and until none for
 * one released before a round saw it):
 *
 *   wg0: quarantine peer=KEY by=rule|hand|none until=T|none
 *   wg0: release peer=KEY why=expired|hand|rule-gone
 *
 * or, with --json, {"interface": "wg0", "violation": {"peer": KEY, ...}},
 * the same keys with numbers as numbers and none as null.
 *
 * A round only reads each peer's counters and quarantines when something
 * can have changed them: the interface's totals grew, the tables changed
 * (changed), or a quarantine it saw has reached its end.
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
	/* its quarantine in force (until 0: none), and whether a rule began it */
	uint64_t quar_since, quar_until;
	bool quar_by_rule;
};

/* What the last round saw. Zeroed: nothing yet, so the first round only
 * takes note. */
struct seen {
	bool primed;
	uint64_t violations, rejected; /* the interface's totals */
	struct seen_peer *peers;       /* by public key */
	size_t n;
	uint64_t next_end; /* the first end of a quarantine in force; 0: none */
};

/* changed: the tables changed since the last round (another command's
 * write, or this round's sync). */
void watch_log_counters(const char *ifname, bool changed, struct seen *seen);
void seen_free(struct seen *seen);

#endif
