/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wgsf datapath: attribute each inbound packet on a WireGuard interface to
 * its peer, count it, and check it against the peer's policy. classify() is
 * the whole of it; the programs that hook it in (wgsf.bpf.c) and the
 * benchmark's (bench.bpf.c) only hand it the packet.
 *
 * A packet that reaches wg ingress has already passed WireGuard's own
 * allowed-IPs check, so the longest allowed-IPs match of its source names
 * its sender exactly. What is checked here is stricter than allowed IPs:
 * allowed sources, allowed destinations, quarantine.
 */
#ifndef WGSF_DATAPATH_BPF_H
#define WGSF_DATAPATH_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "wgsf.h"

/*
 * Where the IP header starts: 0 on WireGuard and TUN devices (L3, no link
 * header), ETH_HLEN with Ethernet framing (BPF_PROG_TEST_RUN on tc).
 */
const volatile __u32 l3_offset = 0;

/*
 * A table keyed by prefix, whose value is a __u32 (a slot, or 1). Entries
 * are allocated as they come; a hash also allocates buckets for its whole
 * limit, so the loader sizes the hashes from the device before load (the
 * sizes here are defaults).
 */
#define PREFIX_MAP(kind, name, key_type)                  \
	struct {                                          \
		__uint(type, BPF_MAP_TYPE_##kind);        \
		__uint(map_flags, BPF_F_NO_PREALLOC);     \
		__uint(max_entries, WGSF_MAX_PREFIXES);   \
		__type(key, key_type);                    \
		__type(value, __u32);                     \
	} name SEC(".maps")

PREFIX_MAP(LPM_TRIE, allowed_ips4, struct wgsf_lpm4_key);
PREFIX_MAP(LPM_TRIE, allowed_ips6, struct wgsf_lpm6_key);
PREFIX_MAP(HASH, host_ips4, struct wgsf_lpm4_key);
PREFIX_MAP(HASH, host_ips6, struct wgsf_lpm6_key);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct wgsf_peer_stats);
} peer_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wgsf_dev_stats);
} dev_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct wgsf_peer_policy);
} peer_policy SEC(".maps");

PREFIX_MAP(LPM_TRIE, src_policy4, struct wgsf_pol4_key);
PREFIX_MAP(LPM_TRIE, src_policy6, struct wgsf_pol6_key);
PREFIX_MAP(LPM_TRIE, dst_policy4, struct wgsf_pol4_key);
PREFIX_MAP(LPM_TRIE, dst_policy6, struct wgsf_pol6_key);
PREFIX_MAP(HASH, src_hosts4, struct wgsf_pol4_key);
PREFIX_MAP(HASH, src_hosts6, struct wgsf_pol6_key);
PREFIX_MAP(HASH, dst_hosts4, struct wgsf_pol4_key);
PREFIX_MAP(HASH, dst_hosts6, struct wgsf_pol6_key);

/* Only userspace reads it (see wgsf.h); pinned with the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2 * WGSF_POLICY_CHUNKS);
	__type(key, __u32);
	__type(value, struct wgsf_policy_chunk);
} policy_text SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wgsf_config);
} config SEC(".maps");

/* Only userspace reads it (see wgsf.h); pinned with the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, WGSF_SENTINEL_KEYS);
	__type(key, __u32);
	__type(value, __u32);
} sentinel SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct wgsf_slot);
} peer_slots SEC(".maps");

enum verdict { VERDICT_PASS, VERDICT_DROP };

/* The fields of one IP header that the verdict needs. */
struct packet {
	__u8 version;
	__u32 len; /* IP length */
	const __u8 *src;
	const __u8 *dst;
};

/* Returns 0 when the packet holds a whole IPv4 or IPv6 header. */
static __always_inline int parse(void *data, void *data_end, __u64 pkt_len,
				 struct packet *p)
{
	const __u8 *ip = data + l3_offset;

