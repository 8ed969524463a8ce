/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The tracer's map ABI, shared by bpf/tracer.bpf.c and loader/tracer/.
 * The tracer counts what kernel WireGuard itself drops because a decrypted
 * packet's source lies outside its sender's allowed IPs. One tracer serves
 * the whole host, so an interface is named by its network namespace's
 * cookie and its ifindex there. Its maps are pinned apart from the
 * datapath's: a change to a layout here bumps WGSF_TRACER_ABI_VERSION.
 */
#ifndef WGSF_TRACER_H
#define WGSF_TRACER_H

#include <linux/types.h>

#include "wgsf.h"

#define WGSF_TRACER_ABI_VERSION 3

/* Registered interfaces, host-wide; and peers that had a rejected packet
 * on one of them, over every registered interface. */
#define WGSF_TRACER_MAX_IFACES 4096u
#define WGSF_TRACER_MAX_PEERS 65536u

/* Key of tracer_ifaces (PERCPU_HASH): an interface that wgsf attached to.
 * Packets rejected on any other interface are not counted. */
struct wgsf_tracer_iface {
	__u64 netns_cookie;
	__u32 ifindex;
	__u32 pad;
};

/* Value of tracer_ifaces, one copy per CPU: every packet rejected on the
 * interface, also those of a sender that tracer_rejected had no room for. */
struct wgsf_rejected_total {
	__u64 packets;
	__u64 bytes;
	/* rejected while a reader of the interface's events was there: of
	 * every sender, suppressed by its budget, and lost for want of room
	 * in the ring (see struct wgsf_event) */
	__u64 event_suppressed;
	__u64 event_lost;
};

/* Key of tracer_rejected (PERCPU_HASH): the sending peer, by its public
 * key, on one interface. */
struct wgsf_rejected_key {
	struct wgsf_tracer_iface iface;
	__u8 public_key[32];
};

/*
 * Value of tracer_rejected, one copy per CPU; userspace sums the counters
 * and takes the last_* fields from the CPU with the newest last_ns.
 * Bytes are the IP length, as in struct wgsf_peer_stats; last_ns is
 * bpf_ktime_get_ns(), the same CLOCK_MONOTONIC as its stamps.
 */
struct wgsf_rejected {
	__u64 packets;
	__u64 bytes;
	__u64 last_ns;
	struct wgsf_addr last_src;
	struct wgsf_addr last_dst;
	/* The peer whose allowed IPs hold last_src instead; none when
	 * last_has_owner is 0. */
	__u8 last_owner[32];
	__u32 last_has_owner;
	__u32 pad;
	__u64 event_suppressed; /* as the interface's, of this sender */
};

/*
 * Denied-packet events of what WireGuard rejected: written, as the
 * datapath writes its own, into the interface's ring (its events map),
 * while its reader's lease (its event_reader) holds, at most at the rate
 * of a budget per sender (tracer_budget, by wgsf_rejected_key). The loader
 * puts the datapath's two maps in tracer_rings and tracer_leases
 * (HASH_OF_MAPS, by interface) as it registers the interface.
 *
 * Each rejected packet also counts toward its sender's Quarantine rule
 * (reason bit WGSF_QUAR_REJECTED, see struct wgsf_quarantine), in the
 * sender's entry of the interface's quarantine map, which the loader puts
 * in tracer_quarantine (HASH_OF_MAPS, by interface) beside the other two.
 */

/* The one entry of tracer_abi (ARRAY): the layout its maps were made with. */
struct wgsf_tracer_abi {
	__u32 version; /* WGSF_TRACER_ABI_VERSION */
};

#endif /* WGSF_TRACER_H */
