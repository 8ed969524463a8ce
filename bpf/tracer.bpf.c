// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracer: what kernel WireGuard itself drops, per sending peer.
 *
 * After decrypting a data packet, WireGuard asks wg_allowedips_lookup_src()
 * which peer's allowed IPs hold the packet's source, and drops the packet
 * (counting it only in the device's rx_frame_errors) when that is not the
 * peer that sent it. This program runs as that call returns, sees both
 * peers, and counts exactly those drops, for the interfaces wgsf attached;
 * each also counts toward the sender's Quarantine rule, as a violation
 * does in the datapath.
 *
 * The kernel's and WireGuard's structures are declared here with only the
 * fields read, and CO-RE places each field by its name in the running
 * kernel's and the wireguard module's BTF: nothing is taken from the build
 * host's kernel.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "wgsf_tracer.h"
#include "wgsf_verdict.h"
#include "quarantine_count.bpf.h"

#define CORE __attribute__((preserve_access_index))

struct net {
	__u64 net_cookie;
} CORE;

struct net_device {
	int ifindex;
	struct {
		struct net *net;
	} nd_net;
} CORE;

struct sk_buff {
	char cb[48];
	unsigned int len;
	unsigned char *data;
	__be16 protocol;
} CORE;

struct wg_peer;

struct index_hashtable_entry {
	struct wg_peer *peer;
} CORE;

struct noise_keypair {
	struct index_hashtable_entry entry;
} CORE;

struct noise_keypairs {
	struct noise_keypair *current_keypair;
} CORE;

struct noise_handshake {
	__u8 remote_static[32]; /* the peer's public key */
} CORE;

struct wg_device {
	struct net_device *dev;
} CORE;

struct wg_peer {
	struct wg_device *device;
	struct noise_keypairs keypairs;
	struct noise_handshake handshake;
} CORE;

/* What WireGuard keeps in skb->cb while a packet is being received. */
struct packet_cb {
	struct noise_keypair *keypair;
} CORE;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, WGSF_TRACER_MAX_IFACES);
	__type(key, struct wgsf_tracer_iface);
	__type(value, struct wgsf_rejected_total);
} tracer_ifaces SEC(".maps");

/* Entries come only with rejected packets: allocated as they come. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, WGSF_TRACER_MAX_PEERS);
	__type(key, struct wgsf_rejected_key);
	__type(value, struct wgsf_rejected);
} tracer_rejected SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct wgsf_tracer_abi);
} tracer_abi SEC(".maps");

/* Each interface's datapath maps for its events: the ring, and the lease
 * of its reader (see bpf/events.bpf.h), as the loader registered them. */
struct iface_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, WGSF_EVENT_RING);
};

struct iface_lease {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, WGSF_TRACER_MAX_IFACES);
	__type(key, struct wgsf_tracer_iface);
	__array(values, struct iface_ring);
} tracer_rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, WGSF_TRACER_MAX_IFACES);
	__type(key, struct wgsf_tracer_iface);
	__array(values, struct iface_lease);
} tracer_leases SEC(".maps");

/* Each interface's quarantine map (the datapath's quarantine), as the
 * loader registered it. Key and value by size, as the datapath declares
 * it: Linux 6.1 refuses an inner map whose BTF differs from the
 * template's. */
struct iface_quarantine {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, WGSF_MAX_PEERS);
	__uint(key_size, sizeof(struct wgsf_quar_key));
	__uint(value_size, sizeof(struct wgsf_quarantine));
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, WGSF_TRACER_MAX_IFACES);
	__type(key, struct wgsf_tracer_iface);
	__array(values, struct iface_quarantine);
} tracer_quarantine SEC(".maps");

/* Entries come only with events: allocated as they come. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, WGSF_TRACER_MAX_PEERS);
	__type(key, struct wgsf_rejected_key);
	__type(value, struct wgsf_event_budget);
} tracer_budget SEC(".maps");

#include "event_record.bpf.h"

/* A rejected packet: its IP length, addresses, and upper layer: the
 * protocol that the IP header names (IPv6 extension headers are not
 * walked), ports or ICMP type and code where they are there to read
 * (l4_flags as the datapath's). */
