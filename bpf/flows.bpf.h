/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Replies: wgsf's own flow table (include/wgsf.h), which the egress program
 * fills with what goes from the gateway's side to a peer with destination
 * rules, and which the ingress program asks about a packet of that peer's
 * that breaks those rules: an answer to such a flow passes.
 *
 * TCP: an outgoing SYN (without ACK) opens a flow; packets of the reversed
 * four-tuple answer it, but an inbound SYN never does, until FIN went both
 * ways or either side sent RST (then 10 s more for the last ACKs), or the
 * flow idled past its timeout. UDP: every outgoing datagram opens or keeps
 * its flow; an inbound one with the addresses and ports reversed answers
 * it for 120 s after the last outgoing one. ICMP echo: a request lets the
 * reply of its id in for 30 s. ICMP errors (destination unreachable, packet
 * too big, time exceeded, parameter problem) answer the flow of the packet
 * they quote, which must have come from the address they go to and gone to
 * an address of the peer that sends the error: the flow table names no
 * peer, and an error about a packet to another peer's address can come
 * only from that peer (a router behind it sends through it), so another
 * peer's would be a forged answer to a flow that is not its own.
 *
 * Part of datapath.bpf.h, after wgsf_verdict.h, whose maps and peer
 * lookup it uses.
 */
#ifndef WGSF_FLOWS_BPF_H
#define WGSF_FLOWS_BPF_H

#include "parse.bpf.h"
#include "wgsf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, WGSF_FLOWS);
	__type(key, struct wgsf_flow_key);
	__type(value, struct wgsf_flow);
} flows SEC(".maps");

#define SECONDS 1000000000ull
/* Each state's idle timeout: load-time constants, which a test shortens. */
const volatile __u64 flow_timeout_ns[WGSF_FLOW_STATES] = {
	[WGSF_FLOW_TCP_OPENING] = 120 * SECONDS,
	[WGSF_FLOW_TCP_OPEN] = 7200 * SECONDS,
	[WGSF_FLOW_TCP_CLOSED] = 10 * SECONDS,
	[WGSF_FLOW_UDP] = 120 * SECONDS,
	[WGSF_FLOW_ECHO] = 30 * SECONDS,
};

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129
/* an ICMP error's header before the packet it quotes */
#define ICMP_ERROR_HLEN 8

static __always_inline void flow_key(struct wgsf_flow_key *k, __u8 version, __u8 proto,
				     const __u8 *peer, const __u8 *local, __u16 peer_port,
				     __u16 local_port)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->version = version;
	k->proto = proto;
	k->peer_port = peer_port;
	k->local_port = local_port;
	if (version == 4) {
		__builtin_memcpy(k->peer, peer, 4);
		__builtin_memcpy(k->local, local, 4);
	} else {
		__builtin_memcpy(k->peer, peer, 16);
		__builtin_memcpy(k->local, local, 16);
	}
}

static __always_inline int flow_live(const struct wgsf_flow *f, __u64 now)
{
	/* another CPU may have stamped it after this one read the clock */
	__u64 age = now > f->last_ns ? now - f->last_ns : 0;
	__u32 state = f->state;

	return state < WGSF_FLOW_STATES && age <= flow_timeout_ns[state];
}

static __always_inline int is_icmp(const struct packet *p, const struct wgsf_l4 *l4)
{
	return l4->proto == (p->version == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6);
}

/* Where an ICMP packet has an echo id, whether it is a request (1) or a
 * reply (0); -1 for any other. */
static __always_inline int echo_kind(const struct packet *p, const struct wgsf_l4 *l4)
{
	if (!is_icmp(p, l4) || l4->avail < PARSE_ECHO_ID + 2 || l4->code)
		return -1;
	if (l4->type == (p->version == 4 ? ICMP_ECHO_REQUEST : ICMPV6_ECHO_REQUEST))
		return 1;
	if (l4->type == (p->version == 4 ? ICMP_ECHO_REPLY : ICMPV6_ECHO_REPLY))
		return 0;
	return -1;
}

