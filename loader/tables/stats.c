// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
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

#define PEER_STRIDE ((sizeof(struct wgsf_peer_stats) + 7) & ~(size_t)7)

/* Adds one peer's copies, one per CPU, to out, which may hold another
 * map's: counters summed, stamps the newest. */
static void add_peer(const char *buf, int ncpus, struct wgsf_peer_stats *out)
{
	const struct wgsf_peer_stats *c;
	int i, r;

	for (i = 0; i < ncpus; i++) {
		c = (const void *)(buf + i * PEER_STRIDE);
		out->rx_packets += c->rx_packets;
		out->rx_bytes += c->rx_bytes;
		out->violation_packets += c->violation_packets;
		out->violation_bytes += c->violation_bytes;
		out->drop_packets += c->drop_packets;
		out->drop_bytes += c->drop_bytes;
		out->reply_packets += c->reply_packets;
		out->event_suppressed += c->event_suppressed;
		out->rate_bytes += c->rate_bytes;
		for (r = 0; r < WGSF_REASON_COUNT; r++)
			out->violations[r] += c->violations[r];
		if (c->last_seen_ns > out->last_seen_ns)
			out->last_seen_ns = c->last_seen_ns;
		if (c->last_violation_ns > out->last_violation_ns) {
			out->last_violation_ns = c->last_violation_ns;
			out->last_violation_reason = c->last_violation_reason;
			out->last_violation_src = c->last_violation_src;
			out->last_violation_dst = c->last_violation_dst;
			out->last_violation_proto = c->last_violation_proto;
			out->last_violation_l4 = c->last_violation_l4;
			out->last_violation_port = c->last_violation_port;
		}
	}
}

static int add_slot(int fd, uint32_t slot, struct wgsf_peer_stats *out)
{
	char *buf;
	int n;

	buf = percpu_lookup(fd, &slot, sizeof(*out), &n);
	if (!buf)
		return -errno;
	add_peer(buf, n, out);
	free(buf);
	return 0;
}

int stats_read_peer(int fd, uint32_t slot, struct wgsf_peer_stats *out)
{
	memset(out, 0, sizeof(*out));
	return add_slot(fd, slot, out);
}

/* Slots from *next on, a batch at a time: 0, -ENOENT past the last, or
 * another -errno. */
static int read_batch(int fd, uint32_t *next, bool first, uint32_t *keys, char *values,
		      uint32_t *count, int ncpus, struct wgsf_peer_stats *out, uint32_t cap)
{
	int err = bpf_map_lookup_batch(fd, first ? NULL : next, next, keys, values, count, NULL)
			  ? -errno : 0;
	uint32_t i;

	for (i = 0; (!err || err == -ENOENT) && i < *count; i++)
		if (keys[i] < cap)
			add_peer(values + (size_t)i * ncpus * PEER_STRIDE, ncpus, &out[keys[i]]);
	return err;
}

/* Adds one map's counters of every slot below cap to out[slot]. */
static int add_peers(int fd, uint32_t cap, struct wgsf_peer_stats *out)
{
	int ncpus = libbpf_num_possible_cpus(), err;
	uint32_t *keys, next = 0, count, s, chunk;
	bool batched = false;
	char *values;

	if (ncpus <= 0)
		return ncpus ?: -EINVAL;
	/* 4 MiB of copies at a time, however many CPUs */
	chunk = (4u << 20) / (ncpus * PEER_STRIDE) ?: 1;
	keys = malloc(chunk * sizeof(*keys));
	values = malloc((size_t)chunk * ncpus * PEER_STRIDE);
	err = keys && values ? 0 : -ENOMEM;
	/* one syscall per thousands of peers instead of one per peer */
	while (!err) {
		count = chunk;
		err = read_batch(fd, &next, !batched, keys, values, &count, ncpus, out, cap);
		batched = batched || !err;
	}
	free(keys);
	free(values);
	if (err == -ENOENT)
		return 0;
	if (batched || err == -ENOMEM)
		return err;
	cap = cap < map_capacity(fd) ? cap : map_capacity(fd);
	for (err = 0, s = 0; !err && s < cap; s++) /* a kernel without batches */
		err = add_slot(fd, s, &out[s]);
	return err;
}

int stats_read_peers(const struct maps *m, uint32_t cap, struct wgsf_peer_stats *out)
{
	memset(out, 0, (size_t)cap * sizeof(*out));
	return add_peers(m->fd[MAP_PEER_STATS], cap, out) ?:
	       add_peers(m->fd[MAP_PEER_STATS_PREV], cap, out);
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
		out->flows_created += c->flows_created;
		out->event_suppressed += c->event_suppressed;
		out->event_lost += c->event_lost;
		out->flowrec_evicted += c->flowrec_evicted;
		out->flowrec_untracked += c->flowrec_untracked;
		out->flowrec_end_lost += c->flowrec_end_lost;
		if (c->last_unknown_ns > out->last_unknown_ns) {
			out->last_unknown_ns = c->last_unknown_ns;
			out->last_unknown_src = c->last_unknown_src;
		}
	}
	free(buf);
	return 0;
}

int stats_clear_peer(const struct maps *m, uint32_t slot, uint32_t prev_cap)
{
	int n = libbpf_num_possible_cpus(), err = 0;
	void *zero;

	if (n <= 0)
		return n ?: -EINVAL;
	zero = calloc(n, PEER_STRIDE);
	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(m->fd[MAP_PEER_STATS], &slot, zero, BPF_ANY))
		err = -errno;
	if (!err && slot < prev_cap &&
	    bpf_map_update_elem(m->fd[MAP_PEER_STATS_PREV], &slot, zero, BPF_ANY))
		err = -errno;
	free(zero);
	return err;
}
