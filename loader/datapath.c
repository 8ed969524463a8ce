// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "maps.h"

/* max_entries of each map that is sized from the device; 0: fixed. */
static uint32_t size_of(enum map_id id, const struct capacity *cap)
{
	switch (id) {
	case MAP_PEER_STATS:
	case MAP_PEER_POLICY:
	case MAP_PEER_SLOTS:
		return cap->peers;
	case MAP_ALLOWED_IPS4:
	case MAP_ALLOWED_IPS6:
		return cap->prefixes;
	case MAP_HOST_IPS4:
	case MAP_HOST_IPS6:
		return cap->hosts;
	case MAP_SRC_POLICY4:
	case MAP_SRC_POLICY6:
	case MAP_DST_POLICY4:
	case MAP_DST_POLICY6:
		return cap->policy_prefixes;
	case MAP_SRC_HOSTS4:
	case MAP_SRC_HOSTS6:
	case MAP_DST_HOSTS4:
	case MAP_DST_HOSTS6:
		return cap->policy_hosts;
	default:
		return 0;
	}
}

int datapath_size_maps(struct bpf_object *obj, const struct capacity *cap)
{
	uint32_t n;
	int i, err = 0;

	for (i = 0; i < MAP_COUNT && !err; i++)
		if ((n = size_of(i, cap)))
			err = bpf_map__set_max_entries(maps_obj_map(obj, i), n);
	return err;
}

struct wgsf *datapath_open(const struct capacity *cap, uint32_t l3_offset)
{
	struct wgsf *skel;
	int err;

	if (!cap->peers || !cap->prefixes || !cap->hosts || !cap->policy_prefixes ||
	    !cap->policy_hosts ||
	    (l3_offset != L3_OFFSET_NONE && l3_offset != L3_OFFSET_ETHERNET)) {
		errno = EINVAL;
		return NULL;
	}
	skel = wgsf__open();
	if (!skel)
		return NULL;
	skel->rodata->l3_offset = l3_offset;
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

int config_read(int config_fd, struct wgsf_config *cfg)
{
	uint32_t zero = 0;

	return bpf_map_lookup_elem(config_fd, &zero, cfg) ? -errno : 0;
}

int config_write(int config_fd, const struct wgsf_config *cfg)
{
	struct wgsf_config c = *cfg, now;
	uint32_t zero = 0;

	c.abi_version = WGSF_ABI_VERSION;
	/* cfg may be older than the map, which owns these two: the
	 * generation only ever goes up, and policied follows the flags */
	if (config_read(config_fd, &now))
		now = *cfg;
	c.generation = now.generation + 1;
	c.policied = now.policied;
	return bpf_map_update_elem(config_fd, &zero, &c, BPF_ANY) ? -errno : 0;
}

int datapath_set_mode(int config_fd, enum wgsf_mode mode)
{
	struct wgsf_config cfg;
	int err = config_read(config_fd, &cfg);

	if (err)
		return err;
	cfg.mode = mode;
	return config_write(config_fd, &cfg);
}

int config_set_policied(int config_fd, bool on)
{
	struct wgsf_config cfg;
	uint32_t zero = 0;
	int err = config_read(config_fd, &cfg);

	if (err || !cfg.policied == !on)
		return err;
	cfg.policied = on;
	cfg.generation++;
	return bpf_map_update_elem(config_fd, &zero, &cfg, BPF_ANY) ? -errno : 0;
}

int generation_bump(int config_fd)
{
	struct wgsf_config cfg;

	/* config_write() raises it */
	return config_read(config_fd, &cfg) ?: config_write(config_fd, &cfg);
}

/* Per-CPU values come back as one 8-byte-aligned copy per possible CPU. */
static void *percpu_lookup(int fd, uint32_t key, size_t size, int *ncpus)
{
	size_t stride = (size + 7) & ~(size_t)7;
	void *buf;

	*ncpus = libbpf_num_possible_cpus();
	if (*ncpus <= 0) {
		errno = -*ncpus;
		return NULL;
	}
	buf = calloc(*ncpus, stride);
	if (buf && bpf_map_lookup_elem(fd, &key, buf)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int stats_read_peer(int fd, uint32_t slot, struct wgsf_peer_stats *out)
{
	size_t stride = (sizeof(*out) + 7) & ~(size_t)7;
	struct wgsf_peer_stats *c;
	char *buf;
	int n, i, r;

	buf = percpu_lookup(fd, slot, sizeof(*out), &n);
	if (!buf)
		return -errno;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		c = (void *)(buf + i * stride);
		out->rx_packets += c->rx_packets;
		out->rx_bytes += c->rx_bytes;
		out->violation_packets += c->violation_packets;
		out->violation_bytes += c->violation_bytes;
		out->drop_packets += c->drop_packets;
		out->drop_bytes += c->drop_bytes;
		for (r = 0; r < WGSF_REASON_COUNT; r++)
			out->violations[r] += c->violations[r];
		if (c->last_seen_ns > out->last_seen_ns)
			out->last_seen_ns = c->last_seen_ns;
		if (c->last_violation_ns > out->last_violation_ns) {
			out->last_violation_ns = c->last_violation_ns;
			out->last_violation_reason = c->last_violation_reason;
			out->last_violation_src = c->last_violation_src;
			out->last_violation_dst = c->last_violation_dst;
		}
	}
	free(buf);
	return 0;
}

int stats_read_dev(int fd, struct wgsf_dev_stats *out)
{
	size_t stride = (sizeof(*out) + 7) & ~(size_t)7;
	struct wgsf_dev_stats *c;
	char *buf;
	int n, i;

	buf = percpu_lookup(fd, 0, sizeof(*out), &n);
	if (!buf)
		return -errno;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		c = (void *)(buf + i * stride);
		out->unknown_packets += c->unknown_packets;
		out->unknown_bytes += c->unknown_bytes;
		out->malformed_packets += c->malformed_packets;
		if (c->last_unknown_ns > out->last_unknown_ns) {
			out->last_unknown_ns = c->last_unknown_ns;
			out->last_unknown_src = c->last_unknown_src;
		}
	}
	free(buf);
	return 0;
}

int stats_clear_peer(int fd, uint32_t slot)
{
	int n = libbpf_num_possible_cpus(), err = 0;
	void *zero;

	if (n <= 0)
		return n ?: -EINVAL;
	zero = calloc(n, (sizeof(struct wgsf_peer_stats) + 7) & ~(size_t)7);
	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &slot, zero, BPF_ANY))
		err = -errno;
	free(zero);
	return err;
}
