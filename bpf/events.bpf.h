/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Denied-packet events (see wgsf.h): a record of each violation in a ring
 * buffer, while a reader is there to read it. With none, what a violation
 * costs more is one read of event_reader; a packet that breaks nothing
 * costs nothing.
 */
#ifndef WGSF_EVENTS_BPF_H
#define WGSF_EVENTS_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, WGSF_EVENT_RING);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} event_reader SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct wgsf_event_budget);
} event_budget SEC(".maps");

#include "event_record.bpf.h"

static __always_inline void event_fill(struct wgsf_event *e, const struct packet *p,
				       const struct wgsf_l4 *l4)
{
	UPPER_STORE(e, l4);
	e->pad = 0;
	__builtin_memset(e->public_key, 0, sizeof(e->public_key));
	addr_store(&e->src, p, p->src);
	addr_store(&e->dst, p, p->dst);
	__builtin_memset(e->src.pad, 0, sizeof(e->src.pad));
	__builtin_memset(e->dst.pad, 0, sizeof(e->dst.pad));
}

/*
 * A violation of the peer of slot (its counters st), of packets packets
 * and bytes bytes; now is the coarse clock's. Counted where it is not
 * written: suppressed by the budget, or lost for want of room.
 */
static __always_inline void event_write(__u32 slot, struct wgsf_peer_stats *st,
					struct wgsf_dev_stats *ds, const struct packet *p,
					const struct wgsf_l4 *l4, __u64 packets, __u64 bytes,
					int reason, int drop, __u64 now)
{
	__u32 zero = 0;
	__u64 *until = bpf_map_lookup_elem(&event_reader, &zero);
	struct wgsf_event_budget *b;
	struct wgsf_event *e;
	__u64 t;

	if (!until || *until < now)
		return;
	t = bpf_ktime_get_ns();
	b = bpf_map_lookup_elem(&event_budget, &slot);
	if (!b)
		return;
	if (!budget_take(b, t)) {
		st->event_suppressed += packets;
		if (ds)
			ds->event_suppressed += packets;
		return;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		if (ds)
			ds->event_lost += packets;
		return;
	}
	e->time_ns = t;
	e->slot = slot;
	e->packets = packets;
	e->bytes = bytes;
	e->reason = reason;
	e->action = drop ? WGSF_ACTION_DROPPED : WGSF_ACTION_COUNTED;
	event_fill(e, p, l4);
	bpf_ringbuf_submit(e, 0);
}

#endif
