/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath as an attach leaves it, for BPF_PROG_TEST_RUN: the real
 * programs, their tables written by the loader's own sync from a device
 * model and a policy text that its parser reads. Peer i of a world has the
 * key world_key() gives it.
 */
#ifndef WGSF_TEST_WORLD_H
#define WGSF_TEST_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "device/model.h"
#include "l4packet.h"
#include "tables/maps.h"
#include "tables/sync.h"

struct world_peer {
	/* prefixes, separated by spaces; NULL: no peer of the device (its
	 * key is left out) */
	const char *allowed_ips;
	const char *rules; /* the lines of its [Peer] section, or NULL: none */
};

struct world {
	struct wgsf *skel;
	struct maps maps;
	int in, out; /* the tc programs: ingress (what peers send), egress */
};

#define WORLD_PEERS 64 /* at most, and the slots the maps hold */

void world_key(size_t i, uint8_t key[WG_KEY_LEN]);
/* What a world is loaded with beside its peers. */
struct world_opts {
	uint64_t flow_timeout_ns; /* the replies' flows' timeouts, or 0: their own */
	uint32_t flows;           /* flow records' places (wgsf.h), or 0: off */
};
/* Loads the datapath and syncs n peers into it, in enforce mode; 0 or
 * -errno. */
int world_load_with(struct world *w, const struct world_peer *peers, size_t n,
		    const struct world_opts *o);
/* The same with flow records off, and the replies' timeouts. */
int world_load(struct world *w, const struct world_peer *peers, size_t n,
	       uint64_t flow_timeout_ns);
/* Syncs w's tables to n peers (the same keys keep their slots), in
 * enforce mode; 0 or -errno. */
int world_sync(const struct world *w, const struct world_peer *peers, size_t n);
/* The same through cache (tables/sync.h), as watch syncs, keeping the
 * mode; 0 with what it changed in res, or -errno. */
int world_sync_cached(const struct world *w, const struct world_peer *peers, size_t n,
		      struct sync_cache *cache, struct sync_result *res);
void world_destroy(struct world *w);
/* The slot that the sync gave peer i (peer_slots names its key), or
 * UINT32_MAX where none does. */
uint32_t world_slot(const struct world *w, size_t i);
/* The time as the datapath reads it (bpf_ktime_get_ns: CLOCK_MONOTONIC),
 * in ns; the same as bpf_ktime_get_coarse_ns reads it (CLOCK_MONOTONIC_COARSE:
 * the time of the last tick, never ahead of CLOCK_MONOTONIC); and a sleep
 * of ms milliseconds. */
uint64_t world_now_ns(void);
uint64_t world_coarse_ns(void);
void world_sleep_ms(long ms);
/* Slot's counters, and the device's; all ones where they cannot be read. */
struct wgsf_peer_stats world_peer_stats(const struct world *w, uint32_t slot);
struct wgsf_dev_stats world_dev_stats(const struct world *w);
/* A reader of events that keeps event_reader at until (CLOCK_MONOTONIC
 * ns; 0: none); 0 or -errno. */
int world_reader(const struct world *w, uint64_t until);
/* Reads every record that the ring holds, as a reader does (libbpf's
 * ring_buffer), the first max into rec, size bytes each; how many, or -1.
 * A record of another size is all ones there. */
long world_records(const struct world *w, void *rec, size_t size, size_t max);
/* The same for events: all ones, which no event is, for another record. */
long world_events(const struct world *w, struct wgsf_event *ev, size_t max);
/* Fills w's ring with records of all ones until it refuses one
 * (bpf/ring_probe.bpf.c), and reads them, twice: every byte of the ring
 * written but for the records' headers, 8 bytes every 2 KiB. Records that
 * follow land on them, and can be compared whole: a byte that the datapath
 * leaves unwritten, a pad or the rest of an IPv4 address, is not zero.
 * Whether all went so. */
bool world_ring_soil(const struct world *w);
/* Runs the len bytes of IP at ip through prog, behind an Ethernet header,
 * with ctx as the __sk_buff (NULL: none); its return code, or -errno. */
int64_t world_run_ip(int prog, const uint8_t *ip, size_t len, const struct __sk_buff *ctx);
/* The same for the packet of s. */
int64_t world_run(int prog, const struct l4_spec *s, const struct __sk_buff *ctx);

#endif
