/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rate limits (see wgsf.h, struct wgsf_rate_state): a packet that passes
 * every other rule of a peer with a limit is metered against its slot's
 * buckets, one GCRA per kind, in the one line that also holds the limit.
 * Each bucket moves by compare-and-exchange, so that the peer's packets on
 * every CPU keep to the one limit.
 *
 * Part of datapath.bpf.h, which declares the map.
 */
#ifndef WGSF_RATE_BPF_H
#define WGSF_RATE_BPF_H

/* What n units are worth at ps picoseconds each, in ns, rounded up: no
 * rounding lets the rate be exceeded. */
static __always_inline __u64 rate_worth(__u64 n, __u64 ps)
{
	return (n * ps + 999) / 1000;
}

/* The bucket tat after a packet worth worth at now, with a burst of tau;
 * 0 where it does not fit. An empty bucket (tat <= now) takes any
 * packet, so that an aggregate larger than the burst still passes an idle
 * peer; the debt it leaves is paid first. */
static __always_inline __u64 gcra_next(__u64 tat, __u64 worth, __u64 tau, __u64 now)
{
	if (tat <= now)
		return now + worth;
	return tat + worth - now > tau ? 0 : tat + worth;
}

/* Whether a packet worth worth fits bucket *tat at now: where it does, it
 * is added, and the bucket's new tat is returned, or 1 where other CPUs
 * moved the bucket WGSF_RATE_TRIES times in between and the packet was
 * added unasked (see wgsf.h); 0 where it does not fit. Written out, not a
 * loop, as flowrec_place() is. */
static __always_inline __u64 gcra_take(__u64 *tat, __u64 worth, __u64 tau, __u64 now)
{
	__u64 old = *(volatile __u64 *)tat, next, seen;

	_Static_assert(WGSF_RATE_TRIES == 2, "gcra_take() tries twice");
	next = gcra_next(old, worth, tau, now);
	if (!next)
		return 0;
	seen = __sync_val_compare_and_swap(tat, old, next);
	if (seen == old)
		return next;
	next = gcra_next(seen, worth, tau, now);
	if (!next)
		return 0;
	if (__sync_val_compare_and_swap(tat, seen, next) == seen)
		return next;
	__sync_fetch_and_add(tat, worth);
	return 1;
}

/*
 * Whether packets packets of bytes bytes, from the peer of slot, are over
 * its limit; where they are not, they are added to its buckets, and where
 * they are, to neither: the bytes taken before the packets' bucket said
 * no are given back where their bucket is still as this packet left it
 * (where another CPU moved it since, or a sync emptied it, they stay
 * taken, so the limit errs strict, and a bucket is never set back past
 * what was added to it). A kind that is not limited (0 ps) is not asked.
 * now is the coarse clock's.
 * A global function, verified once by itself: inlined, each outcome of
 * its exchanges walked on through the rest of the datapath cost the
 * verifier half as much again, on wgsf's programs and the benchmark's.
 */
__noinline int wgsf_rate_over(__u32 slot, __u64 packets, __u64 bytes, __u64 now)
{
	struct wgsf_rate_state *s = bpf_map_lookup_elem(&rate_state, &slot);
	__u64 byte_worth, packet_worth, taken = 0;

	if (!s)
		return 0;
	byte_worth = s->byte_ps ? rate_worth(bytes, s->byte_ps) : 0;
	packet_worth = s->packet_ps ? rate_worth(packets, s->packet_ps) : 0;
	if (s->clock != WGSF_RATE_COARSE)
		now = bpf_ktime_get_ns();
	if (byte_worth) {
		taken = gcra_take(&s->byte_tat, byte_worth, s->byte_tau_ns, now);
		if (!taken)
			return 1;
	}
	if (!packet_worth || gcra_take(&s->packet_tat, packet_worth, s->packet_tau_ns, now))
		return 0;
	if (taken > 1)
		__sync_val_compare_and_swap(&s->byte_tat, taken, taken - byte_worth);
	return 1;
}

#endif
