// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tables/datapath.h"
#include "tables/maps.h"

int datapath_size_maps(struct bpf_object *obj, const struct capacity *cap)
{
	uint32_t n;
	int i, err = 0;

	for (i = 0; i < MAP_COUNT && !err; i++)
		if ((n = capacity_get(cap, i)))
			err = bpf_map__set_max_entries(maps_obj_map(obj, i),
						       n + (i == MAP_FLOWREC ? WGSF_FLOWREC_SLACK : 0));
	return err;
}

struct wgsf *datapath_open(const struct capacity *cap, uint32_t l3_offset)
{
	struct wgsf *skel;
	int err;

	if (libbpf_num_possible_cpus() <= 0 || !cap->peers || !cap->prefixes || !cap->hosts || !cap->policy_prefixes ||
	    !cap->policy_hosts || (cap->flows && cap->flows < WGSF_FLOWREC_MIN) ||
	    cap->flows > WGSF_FLOWREC_MAX ||
	    (l3_offset != L3_OFFSET_NONE && l3_offset != L3_OFFSET_ETHERNET)) {
		errno = EINVAL;
		return NULL;
	}
	skel = wgsf__open();
	if (!skel)
		return NULL;
	skel->rodata->l3_offset = l3_offset;
	skel->rodata->flowrec_size = cap->flows;
	skel->rodata->nr_cpus = libbpf_num_possible_cpus();
	err = datapath_size_maps(skel->obj, cap);
	if (err) {
		wgsf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}

struct wgsf *datapath_load(const struct capacity *cap, uint32_t l3_offset)
{
	struct wgsf *skel = datapath_open(cap, l3_offset);
	int err;

	if (!skel)
		return NULL;
	err = wgsf__load(skel);
	if (err) {
		wgsf__destroy(skel);
		errno = -err;
		return NULL;
	}
	return skel;
}
