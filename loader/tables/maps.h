/* SPDX-License-Identifier: GPL-2.0-only */
/* The datapath's maps as one set of fds, from a loaded skeleton or from pins. */
#ifndef WGSF_MAPS_H
#define WGSF_MAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "device/prefix.h"

#include "wgsf.h"
#include "wgsf.skel.h"

enum map_id {
	MAP_ALLOWED_IPS4,
	MAP_ALLOWED_IPS6,
	MAP_PEER_STATS,
	MAP_PEER_STATS_PREV, /* peer_stats before its last growth (userspace only) */
	MAP_DEV_STATS,
	MAP_PEER_POLICY,
	MAP_SRC_POLICY4,
	MAP_SRC_POLICY6,
	MAP_DST_POLICY4,
	MAP_DST_POLICY6,
	MAP_CONFIG,
	MAP_PEER_SLOTS,
	MAP_HOST_IPS4, /* the host routes of allowed_ips4/6, by hash */
	MAP_HOST_IPS6,
	MAP_SRC_HOSTS4, /* likewise for the policy tries */
	MAP_SRC_HOSTS6,
	MAP_DST_HOSTS4,
	MAP_DST_HOSTS6,
	MAP_POLICY_TEXT, /* the policy in force, as text (userspace only) */
	MAP_SENTINEL,    /* the devices attached to, by ifindex (userspace only) */
	MAP_FLOWS,       /* the flows that replies answer (see wgsf.h) */
	MAP_SERVICES,    /* the service sets of destination rules (see wgsf.h) */
	MAP_EVENTS,      /* denied-packet events, and what they need (see wgsf.h) */
	MAP_EVENT_READER,
	MAP_EVENT_BUDGET,
	MAP_FLOWREC, /* flow records, where they are on (see wgsf.h) */
	MAP_FLOWREC_ORDER,
	MAP_FLOWREC_HAND,
	MAP_RATE_LIMIT, /* rate limits and their buckets (see wgsf.h) */
	MAP_RATE_STATE,
	MAP_QUARANTINE, /* quarantine rules and states, by key (see wgsf.h) */
	MAP_HOST_INDEX4, /* the host routes of host_ips4/6 in one-line buckets (wgsf.h) */
	MAP_HOST_INDEX6,
	MAP_COUNT,
};

struct maps {
	int fd[MAP_COUNT];
};

/* How many entries each class of map holds (max_entries). */
struct capacity {
	uint32_t peers;           /* peer slots */
	uint32_t prefixes;        /* allowed-IPs trie entries, per family */
	uint32_t hosts;           /* allowed-IPs host routes, per family */
	uint32_t policy_prefixes; /* per policy trie */
	uint32_t policy_hosts;    /* per policy hash of host prefixes */
	/* flow records' places (wgsf.h); 0: off. The flow table's size (and
	 * its slack) and the program's constant follow from it. */
	uint32_t flows;
	/* the host-route index's buckets per family, a power of two; 0: as
	 * many as hosts need (a test forces collisions with a few) */
	uint32_t index_buckets;
};

/* The capacity of map id's class; 0 for a map of fixed size. */
uint32_t capacity_get(const struct capacity *cap, enum map_id id);
/* Raises map id's class to hold at least n, when the map is sized. */
void capacity_raise(struct capacity *cap, enum map_id id, uint32_t n);

extern const char *const map_names[MAP_COUNT];

struct bpf_map *maps_obj_map(struct bpf_object *obj, enum map_id id);
/* The same by the skeleton's names, which hold where the object's do not:
 * a map given another's fd (bpf_map__reuse_fd) takes that one's name, and
 * a growth gives peer_stats_prev a map named peer_stats (carry.h). */
struct bpf_map *maps_skel_map(const struct wgsf *skel, enum map_id id);
/* The fds belong to the object: not to be closed with maps_close(). */
void maps_from_obj(struct bpf_object *obj, struct maps *m);
void maps_from_skel(const struct wgsf *skel, struct maps *m);
/* -ENOENT when dir holds no complete set of pins. A set of another map
 * ABI may lack some (their fds are -1): its config says which ABI, and
 * the caller refuses it by that. */
