/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the datapath decides for a packet: which peer sent it (the longest
 * allowed-IPs match of its source), which rule of that peer's policy it
 * breaks, and whether it is dropped. Written once and compiled twice: into
 * the BPF program (bpf/datapath.bpf.h) and into userspace
 * (loader/tables/verdict.c, for wgsf lookup and the tests), so that lookup
 * answers as the datapath does, from the same tables, by the same steps.
 *
 * Any file may include it for the types. The functions come with it where
 * the includer defined first:
 *   WGSF_VERDICT_FN            the qualifiers of these static functions
 *   WGSF_LOOKUP(ctx, map, key) the value of key in the datapath's map of
 *                              that name (as the BPF object names it), or
 *                              NULL when it holds none
 *   wgsf_htonl(x), wgsf_htons(x) host to network byte order, 32 and 16 bits
 */
#ifndef WGSF_VERDICT_TYPES
#define WGSF_VERDICT_TYPES

#include "wgsf.h"
#include "wgsf_hosts.h"

/* wgsf_query.l4_flags: what the upper layer's header does not say. */
#define WGSF_L4_FRAGMENT (1u << 0) /* a non-first fragment: no L4 header, no ports */
#define WGSF_L4_SHORT (1u << 1)    /* the L4 header is cut short: no ports (TCP, UDP,
				    * SCTP: < 4 bytes), no type and code (ICMP: < 2) */
#define WGSF_L4_UNWALKED (1u << 2) /* an IPv6 extension header chain too long or cut
				    * short: protocol 255, no ports */

/*
 * What the decision reads: the addresses, each 4 or 16 bytes as version
 * says, and the upper layer where l4 says it is known (all 0 otherwise).
 */
struct wgsf_query {
	__u8 version;  /* 4 or 6 */
	__u8 l4;       /* the fields below are filled: the upper layer was read */
	__u8 proto;    /* the upper-layer protocol, past IPv6 extension headers */
	__u8 l4_flags; /* WGSF_L4_* */
	__u16 dport;   /* TCP, UDP, SCTP: the destination port; ICMP, ICMPv6:
			* type << 8 | code */
	const __u8 *src;
	/* NULL (userspace only): not known, and destination rules unasked */
	const __u8 *dst;
};

/* wgsf_verdict.reason while the destination's service set is still to be
 * asked, which needs the upper layer (wgsf_decide_service). */
#define WGSF_REASON_PENDING (-2)

struct wgsf_verdict {
	__u32 entry;  /* the allowed-IPs entry that named the sender: slot and bits */
	__s32 reason; /* the enum wgsf_reason broken, -1, or WGSF_REASON_PENDING */
	__u32 set;    /* the service set of the destination's longest rule prefix,
		       * where one was asked (WGSF_SET_ANY: every protocol) */
	__u8 found;   /* an allowed IP holds the source; else it is unknown */
	__u8 drop;    /* a violation in enforce mode */
	__u8 dst_unasked; /* the sender has allowed destinations, and dst was NULL */
	__u8 enforce;     /* the mode, for what wgsf_decide_service decides */
	__u8 svc_unasked; /* userspace: the destination's services decide, and
			   * the upper layer was not known */
	__u8 rate;        /* the sender has a rate limit: what passes every
			   * rule is metered against it (the datapath's alone) */
	__u8 quar;        /* the sender has a quarantine entry: the datapath
			   * asks it once the reason is final */
};

#endif /* WGSF_VERDICT_TYPES */

#if defined(WGSF_LOOKUP) && !defined(WGSF_VERDICT_FNS)
#define WGSF_VERDICT_FNS

/* A host route is the longest match there is: the trie, which holds only
 * shorter prefixes, is asked only when the hash has none. Each only where
 * it may hold the key (ask_hosts, ask_trie). */
#define WGSF_LONGEST(ctx, hosts, trie, key, ask_hosts, ask_trie)                   \
	({                                                                         \
		void *v_ = (ask_hosts) ? WGSF_LOOKUP(ctx, hosts, key) : NULL;      \
		v_ ?: (ask_trie) ? WGSF_LOOKUP(ctx, trie, key) : NULL;             \
	})

