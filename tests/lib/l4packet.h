/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Whole TCP, UDP, ICMP and ICMPv6 packets, checksums and all, as the tests
 * craft them: for BPF_PROG_TEST_RUN, and for a real network (tests/tools/
 * rawsend).
 */
#ifndef WGSF_TEST_L4PACKET_H
#define WGSF_TEST_L4PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "device/prefix.h"

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

struct l4_spec {
	struct prefix src, dst; /* addresses of one family */
	uint8_t proto;          /* IPPROTO_TCP, _UDP, _ICMP (IPv4), _ICMPV6 (IPv6) */
	uint16_t sport, dport;  /* ICMP: sport is an echo's id */
	uint8_t flags;          /* TCP's flags; ICMP's type */
	uint8_t code;           /* ICMP's code */
	const uint8_t *payload; /* data, or the packet an ICMP error quotes */
	size_t payload_len;
};

/* Writes the packet of s at ip, which holds room bytes; its length, or 0
 * when it does not fit. */
size_t l4_packet(uint8_t *ip, size_t room, const struct l4_spec *s);
/* Makes the packet of len bytes at ip, which holds room bytes (as
 * l4_packet wrote it), the last fragment of its datagram, at offset units
 * x 8 bytes (not 0: not the first): IPv4's offset set, and its checksum
 * again; IPv6 a fragment header put in. Its length, or 0 when it does not
 * fit. */
size_t l4_fragment(uint8_t *ip, size_t len, size_t room, uint16_t units);
/* The spec of a packet from src to dst (addresses; 0 when both parse and
 * are of one family). */
int l4_spec_addrs(struct l4_spec *s, const char *src, const char *dst);

#endif
