// SPDX-License-Identifier: GPL-2.0-only
/*
 * sample SEED COUNT: reads "PREFIX PEER" lines, what `wgsf check`'s
 * nested-prefix findings say (each part goes to its peer, the rest of the
 * shorter prefix stays with its own), and prints COUNT "ADDRESS PEER"
 * lines: a random address inside a random one of them, and the peer the
 * findings give it, that of the longest prefix that holds it. The test
 * holds these to `wgsf lookup` on the live interface.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/prefix.h"

struct claim {
	struct prefix prefix;
	char peer[64];
};

static unsigned int seed;

/* An address inside p: its host bits at random. */
static void inside(const struct prefix *p, struct prefix *a)
{
	unsigned int i;

	*a = *p;
	for (i = p->cidr; i < prefix_bits(p->family); i++)
		if (rand_r(&seed) & 1)
			a->addr[i / 8] |= 0x80 >> (i % 8);
	a->cidr = prefix_bits(p->family);
}

static struct claim *read_claims(size_t *n)
{
	char line[256], p[PREFIX_STRLEN];
	struct claim *v = NULL, c;
	size_t cap = 0;

	*n = 0;
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "%49s %63s", p, c.peer) != 2 || prefix_parse(p, &c.prefix)) {
			fprintf(stderr, "sample: bad line '%s'\n", line);
			exit(1);
		}
		if (*n == cap && !(v = realloc(v, (cap = 2 * cap + 16) * sizeof(*v))))
			exit(1);
		v[(*n)++] = c;
	}
	return v;
}

int main(int argc, char **argv)
{
	char buf[PREFIX_STRLEN];
	const struct claim *best;
	struct claim *v;
	struct prefix a;
	unsigned long count, k;
	size_t n, i;

	if (argc != 3) {
		fprintf(stderr, "usage: sample SEED COUNT < claims\n");
		return 1;
	}
	seed = strtoul(argv[1], NULL, 10);
	count = strtoul(argv[2], NULL, 10);
	v = read_claims(&n);
	for (k = 0; n && k < count; k++) {
		inside(&v[rand_r(&seed) % n].prefix, &a);
		best = NULL;
		for (i = 0; i < n; i++)
			if (prefix_contains(&v[i].prefix, &a) &&
			    (!best || v[i].prefix.cidr > best->prefix.cidr))
				best = &v[i];
		printf("%s %s\n", addr_format(&a, buf), best->peer);
	}
	free(v);
	return 0;
}
