// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes records of all ones into a ring of events' size, given the
 * datapath's events map by the tests (world_ring_soil, tests/lib/world.c),
 * so that the records written after them land on bytes that are not zero:
 * a field the datapath leaves unwritten shows. No program of wgsf's runs
 * this.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "wgsf.h"

/* A record and its header take 2 KiB: they tile the ring. */
#define FILL_BYTES (2048 - BPF_RINGBUF_HDR_SZ)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, WGSF_EVENT_RING);
} events SEC(".maps");

/* Records written, and refused for want of room. */
__u32 fill_written;
__u32 fill_refused;

SEC("tc")
int ring_fill(struct __sk_buff *skb)
{
	/* volatile: clang would make the loop a memset, which BPF has not */
	volatile __u64 *r = bpf_ringbuf_reserve(&events, FILL_BYTES, 0);
	int i;

	(void)skb;
	if (!r) {
		fill_refused++;
		return TC_ACT_UNSPEC;
	}
	for (i = 0; i < FILL_BYTES / 8; i++)
		r[i] = ~0ull;
	bpf_ringbuf_submit((void *)r, 0);
	fill_written++;
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
