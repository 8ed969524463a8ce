/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host-route index (wgsf.h), kept beside host_ips4/6: whatever writes
 * a host route there (maps.c) places it here after, and removes it here
 * first. Written through a mapping of the ARRAY, a word at a time, so that
 * the datapath never reads a way half written.
 */
#ifndef WGSF_HOSTS_INDEX_H
#define WGSF_HOSTS_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "device/prefix.h"
#include "tables/maps.h"

/* The index's ARRAY size (its head and buckets) for a hash of hosts
 * entries of family: buckets (a power of two) with room for twice hosts. */
uint32_t hosts_index_size(uint32_t hosts, uint8_t family);
/* Places the host routes among p[0..n) (others are skipped), p[i] with
 * value values[i], already in the hash. */
int hosts_index_put(const struct maps *m, const struct prefix *p, const uint32_t *values,
		    size_t n);
/* Takes host route p out of the index, before it leaves the hash. */
int hosts_index_drop(const struct maps *m, const struct prefix *p);
/* Places every entry of the hashes in empty indexes (a new program's). */
int hosts_index_build(const struct maps *m);

#endif
