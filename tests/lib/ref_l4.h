/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The reference model's own reading of an IP packet, for differential
 * tests: its addresses and lengths, and what lies past the IP header (the
 * upper-layer protocol, its ports or ICMP type, fragments, headers cut
 * short), written from wgsf.policy(5) and RFC 791 / RFC 8200, sharing no
 * code with the datapath's parse.
 */
#ifndef WGSF_TEST_REF_L4_H
#define WGSF_TEST_REF_L4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/prefix.h"

/* What the upper layer's header says. */
enum ref_l4_kind {
	REF_L4_PORTS,    /* TCP, UDP, SCTP: port holds the destination port */
	REF_L4_TYPE,     /* ICMP in IPv4, ICMPv6 in IPv6: type and code */
	REF_L4_NONE,     /* another protocol: nothing a rule reads */
	REF_L4_FRAGMENT, /* a fragment other than the first: no L4 header */
	REF_L4_SHORT,    /* ports or type cut short by the packet's end */
	REF_L4_UNWALKED, /* an IPv6 extension chain too long or cut short */
};

#define REF_IPV6_EXT_MAX 8 /* extension headers walked, at most */

struct ref_l4 {
	uint8_t kind;      /* enum ref_l4_kind */
	uint8_t proto;     /* the upper-layer protocol (UNWALKED: 255) */
	uint16_t port;     /* REF_L4_PORTS */
	uint8_t type, code; /* REF_L4_TYPE */
	uint8_t ext;       /* IPv6 extension headers stepped over */
};

/* A packet's IP header as the reference reads it. */
struct ref_ip {
	struct prefix src, dst; /* host prefixes */
	uint64_t ip_len;        /* what the header claims: the length counted */
	size_t l4_off, end;     /* where the IP header ends, and the packet's bytes */
	uint16_t frag_offset;   /* IPv4's, in 8-byte units */
	uint8_t proto;          /* IPv4's protocol, IPv6's first next header */
};

/*
 * The datapath's rules for a header it reads: a whole fixed header of the
 * version in the first nibble; for IPv4 also IHL >= 5, the whole header
 * with its options present, and a total length that holds the header.
 * False when it is none.
 */
bool ref_ip_parse(const uint8_t *ip, size_t len, struct ref_ip *h);
/* The upper layer of a packet whose IP header h holds. */
struct ref_l4 ref_l4_parse(const uint8_t *ip, const struct ref_ip *h);
/* What the datapath is told of the upper layer where no port is known:
 * WGSF_L4_* (wgsf_verdict.h). */
uint8_t ref_l4_flags(const struct ref_l4 *l4);
/* The port a rule asks of it: the destination port (TCP, UDP, SCTP), ICMP's
 * type << 8 | code, 0 where there is none. */
uint16_t ref_l4_port(const struct ref_l4 *l4);
/* One line for a diagnostic: "tcp port 22", "icmp type 8 code 0", ... */
const char *ref_l4_describe(const struct ref_l4 *l4, char *buf, size_t size);

#endif
