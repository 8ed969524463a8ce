// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <bpf/bpf.h>

#include "tables/hosts.h"

#include "wgsf_hosts.h"

#define BUCKET 64u

_Static_assert(sizeof(struct wgsf_hosts_head) == BUCKET, "a head is a bucket");
_Static_assert(sizeof(struct wgsf_host4_bucket) == BUCKET, "one line");
_Static_assert(sizeof(struct wgsf_host6_bucket) == BUCKET, "one line");

/* An index mapped for writing. */
struct index {
	uint8_t *mem;
	size_t len;
	bool v4;
};

static uint32_t ways(uint8_t family)
{
	return family == AF_INET ? WGSF_HOSTS_WAYS4 : WGSF_HOSTS_WAYS6;
}

uint32_t hosts_index_size(uint32_t hosts, uint8_t family)
{
	uint64_t want = 2ull * hosts / ways(family), buckets = 2;

	while (buckets < want && buckets < (1u << 30))
		buckets *= 2;
	return 1 + buckets;
}

static struct wgsf_hosts_head *head(const struct index *ix)
{
	return (struct wgsf_hosts_head *)ix->mem;
}

/* The last index of each family mapped, by the kernel's id of its map:
 * a sync that removes many host routes removes them one at a time, and a
 * mapping each (of megabytes, faulted in anew) cost it ten times its own
 * work. A process keeps it until another index of the family comes. */
static struct {
	uint32_t id;
	struct index ix;
} mapped[2];

/* Writes the head of a new index, while it is still empty (nothing is
 * placed before). */
static int head_write(struct index *ix, uint32_t size)
{
	uint32_t buckets = 2, seed = 0;

	while (buckets * 2 <= size - 1)
		buckets *= 2;
	while (!seed)
		if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
			return -errno;
	head(ix)->seed = seed;
	/* the mask last: until it is there, the datapath asks the hashes */
	__atomic_store_n(&head(ix)->mask, buckets - 1, __ATOMIC_RELEASE);
	return 0;
}

/* The index of family mapped, its head written if it had none. */
static int index_open(const struct maps *m, bool v4, struct index **out)
{
	int fd = m->fd[v4 ? MAP_HOST_INDEX4 : MAP_HOST_INDEX6];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct index *ix = &mapped[v4].ix;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.max_entries < 3)
		return -EINVAL;
	if (mapped[v4].id != info.id) {
		if (mapped[v4].id)
			munmap(ix->mem, ix->len);
		mapped[v4].id = 0;
		ix->v4 = v4;
		ix->mem = map_mmap(fd, &ix->len, NULL);
		if (!ix->mem)
			return -errno;
		mapped[v4].id = info.id;
	}
	*out = ix;
	return head(ix)->mask ? 0 : head_write(ix, info.max_entries);
}

/* What every bucket starts with: which ways are used, and the flags. */
struct bucket_top {
	uint8_t *used, *flags;
};

static struct bucket_top top_of(const struct index *ix, uint32_t b)
{
	uint8_t *at = ix->mem + (size_t)b * BUCKET;

	if (ix->v4)
		return (struct bucket_top){ at + offsetof(struct wgsf_host4_bucket, used),
					    at + offsetof(struct wgsf_host4_bucket, flags) };
	return (struct bucket_top){ at + offsetof(struct wgsf_host6_bucket, used),
				    at + offsetof(struct wgsf_host6_bucket, flags) };
}

/* A key as the hash and the search take it. */
struct key {
	uint32_t a4;
	uint64_t lo, hi;
	uint64_t h;
};

static struct key key_of(const struct index *ix, const struct prefix *p)
{
	struct key k = {};

	if (ix->v4) {
		memcpy(&k.a4, p->addr, 4);
		k.h = wgsf_host_hash4(head(ix)->seed, k.a4);
	} else {
		memcpy(&k.lo, p->addr, 8);
		memcpy(&k.hi, p->addr + 8, 8);
		k.h = wgsf_host_hash6(head(ix)->seed, k.lo, k.hi);
	}
	return k;
}

static int find(const struct index *ix, uint32_t b, const struct key *k)
{
	const uint8_t *at = ix->mem + (size_t)b * BUCKET;
	uint32_t value;

	if (ix->v4)
		return wgsf_host4_find((const void *)at, k->a4, &value);
	return wgsf_host6_find((const void *)at, k->lo, k->hi, &value);
}

/* Writes way w of bucket b: the address and value, or the value alone
 * (the address already there). */
