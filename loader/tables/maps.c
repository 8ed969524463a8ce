// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "err.h"
#include "fault.h"
#include "tables/config.h"
#include "tables/hosts.h"
#include "tables/stats.h"
#include "tables/maps.h"

const char *const map_names[MAP_COUNT] = {
	[MAP_ALLOWED_IPS4] = "allowed_ips4", [MAP_ALLOWED_IPS6] = "allowed_ips6",
	[MAP_PEER_STATS] = "peer_stats",     [MAP_PEER_STATS_PREV] = "peer_stats_prev",
	[MAP_DEV_STATS] = "dev_stats",
	[MAP_PEER_POLICY] = "peer_policy",   [MAP_SRC_POLICY4] = "src_policy4",
	[MAP_SRC_POLICY6] = "src_policy6",   [MAP_DST_POLICY4] = "dst_policy4",
	[MAP_DST_POLICY6] = "dst_policy6",   [MAP_CONFIG] = "config",
	[MAP_PEER_SLOTS] = "peer_slots",     [MAP_HOST_IPS4] = "host_ips4",
	[MAP_HOST_IPS6] = "host_ips6",       [MAP_SRC_HOSTS4] = "src_hosts4",
	[MAP_SRC_HOSTS6] = "src_hosts6",     [MAP_DST_HOSTS4] = "dst_hosts4",
	[MAP_DST_HOSTS6] = "dst_hosts6",     [MAP_POLICY_TEXT] = "policy_text",
	[MAP_SENTINEL] = "sentinel",         [MAP_FLOWS] = "flows",
	[MAP_SERVICES] = "services",         [MAP_EVENTS] = "events",
	[MAP_EVENT_READER] = "event_reader", [MAP_EVENT_BUDGET] = "event_budget",
	[MAP_FLOWREC] = "flowrec",           [MAP_FLOWREC_ORDER] = "flowrec_order",
	[MAP_FLOWREC_HAND] = "flowrec_hand", [MAP_RATE_LIMIT] = "rate_limit",
	[MAP_RATE_STATE] = "rate_state",     [MAP_QUARANTINE] = "quarantine",
	[MAP_HOST_INDEX4] = "host_index4",   [MAP_HOST_INDEX6] = "host_index6",
};

/* Where each sized map's max_entries lives in struct capacity. */
static uint32_t *class_of(struct capacity *cap, enum map_id id)
{
	switch (id) {
	case MAP_PEER_POLICY:
	case MAP_PEER_SLOTS:
	case MAP_EVENT_BUDGET:
	case MAP_RATE_LIMIT:
	case MAP_RATE_STATE:
		return &cap->peers;
	case MAP_ALLOWED_IPS4:
	case MAP_ALLOWED_IPS6:
		return &cap->prefixes;
	case MAP_HOST_IPS4:
	case MAP_HOST_IPS6:
		return &cap->hosts;
	case MAP_SRC_POLICY4:
	case MAP_SRC_POLICY6:
	case MAP_DST_POLICY4:
	case MAP_DST_POLICY6:
		return &cap->policy_prefixes;
	case MAP_SRC_HOSTS4:
	case MAP_SRC_HOSTS6:
	case MAP_DST_HOSTS4:
	case MAP_DST_HOSTS6:
		return &cap->policy_hosts;
	case MAP_FLOWREC:
	case MAP_FLOWREC_ORDER:
		return &cap->flows;
	default:
		return NULL;
	}
}

uint32_t capacity_get(const struct capacity *cap, enum map_id id)
{
	struct capacity c = *cap;
	uint32_t *n = class_of(&c, id);

	/* a copy per CPU of every slot; before a growth, of one */
	if (id == MAP_PEER_STATS || id == MAP_PEER_STATS_PREV)
		return (id == MAP_PEER_STATS ? cap->peers : 1) * stats_cpus();
	if (id == MAP_HOST_INDEX4 || id == MAP_HOST_INDEX6)
		return cap->index_buckets ? 1 + cap->index_buckets
					  : hosts_index_size(cap->hosts, id == MAP_HOST_INDEX4
									 ? AF_INET : AF_INET6);
	return n ? *n : 0;
}

