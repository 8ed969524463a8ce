/* SPDX-License-Identifier: GPL-2.0-only */
/* The datapath's per-CPU counters, as one sum. */
#ifndef WGSF_STATS_H
#define WGSF_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "tables/maps.h"
#include "wgsf.h"

/* The per-CPU values of key: one copy of size bytes, 8-byte aligned, per
 * possible CPU (*ncpus), in a buffer to free; NULL with errno set. */
void *percpu_lookup(int fd, const void *key, size_t size, int *ncpus);
/* The possible CPUs, whose copies of a slot's counters peer_stats holds
 * (wgsf.h); 1 where libbpf cannot tell (datapath_open refuses to load). */
uint32_t stats_cpus(void);
/* How many slots a peer_stats (or peer_stats_prev) holds. */
uint32_t stats_slots(int peer_stats_fd);
/* One map's counters of slot summed over CPUs; timestamps (and what
 * they stamp) are taken from the CPU that saw the newest event. */
int stats_read_peer(int peer_stats_fd, uint32_t slot, struct wgsf_peer_stats *out);
/* Writes slot's copies, cpus[c] for CPU c (stats_cpus() of them). */
int stats_write_peer(int peer_stats_fd, uint32_t slot, const struct wgsf_peer_stats *cpus);
/* A peer's counters as every reader gives them: peer_stats' and
 * peer_stats_prev's (see wgsf.h) summed as CPUs are, for every slot below
 * cap, into out[slot], by batches. */
int stats_read_peers(const struct maps *m, uint32_t cap, struct wgsf_peer_stats *out);
int stats_read_dev(int dev_stats_fd, struct wgsf_dev_stats *out);
/* Zeroes the counters of n slots on every CPU before the slots are reused:
 * in peer_stats, and in peer_stats_prev for those below prev_cap, its
 * stats_slots() (read once by a caller that zeroes many). Written through
 * a mapping of each map, not a syscall a slot: a full sync of new peers
 * zeroes as many slots as it writes entries. */
int stats_clear_peers(const struct maps *m, const uint32_t *slots, size_t n, uint32_t prev_cap);

#endif
