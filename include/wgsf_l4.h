/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What the datapath's one parse of a packet (bpf/parse.bpf.h) finds past
 * the IP header; shared with the test that holds the parse to every header
 * shape (tests/datapath/l4.c, through bpf/parse_probe.bpf.c).
 */
#ifndef WGSF_L4_H
#define WGSF_L4_H

#include <linux/types.h>

struct wgsf_l4 {
	__u32 header_len;   /* IP and L4 headers: only the IP header's (with IPv6
			     * extension headers) where the L4 header is neither
			     * TCP nor UDP, or is cut short; only the fixed IP
			     * header's where a chain was not walked or the packet
			     * is a non-first fragment */
	__u32 off;          /* where the L4 header starts, in the packet */
	__u32 avail;        /* how many of its bytes were read (at most 16) */
	__u16 sport, dport; /* TCP, UDP, SCTP; host order */
	__u16 echo_id;      /* ICMP echo, where avail holds it; host order */
	__u8 proto;         /* the upper-layer protocol */
	__u8 flags;         /* WGSF_L4_* (wgsf_verdict.h) */
	__u8 tcp_flags;     /* where avail holds them */
	__u8 type, code;    /* ICMP in IPv4, ICMPv6 in IPv6 */
	__u8 pad;
};

#endif
