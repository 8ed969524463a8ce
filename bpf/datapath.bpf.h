/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wgsf datapath: attribute each inbound packet on a WireGuard interface to
 * its peer, count it, and check it against the peer's policy. classify() is
 * the whole of it; the programs that hook it in (wgsf.bpf.c) and the
 * benchmark's (bench.bpf.c) only hand it the packet, and what GSO says of
 * it (struct gso). The IP header is parsed first, and what lies past it only
 * where something asks (parse.bpf.h): an aggregate's headers, a destination
 * rule's services, a reply's flow. The decision
 * (which peer, which rule) is include/wgsf_verdict.h, which wgsf lookup
 * compiles too; what is here counts.
 *
 * A packet that reaches wg ingress has already passed WireGuard's own
 * allowed-IPs check, so the longest allowed-IPs match of its source names
 * its sender exactly. What is checked here is stricter than allowed IPs:
 * allowed sources, destination rules (prefixes, and the services of each),
 * quarantine (quarantine.bpf.h); and what passes them all, against the
 * sender's rate limit (rate.bpf.h).
 */
#ifndef WGSF_DATAPATH_BPF_H
#define WGSF_DATAPATH_BPF_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "wgsf.h"
#include "parse.bpf.h"

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

/* The host routes again, in one-line buckets (see wgsf.h): sized by the
 * loader, mapped by it to write them. */
#define HOST_INDEX(name, bucket)                          \
	struct {                                          \
		__uint(type, BPF_MAP_TYPE_ARRAY);         \
		__uint(map_flags, BPF_F_MMAPABLE);        \
		__uint(max_entries, 3);                   \
		__type(key, __u32);                       \
		__type(value, bucket);                    \
	} name SEC(".maps")

HOST_INDEX(host_index4, struct wgsf_host4_bucket);
HOST_INDEX(host_index6, struct wgsf_host6_bucket);

/* Whether the datapath asks the index (always, but in the benchmark's
 * measure of the hashes alone): a constant, so the other way is not even
 * verified. */
const volatile __u32 host_index = 1;
#define WGSF_HOST_INDEX host_index

/*
 * The index is asked through a global function a family, verified once:
 * inlined, its ways' every outcome walked on through the rest of the
 * datapath cost the verifier 40 % more on wgsf's programs and 70 % on the
 * benchmark's. Scalars in, the answer out as -1, 0, or 1 << 32 | entry.
 */
__s64 wgsf_host_global4(__u32 a);
__s64 wgsf_host_global6(__u64 lo, __u64 hi);

static __always_inline int host_answer(__s64 r, __u32 *entry)
{
	if (r <= 0)
		return r;
	*entry = (__u32)r;
	return 1;
}

static __always_inline int host_call4(void *ctx, const __u8 *src, __u32 *entry)
{
	__u32 a;

	(void)ctx;
	__builtin_memcpy(&a, src, 4);
	return host_answer(wgsf_host_global4(a), entry);
}

static __always_inline int host_call6(void *ctx, const __u8 *src, __u32 *entry)
{
	__u64 lo, hi;

	(void)ctx;
	__builtin_memcpy(&lo, src, 8);
	__builtin_memcpy(&hi, src + 8, 8);
	return host_answer(wgsf_host_global6(lo, hi), entry);
}

#define WGSF_HOST_INDEX4 host_call4
#define WGSF_HOST_INDEX6 host_call6

/* Slots' counters, a copy per CPU in whole lines (see wgsf.h): sized by
 * the loader, which sets nr_cpus. */
#define PEER_STATS(name)                                  \
	struct {                                          \
		__uint(type, BPF_MAP_TYPE_ARRAY);         \
		__uint(map_flags, BPF_F_MMAPABLE);        \
		__uint(max_entries, 1);                   \
		__type(key, __u32);                       \
		__type(value, struct wgsf_peer_stats);    \
	} name SEC(".maps")

PEER_STATS(peer_stats);
/* The counters of the peer_stats before the last growth, which no program
 * of this object writes: userspace adds them to peer_stats' (see wgsf.h). */
PEER_STATS(peer_stats_prev);

const volatile __u32 nr_cpus = 0;

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
PREFIX_MAP(LPM_TRIE, services, struct wgsf_svc_key);

