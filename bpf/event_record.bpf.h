/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the datapath and the tracer both do for an event (struct
 * wgsf_event): a sender's budget (struct wgsf_event_budget), at most
 * WGSF_EVENT_RATE events a second, in bursts of up to WGSF_EVENT_BURST
 * (GCRA: the bucket is the time at which it would be full again, one
 * word, taken under the lock so that a sender's CPUs together keep to the
 * one budget); and the packet's upper layer in the record (a flow
 * record's key takes it the same way).
 */
#ifndef WGSF_EVENT_RECORD_BPF_H
#define WGSF_EVENT_RECORD_BPF_H

#include "wgsf_l4.h"

#define EVENT_INTERVAL_NS (1000000000ull / WGSF_EVENT_RATE)

/* Whether the sender of b may write an event at now (CLOCK_MONOTONIC). */
static __always_inline int budget_take(struct wgsf_event_budget *b, __u64 now)
{
	__u64 tat;
	int ok;

	bpf_spin_lock(&b->lock);
	tat = b->tat > now ? b->tat : now;
	ok = tat - now <= (WGSF_EVENT_BURST - 1) * EVENT_INTERVAL_NS;
	if (ok)
		b->tat = tat + EVENT_INTERVAL_NS;
	bpf_spin_unlock(&b->lock);
	return ok;
}

/* The upper layer into a record whose fields are named as an event's
 * (struct wgsf_event, and a flow record's key). */
#define UPPER_STORE(r, l4)                     \
	do {                                   \
		(r)->proto = (l4)->proto;      \
		(r)->l4_flags = (l4)->flags;   \
		(r)->sport = (l4)->sport;      \
		(r)->dport = (l4)->dport;      \
		(r)->icmp_type = (l4)->type;   \
		(r)->icmp_code = (l4)->code;   \
	} while (0)

#endif
