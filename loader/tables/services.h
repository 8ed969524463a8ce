/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Service sets as the datapath's services trie keeps them (wgsf.h): what a
 * destination prefix admits, built from the rules whose prefix holds it,
 * read back, and written or removed a set at a time.
 */
#ifndef WGSF_SERVICES_H
#define WGSF_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tables/maps.h"

/* One service of a rule: every protocol, or a protocol and a range of its
 * ports or ICMP types (lo 0 and hi its widest: every one). */
struct svc_item {
	bool any;
	uint8_t proto;
	uint16_t lo, hi;
};

/* One entry of the services trie. */
struct svc_entry {
	uint32_t set;
	uint8_t proto, kind; /* WGSF_SVC_* */
	uint16_t port;
	uint8_t plen; /* the key's prefixlen */
	uint8_t pad[3];
};

/* Total order: set, protocol, kind, port, prefixlen. */
int svc_entry_cmp(const void *a, const void *b);
/* The trie entries (set 0) that admit the union of items: appended to *v
 * (*n of them, *cap allocated), sorted; true without any when one item
 * admits every protocol (WGSF_SET_ANY). */
int svc_encode(const struct svc_item *items, size_t n_items, struct svc_entry **v, size_t *n,
	       size_t *cap, bool *any);
/* Every entry of the services trie, sorted. */
int svc_read(const struct maps *m, struct svc_entry **v, size_t *n);
int svc_write(const struct maps *m, const struct svc_entry *e);
int svc_delete(const struct maps *m, const struct svc_entry *e);
/* "tcp", "udp", "sctp", "icmp" (1), "icmpv6" (58), or NULL. */
const char *svc_proto_name(uint8_t proto);
/* The services of a set's entries (v, n, all of one set) as an Allow line
 * writes them, space-separated ("tcp/22,443 udp/53 icmp/8 proto/47"), in
 * buf of size bytes; IPv6's ICMP is icmpv6. */
void svc_format(const struct svc_entry *v, size_t n, char *buf, size_t size);

#endif
