/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The host-route index's hash and bucket search (see wgsf.h), the same in
 * the datapath, in wgsf lookup and in the loader that places the keys.
 * Addresses are read as the host's words: the index is written and read on
 * one machine.
 */
#ifndef WGSF_HOSTS_H
#define WGSF_HOSTS_H

#include "wgsf.h"

/* The ways searched one after the other, no loop for the verifier to walk */
#ifdef __bpf__
#define WGSF_UNROLL _Pragma("unroll")
#else
#define WGSF_UNROLL
#endif

/* A 64-bit finaliser (splitmix64's): every input bit moves every output
 * bit, so that both halves serve as a bucket index, and consecutive
 * addresses spread. */
static inline __u64 wgsf_hosts_mix(__u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static inline __u64 wgsf_host_hash4(__u32 seed, __u32 addr)
{
	return wgsf_hosts_mix((__u64)seed << 32 | addr);
}

static inline __u64 wgsf_host_hash6(__u32 seed, __u64 lo, __u64 hi)
{
	return wgsf_hosts_mix(wgsf_hosts_mix(lo ^ seed) ^ hi);
}

/* A key's bucket, first (0) or second (1), as an index of the ARRAY. */
static inline __u32 wgsf_hosts_bucket(const struct wgsf_hosts_head *head, __u64 h, int second)
{
	return 1 + ((__u32)(second ? h >> 32 : h) & head->mask);
}

/* An IPv4 way as one word, as it lies in memory. */
static inline __u64 wgsf_host4_word(__u32 addr, __u32 value)
{
	struct wgsf_host4_way w = { .value = value };

	__builtin_memcpy(w.addr, &addr, 4);
	return *(__u64 *)&w;
}

/* The way of b that holds addr, its value in *value (read with the
 * address, in one load), or -1. */
static inline int wgsf_host4_find(const struct wgsf_host4_bucket *b, __u32 addr, __u32 *value)
{
	const __u64 *w = (const __u64 *)b->way;
	__u8 used = b->used;
	int i;

WGSF_UNROLL
	for (i = 0; i < WGSF_HOSTS_WAYS4; i++) {
		struct wgsf_host4_way x;
		__u32 a;

		*(__u64 *)&x = w[i];
		__builtin_memcpy(&a, x.addr, 4);
		if (used & (1u << i) && a == addr) {
			*value = x.value;
			return i;
		}
	}
	return -1;
}

static inline int wgsf_host6_find(const struct wgsf_host6_bucket *b, __u64 lo, __u64 hi,
				  __u32 *value)
{
	__u8 used = b->used;
	int i;

WGSF_UNROLL
	for (i = 0; i < WGSF_HOSTS_WAYS6; i++) {
		const __u64 *a = (const __u64 *)b->addr[i];

		if (used & (1u << i) && a[0] == lo && a[1] == hi) {
			*value = b->value[i];
			return i;
		}
	}
	return -1;
}

#endif /* WGSF_HOSTS_H */
