/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A new program's maps, from those of the program in force: each map that
 * is large enough is the old one itself; one that must grow starts empty
 * and gets the old one's entries. Counters are never copied out of a map
 * that a program may still count into: where peer_stats grows, the old
 * peer_stats becomes the new peer_stats_prev, and the old peer_stats_prev
 * (written by nothing since the growth before) is copied into the new,
 * larger peer_stats. The program in force counts on into the old map until
 * the new one replaces it, and readers add the two (stats_read_peers), so
 * that no count is lost and no counter goes back.
 *
 * Flow records go with a table of another size (flows turned on, off, or
 * resized): the new one starts empty.
 *
 * Exact while the program in force counts into the old peer_stats: the
 * caller makes sure that it is the old maps' own program.
 */
#ifndef WGSF_CARRY_H
#define WGSF_CARRY_H

#include <stdint.h>

#include "tables/maps.h"

/* The datapath (datapath_open) loaded on maps of cap that take old's over,
 * or on new ones where old is NULL; m its maps. NULL with errno set. */
struct wgsf *carry_load(const struct capacity *cap, uint32_t l3_offset, const struct maps *old,
			struct maps *m);

#endif
