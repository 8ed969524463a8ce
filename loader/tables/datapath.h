/* SPDX-License-Identifier: GPL-2.0-only */
/* Loading the datapath object, its maps sized from a device. */
#ifndef WGSF_DATAPATH_H
#define WGSF_DATAPATH_H

#include <stdint.h>

#include "tables/config.h"
#include "tables/maps.h"
#include "tables/stats.h"
#include "wgsf.h"
#include "wgsf.skel.h"

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

#endif
