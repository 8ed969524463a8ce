/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Counting toward a Quarantine rule in its windows, eighths of its period
 * (see wgsf.h, struct wgsf_quarantine), and beginning the quarantine at
 * its Nth violation: shared by the datapath (quarantine.bpf.h), which
 * counts a peer's violations, and the tracer (tracer.bpf.c), which counts
 * the packets kernel WireGuard rejected from it, into the same entry.
 */
#ifndef WGSF_QUARANTINE_COUNT_BPF_H
#define WGSF_QUARANTINE_COUNT_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "wgsf.h"

/* The counts of the eight eighths up to eighth e (the low 32 bits of
 * it, as the windows keep them), and their reasons' bits into *bits. */
static __always_inline __u64 quar_recent(const struct wgsf_quarantine *q, __u32 e, __u32 *bits)
{
	__u64 total = 0, w;
	int i;

	for (i = 0; i < WGSF_QUAR_WINDOWS; i++) {
		w = q->window[i];
		if ((__u32)(e - (__u32)(w >> 32)) >= WGSF_QUAR_WINDOWS)
			continue;
		total += (__u32)w;
		*bits |= q->window_reasons[i];
	}
	return total;
}

/*
 * Counts n violations of reason bit bit (1 << reason, or
 * WGSF_QUAR_REJECTED) into q at now, and begins the quarantine where they
 * reach its rule's N. Two CPUs that open the same eighth at once may lose
 * one's count (wgsf.h).
 */
static __always_inline void quar_count(struct wgsf_quarantine *q, __u64 now, __u32 bit, __u32 n)
{
	__u64 eighth = q->period_ns / WGSF_QUAR_WINDOWS, total;
	__u32 e, i, bits = bit;

	if (!q->violations || !eighth)
		return;
	e = now / eighth;
	i = e % WGSF_QUAR_WINDOWS;
	if ((__u32)(q->window[i] >> 32) != e || !(__u32)q->window[i]) {
		q->window[i] = (__u64)e << 32 | n;
		q->window_reasons[i] = bit;
	} else {
		__sync_fetch_and_add(&q->window[i], n);
		if (!(q->window_reasons[i] & bit))
			q->window_reasons[i] |= bit;
	}
	total = quar_recent(q, e, &bits);
	if (total < q->violations)
		return;
	__builtin_memset(q->window, 0, sizeof(q->window));
	__builtin_memset(q->window_reasons, 0, sizeof(q->window_reasons));
	q->since_ns = now;
	q->until_ns = now + q->duration_ns;
	q->by = WGSF_QUAR_BY_RULE;
	q->counted = total;
	q->reasons = bits;
}

#endif
