/* SPDX-License-Identifier: GPL-2.0-only */
/* Loading the datapath object and reading its per-CPU counters. */
#ifndef WGSF_DATAPATH_H
#define WGSF_DATAPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "wgsf.h"
#include "wgsf.skel.h"

struct capacity {
	uint32_t peers;           /* peer slots */
	uint32_t prefixes;        /* allowed-IPs trie entries, per family */
	uint32_t hosts;           /* allowed-IPs host routes, per family */
	uint32_t policy_prefixes; /* per policy trie */
	uint32_t policy_hosts;    /* per policy hash of host prefixes */
};

/* Offsets of the IP header that the datapath understands. */
#define L3_OFFSET_NONE 0      /* WireGuard, TUN: packets start at the IP header */
#define L3_OFFSET_ETHERNET 14 /* Ethernet framing, as BPF_PROG_TEST_RUN gives tc */

/* Sets every sized map's max_entries in an object that holds the datapath's
 * maps (wgsf.bpf.c's, or the benchmark's); 0 or -errno. */
int datapath_size_maps(struct bpf_object *obj, const struct capacity *cap);
/* Opens the object, sizes its maps and sets the L3 offset, not loaded yet;
 * returns NULL with errno set. */
struct wgsf *datapath_open(const struct capacity *cap, uint32_t l3_offset);
/* datapath_open() and load. */
struct wgsf *datapath_load(const struct capacity *cap, uint32_t l3_offset);
int config_read(int config_fd, struct wgsf_config *cfg);
int config_write(int config_fd, const struct wgsf_config *cfg);
/* Sets or clears the config's policied (see wgsf.h). */
int config_set_policied(int config_fd, bool on);
/* Raises the config's generation after a write of the tables. */
int generation_bump(int config_fd);
/* Changes the mode only, keeping the rest of the config. */
int datapath_set_mode(int config_fd, enum wgsf_mode mode);

/* Per-CPU counters summed over CPUs; timestamps (and what they stamp) are
 * taken from the CPU that saw the newest event. */
int stats_read_peer(int peer_stats_fd, uint32_t slot, struct wgsf_peer_stats *out);
int stats_read_dev(int dev_stats_fd, struct wgsf_dev_stats *out);
/* Zeroes a slot's counters on every CPU, before the slot is reused. */
int stats_clear_peer(int peer_stats_fd, uint32_t slot);

#endif