/* A new flow; counted where it is new to the table. */
static __always_inline void flow_open(const struct wgsf_flow_key *k, __u32 state, __u64 now)
{
	struct wgsf_flow f = { .last_ns = now, .state = state };
	__u32 zero = 0;
	struct wgsf_dev_stats *ds;

	if (bpf_map_update_elem(&flows, k, &f, BPF_NOEXIST))
		return;
	ds = bpf_map_lookup_elem(&dev_stats, &zero);
	if (ds)
		ds->flows_created++;
}

/* A FIN or RST of a live TCP flow, from the gateway's side (fin
 * WGSF_FLOW_FIN_OUT) or the peer's. */
static __always_inline void tcp_close(struct wgsf_flow *f, __u8 tcp_flags, __u32 fin)
{
	if (tcp_flags & TCP_FIN)
		f->fins |= fin;
	if (tcp_flags & TCP_RST ||
	    f->fins == (WGSF_FLOW_FIN_OUT | WGSF_FLOW_FIN_IN))
		f->state = WGSF_FLOW_TCP_CLOSED;
}

/*
 * An outgoing packet to a peer with destination rules: it opens or keeps
 * its flow. An entry that is there is changed in place: an update of an LRU
 * map takes a free node first, which in a full table evicts another flow.
 */
static __always_inline void flow_record(const struct packet *p, const struct wgsf_l4 *l4)
{
	__u16 peer_port = l4->dport, local_port = l4->sport;
	struct wgsf_flow_key k;
	struct wgsf_flow *f;
	__u32 state = WGSF_FLOW_UDP;
	__u64 now;

	if (l4->flags)
		return; /* no ports: a fragment, or a header cut short */
	if (l4->proto == IPPROTO_TCP) {
		state = WGSF_FLOW_TCP_OPENING;
	} else if (echo_kind(p, l4) == 1) {
		state = WGSF_FLOW_ECHO;
		peer_port = l4->echo_id;
		local_port = 0;
	} else if (l4->proto != IPPROTO_UDP) {
		return;
	}
	flow_key(&k, p->version, l4->proto, p->dst, p->src, peer_port, local_port);
	now = bpf_ktime_get_coarse_ns();
	f = bpf_map_lookup_elem(&flows, &k);
	if (state == WGSF_FLOW_TCP_OPENING && (l4->tcp_flags & (TCP_SYN | TCP_ACK)) != TCP_SYN) {
		/* only a SYN opens a TCP flow; the rest keep a live one */
		if (f && flow_live(f, now) && f->state != WGSF_FLOW_TCP_CLOSED) {
			f->last_ns = now;
			tcp_close(f, l4->tcp_flags, WGSF_FLOW_FIN_OUT);
		}
		return;
	}
	if (!f) {
		flow_open(&k, state, now);
		return;
	}
	f->last_ns = now;
	f->state = state;
	f->fins = 0;
}