/* Only userspace reads it (see wgsf.h); pinned with the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2 * WGSF_POLICY_CHUNKS);
	__type(key, __u32);
	__type(value, struct wgsf_policy_chunk);
} policy_text SEC(".maps");

/* MMAPABLE: its value starts on a page, so that the line the datapath reads
 * (see wgsf.h) is one line, and the loader writes it through a mapping. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
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

/* Rate limits, by slot (see wgsf.h): only userspace reads it; pinned
 * with the rest. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct wgsf_rate_limit);
} rate_limit SEC(".maps");

/* Their buckets, and the datapath's copy of them, a line a slot:
 * MMAPABLE, so that each value starts a line (see wgsf.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct wgsf_rate_state);
} rate_state SEC(".maps");

/* Quarantine rules and states, by key (see wgsf.h). Key and value by
 * size, without BTF: the tracer's map of these maps holds them, and
 * Linux 6.1 refuses an inner map whose BTF differs from its template's. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, WGSF_MAX_PEERS);
	__uint(key_size, sizeof(struct wgsf_quar_key));
	__uint(value_size, sizeof(struct wgsf_quarantine));
} quarantine SEC(".maps");

/* The decision itself, shared with userspace (wgsf lookup). */
#define WGSF_VERDICT_FN __always_inline
/* one set of maps: ctx, userspace's fds, is not needed */
#define WGSF_LOOKUP(ctx, map, key) ((void)(ctx), bpf_map_lookup_elem(&(map), key))
#define wgsf_htonl(x) bpf_htonl(x)
#define wgsf_htons(x) bpf_htons(x)
#include "wgsf_verdict.h"
/* after the decision: an ICMP error's reply asks its peer lookup */
#include "flows.bpf.h"

static __always_inline __s64 host_global(int r, __u32 entry)
{
	return r > 0 ? (__s64)1 << 32 | entry : r;
}

__noinline __s64 wgsf_host_global4(__u32 a)
{
	__u32 entry = 0;
	__u8 src[4];

	__builtin_memcpy(src, &a, 4);
	return host_global(wgsf_host_index4(NULL, src, &entry), entry);
}

__noinline __s64 wgsf_host_global6(__u64 lo, __u64 hi)
{
	__u32 entry = 0;
	__u8 src[16];

	__builtin_memcpy(src, &lo, 8);
	__builtin_memcpy(src + 8, &hi, 8);
	return host_global(wgsf_host_index6(NULL, src, &entry), entry);
}

enum verdict { VERDICT_PASS, VERDICT_DROP };

/*
 * What the hook knows of an aggregate, many packets of its sender's in one
 * skb under one copy of their headers: its segment count and size (0 and 0
 * for a plain skb, which is one packet).
 */
struct gso {
	__u32 size;
	__u32 segs;
};

/* What a counter adds for one skb: its packets, and their IP bytes. */
struct tally {
	__u64 packets;
	__u64 bytes;
};

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

/* The port the decision asks of the packet: TCP's, UDP's and SCTP's
 * destination port, ICMP's type and code. */
static __always_inline __u16 query_port(const struct wgsf_l4 *l4)
{
	if (l4->proto == IPPROTO_ICMP || l4->proto == IPPROTO_ICMPV6)
		return l4->type << 8 | l4->code;
	return l4->dport;
}

/*
 * The upper layer, read once, where the first thing asks for it: l4->off
 * is 0 until then (an L4 header never starts at 0).
 */
struct upper {
	struct wgsf_l4 l4;
	__u32 end;
};

static __always_inline const struct wgsf_l4 *upper_of(WGSF_CTX *ctx, const struct packet *p,
						       struct upper *u)
{
	if (!u->l4.off)
		parse_l4(ctx, p, l3_offset, u->end, &u->l4);
	return &u->l4;
}

#include "events.bpf.h"
#include "flowrec.bpf.h"
#include "rate.bpf.h"
#include "quarantine.bpf.h"

