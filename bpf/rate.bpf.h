/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rate limits (see wgsf.h, struct wgsf_rate_limit): a packet that passes
 * every other rule of a peer with a limit is metered against its slot's
 * buckets, one GCRA per kind. Only such a packet reads the precise clock,
 * the limit and the buckets; the buckets' two times are taken under their
 * lock, so that the peer's packets on every CPU keep to the one limit.
 *
 * Part of datapath.bpf.h, which declares the maps.
 */
#ifndef WGSF_RATE_BPF_H
#define WGSF_RATE_BPF_H

/* What n units are worth at ps picoseconds each, in ns, rounded up: no
 * rounding lets the rate be exceeded. */
static __always_inline __u64 rate_worth(__u64 n, __u64 ps)
{
	return (n * ps + 999) / 1000;
}

/*
 * One bucket: whether a packet worth worth fits *tat at now, with a burst
 * of tau; where it does, *tat is the bucket's with it. An empty bucket
 * (tat <= now) takes any packet, so that an aggregate larger than the
 * burst still passes an idle peer; the debt it leaves is paid first.
 */
static __always_inline int gcra_take(__u64 *tat, __u64 worth, __u64 tau, __u64 now)
{
	if (*tat <= now) {
		*tat = now + worth;
		return 1;
	}
	if (*tat + worth - now > tau)
		return 0;
	*tat += worth;
	return 1;
}

/* Whether the packets of t, from the peer of slot, are over its limit;
 * where they are not, they are added to its buckets, and where they are,
 * to neither. A kind that is not limited (0 ps) is not asked. */
static __always_inline int rate_over(__u32 slot, const struct tally *t)
{
	const struct wgsf_rate_limit *lim = bpf_map_lookup_elem(&rate_limit, &slot);
	struct wgsf_rate_state *s = bpf_map_lookup_elem(&rate_state, &slot);
	__u64 byte_worth, byte_tau, packet_worth, packet_tau, byte_tat, packet_tat, now;
	int fits;

	if (!lim || !s)
		return 0;
	byte_worth = lim->byte_ps ? rate_worth(t->bytes, lim->byte_ps) : 0;
	byte_tau = lim->byte_tau_ns;
	packet_worth = lim->packet_ps ? rate_worth(t->packets, lim->packet_ps) : 0;
	packet_tau = lim->packet_tau_ns;
	now = bpf_ktime_get_ns();
	bpf_spin_lock(&s->lock);
	byte_tat = s->byte_tat;
	packet_tat = s->packet_tat;
	fits = (!byte_worth || gcra_take(&byte_tat, byte_worth, byte_tau, now)) &&
	       (!packet_worth || gcra_take(&packet_tat, packet_worth, packet_tau, now));
	if (fits) {
		s->byte_tat = byte_tat;
		s->packet_tat = packet_tat;
	}
	bpf_spin_unlock(&s->lock);
	return !fits;
}

#endif