#ifndef WGSF_HOST_INDEX
#define WGSF_HOST_INDEX 1
#endif
/* The includer may ask the index through a function of its own. */
#ifndef WGSF_HOST_INDEX4
#define WGSF_HOST_INDEX4 wgsf_host_index4
#define WGSF_HOST_INDEX6 wgsf_host_index6
#endif

/* The host-route index's answer for an address (wgsf.h): 1 with *entry, 0
 * where no host route holds it, -1 where the hash may (or the index is not
 * built yet). One function a family: a family tested in each step doubles
 * what the verifier walks. */
static WGSF_VERDICT_FN int wgsf_host_index4(void *ctx, const __u8 *src, __u32 *entry)
{
	const struct wgsf_host4_bucket *b;
	const struct wgsf_hosts_head *head;
	__u32 zero = 0, a, i;
	__u8 flags;
	__u64 h;

	head = WGSF_LOOKUP(ctx, host_index4, &zero);
	if (!head || !head->mask)
		return -1;
	__builtin_memcpy(&a, src, 4);
	h = wgsf_host_hash4(head->seed, a);
	i = wgsf_hosts_bucket(head, h, 0);
	b = WGSF_LOOKUP(ctx, host_index4, &i);
	if (!b)
		return -1;
	if (wgsf_host4_find(b, a, entry) >= 0)
		return 1;
	flags = b->flags;
	if (!flags)
		return 0;
	i = wgsf_hosts_bucket(head, h, 1);
	b = WGSF_LOOKUP(ctx, host_index4, &i);
	if (b && wgsf_host4_find(b, a, entry) >= 0)
		return 1;
	return !b || flags & WGSF_HOSTS_OVERFLOW ? -1 : 0;
}

static WGSF_VERDICT_FN int wgsf_host_index6(void *ctx, const __u8 *src, __u32 *entry)
{
	const struct wgsf_host6_bucket *b;
	const struct wgsf_hosts_head *head;
	__u32 zero = 0, i;
	__u64 h, lo, hi;
	__u8 flags;

	head = WGSF_LOOKUP(ctx, host_index6, &zero);
	if (!head || !head->mask)
		return -1;
	__builtin_memcpy(&lo, src, 8);
	__builtin_memcpy(&hi, src + 8, 8);
	h = wgsf_host_hash6(head->seed, lo, hi);
	i = wgsf_hosts_bucket(head, h, 0);
	b = WGSF_LOOKUP(ctx, host_index6, &i);
	if (!b)
		return -1;
	if (wgsf_host6_find(b, lo, hi, entry) >= 0)
		return 1;
	flags = b->flags;
	if (!flags)
		return 0;
	i = wgsf_hosts_bucket(head, h, 1);
	b = WGSF_LOOKUP(ctx, host_index6, &i);
	if (b && wgsf_host6_find(b, lo, hi, entry) >= 0)
		return 1;
	return !b || flags & WGSF_HOSTS_OVERFLOW ? -1 : 0;
}

/* The allowed-IPs entry that names q->src's sender, in *entry; 0 where
 * none holds it. */
static WGSF_VERDICT_FN int wgsf_peer_of(void *ctx, const struct wgsf_query *q, __u32 *entry)
{
	int host = -1;
	__u32 *v;

	if (q->version == 4) {
		struct wgsf_lpm4_key k = { .prefixlen = 32 };

		if (WGSF_HOST_INDEX)
			host = WGSF_HOST_INDEX4(ctx, q->src, entry);
		if (host > 0)
			return 1;
		__builtin_memcpy(k.addr, q->src, 4);
		v = host ? WGSF_LOOKUP(ctx, host_ips4, &k) : NULL;
		v = v ?: WGSF_LOOKUP(ctx, allowed_ips4, &k);
	} else {
		struct wgsf_lpm6_key k = { .prefixlen = 128 };

		if (WGSF_HOST_INDEX)
			host = WGSF_HOST_INDEX6(ctx, q->src, entry);
		if (host > 0)
			return 1;
		__builtin_memcpy(k.addr, q->src, 16);
		v = host ? WGSF_LOOKUP(ctx, host_ips6, &k) : NULL;
		v = v ?: WGSF_LOOKUP(ctx, allowed_ips6, &k);
	}
	if (!v)
		return 0;
	*entry = *v;
	return 1;
}