/* An inbound TCP packet answers a live flow: it moves it on. */
static __always_inline int tcp_reply(const struct wgsf_flow_key *k, __u8 tcp_flags, __u64 now)
{
	struct wgsf_flow *f;

	/* an inbound SYN opens a flow of the peer's: never an answer */
	if ((tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		return 0;
	f = bpf_map_lookup_elem(&flows, k);
	if (!f || !flow_live(f, now))
		return 0;
	if (f->state == WGSF_FLOW_TCP_CLOSED)
		return 1; /* its last ACKs, while it lasts */
	f->state = WGSF_FLOW_TCP_OPEN;
	f->last_ns = now;
	tcp_close(f, tcp_flags, WGSF_FLOW_FIN_IN);
	return 1;
}

/* Whether a live flow of state (any state where want_state is -1) has key k. */
static __always_inline int flow_there(const struct wgsf_flow_key *k, int want_state, __u64 now)
{
	struct wgsf_flow *f = bpf_map_lookup_elem(&flows, k);

	return f && flow_live(f, now) && (want_state < 0 || f->state == (__u32)want_state);
}

static __always_inline int icmp_error(const struct packet *p, const struct wgsf_l4 *l4)
{
	if (!is_icmp(p, l4))
		return 0;
	if (p->version == 4)
		return l4->type == 3 || l4->type == 11 || l4->type == 12;
	return l4->type >= 1 && l4->type <= 4;
}

/* The IP header that an ICMP error quotes, at off, into q (its addresses
 * in ip); -1 where it is not whole or not of the error's own family. */
static __always_inline int quoted_ip(WGSF_CTX *ctx, __u8 version, __u32 off, __u32 end,
				     __u8 ip[40], struct packet *q)
{
	if (version == 4) {
		if (off + 20 > end || WGSF_LOAD_BYTES(ctx, off, ip, 20) || ip[0] >> 4 != 4)
			return -1;
		q->hlen = (ip[0] & 15) * 4;
		q->proto = ip[9];
		q->frag = (ip[6] << 8 | ip[7]) & IP_OFFSET;
		q->src = ip + 12;
		q->dst = ip + 16;
		return q->hlen < 20 ? -1 : 0;
	}
	if (off + 40 > end || WGSF_LOAD_BYTES(ctx, off, ip, 40) || ip[0] >> 4 != 6)
		return -1;
	q->hlen = 40;
	q->proto = ip[6];
	q->frag = 0;
	q->src = ip + 8;
	q->dst = ip + 24;
	return 0;
}

static __always_inline int same_addr(const __u8 *a, const __u8 *b, __u8 version)
{
	__u32 i;

	for (i = 0; i < 16; i++)
		if (i < (version == 4 ? 4u : 16u) && a[i] != b[i])
			return 0;
	return 1;
}

/* Whether addr lies in the allowed IPs of slot's peer, by the lookup that
 * names a packet's sender. */
static __always_inline int held_by(__u8 version, const __u8 *addr, __u32 slot)
{
	struct wgsf_query q = { .version = version, .src = addr };
	__u32 entry;

	return wgsf_peer_of(NULL, &q, &entry) && (entry & WGSF_ENTRY_SLOT) == slot;
}

/* An ICMP error from slot's peer answers the flow of the packet it quotes,
 * one that went from the address the error goes to, to the peer's side. */
static __always_inline int error_reply(WGSF_CTX *ctx, const struct packet *p,
				       const struct wgsf_l4 *l4, __u32 end, __u32 slot,
				       __u64 now)
{
	__u16 peer_port, local_port;
	struct wgsf_flow_key k;
	struct wgsf_l4 ql4;
	struct packet q;
	__u8 ip[40];

	if (quoted_ip(ctx, p->version, l4->off + ICMP_ERROR_HLEN, end, ip, &q))
		return 0;
	q.version = p->version;
	if (!same_addr(q.src, p->dst, p->version))
		return 0;
	parse_l4(ctx, &q, l4->off + ICMP_ERROR_HLEN, end, &ql4);
	if (ql4.flags)
		return 0;
	peer_port = ql4.dport;
	local_port = ql4.sport;
	if (echo_kind(&q, &ql4) == 1) {
		peer_port = ql4.echo_id;
		local_port = 0;
	} else if (ql4.proto != IPPROTO_TCP && ql4.proto != IPPROTO_UDP) {
		return 0;
	}
	flow_key(&k, q.version, ql4.proto, q.dst, q.src, peer_port, local_port);
	/* the owner last: only an error that quotes a live flow costs its lookup */
	return flow_there(&k, -1, now) && held_by(q.version, q.dst, slot);
}

/* Whether an inbound packet that broke the destination rules of its peer,
 * slot's, answers a flow opened toward the peer (a TCP answer moves it on). */
static __always_inline int flow_reply(WGSF_CTX *ctx, const struct packet *p,
				      const struct wgsf_l4 *l4, __u32 end, __u32 slot)
{
	__u64 now = bpf_ktime_get_coarse_ns();
	struct wgsf_flow_key k;
	int echo;

	if (l4->flags)
		return 0;
	if (l4->proto == IPPROTO_TCP || l4->proto == IPPROTO_UDP) {
		flow_key(&k, p->version, l4->proto, p->src, p->dst, l4->sport, l4->dport);
		return l4->proto == IPPROTO_TCP ? tcp_reply(&k, l4->tcp_flags, now)
						: flow_there(&k, WGSF_FLOW_UDP, now);
	}
	echo = echo_kind(p, l4);
	if (echo == 0) {
		flow_key(&k, p->version, l4->proto, p->src, p->dst, l4->echo_id, 0);
		return flow_there(&k, WGSF_FLOW_ECHO, now);
	}
	return echo < 0 && icmp_error(p, l4) && error_reply(ctx, p, l4, end, slot, now);
}

#endif
