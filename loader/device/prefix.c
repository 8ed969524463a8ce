// SPDX-License-Identifier: GPL-2.0-only
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/prefix.h"

void prefix_normalise(struct prefix *p)
{
	unsigned int i;

	for (i = p->cidr; i < 128; i++)
		p->addr[i / 8] &= ~(0x80 >> (i % 8));
}

int addr_parse(const char *s, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, s, p->addr) == 1)
		p->family = AF_INET;
	else if (inet_pton(AF_INET6, s, p->addr) == 1)
		p->family = AF_INET6;
	else
		return -EINVAL;
	p->cidr = prefix_bits(p->family);
	return 0;
}

/* The length must be plain decimal: no sign, no spaces, no leading zeros
 * beyond a lone "0", so that "/+8" or "/08" are rejected, not guessed at. */
static int cidr_parse(const char *s, unsigned int max, uint8_t *cidr)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1]) || strlen(s) > 3)
		return -EINVAL;
	v = strtoul(s, &end, 10);
	if (*end || v > max)
		return -EINVAL;
	*cidr = v;
	return 0;
}

int prefix_parse_raw(const char *s, struct prefix *p)
{
	char buf[PREFIX_STRLEN];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);

	if (alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (addr_parse(buf, p))
		return -EINVAL;
	if (slash && cidr_parse(slash + 1, prefix_bits(p->family), &p->cidr))
		return -EINVAL;
	return 0;
}

int prefix_parse(const char *s, struct prefix *p)
{
	int err = prefix_parse_raw(s, p);

	if (!err)
		prefix_normalise(p);
	return err;
}

const char *addr_format(const struct prefix *p, char buf[PREFIX_STRLEN])
{
	if (!inet_ntop(p->family, p->addr, buf, PREFIX_STRLEN))
		snprintf(buf, PREFIX_STRLEN, "?");
	return buf;
}

const char *prefix_format(const struct prefix *p, char buf[PREFIX_STRLEN])
{
	size_t n;

	addr_format(p, buf);
	n = strlen(buf);
	snprintf(buf + n, PREFIX_STRLEN - n, "/%u", p->cidr);
	return buf;
}

bool prefix_contains(const struct prefix *outer, const struct prefix *inner)
{
	unsigned int full = outer->cidr / 8, rest = outer->cidr % 8;

	if (outer->family != inner->family || outer->cidr > inner->cidr)
		return false;
	if (memcmp(outer->addr, inner->addr, full))
		return false;
	return !rest || !((outer->addr[full] ^ inner->addr[full]) & (0xff00 >> rest));
}

int prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int r;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	r = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (r)
		return r < 0 ? -1 : 1;
	return a->cidr == b->cidr ? 0 : a->cidr < b->cidr ? -1 : 1;
}

int prefixes_push(struct prefix **v, size_t *n, size_t *cap, const struct prefix *p)
{
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 4;
		struct prefix *nv = realloc(*v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = *p;
	return 0;
}