static void way_write(const struct index *ix, uint32_t b, int w, const struct key *k,
		      uint32_t value)
{
	uint8_t *at = ix->mem + (size_t)b * BUCKET;
	struct wgsf_host6_bucket *b6 = (void *)at;
	const struct wgsf_host4_bucket *b4 = (void *)at;

	if (ix->v4) {
		uint64_t *word = (void *)(at + offsetof(struct wgsf_host4_bucket, way) +
					  w * sizeof(b4->way[0]));

		__atomic_store_n(word, wgsf_host4_word(k->a4, value), __ATOMIC_RELEASE);
		return;
	}
	memcpy(b6->addr[w], &k->lo, 8);
	memcpy(b6->addr[w] + 8, &k->hi, 8);
	__atomic_store_n(&b6->value[w], value, __ATOMIC_RELEASE);
}

static int free_way(const struct index *ix, uint32_t b)
{
	uint8_t used = *top_of(ix, b).used;
	uint32_t w;

	for (w = 0; w < ways(ix->v4 ? AF_INET : AF_INET6); w++)
		if (!(used & (1u << w)))
			return w;
	return -1;
}

static void set_bits(uint8_t *byte, uint8_t bits)
{
	__atomic_store_n(byte, *byte | bits, __ATOMIC_RELEASE);
}

/* Updates the key where it is; else puts it in a free way of its first
 * bucket, or of its second, or leaves it to the hash: the first bucket's
 * flags say which. */
static void place(const struct index *ix, const struct prefix *p, uint32_t value)
{
	struct key k = key_of(ix, p);
	uint32_t b[2] = { wgsf_hosts_bucket(head(ix), k.h, 0),
			  wgsf_hosts_bucket(head(ix), k.h, 1) };
	int i, w;

	for (i = 0; i < 2; i++)
		if ((w = find(ix, b[i], &k)) >= 0) {
			way_write(ix, b[i], w, &k, value);
			return;
		}
	for (i = 0; i < 2; i++)
		if ((w = free_way(ix, b[i])) >= 0) {
			way_write(ix, b[i], w, &k, value);
			set_bits(top_of(ix, b[i]).used, 1u << w);
			if (i)
				set_bits(top_of(ix, b[0]).flags, WGSF_HOSTS_SPILL);
			return;
		}
	set_bits(top_of(ix, b[0]).flags, WGSF_HOSTS_OVERFLOW);
}

static bool is_host(const struct prefix *p)
{
	return p->cidr == prefix_bits(p->family);
}

static int put_family(const struct maps *m, bool v4, const struct prefix *p,
		      const uint32_t *values, size_t n)
{
	struct index *ix;
	size_t i;
	int err;

	for (i = 0; i < n && !(is_host(&p[i]) && (p[i].family == AF_INET) == v4); i++)
		;
	if (i == n)
		return 0;
	err = index_open(m, v4, &ix);
	if (err)
		return err;
	for (; i < n; i++)
		if (is_host(&p[i]) && (p[i].family == AF_INET) == v4)
			place(ix, &p[i], values[i]);
	return 0;
}

int hosts_index_put(const struct maps *m, const struct prefix *p, const uint32_t *values,
		    size_t n)
{
	return put_family(m, true, p, values, n) ?: put_family(m, false, p, values, n);
}

int hosts_index_drop(const struct maps *m, const struct prefix *p)
{
	struct index *ix;
	struct key k;
	uint8_t *used;
	uint32_t b;
	int i, w, err;

	if (!is_host(p))
		return 0;
	err = index_open(m, p->family == AF_INET, &ix);
	if (err)
		return err;
	k = key_of(ix, p);
	for (i = 0; i < 2; i++) {
		b = wgsf_hosts_bucket(head(ix), k.h, i);
		if ((w = find(ix, b, &k)) >= 0) {
			used = top_of(ix, b).used;
			__atomic_store_n(used, *used & ~(1u << w), __ATOMIC_RELEASE);
			break;
		}
	}
	return 0;
}

/* Every entry of one host hash, placed. */
static int build_family(const struct maps *m, bool v4)
{
	struct map_entries e;
	struct prefix *p;
	uint32_t slot;
	size_t i;
	int err = map_read_all(m->fd[v4 ? MAP_HOST_IPS4 : MAP_HOST_IPS6], &e);

	if (err)
		return err;
	p = calloc(e.n ?: 1, sizeof(*p));
	for (i = 0; p && i < e.n; i++)
		key_decode((char *)e.keys + i * e.key_size, v4 ? AF_INET : AF_INET6, false,
			   &p[i], &slot);
	err = p ? put_family(m, v4, p, e.values, e.n) : -ENOMEM;
	free(p);
	map_entries_free(&e);
	return err;
}

int hosts_index_build(const struct maps *m)
{
	return build_family(m, true) ?: build_family(m, false);
}
