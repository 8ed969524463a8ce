/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A sender's event budget (struct wgsf_event_budget), as the datapath and
 * the tracer both keep one: at most WGSF_EVENT_RATE events a second, in
 * bursts of up to WGSF_EVENT_BURST. GCRA: the bucket is the time at which
 * it would be full again, one word, taken under the lock so that a
 * sender's CPUs together keep to the one budget.
 */
#ifndef WGSF_BUDGET_BPF_H
#define WGSF_BUDGET_BPF_H

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

#endif