struct rejected_packet {
	__u32 len;
	struct wgsf_addr src;
	struct wgsf_addr dst;
	struct wgsf_l4 l4; /* proto, flags, ports, type and code */
};

/* The first four bytes past the IP header, at off, of an skb of len. */
static __always_inline void read_upper(struct wgsf_l4 *l4, const unsigned char *data, __u32 off,
				       __u32 len)
{
	__u8 b[4] = {};
	int icmp = l4->proto == IPPROTO_ICMP || l4->proto == IPPROTO_ICMPV6;

	if (l4->flags || (!icmp && l4->proto != IPPROTO_TCP && l4->proto != IPPROTO_UDP &&
			  l4->proto != IPPROTO_SCTP))
		return;
	if (len < off + (icmp ? 2 : 4)) {
		l4->flags = WGSF_L4_SHORT;
		return;
	}
	bpf_probe_read_kernel(b, icmp ? 2 : 4, data + off);
	l4->type = b[0];
	l4->code = b[1];
	l4->sport = b[0] << 8 | b[1];
	l4->dport = b[2] << 8 | b[3];
}

/* WireGuard has set skb->protocol to IPv4 or IPv6 from the header at
 * skb->data, and checked that the header is there, before asking. */
static __always_inline void read_packet(struct sk_buff *skb, struct rejected_packet *p)
{
	unsigned char *data = BPF_CORE_READ(skb, data);
	__u32 off;

	if (BPF_CORE_READ(skb, protocol) == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr h = {};

		bpf_probe_read_kernel(&h, sizeof(h), data);
		p->len = sizeof(h) + bpf_ntohs(h.payload_len);
		__builtin_memcpy(p->src.addr, &h.saddr, 16);
		__builtin_memcpy(p->dst.addr, &h.daddr, 16);
		p->src.version = p->dst.version = 6;
		p->l4.proto = h.nexthdr;
		off = sizeof(h);
	} else {
		struct iphdr h = {};

		bpf_probe_read_kernel(&h, sizeof(h), data);
		p->len = bpf_ntohs(h.tot_len);
		__builtin_memcpy(p->src.addr, &h.saddr, 4);
		__builtin_memcpy(p->dst.addr, &h.daddr, 4);
		p->src.version = p->dst.version = 4;
		p->l4.proto = h.protocol;
		if (h.frag_off & bpf_htons(0x1fff))
			p->l4.flags = WGSF_L4_FRAGMENT;
		off = h.ihl * 4;
	}
	read_upper(&p->l4, data, off, BPF_CORE_READ(skb, len));
}

/* key's value in map, added as zero where it has none. Another CPU may
 * add it in between: then ours fails, and the lookup finds theirs. When
 * the map is full, NULL. */