void capacity_raise(struct capacity *cap, enum map_id id, uint32_t n)
{
	uint32_t *have = class_of(cap, id);

	if (have && *have < n)
		*have = n;
}

struct bpf_map *maps_obj_map(struct bpf_object *obj, enum map_id id)
{
	return bpf_object__find_map_by_name(obj, map_names[id]);
}

void maps_from_obj(struct bpf_object *obj, struct maps *m)
{
	int i;

	for (i = 0; i < MAP_COUNT; i++)
		m->fd[i] = bpf_map__fd(maps_obj_map(obj, i));
}

struct bpf_map *maps_skel_map(const struct wgsf *skel, enum map_id id)
{
	const struct bpf_object_skeleton *s = skel->skeleton;
	int i;

	for (i = 0; i < s->map_cnt; i++)
		if (!strcmp(s->maps[i].name, map_names[id]))
			return *s->maps[i].map;
	return NULL;
}

void maps_from_skel(const struct wgsf *skel, struct maps *m)
{
	int i;

	for (i = 0; i < MAP_COUNT; i++)
		m->fd[i] = bpf_map__fd(maps_skel_map(skel, i));
}

/* Whether config_fd is the config of another map ABI than ours, which may
 * have other maps: read only when it is no larger than ours. */
static bool other_abi(int config_fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct wgsf_config c;

	return config_fd >= 0 && !bpf_obj_get_info_by_fd(config_fd, &info, &len) &&
	       info.value_size <= sizeof(c) && !config_read(config_fd, &c) &&
	       c.abi_version != WGSF_ABI_VERSION;
}

int maps_open_pinned(const char *dir, struct maps *m)
{
	char path[PATH_MAX];
	bool missing = false;
	int i, err = 0;

	for (i = 0; i < MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		m->fd[i] = bpf_obj_get(path);
		if (m->fd[i] < 0 && errno != ENOENT)
			err = err ?: -errno;
		missing |= m->fd[i] < 0;
	}
	if (!err && missing && !other_abi(m->fd[MAP_CONFIG]))
		err = -ENOENT;
	if (err)
		maps_close(m);
	return err;
}

void maps_close(struct maps *m)
{
	int i;

	for (i = 0; i < MAP_COUNT; i++) {
		if (m->fd[i] >= 0)
			close(m->fd[i]);
		m->fd[i] = -1;
	}
}

int maps_pin(const struct maps *m, const char *dir)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		if (unlink(path) && errno != ENOENT)
			return -errno;
		fault_point("pin a map");
		if (bpf_obj_pin(m->fd[i], path))
			return -errno;
	}
	return 0;
}

void maps_unpin(const char *dir)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		unlink(path);
	}
}

uint32_t map_capacity(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.max_entries;
}

void *map_mmap(int fd, size_t *len, struct bpf_map_info *info)
{
	struct bpf_map_info got = {};
	__u32 info_len = sizeof(got);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), stride;
	void *mem;

	if (bpf_obj_get_info_by_fd(fd, &got, &info_len))
		return NULL;
	stride = ((size_t)got.value_size + 7) / 8 * 8;
	*len = ((size_t)got.max_entries * stride + page - 1) / page * page;
	mem = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (mem == MAP_FAILED)
		return NULL;
	if (info)
		*info = got;
	return mem;
}

uint64_t map_memlock(int fd, uint32_t *id)
{
	char path[64], line[128];
	unsigned long long bytes = 0;
	unsigned int map_id = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "memlock: %llu", &bytes);
		sscanf(line, "map_id: %u", &map_id);
	}
	if (f)
		fclose(f);
	if (id)
		*id = map_id;
	/* programs have a memlock line too */
	return map_id ? bytes : 0;
}