/* Allowed sources (dst 0): whether addr lies in one of slot's. Destination
 * rules (dst 1): the service set of the longest prefix of ruleset owner
 * that holds addr, or NULL, from the tables that its bits name. */
static WGSF_VERDICT_FN __u32 *wgsf_policy_match(void *ctx, int dst, __u32 owner, __u8 version,
						const __u8 *addr)
{
	if (version == 4) {
		struct wgsf_pol4_key k = {
			.prefixlen = WGSF_POL_SLOT_BITS + 32,
			.owner = wgsf_htonl(owner),
		};

		__builtin_memcpy(k.addr, addr, 4);
		return dst ? WGSF_LONGEST(ctx, dst_hosts4, dst_policy4, &k,
					  owner & WGSF_RULESET_HOSTS4, owner & WGSF_RULESET_PREFIXES4)
			   : WGSF_LONGEST(ctx, src_hosts4, src_policy4, &k, 1, 1);
	} else {
		struct wgsf_pol6_key k = {
			.prefixlen = WGSF_POL_SLOT_BITS + 128,
			.owner = wgsf_htonl(owner),
		};

		__builtin_memcpy(k.addr, addr, 16);
		return dst ? WGSF_LONGEST(ctx, dst_hosts6, dst_policy6, &k,
					  owner & WGSF_RULESET_HOSTS6, owner & WGSF_RULESET_PREFIXES6)
			   : WGSF_LONGEST(ctx, src_hosts6, src_policy6, &k, 1, 1);
	}
}

/* The peer's policy as its flags say it, for an entry whose bits do not;
 * *pol the policy read (NULL: none), for what asks it next. */
static WGSF_VERDICT_FN __u32 wgsf_entry_of_flags(void *ctx, __u32 slot,
						  const struct wgsf_peer_policy **pol)
{
	__u32 flags;

	*pol = WGSF_LOOKUP(ctx, peer_policy, &slot);
	flags = *pol ? (*pol)->flags : 0;

	if (flags & WGSF_PEER_BLOCKED)
		return WGSF_ENTRY_BLOCKED;
	return (flags & WGSF_PEER_SRC_POLICY ? 0 : WGSF_ENTRY_POLICY) |
	       (flags & WGSF_PEER_DST_POLICY ? WGSF_ENTRY_DST : 0) |
	       (flags & WGSF_PEER_RATE ? WGSF_ENTRY_RATE : 0) |
	       (flags & WGSF_PEER_QUAR ? WGSF_ENTRY_QUAR : 0);
}

/* The destination rules' answer for a peer that has some (its policy pol,
 * NULL: not read yet): a reason, -1, or WGSF_REASON_PENDING with v->set to
 * ask. */
static WGSF_VERDICT_FN int wgsf_destination(void *ctx, __u32 slot,
					    const struct wgsf_peer_policy *pol,
					    const struct wgsf_query *q, struct wgsf_verdict *v)
{
	__u32 *set;

	if (!q->dst) {
		v->dst_unasked = 1;
		return -1;
	}
	if (!pol)
		pol = WGSF_LOOKUP(ctx, peer_policy, &slot);
	set = pol ? wgsf_policy_match(ctx, 1, pol->ruleset, q->version, q->dst) : 0;
	if (!set)
		return WGSF_REASON_DESTINATION;
	v->set = *set;
	return v->set == WGSF_SET_ANY ? -1 : WGSF_REASON_PENDING;
}

