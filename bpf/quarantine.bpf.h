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

/* The reasons counted toward a quarantine: not rate (the rule is about
 * what a peer tries, not how much), not blocked (no entry bit), not
 * quarantined (nothing counts while one is in force). */
#define QUAR_COUNTED                                                     \
	(1u << WGSF_REASON_SOURCE | 1u << WGSF_REASON_DESTINATION |     \
	 1u << WGSF_REASON_SERVICE)

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

/*
 * The reason of packets packets from slot's peer whose reason is reason
 * (an enum wgsf_reason, or -1: none): WGSF_REASON_QUARANTINED while the
 * peer is in quarantine, else reason, counted where it is one that counts.
 */
__noinline int wgsf_quarantine(__u32 slot, int reason, __u32 packets)
{
	const struct wgsf_slot *s = bpf_map_lookup_elem(&peer_slots, &slot);
	struct wgsf_quarantine *q;
	__u64 now;

	if (!s)
		return reason;
	q = bpf_map_lookup_elem(&quarantine, s->public_key);
	if (!q)
		return reason;
	now = bpf_ktime_get_ns();
	if (now < q->until_ns)
		return WGSF_REASON_QUARANTINED;
	if (reason >= 0 && reason < WGSF_REASON_COUNT && QUAR_COUNTED & 1u << reason)
		quar_count(q, now, 1u << reason, packets);
	return reason;
}

#endif