/* The kernel's own: the first device of every network namespace, and the
 * loopback device cannot be deleted nor moved to another. */
#define LOOPBACK_IFINDEX 1

int sentinel_write(const struct maps *m, uint32_t ifindex)
{
	uint32_t devices[WGSF_SENTINEL_KEYS] = { [WGSF_SENTINEL_IFACE] = ifindex,
						 [WGSF_SENTINEL_LOOPBACK] = LOOPBACK_IFINDEX };
	uint32_t key;
	int err = 0;

	for (key = 0; !err && key < WGSF_SENTINEL_KEYS; key++) {
		fault_point("write the sentinel");
		if (bpf_map_update_elem(m->fd[MAP_SENTINEL], &key, &devices[key], BPF_ANY))
			err = -errno;
	}
	if (err)
		wgsf_set_error("cannot record device %u in the sentinel: %s", devices[key - 1],
			       strerror(-err));
	return err;
}

int sentinel_read(int fd, bool present[WGSF_SENTINEL_KEYS])
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key, ifindex;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type != BPF_MAP_TYPE_DEVMAP || info.key_size != sizeof(key) ||
	    info.value_size != sizeof(ifindex) || info.max_entries != WGSF_SENTINEL_KEYS)
		return -EPROTO;
	for (key = 0; key < WGSF_SENTINEL_KEYS; key++) {
		present[key] = !bpf_map_lookup_elem(fd, &key, &ifindex);
		if (!present[key] && errno != ENOENT)
			return -errno;
	}
	return 0;
}

/* A full hash says E2BIG, a full trie ENOSPC: one error for both. */
static int update(int fd, const void *key, const void *value)
{
	if (!bpf_map_update_elem(fd, key, value, BPF_ANY))
		return 0;
	return errno == E2BIG ? -ENOSPC : -errno;
}

static int delete(int fd, const void *key)
{
	return bpf_map_delete_elem(fd, key) && errno != ENOENT ? -errno : 0;
}

static bool is_host(const struct prefix *p)
{
	return p->cidr == (p->family == AF_INET ? 32 : 128);
}

/* Appends to the entry array: n entries so far, room for cap. */
static int entries_grow(struct map_entries *e, size_t want)
{
	size_t cap = e->cap ? e->cap : 1024;
	void *k, *v;

	while (cap < want)
		cap *= 2;
	if (cap == e->cap)
		return 0;
	k = realloc(e->keys, cap * e->key_size);
	if (k)
		e->keys = k;
	v = k ? realloc(e->values, cap * e->value_size) : NULL;
	if (!v)
		return -ENOMEM;
	e->values = v;
	e->cap = cap;
	return 0;
}

/* The kernels without batch lookups for this map type (LPM tries). */
static int read_one_by_one(int fd, struct map_entries *e)
{
	void *prev = NULL, *next = malloc(e->key_size);
	int err = next ? 0 : -ENOMEM;

	while (!err && !bpf_map_get_next_key(fd, prev, next)) {
		err = entries_grow(e, e->n + 1);
		if (err)
			break;
		prev = (char *)e->keys + e->n * e->key_size;
		memcpy(prev, next, e->key_size);
		if (!bpf_map_lookup_elem(fd, prev, (char *)e->values + e->n * e->value_size))
			e->n++; /* else deleted meanwhile */
	}
	if (!err && errno != ENOENT)
		err = -errno;
	free(next);
	return err;
}

int map_read_all(int fd, struct map_entries *e)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), count, batch;
	bool first = true;
	int err;

	*e = (struct map_entries){};
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	e->key_size = info.key_size;
	e->value_size = info.value_size;
	/* one syscall per few thousand entries instead of two per entry */
	for (;;) {
		err = entries_grow(e, e->n + 4096);
		if (err)
			break;
		count = e->cap - e->n;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch,
					   (char *)e->keys + e->n * e->key_size,
					   (char *)e->values + e->n * e->value_size, &count, NULL)
			      ? -errno : 0;
		e->n += count;
		if (err == -ENOENT)
			return 0;
		if (err && first && err != -ENOSPC) {
			e->n = 0;
			err = read_one_by_one(fd, e);
			break;
		}
		if (err)
			break;
		first = false;
	}
	if (err)
		map_entries_free(e);
	return err;
}

