/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a differential test's packets exercised, tallied from the
 * reference's outcomes and counts (reference.h), and the TAP checks that
 * every path was taken.
 */
#ifndef WGSF_TEST_COVERAGE_H
#define WGSF_TEST_COVERAGE_H

#include <stdint.h>

#include "reference.h"

/* What a mode's packets exercised, over all rounds. */
struct coverage {
	uint64_t malformed, unknown, complying, violations[WGSF_REASON_COUNT], drops;
	/* attributed by a shorter prefix; by a host route that lies inside
	 * another peer's shorter prefix */
	uint64_t by_prefix, by_covered_host;
	/* decided from the entry's bits alone, or from the peer's policy */
	uint64_t by_entry_bits, by_policy_maps;
	/* peers that kept their slot across a sync, and new peers that took
	 * a departed one's */
	uint64_t kept, reused;
	/* judged by services alone (prefixes of rules hold the destination,
	 * none of every protocol), by what the upper layer is (enum
	 * ref_l4_kind), non-first fragments of IPv6 apart, and IPv6
	 * extension chains walked, too long, cut short */
	uint64_t judged[REF_L4_UNWALKED + 1], ipv6_fragments, chains[3];
	/* admitted by a port range, by an ICMP type; ICMP refused by type */
	uint64_t by_port, by_type, type_refused;
	/* admitted by the rules of enum ref_owner; blocked by a group */
	uint64_t admitted_by[REF_OWNERS], group_blocked;
	/* over a rate limit that a group gave */
	uint64_t rate_by_group;
	/* what quarantine entries made of packets (enum ref_quar_case);
	 * quarantines by hand, and those in force released (rand_quar_hands) */
	uint64_t quar[REF_QUAR_CASES], quar_after[REF_QUAR_AFTERS], quar_hand, quar_released;
	/* states in which a small host-route index (enforce's) overflowed,
	 * every bucket of both families */
	uint64_t index_overflowed;
};

/* Packet ip, o being what the reference r made of it, where a peer sent
 * it: its quarantine case, which table attributed it, its upper layer and
 * the rules that judged it. */
void coverage_tally_packet(struct coverage *c, const struct reference *r,
			   const struct ref_outcome *o, const uint8_t *ip);
/* The packets that r counted of a state, by what became of them. */
void coverage_tally_counts(struct coverage *c, const struct reference *r);
/* Passes where every path of mode's was taken, one test each for the
 * verdicts, the services and quarantine. */
void coverage_check(const struct coverage *c, enum wgsf_mode mode);

#endif