static __always_inline void *lookup_or_add(void *map, const void *key, const void *zero)
{
	void *v = bpf_map_lookup_elem(map, key);

	if (v)
		return v;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

static const struct wgsf_rejected no_rejected;
static const struct wgsf_event_budget full_budget;

static __always_inline void count_peer(struct wgsf_rejected *st, const struct rejected_packet *p,
				       struct wg_peer *owner, __u64 now)
{
	st->packets++;
	st->bytes += p->len;
	st->last_ns = now;
	st->last_src = p->src;
	st->last_dst = p->dst;
	st->last_has_owner = owner != NULL;
	if (owner)
		BPF_CORE_READ_INTO(&st->last_owner, owner, handshake.remote_static);
	else
		__builtin_memset(st->last_owner, 0, sizeof(st->last_owner));
}

static __always_inline void event_fill(struct wgsf_event *e, const struct wgsf_rejected_key *key,
				       const struct rejected_packet *p, __u64 now)
{
	__builtin_memset(e, 0, sizeof(*e));
	e->time_ns = now;
	e->packets = 1;
	e->bytes = p->len;
	e->reason = WGSF_EVENT_REJECTED;
	e->action = WGSF_ACTION_DROPPED;
	UPPER_STORE(e, &p->l4);
	e->src = p->src;
	e->dst = p->dst;
	__builtin_memcpy(e->public_key, key->public_key, sizeof(e->public_key));
}

/* The rejected packet's event, while the interface's reader holds its
 * lease; counted where it is not written (see the datapath's). */
static __always_inline void event_write(const struct wgsf_rejected_key *key,
					const struct rejected_packet *p, struct wgsf_rejected *st,
					struct wgsf_rejected_total *total, __u64 now)
{
	void *lease = bpf_map_lookup_elem(&tracer_leases, &key->iface), *ring;
	struct wgsf_event_budget *b;
	struct wgsf_event *e;
	__u32 zero = 0;
	__u64 *until;

	until = lease ? bpf_map_lookup_elem(lease, &zero) : NULL;
	if (!until || *until < now)
		return;
	ring = bpf_map_lookup_elem(&tracer_rings, &key->iface);
	b = ring ? lookup_or_add(&tracer_budget, key, &full_budget) : NULL;
	if (!b)
		return;
	if (!budget_take(b, now)) {
		st->event_suppressed++;
		total->event_suppressed++;
		return;
	}
	e = bpf_ringbuf_reserve(ring, sizeof(*e), 0);
	if (!e) {
		total->event_lost++;
		return;
	}
	event_fill(e, key, p, now);
	bpf_ringbuf_submit(e, 0);
}

/* The rejected packet counts toward the sender's Quarantine rule, in its
 * entry of the interface's quarantine map, as its violations do in the
 * datapath; in quarantine, nothing counts. */
static __always_inline void count_quarantine(const struct wgsf_rejected_key *key, __u64 now)
{
	void *quar = bpf_map_lookup_elem(&tracer_quarantine, &key->iface);
	struct wgsf_quarantine *q = quar ? bpf_map_lookup_elem(quar, key->public_key) : NULL;

	if (q && now >= q->until_ns)
		quar_count(q, now, WGSF_QUAR_REJECTED, 1);
}

static __always_inline void count(struct sk_buff *skb, struct wg_peer *sender,
				  struct wg_peer *owner)
{
	struct net_device *dev = BPF_CORE_READ(sender, device, dev);
	struct wgsf_rejected_key key = {
		.iface = {
			.netns_cookie = BPF_CORE_READ(dev, nd_net.net, net_cookie),
			.ifindex = BPF_CORE_READ(dev, ifindex),
		},
	};
	struct wgsf_rejected_total *total = bpf_map_lookup_elem(&tracer_ifaces, &key.iface);
	struct rejected_packet p = {};
	struct wgsf_rejected *st;
	__u64 now;

	if (!total)
		return;
	/* CLOCK_MONOTONIC as the datapath's stamps, but not its coarse read,
	 * which tracing programs may not call; on a rare path, no matter. */
	now = bpf_ktime_get_ns();
	read_packet(skb, &p);
	BPF_CORE_READ_INTO(&key.public_key, sender, handshake.remote_static);
	/* where the map is full, NULL: the interface's total still counts it */
	st = lookup_or_add(&tracer_rejected, &key, &no_rejected);
	if (st)
		count_peer(st, &p, owner, now);
	/* after the peer's: a reader that sees the total moved sees the peer's */
	total->packets++;
	total->bytes += p.len;
	if (st)
		event_write(&key, &p, st, total, now);
	count_quarantine(&key, now);
}


/*
 * found is the peer whose allowed IPs hold the source (NULL: none); the
 * sender is the peer of the keypair that decrypted the packet. Almost every
 * packet came under found's current keypair, which two loads and a compare
 * tell. Otherwise the keypair names its peer, read through the helper: the
 * verifier knows skb->cb only as bytes, not as a pointer it may follow.
 */
SEC("fexit/wg_allowedips_lookup_src")
int wgsf_rejected(__u64 *ctx)
{
	/* the arguments, (table, skb), then what the function returned */
	struct sk_buff *skb = (void *)ctx[1];
	struct wg_peer *found = (void *)ctx[2];
	struct noise_keypair *keypair = ((struct packet_cb *)skb->cb)->keypair;
	struct wg_peer *sender;

	if (found && keypair == found->keypairs.current_keypair)
		return 0;
	sender = BPF_CORE_READ(keypair, entry.peer);
	if (sender && sender != found)
		count(skb, sender, found);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