void map_entries_free(struct map_entries *e)
{
	free(e->keys);
	free(e->values);
	*e = (struct map_entries){};
}

int map_read_array(int fd, uint32_t cap, void **out)
{
	struct map_entries e;
	char *values;
	uint32_t key;
	size_t i;
	int err = map_read_all(fd, &e);

	if (err)
		return err;
	values = calloc(cap ?: 1, e.value_size);
	for (i = 0; values && i < e.n; i++) {
		memcpy(&key, (char *)e.keys + i * e.key_size, sizeof(key));
		if (key < cap)
			memcpy(values + (size_t)key * e.value_size,
			       (char *)e.values + i * e.value_size, e.value_size);
	}
	map_entries_free(&e);
	*out = values;
	return values ? 0 : -ENOMEM;
}

enum map_id allowedip_map(const struct prefix *p)
{
	bool v4 = p->family == AF_INET;

	if (is_host(p))
		return v4 ? MAP_HOST_IPS4 : MAP_HOST_IPS6;
	return v4 ? MAP_ALLOWED_IPS4 : MAP_ALLOWED_IPS6;
}

static int allowedip_key(const struct maps *m, const struct prefix *p,
			 struct wgsf_lpm6_key *key)
{
	key->prefixlen = p->cidr;
	memcpy(key->addr, p->addr, sizeof(key->addr));
	/* the IPv4 tables' key is the first 8 bytes of this one */
	return m->fd[allowedip_map(p)];
}

int allowedip_write(const struct maps *m, const struct prefix *p, uint32_t slot)
{
	struct wgsf_lpm6_key key;
	int fd = allowedip_key(m, p, &key);

	return update(fd, &key, &slot) ?: hosts_index_put(m, p, &slot, 1);
}

int allowedip_delete(const struct maps *m, const struct prefix *p)
{
	struct wgsf_lpm6_key key;

	return hosts_index_drop(m, p) ?: delete(allowedip_key(m, p, &key), &key);
}

/* Keys and values bound for one map, to be written in one batch. */
struct batch {
	int fd;
	uint8_t *keys, *values;
	uint32_t n, key_size, value_size;
};

/* One syscall per batch instead of one per entry; key by key where the
 * kernel has no batch updates for the map's type. */
static int batch_flush(struct batch *b)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	uint32_t done = 0, count;
	int err = 0;

	while (done < b->n && !err) {
		count = b->n - done;
		if (!bpf_map_update_batch(b->fd, b->keys + done * b->key_size,
					  b->values + done * b->value_size, &count, &opts)) {
			done += count;
			continue;
		}
		err = errno == E2BIG ? -ENOSPC : -errno;
		/* count is what the kernel wrote only where it knows the command:
		 * from done again, as a write of the same value changes nothing */
		if (err == -EINVAL || err == -524 /* ENOTSUPP */ || err == -EOPNOTSUPP) {
			for (err = 0; done < b->n && !err; done++)
				err = update(b->fd, b->keys + done * b->key_size,
					     b->values + done * b->value_size);
		}
	}
	return err;
}

