/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wgsf top's figures: each round reads every peer's counters as the pins
 * hold them, stamped with the time of the read, and turns what grew since
 * the previous round into rates over the time measured between the two
 * reads. A counter that went back (an interface detached and attached
 * again, re-created) makes a reset, never a negative rate.
 */
#ifndef WGSF_TOP_RATES_H
#define WGSF_TOP_RATES_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/model.h"

/* The columns, in the order printed; each a counter and its rate. */
enum top_column {
	TOP_PACKETS, /* received packets */
	TOP_BITS, /* received bytes, times 8 */
	TOP_VIOLATIONS, /* packets that broke the policy */
	TOP_REJECTIONS, /* packets WireGuard itself rejected */
	TOP_COLUMNS,
};

/* Whether a line's rates are figures. */
enum top_state {
	TOP_RATE,
	TOP_NEW, /* no previous read to compare with */
	TOP_RESET, /* a counter went back since the previous read */
};

struct top_peer {
	uint8_t public_key[WG_KEY_LEN];
	uint64_t count[TOP_COLUMNS];
	enum top_state state;
	double rate[TOP_COLUMNS]; /* per second, where state is TOP_RATE */
};

struct top_iface {
	char name[IFNAMSIZ];
	bool rejections_visible; /* else their column is unknown, not zero */
	uint64_t read_ns; /* CLOCK_MONOTONIC, the middle of the read */
	double seconds; /* since the previous read, where state is not TOP_NEW */
	struct top_peer *peers; /* by public key */
	size_t n_peers;
	/* the peers' rates summed; a reset where any peer's was */
	enum top_state state;
	double total[TOP_COLUMNS];
};

struct top_round {
	struct top_iface *ifaces;
	size_t n_ifaces;
};

/* The counters of ifname, or of every attached interface when NULL, as a
 * round of new lines; 0, or the error with the interface that failed in
 * failed (empty when listing failed). */
int top_read(const char *ifname, struct top_round *r, char failed[IFNAMSIZ]);
/* now's rates against was, the previous round read (NULL: none). */
void top_rates(struct top_round *now, const struct top_round *was);
void top_free(struct top_round *r);

#endif
