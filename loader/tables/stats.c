// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tables/stats.h"

void *percpu_lookup(int fd, const void *key, size_t size, int *ncpus)
{
	size_t stride = (size + 7) & ~(size_t)7;
	void *buf;

	*ncpus = libbpf_num_possible_cpus();
	if (*ncpus <= 0) {
		errno = -*ncpus;
		return NULL;
	}
	buf = calloc(*ncpus, stride);
	if (buf && bpf_map_lookup_elem(fd, key, buf)) {
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

	buf = percpu_lookup(fd, &slot, sizeof(*out), &n);
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
	uint32_t zero = 0;
	char *buf;
	int n, i;

	buf = percpu_lookup(fd, &zero, sizeof(*out), &n);
	if (!buf)
		return -errno;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		c = (void *)(buf + i * stride);
		out->unknown_packets += c->unknown_packets;
		out->unknown_bytes += c->unknown_bytes;
		out->malformed_packets += c->malformed_packets;
		out->violation_packets += c->violation_packets;
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