int allowedips_write(const struct maps *m, const struct prefix *p, const uint32_t *values,
		     size_t n)
{
	struct batch b[MAP_COUNT] = {};
	struct wgsf_lpm6_key key;
	size_t i;
	int fd, j, err = 0;

	for (i = 0; i < n && !err; i++) {
		fd = allowedip_key(m, &p[i], &key);
		for (j = 0; b[j].fd && b[j].fd != fd; j++)
			;
		if (!b[j].fd) {
			b[j] = (struct batch){ .fd = fd, .keys = malloc(n * sizeof(key)),
					       .values = malloc(n * sizeof(*values)),
					       .key_size = p[i].family == AF_INET ? 8 : sizeof(key),
					       .value_size = sizeof(*values) };
			if (!b[j].keys || !b[j].values)
				err = -ENOMEM;
		}
		if (err)
			break;
		memcpy(b[j].keys + b[j].n * b[j].key_size, &key, b[j].key_size);
		memcpy(b[j].values + b[j].n++ * sizeof(*values), &values[i], sizeof(*values));
	}
	for (j = 0; j < MAP_COUNT && b[j].fd; j++) {
		err = err ?: batch_flush(&b[j]);
		free(b[j].keys);
		free(b[j].values);
	}
	return err ?: hosts_index_put(m, p, values, n);
}

void key_decode(const void *key, uint8_t family, bool policy, struct prefix *p, uint32_t *slot)
{
	const struct wgsf_pol6_key *pk = key; /* IPv4's: its first 12 bytes */
	const struct wgsf_lpm6_key *ak = key; /* IPv4's: its first 8 bytes */
	size_t alen = family == AF_INET ? 4 : 16;

	*p = (struct prefix){ .family = family };
	if (policy) {
		p->cidr = pk->prefixlen - WGSF_POL_SLOT_BITS;
		memcpy(p->addr, pk->addr, alen);
		*slot = ntohl(pk->owner);
	} else {
		p->cidr = ak->prefixlen;
		memcpy(p->addr, ak->addr, alen);
	}
}

int policy_flags_write(const struct maps *m, uint32_t slot, uint32_t flags, uint32_t ruleset)
{
	struct wgsf_peer_policy pol = { .flags = flags, .ruleset = ruleset };

	if (bpf_map_update_elem(m->fd[MAP_PEER_POLICY], &slot, &pol, BPF_ANY))
		return -errno;
	/* after the flags, so that the datapath never looks for them early */
	return flags ? config_set_policied(m->fd[MAP_CONFIG], true) : 0;
}

int map_update_many(int fd, void *keys, uint32_t key_size, void *values, uint32_t value_size,
		    size_t n)
{
	struct batch b = { .fd = fd, .keys = keys, .values = values, .n = n,
			   .key_size = key_size, .value_size = value_size };

	return batch_flush(&b);
}

static enum map_id policy_map(bool dst, bool v4, bool host)
{
	static const enum map_id ids[2][2][2] = {
		{ { MAP_SRC_POLICY6, MAP_SRC_HOSTS6 }, { MAP_SRC_POLICY4, MAP_SRC_HOSTS4 } },
		{ { MAP_DST_POLICY6, MAP_DST_HOSTS6 }, { MAP_DST_POLICY4, MAP_DST_HOSTS4 } },
	};

	return ids[dst][v4][host];
}

enum map_id policy_prefix_map(bool dst, const struct prefix *p)
{
	return policy_map(dst, p->family == AF_INET, is_host(p));
}

static int policy_key(const struct maps *m, bool dst, uint32_t owner, const struct prefix *p,
		      struct wgsf_pol6_key *key)
{
	*key = (struct wgsf_pol6_key){ .prefixlen = WGSF_POL_SLOT_BITS + p->cidr,
				       .owner = htonl(owner) };
	memcpy(key->addr, p->addr, sizeof(key->addr));
	/* the IPv4 tables' keys are the first 12 bytes of this one */
	return m->fd[policy_prefix_map(dst, p)];
}

int policy_prefix_write(const struct maps *m, bool dst, uint32_t owner, const struct prefix *p,
			uint32_t value)
{
	struct wgsf_pol6_key key;
	int fd = policy_key(m, dst, owner, p, &key);

	return update(fd, &key, &value);
}

int policy_prefix_delete(const struct maps *m, bool dst, uint32_t owner, const struct prefix *p)
{
	struct wgsf_pol6_key key;

	return delete(policy_key(m, dst, owner, p, &key), &key);
}
