/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SERVICE, as an Allow line and `wgsf lookup` write it (wgsf.policy(5)):
 * tcp/PORTS, udp/PORTS, sctp/PORTS (PORTS: N or N-M, comma separated,
 * 1 to 65535), icmp or icmp/TYPE[,TYPE...] (ICMP for IPv4, ICMPv6 for
 * IPv6; TYPE a number 0 to 255 or nftables' name in that family), icmpv6
 * or icmpv6/TYPE[,TYPE...], proto/N (0 to 255, every port).
 */
#ifndef WGSF_SERVICE_H
#define WGSF_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policy.h"

/* Ports, or ICMP types per family ([0] IPv4's, [1] IPv6's; -1: a name
 * with no meaning in that family). */
struct service_range {
	int lo[2], hi[2];
	const char *name; /* the type's name, for messages; NULL for numbers */
};

struct service {
	enum { SERVICE_PORTS, SERVICE_ICMP, SERVICE_ICMPV6, SERVICE_PROTO } kind;
	uint8_t proto; /* SERVICE_PORTS' and SERVICE_PROTO's */
	struct service_range *v; /* none: every type (icmp, icmpv6) or port (proto/N) */
	size_t n, cap;
};

#define SERVICE_WHY_LEN 256

/* s, one SERVICE, into *out (the caller's to free with service_free);
 * -EINVAL with why ("unknown protocol 'x'", ...), or -ENOMEM. */
int service_parse(const char *s, struct service *out, char why[SERVICE_WHY_LEN]);
void service_free(struct service *svc);
/* Adds to l the rules svc gives to prefix p, each of line line; -EINVAL
 * with why where svc has no meaning for p's family. */
int service_rules(const struct service *svc, const struct prefix *p, unsigned int line,
		  struct rule_list *l, char why[SERVICE_WHY_LEN]);
/* One SERVICE as a packet has it, for lookup: tcp/22, udp/53,
 * icmp/echo-request, icmpv6/128, proto/47, icmp: the protocol for family
 * (AF_INET or AF_INET6), and the port or ICMP type, -1 for none given. */
int service_lookup(const char *s, int family, uint8_t *proto, int *value,
		   char why[SERVICE_WHY_LEN]);

/* Whether rule r admits a packet to its prefix of protocol proto and
 * destination port or ICMP type value (-1: it has none, as a protocol
 * without ports); proto -1: of every protocol. */
bool rule_admits(const struct rule *r, int proto, int value);
/* The rule of l that admits such a packet to dst: of the longest prefix,
 * then the first line; NULL when none does. *held: some rule's prefix
 * holds dst. */
const struct rule *rule_admitting(const struct rule_list *l, const struct prefix *dst,
				  int proto, int value, bool *held);

/* Rule r's service as an Allow line writes it: "tcp/443", "udp/1-1023",
 * "icmp/8", "icmpv6", "proto/47"; "any" for every protocol. */
#define SERVICE_STRLEN 24
const char *service_format(const struct rule *r, char buf[SERVICE_STRLEN]);

#endif