	if (l3_offset == ETH_HLEN) {
		const struct ethhdr *eth = data;

		if ((void *)(eth + 1) > data_end)
			return -1;
		if (eth->h_proto != bpf_htons(ETH_P_IP) &&
		    eth->h_proto != bpf_htons(ETH_P_IPV6))
			return -1;
	}
	if ((void *)(ip + 1) > data_end)
		return -1;
	p->version = ip[0] >> 4;
	if (p->version == 4) {
		const struct iphdr *h = (const void *)ip;
		__u32 hlen;

		if ((void *)(h + 1) > data_end)
			return -1;
		hlen = h->ihl * 4;
		p->len = bpf_ntohs(h->tot_len);
		if (hlen < sizeof(*h) || pkt_len < l3_offset + hlen ||
		    p->len < hlen)
			return -1;
		p->src = (const __u8 *)&h->saddr;
		p->dst = (const __u8 *)&h->daddr;
		return 0;
	}
	if (p->version == 6) {
		const struct ipv6hdr *h = (const void *)ip;

		if ((void *)(h + 1) > data_end)
			return -1;
		p->len = sizeof(*h) + bpf_ntohs(h->payload_len);
		p->src = (const __u8 *)&h->saddr;
		p->dst = (const __u8 *)&h->daddr;
		return 0;
	}
	return -1;
}

static __always_inline void addr_store(struct wgsf_addr *a, const struct packet *p,
				       const __u8 *addr)
{
	if (p->version == 4) {
		__builtin_memcpy(a->addr, addr, 4);
		/* an earlier IPv6 address must not show through */
		__builtin_memset(a->addr + 4, 0, 12);
	} else
		__builtin_memcpy(a->addr, addr, 16);
	a->version = p->version;
}

/* A host route is the longest match there is: the trie, which holds only
 * shorter prefixes, is asked only when the hash has none. */
static __always_inline void *longest_match(void *hosts, void *trie, const void *key)
{
	void *v = bpf_map_lookup_elem(hosts, key);

	return v ?: bpf_map_lookup_elem(trie, key);
}

static __always_inline __u32 *peer_of(const struct packet *p)
{
	if (p->version == 4) {
		struct wgsf_lpm4_key k = { .prefixlen = 32 };

		__builtin_memcpy(k.addr, p->src, 4);
		return longest_match(&host_ips4, &allowed_ips4, &k);
	} else {
		struct wgsf_lpm6_key k = { .prefixlen = 128 };

		__builtin_memcpy(k.addr, p->src, 16);
		return longest_match(&host_ips6, &allowed_ips6, &k);
	}
}

/* Whether addr lies in one of slot's allowed sources (dst 0) or
 * destinations (dst 1). */
static __always_inline int policy_match(int dst, __u32 slot, const struct packet *p,
					const __u8 *addr)
{
	if (p->version == 4) {
		struct wgsf_pol4_key k = {
			.prefixlen = WGSF_POL_SLOT_BITS + 32,
			.slot = bpf_htonl(slot),
		};

		__builtin_memcpy(k.addr, addr, 4);
		return (dst ? longest_match(&dst_hosts4, &dst_policy4, &k)
			    : longest_match(&src_hosts4, &src_policy4, &k)) != NULL;
	} else {
		struct wgsf_pol6_key k = {
			.prefixlen = WGSF_POL_SLOT_BITS + 128,
			.slot = bpf_htonl(slot),
		};

		__builtin_memcpy(k.addr, addr, 16);
		return (dst ? longest_match(&dst_hosts6, &dst_policy6, &k)
			    : longest_match(&src_hosts6, &src_policy6, &k)) != NULL;
	}
}

/* The peer's policy as its flags say it, for an entry whose bits do not. */
static __always_inline __u32 entry_of_flags(__u32 slot)
{
	const struct wgsf_peer_policy *pol = bpf_map_lookup_elem(&peer_policy, &slot);
	__u32 flags = pol ? pol->flags : 0;

	if (flags & WGSF_PEER_BLOCKED)
		return WGSF_ENTRY_BLOCKED;
	return (flags & WGSF_PEER_SRC_POLICY ? 0 : WGSF_ENTRY_POLICY) |
	       (flags & WGSF_PEER_DST_POLICY ? WGSF_ENTRY_DST : 0);
}

