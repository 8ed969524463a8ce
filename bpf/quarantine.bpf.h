/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Quarantine (see wgsf.h, struct wgsf_quarantine): a peer whose entry
 * bits say it has an entry in the quarantine map asks it once its
 * packet's reason is final. In force: the packet is a violation of reason
 * quarantined. Otherwise its violations of the counted reasons go into
 * the windows, and the one that brings them to the rule's N begins the
 * quarantine (the packet itself keeps its reason).
 *
 * wgsf_quarantine() is a global function, verified once by itself: where
 * classify() inlined it, the verifier walked it again down every path
 * that reaches it, and the benchmark's program cost almost three times
 * the instructions to load.
 *
 * Part of datapath.bpf.h, which declares the maps.
 */
#ifndef WGSF_QUARANTINE_BPF_H
#define WGSF_QUARANTINE_BPF_H

#include "quarantine_count.bpf.h"

/* The reasons counted toward a quarantine: not rate (the rule is about
 * what a peer tries, not how much), not blocked (no entry bit), not
 * quarantined (nothing counts while one is in force). */
#define QUAR_COUNTED                                                     \
	(1u << WGSF_REASON_SOURCE | 1u << WGSF_REASON_DESTINATION |     \
	 1u << WGSF_REASON_SERVICE)

/*
 * The reason of packets packets from slot's peer whose reason is reason
 * (an enum wgsf_reason, or -1: none), at now (the coarse clock, see
 * wgsf.h): WGSF_REASON_QUARANTINED while the peer is in quarantine, else
 * reason, counted where it is one that counts.
 */
__noinline int wgsf_quarantine(__u32 slot, int reason, __u32 packets, __u64 now)
{
	const struct wgsf_slot *s = bpf_map_lookup_elem(&peer_slots, &slot);
	struct wgsf_quarantine *q;

	if (!s)
		return reason;
	q = bpf_map_lookup_elem(&quarantine, s->public_key);
	if (!q)
		return reason;
	if (now < q->until_ns)
		return WGSF_REASON_QUARANTINED;
	if (reason >= 0 && reason < WGSF_REASON_COUNT && QUAR_COUNTED & 1u << reason)
		quar_count(q, now, 1u << reason, packets);
	return reason;
}

#endif