static __always_inline enum verdict account(__u32 slot, struct wgsf_peer_stats *st,
					    const struct packet *p, const struct wgsf_l4 *l4,
					    const struct tally *t, int reason, __u64 now, int enforce)
{
	__u32 zero = 0;
	struct wgsf_dev_stats *ds = bpf_map_lookup_elem(&dev_stats, &zero);

	st->violation_packets += t->packets;
	st->violation_bytes += t->bytes;
	if (reason < WGSF_REASON_COUNT)
		st->violations[reason] += t->packets;
	st->last_violation_ns = now;
	st->last_violation_reason = reason;
	addr_store(&st->last_violation_src, p, p->src);
	addr_store(&st->last_violation_dst, p, p->dst);
	st->last_violation_proto = l4->proto;
	st->last_violation_l4 = l4->flags;
	st->last_violation_port = query_port(l4);
	/* after the peer's: a reader that sees the total moved sees the peer's */
	if (ds)
		ds->violation_packets += t->packets;
	event_write(slot, st, ds, p, l4, t->packets, t->bytes, reason, enforce, now);
	if (!enforce)
		return VERDICT_PASS;
	st->drop_packets += t->packets;
	st->drop_bytes += t->bytes;
	return VERDICT_DROP;
}

static __always_inline void count_unknown(const struct packet *p, const struct tally *t)
{
	__u32 zero = 0;
	struct wgsf_dev_stats *ds = bpf_map_lookup_elem(&dev_stats, &zero);

	if (!ds)
		return;
	ds->unknown_packets += t->packets;
	ds->unknown_bytes += t->bytes;
	ds->last_unknown_ns = bpf_ktime_get_coarse_ns();
	addr_store(&ds->last_unknown_src, p, p->src);
}

static __always_inline void count_malformed(__u32 packets)
{
	__u32 zero = 0;
	struct wgsf_dev_stats *ds = bpf_map_lookup_elem(&dev_stats, &zero);

	if (ds)
		ds->malformed_packets += packets;
}

/*
 * How many packets an skb stands for: its segment count where GRO set it;
 * where a TUN device's writer handed over a GSO frame (virtio_net_hdr), the
 * kernel leaves the count 0 and it follows from the segment size and the
 * headers each segment has (header_len), as the kernel works it out later;
 * a plain skb is one packet.
 */
static __always_inline __u32 segments(const struct gso *gso, __u64 pkt_len, __u32 header_len)
{
	__u64 headers = l3_offset + header_len;

	if (!gso->size)
		return 1;
	if (gso->segs)
		return gso->segs;
	return pkt_len > headers ? (pkt_len - headers + gso->size - 1) / gso->size : 1;
}

/* The packets an skb stands for and their IP bytes: the aggregate's IP
 * length holds one copy of the headers, and every other packet had its own
 * (the kernel's qdisc_pkt_len_init() counts an aggregate the same way). */
static __always_inline struct tally tally_of(const struct packet *p, const struct wgsf_l4 *l4,
					     const struct gso *gso, __u64 pkt_len)
{
	__u32 n = segments(gso, pkt_len, l4->header_len);

	return (struct tally){
		.packets = n,
		.bytes = p->len + (__u64)(n - 1) * l4->header_len,
	};
}

/* An skb's tally: a plain one is one packet of its IP length; an
 * aggregate needs the headers that each of its packets had. */
static __always_inline struct tally tally_lazy(WGSF_CTX *ctx, const struct packet *p,
					       struct upper *u, const struct gso *gso,
					       __u64 pkt_len)
{
	if (!gso->size)
		return (struct tally){ .packets = 1, .bytes = p->len };
	return tally_of(p, upper_of(ctx, p, u), gso, pkt_len);
}

/*
 * ctx is the program's (for WGSF_LOAD_BYTES), data to data_end what it
 * reads directly, pkt_len the packet's length. Malformed packets pass:
 * WireGuard vetted them, and wgsf never breaks what it does not understand.
 */