/* The enum wgsf_reason that a packet from the peer of entry breaks, -1, or
 * WGSF_REASON_PENDING, and v->rate and v->quar. Without any policy on the interface,
 * no lookup at all: at a large table each is one more cache miss per
 * packet. An entry that holds its peer's policy in its bits spares the
 * peer's flags and allowed sources. */
static WGSF_VERDICT_FN int wgsf_violation(void *ctx, const struct wgsf_config *cfg,
					  const struct wgsf_query *q, struct wgsf_verdict *v)
{
	__u32 entry = v->entry, slot = entry & WGSF_ENTRY_SLOT;
	const struct wgsf_peer_policy *pol = NULL;

	if (!cfg->policied)
		return -1;
	if (!(entry & WGSF_ENTRY_POLICY)) {
		entry = wgsf_entry_of_flags(ctx, slot, &pol);
		/* allowed sources that split the entry: ask them */
		if (!(entry & (WGSF_ENTRY_POLICY | WGSF_ENTRY_BLOCKED)) &&
		    !wgsf_policy_match(ctx, 0, slot, q->version, q->src))
			entry |= WGSF_ENTRY_SRC_OUT;
	}
	v->rate = !!(entry & WGSF_ENTRY_RATE);
	v->quar = !!(entry & WGSF_ENTRY_QUAR);
	if (entry & WGSF_ENTRY_BLOCKED)
		return WGSF_REASON_BLOCKED;
	if (entry & WGSF_ENTRY_SRC_OUT)
		return WGSF_REASON_SOURCE;
	if (!(entry & WGSF_ENTRY_DST))
		return -1;
	return wgsf_destination(ctx, slot, pol, q, v);
}

/* Whether service set v->set admits the upper layer of q (filled). A
 * fragment asks whether the set names its protocol; a header cut short,
 * whether it admits every port of it; a chain not walked, nothing. */
static WGSF_VERDICT_FN void wgsf_decide_service(void *ctx, const struct wgsf_query *q,
						struct wgsf_verdict *v)
{
	struct wgsf_svc_key k = {
		.prefixlen = WGSF_SVC_BITS,
		.set = wgsf_htonl(v->set),
		.proto = q->proto,
		.kind = WGSF_SVC_PORT,
		.port = wgsf_htons(q->dport),
	};

	if (q->l4_flags & WGSF_L4_FRAGMENT)
		k.kind = WGSF_SVC_NAMED;
	else if (q->l4_flags & WGSF_L4_SHORT)
		k.kind = WGSF_SVC_ALL;
	if (q->l4_flags & WGSF_L4_FRAGMENT || q->l4_flags & WGSF_L4_SHORT)
		k.port = 0;
	if (!(q->l4_flags & WGSF_L4_UNWALKED) && WGSF_LOOKUP(ctx, services, &k))
		v->reason = -1;
	else
		v->reason = WGSF_REASON_SERVICE;
	v->drop = v->reason >= 0 && v->enforce;
}

/* 0 with v filled, or -1 when the config cannot be read (nothing decided).
 * Where the destination's service set decides and q's upper layer is not
 * known, v->reason is WGSF_REASON_PENDING: wgsf_decide_service() finishes
 * it once the caller has read the upper layer (the datapath reads it only
 * then). */
static WGSF_VERDICT_FN int wgsf_decide(void *ctx, const struct wgsf_query *q,
				       struct wgsf_verdict *v)
{
	const struct wgsf_config *cfg;
	__u32 zero = 0;

	__builtin_memset(v, 0, sizeof(*v));
	v->reason = -1;
	cfg = WGSF_LOOKUP(ctx, config, &zero);
	if (!cfg)
		return -1;
	v->enforce = cfg->mode == WGSF_MODE_ENFORCE;
	if (!wgsf_peer_of(ctx, q, &v->entry))
		return 0;
	v->found = 1;
	v->reason = wgsf_violation(ctx, cfg, q, v);
	if (v->reason == WGSF_REASON_PENDING && q->l4)
		wgsf_decide_service(ctx, q, v);
	v->drop = v->reason >= 0 && v->enforce;
	return 0;
}

#endif /* WGSF_VERDICT_FNS */