/* Returns the enum wgsf_reason the packet breaks, or -1 when it complies.
 * entry is the allowed-IPs entry that named the peer. */
static __always_inline int violation(const struct wgsf_config *cfg, __u32 entry,
				     const struct packet *p)
{
	__u32 slot = entry & WGSF_ENTRY_SLOT;

	/* Without any policy, spare the lookups: at a large table each is
	 * one more cache miss per packet. The config is one entry, always
	 * hot. An entry that holds its peer's policy spares them too. */
	if (!cfg->policied)
		return -1;
	if (!(entry & WGSF_ENTRY_POLICY)) {
		entry = entry_of_flags(slot);
		/* allowed sources that split the entry: ask them */
		if (!(entry & (WGSF_ENTRY_POLICY | WGSF_ENTRY_BLOCKED)) &&
		    !policy_match(0, slot, p, p->src))
			return WGSF_REASON_SOURCE;
	}
	if (entry & WGSF_ENTRY_BLOCKED)
		return WGSF_REASON_BLOCKED;
	if (entry & WGSF_ENTRY_SRC_OUT)
		return WGSF_REASON_SOURCE;
	if ((entry & WGSF_ENTRY_DST) && !policy_match(1, slot, p, p->dst))
		return WGSF_REASON_DESTINATION;
	return -1;
}


static __always_inline enum verdict account(struct wgsf_peer_stats *st,
					    const struct packet *p, int reason,
					    __u64 now, int enforce)
{
	__u32 zero = 0;
	struct wgsf_dev_stats *ds = bpf_map_lookup_elem(&dev_stats, &zero);

	st->violation_packets++;
	st->violation_bytes += p->len;
	if (reason < WGSF_REASON_COUNT)
		st->violations[reason]++;
	st->last_violation_ns = now;
	st->last_violation_reason = reason;
	addr_store(&st->last_violation_src, p, p->src);
	addr_store(&st->last_violation_dst, p, p->dst);
	/* after the peer's: a reader that sees the total moved sees the peer's */
	if (ds)
		ds->violation_packets++;
	if (!enforce)
		return VERDICT_PASS;
	st->drop_packets++;
	st->drop_bytes += p->len;
	return VERDICT_DROP;
}

static __always_inline void count_unknown(const struct packet *p)
{
	__u32 zero = 0;
	struct wgsf_dev_stats *ds = bpf_map_lookup_elem(&dev_stats, &zero);

	if (!ds)
		return;
	ds->unknown_packets++;
	ds->unknown_bytes += p->len;
	ds->last_unknown_ns = bpf_ktime_get_coarse_ns();
	addr_store(&ds->last_unknown_src, p, p->src);
}

static __always_inline void count_malformed(void)
{
	__u32 zero = 0;
	struct wgsf_dev_stats *ds = bpf_map_lookup_elem(&dev_stats, &zero);

	if (ds)
		ds->malformed_packets++;
}

/* Malformed packets pass: WireGuard vetted them, and wgsf never breaks what
 * it does not understand. */
static __always_inline enum verdict classify(void *data, void *data_end,
					     __u64 pkt_len)
{
	const struct wgsf_config *cfg;
	struct wgsf_peer_stats *st;
	__u32 *found, entry, slot, zero = 0;
	struct packet p;
	__u64 now;
	int reason;

	if (parse(data, data_end, pkt_len, &p)) {
		count_malformed();
		return VERDICT_PASS;
	}
	found = peer_of(&p);
	if (!found) {
		count_unknown(&p);
		return VERDICT_PASS;
	}
	entry = *found;
	slot = entry & WGSF_ENTRY_SLOT;
	st = bpf_map_lookup_elem(&peer_stats, &slot);
	if (!st)
		return VERDICT_PASS;
	now = bpf_ktime_get_coarse_ns();
	st->rx_packets++;
	st->rx_bytes += p.len;
	st->last_seen_ns = now;
	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg)
		return VERDICT_PASS;
	reason = violation(cfg, entry, &p);
	if (reason < 0)
		return VERDICT_PASS;
	return account(st, &p, reason, now, cfg->mode == WGSF_MODE_ENFORCE);
}

#endif
