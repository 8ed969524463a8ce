/* SPDX-License-Identifier: GPL-2.0-only */
/* The datapath's maps as one set of fds, from a loaded skeleton or from pins. */
#ifndef WGSF_MAPS_H
#define WGSF_MAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "prefix.h"

#include "wgsf.h"
#include "wgsf.skel.h"

enum map_id {
	MAP_ALLOWED_IPS4,
	MAP_ALLOWED_IPS6,
	MAP_PEER_STATS,
	MAP_DEV_STATS,
	MAP_PEER_POLICY,
	MAP_SRC_POLICY4,
	MAP_SRC_POLICY6,
	MAP_DST_POLICY4,
	MAP_DST_POLICY6,
	MAP_CONFIG,
	MAP_PEER_SLOTS,
	MAP_COUNT,
};

struct maps {
	int fd[MAP_COUNT];
};

extern const char *const map_names[MAP_COUNT];

struct bpf_map *maps_skel_map(struct wgsf *skel, enum map_id id);
/* The fds belong to the skeleton: not to be closed with maps_close(). */
void maps_from_skel(struct wgsf *skel, struct maps *m);
/* -ENOENT when dir holds no complete set of pins. */
int maps_open_pinned(const char *dir, struct maps *m);
void maps_close(struct maps *m);
/* Pins every map under dir, replacing pins of the same name. */
int maps_pin(const struct maps *m, const char *dir);
void maps_unpin(const char *dir);
uint32_t map_capacity(int fd);
/* The one place that knows the tries' key layouts. */
int allowedip_write(const struct maps *m, const struct prefix *p, uint32_t slot);
int allowedip_delete(const struct maps *m, const struct prefix *p);
int policy_flags_write(const struct maps *m, uint32_t slot, uint32_t flags);
/* A prefix of slot's allowed sources (dst false) or destinations (dst true). */
int policy_prefix_write(const struct maps *m, bool dst, uint32_t slot, const struct prefix *p);
int policy_prefix_delete(const struct maps *m, bool dst, uint32_t slot, const struct prefix *p);

/* Copies every entry of from into to (same key and value layout). */
int map_copy(int from, int to);

#endif
