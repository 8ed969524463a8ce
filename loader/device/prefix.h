/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WGSF_PREFIX_H
#define WGSF_PREFIX_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 prefix, host bits cleared as WireGuard stores it. */
struct prefix {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t cidr;
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, the rest zero */
};

/* "2001:db8::/32" plus NUL */
#define PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

static inline unsigned int prefix_bits(uint8_t family)
{
	return family == AF_INET ? 32 : 128;
}

/* "ADDR/CIDR" or a bare "ADDR" (a host route); host bits are cleared. */
int prefix_parse(const char *s, struct prefix *p);
/* The same, host bits kept as written (to tell that a file set them). */
int prefix_parse_raw(const char *s, struct prefix *p);
/* A bare address only: the host route that holds it. */
int addr_parse(const char *s, struct prefix *p);
void prefix_normalise(struct prefix *p);
const char *prefix_format(const struct prefix *p, char buf[PREFIX_STRLEN]);
const char *addr_format(const struct prefix *p, char buf[PREFIX_STRLEN]);
bool prefix_contains(const struct prefix *outer, const struct prefix *inner);
/* Total order: family, address, then length; for sorting and comparing. */
int prefix_cmp(const struct prefix *a, const struct prefix *b);

/* Appends p to the growing array *v of *n prefixes (*cap allocated). */
int prefixes_push(struct prefix **v, size_t *n, size_t *cap, const struct prefix *p);

#endif
