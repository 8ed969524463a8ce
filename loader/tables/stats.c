// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tables/stats.h"

_Static_assert(sizeof(struct wgsf_peer_stats) % 64 == 0, "a copy is whole lines");

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

uint32_t stats_cpus(void)
{
	int n = libbpf_num_possible_cpus();

	return n > 0 ? n : 1;
}

uint32_t stats_slots(int fd)
{
	return map_capacity(fd) / stats_cpus();
}

/* Adds copies of a peer's counters (one per CPU, or a map's worth of one
 * CPU's) to out, which may hold another map's: counters summed, stamps
 * the newest. */
static void add_peer(const struct wgsf_peer_stats *c, uint32_t n, struct wgsf_peer_stats *out)
{
	uint32_t i;
	int r;

	for (i = 0; i < n; i++, c++) {
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

/* n copies from key first on, in one syscall: 0, -ENOENT past the map's
 * end (with *n those read), or another -errno. A batch goes on from the
 * key after the one it is given. */
static int copies_read(int fd, uint32_t first, struct wgsf_peer_stats *v, uint32_t *n)
{
	uint32_t before = first - 1, next, *keys = malloc(*n * sizeof(*keys));
	int err = keys ? 0 : -ENOMEM;

	if (!err && bpf_map_lookup_batch(fd, first ? &before : NULL, &next, keys, v, n, NULL))
		err = -errno;
	free(keys);
	return err;
}

static int add_slot(int fd, uint32_t slot, struct wgsf_peer_stats *out)
{
	uint32_t n = stats_cpus(), want = n;
	struct wgsf_peer_stats *v = calloc(n, sizeof(*v));
	int err = v ? copies_read(fd, slot * want, v, &n) : -ENOMEM;

	if (!err || (err == -ENOENT && n == want))
		add_peer(v, n, out);
	free(v);
	return err == -ENOENT && n == want ? 0 : err;
}

int stats_read_peer(int fd, uint32_t slot, struct wgsf_peer_stats *out)
{
	memset(out, 0, sizeof(*out));
	return add_slot(fd, slot, out);
}

int stats_write_peer(int fd, uint32_t slot, const struct wgsf_peer_stats *cpus)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	uint32_t n = stats_cpus(), c, *keys = malloc(n * sizeof(*keys));
	int err = keys ? 0 : -ENOMEM;

	for (c = 0; keys && c < n; c++)
		keys[c] = slot * n + c;
	if (!err && bpf_map_update_batch(fd, keys, cpus, &n, &opts))
		err = -errno;
	free(keys);
	return err;
}

/* Adds one map's counters of every slot below cap to out[slot], a few
 * thousand copies a syscall. */
static int add_peers(int fd, uint32_t cap, struct wgsf_peer_stats *out)
{
	uint32_t cpus = stats_cpus(), chunk = 16384, key = 0, n, i;
	uint32_t end = (cap < stats_slots(fd) ? cap : stats_slots(fd)) * cpus;
	struct wgsf_peer_stats *v = malloc(chunk * sizeof(*v));
	int err = v ? 0 : -ENOMEM;

	while (!err && key < end) {
		n = end - key < chunk ? end - key : chunk;
		err = copies_read(fd, key, v, &n);
		for (i = 0; (!err || err == -ENOENT) && i < n; i++)
			add_peer(&v[i], 1, &out[(key + i) / cpus]);
		key += n;
		if (err == -ENOENT || !n)
			break;
	}
	free(v);
	return err == -ENOENT ? 0 : err;
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

/* Zeroes the copies of the slots below cap among n in the map fd, through
 * a mapping of it. */
static int clear_copies(int fd, const uint32_t *slots, size_t n, uint32_t cap)
{
	size_t copy = sizeof(struct wgsf_peer_stats) * stats_cpus(), len, i;
	char *mem = map_mmap(fd, &len, NULL);

	if (!mem)
		return -errno;
	for (i = 0; i < n; i++)
		if (slots[i] < cap)
			memset(mem + slots[i] * copy, 0, copy);
	munmap(mem, len);
	return 0;
}

int stats_clear_peers(const struct maps *m, const uint32_t *slots, size_t n, uint32_t prev_cap)
{
	if (!n)
		return 0;
	return clear_copies(m->fd[MAP_PEER_STATS], slots, n, stats_slots(m->fd[MAP_PEER_STATS])) ?:
	       clear_copies(m->fd[MAP_PEER_STATS_PREV], slots, n, prev_cap);
}
