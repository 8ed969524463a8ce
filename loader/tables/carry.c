// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fault.h"
#include "tables/carry.h"
#include "tables/datapath.h"
#include "tables/hosts.h"

/* Flow records are kept only in a table of the same size: another size
 * (or flows turned on or off) starts an empty one. */
static bool flow_table(int id)
{
	return id == MAP_FLOWREC || id == MAP_FLOWREC_ORDER;
}

/* A new host-route index is built from the hashes, not copied: its
 * buckets are another size. */
static bool host_index(int id)
{
	return id == MAP_HOST_INDEX4 || id == MAP_HOST_INDEX6;
}

/* Before skel is loaded: gives its maps the old ones where they serve;
 * reused[id] says which of the new maps need nothing copied. */
static int reuse(const struct wgsf *skel, const struct maps *old, bool reused[MAP_COUNT])
{
	struct bpf_map *map;
	int id, prev, err = 0;

	for (id = 0; !err && id < MAP_COUNT; id++) {
		if (id == MAP_PEER_STATS_PREV)
			continue;
		map = maps_skel_map(skel, id);
		if (flow_table(id))
			reused[id] = map_capacity(old->fd[id]) == bpf_map__max_entries(map);
		else
			reused[id] = map_capacity(old->fd[id]) >= bpf_map__max_entries(map);
		if (reused[id])
			err = bpf_map__reuse_fd(map, old->fd[id]);
	}
	/* the counters in force stay where the program in force writes them */
	prev = old->fd[reused[MAP_PEER_STATS] ? MAP_PEER_STATS_PREV : MAP_PEER_STATS];
	reused[MAP_PEER_STATS_PREV] = true;
	return err ?: bpf_map__reuse_fd(maps_skel_map(skel, MAP_PEER_STATS_PREV), prev);
}

/* Copies every entry of from into to (same key and value layout). */
static int map_copy(int from, int to)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	void *key = NULL, *next, *value;
	int ncpus = libbpf_num_possible_cpus(), err = 0;
	size_t vsize;

	if (bpf_obj_get_info_by_fd(from, &info, &len))
		return -errno;
	vsize = info.value_size;
	if (info.type == BPF_MAP_TYPE_PERCPU_ARRAY || info.type == BPF_MAP_TYPE_PERCPU_HASH)
		vsize = ((vsize + 7) & ~(size_t)7) * ncpus;
	next = malloc(info.key_size);
	value = malloc(vsize);
	key = malloc(info.key_size);
	if (!next || !value || !key) {
		err = -ENOMEM;
		goto out;
	}
	for (void *prev = NULL; !bpf_map_get_next_key(from, prev, next); prev = key) {
		memcpy(key, next, info.key_size);
		if (bpf_map_lookup_elem(from, key, value))
			continue; /* deleted meanwhile */
		if (bpf_map_update_elem(to, key, value, BPF_ANY)) {
			err = -errno;
			goto out;
		}
	}
out:
	free(key);
	free(next);
	free(value);
	return err;
}

/* After skel is loaded, its maps m: copies the old entries into the rest. */
static int copy(const struct maps *old, const struct maps *m, const bool reused[MAP_COUNT])
{
	int id, from, err = 0;

	for (id = 0; !err && id < MAP_COUNT; id++) {
		if (reused[id] || flow_table(id) || host_index(id))
			continue;
		from = old->fd[id == MAP_PEER_STATS ? MAP_PEER_STATS_PREV : id];
		if (id == MAP_PEER_STATS)
			fault_point("copy the counters from before the last growth");
		err = map_copy(from, m->fd[id]);
	}
	if (!err && !(reused[MAP_HOST_INDEX4] && reused[MAP_HOST_INDEX6]))
		err = hosts_index_build(m);
	return err;
}

struct wgsf *carry_load(const struct capacity *cap, uint32_t l3_offset, const struct maps *old,
			struct maps *m)
{
	bool reused[MAP_COUNT] = {};
	struct wgsf *skel = datapath_open(cap, l3_offset);
	int err = skel ? 0 : -errno;

	if (!err && old)
		err = reuse(skel, old, reused);
	err = err ?: wgsf__load(skel);
	if (!err)
		maps_from_skel(skel, m);
	if (!err && old)
		err = copy(old, m, reused);
	if (err) {
		wgsf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}