int maps_open_pinned(const char *dir, struct maps *m);
void maps_close(struct maps *m);
/* Pins every map under dir, replacing pins of the same name. */
int maps_pin(const struct maps *m, const char *dir);
void maps_unpin(const char *dir);
uint32_t map_capacity(int fd);
/* The values of array map fd (made BPF_F_MMAPABLE) mapped shared and
 * writable, value i at i times the value size rounded up to 8 bytes; *len
 * what to munmap, and *info the map's where info is not NULL. NULL with
 * errno set where it cannot be mapped (EINVAL, EPERM: a map that is not
 * MMAPABLE, as an older map ABI's). */
void *map_mmap(int fd, size_t *len, struct bpf_map_info *info);
/* The kernel's account of a map's memory (fdinfo "memlock"), and its id
 * when id is not NULL; 0 and 0 when fd is no map (a program, a link). */
uint64_t map_memlock(int fd, uint32_t *id);
/* The one place that knows the tables' key layouts, and which of a pair
 * (hash of host routes, trie of the rest) holds a prefix. Writes give
 * -ENOSPC when the map is full. */
int allowedip_write(const struct maps *m, const struct prefix *p, uint32_t slot);
/* The map that holds p: among the allowed-IPs tables, and among the
 * allowed sources' (dst false) or destinations' tables. */
enum map_id allowedip_map(const struct prefix *p);
enum map_id policy_prefix_map(bool dst, const struct prefix *p);
int allowedip_delete(const struct maps *m, const struct prefix *p);
/* The prefix a table's key holds, and for a policy table the owner (a slot
 * or a ruleset), which allowed-IPs tables hold as their value. */
void key_decode(const void *key, uint8_t family, bool policy, struct prefix *p, uint32_t *slot);
/* n prefixes, p[i] with the value values[i] (a slot and its bits), in a
 * few batches: for large syncs. */
int allowedips_write(const struct maps *m, const struct prefix *p, const uint32_t *values,
		     size_t n);
/* A peer's policy: its WGSF_PEER_* flags and its destination rules' ruleset. */
int policy_flags_write(const struct maps *m, uint32_t slot, uint32_t flags, uint32_t ruleset);
/* n entries of a map, the ith key's value the ith value, in as few
 * syscalls as the kernel allows for its type; -ENOSPC when it is full. */
int map_update_many(int fd, void *keys, uint32_t key_size, void *values, uint32_t value_size,
		    size_t n);
/* A prefix of slot's allowed sources (dst false, value 1), or of a
 * ruleset's destinations (dst true, value its service set). */
int policy_prefix_write(const struct maps *m, bool dst, uint32_t owner, const struct prefix *p,
			uint32_t value);
int policy_prefix_delete(const struct maps *m, bool dst, uint32_t owner, const struct prefix *p);

/* Fills the sentinel (wgsf.h) with ifindex and this network namespace's
 * loopback device: from within the interface's namespace. */
int sentinel_write(const struct maps *m, uint32_t ifindex);
/* Which of the sentinel's devices are still where they were written, by
 * key; -EPROTO when fd is no sentinel. */
int sentinel_read(int fd, bool present[WGSF_SENTINEL_KEYS]);

/* A whole map's entries, keys and values each in one array. */
struct map_entries {
	void *keys, *values;
	size_t n, cap;
	uint32_t key_size, value_size;
};

/* Reads every entry of a map of one value per key, by batches where the
 * kernel has them for its type, else key by key; 0 or -errno. */
int map_read_all(int fd, struct map_entries *e);
void map_entries_free(struct map_entries *e);
/* Every value of an array map of cap entries, by key, into a buffer to free. */
int map_read_array(int fd, uint32_t cap, void **out);

#endif