static __always_inline enum verdict classify(WGSF_CTX *ctx, void *data, void *data_end,
					     __u64 pkt_len, const struct gso *gso)
{
	struct wgsf_flowrec *flow = NULL;
	struct upper u = {};
	struct wgsf_peer_stats *st;
	struct wgsf_verdict v;
	struct wgsf_query q;
	struct packet p;
	struct tally t;
	int reply = 0;
	__u32 slot, key;
	__u64 now;

	if (parse_ip(data, data_end, pkt_len, gso->size != 0, &p)) {
		/* no headers known: an aggregate's count from its bytes alone */
		count_malformed(segments(gso, pkt_len, 0));
		return VERDICT_PASS;
	}
	u.end = ip_end(&p, pkt_len);
	t = tally_lazy(ctx, &p, &u, gso, pkt_len);
	q = (struct wgsf_query){ .version = p.version, .src = p.src, .dst = p.dst };
	if (flowrec_size)
		flow = flowrec_of(&p, upper_of(ctx, &p, &u));
	if (wgsf_decide(NULL, &q, &v))
		return VERDICT_PASS;
	if (!v.found) {
		count_unknown(&p, &t);
		return VERDICT_PASS;
	}
	slot = v.entry & WGSF_ENTRY_SLOT;
	key = slot * nr_cpus + bpf_get_smp_processor_id();
	st = bpf_map_lookup_elem(&peer_stats, &key);
	if (!st)
		return VERDICT_PASS;
	now = bpf_ktime_get_coarse_ns();
	st->rx_packets += t.packets;
	st->rx_bytes += t.bytes;
	st->last_seen_ns = now;
	if (flowrec_size)
		flowrec_count(slot, &p, upper_of(ctx, &p, &u), flow, t.packets, t.bytes, now);
	/* one branch for both: two, and the verifier walks what follows more
	 * often (the benchmark's program cost 10 % more instructions) */
	if (v.reason == -1 && !(v.rate | v.quar))
		return VERDICT_PASS;
	if (v.reason != -1) {
		upper_of(ctx, &p, &u);
		if (v.reason == WGSF_REASON_PENDING) {
			q.l4 = 1;
			q.proto = u.l4.proto;
			q.l4_flags = u.l4.flags;
			q.dport = query_port(&u.l4);
			wgsf_decide_service(NULL, &q, &v);
		}
		/* replies pass the destination rules, and only those */
		reply = (v.reason == WGSF_REASON_DESTINATION ||
			 v.reason == WGSF_REASON_SERVICE) &&
			flow_reply(ctx, &p, &u.l4, u.end, slot);
		if (reply)
			v.reason = -1;
	}
	/* The reason is final: the quarantine counts it, or overrides it. Its
	 * answer is compared, not taken: a reason the verifier knows on each
	 * path keeps them few (taken, they cost the benchmark's program 23 %
	 * more to verify). */
	if (v.quar &&
	    wgsf_quarantine(slot, v.reason, t.packets, now) == WGSF_REASON_QUARANTINED)
		v.reason = WGSF_REASON_QUARANTINED;
	/* what breaks no rule, replies included, is still what the peer sends */
	if (v.reason == -1) {
		if (!v.rate || !wgsf_rate_over(slot, t.packets, t.bytes, now)) {
			if (reply)
				st->reply_packets += t.packets;
			return VERDICT_PASS;
		}
		v.reason = WGSF_REASON_RATE;
		st->rate_bytes += t.bytes;
	}
	return account(slot, st, &p, upper_of(ctx, &p, &u), &t, v.reason, now, v.enforce);
}

/*
 * An outgoing packet, from the gateway's side: recorded in the flow table
 * where it goes to a peer with destination rules (flows.bpf.h). While no
 * peer has any, nothing is read but the config. aggregate: a GSO skb.
 */
static __always_inline void record_outgoing(WGSF_CTX *ctx, void *data, void *data_end,
					     __u64 pkt_len, int aggregate)
{
	const struct wgsf_config *cfg;
	struct wgsf_query q;
	struct wgsf_l4 l4;
	struct packet p;
	const struct wgsf_peer_policy *pol;
	__u32 zero = 0, bits;

	cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg || !cfg->dst_rules || parse_ip(data, data_end, pkt_len, aggregate, &p))
		return;
	/* the peer it goes to: as for the source of what comes from it */
	q = (struct wgsf_query){ .version = p.version, .src = p.dst };
	if (!wgsf_peer_of(NULL, &q, &bits))
		return;
	if (!(bits & WGSF_ENTRY_POLICY))
		bits = wgsf_entry_of_flags(NULL, bits & WGSF_ENTRY_SLOT, &pol);
	if (!(bits & WGSF_ENTRY_DST))
		return;
	parse_l4(ctx, &p, l3_offset, ip_end(&p, pkt_len), &l4);
	flow_record(&p, &l4);
}

#endif
