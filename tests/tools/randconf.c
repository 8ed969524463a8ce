// SPDX-License-Identifier: GPL-2.0-only
/*
 * randconf SEED PEERS [OWN_KEY]: the [Peer] sections of a random WireGuard
 * config, the same for the same seed, for the differential test of `wgsf
 * check` against WireGuard itself. Prefixes come from a few small ranges,
 * so that many are listed twice and many hold others; some keep host bits,
 * some peers have none, some appear in two sections, some have OWN_KEY
 * (the interface's own public key, which WireGuard ignores); keys in any
 * case, odd spacing, comments and CRLF line ends, all of which `wg setconf`
 * reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "device/model.h"

static unsigned int seed;

static unsigned int below(unsigned int n)
{
	return rand_r(&seed) % n;
}

/* IPv4 in the documentation ranges, mostly long prefixes. */
static void v4(struct prefix *p)
{
	static const uint8_t nets[][3] = { { 192, 0, 2 }, { 198, 51, 100 }, { 203, 0, 113 } };
	static const uint8_t lens[] = { 24, 25, 26, 28, 29, 30, 31, 32, 32, 32, 32, 32 };

	p->family = AF_INET;
	memcpy(p->addr, nets[below(3)], 3);
	p->addr[3] = below(256);
	p->cidr = lens[below(sizeof(lens))];
}

/* IPv6 in 2001:db8::/32, few bits set, so that prefixes meet. */
static void v6(struct prefix *p)
{
	static const uint8_t lens[] = { 32, 40, 48, 56, 64, 96, 120, 124, 128, 128, 128 };

	p->family = AF_INET6;
	memcpy(p->addr, "\x20\x01\x0d\xb8", 4);
	p->addr[5] = below(4);
	p->addr[7] = below(4);
	p->addr[15] = below(16);
	p->cidr = lens[below(sizeof(lens))];
}

static const char *eol(void)
{
	return below(10) ? "\n" : "\r\n";
}

static void allowed_ips(void)
{
	char buf[PREFIX_STRLEN];
	unsigned int n = below(5), i;
	struct prefix p;

	for (i = 0; i < n; i++) {
		memset(&p, 0, sizeof(p));
		if (below(5) < 3)
			v4(&p);
		else
			v6(&p);
		/* WireGuard clears host bits; most files have none */
		if (below(10))
			prefix_normalise(&p);
		if (!i || !below(3))
			printf("%s%sAllowedIPs%s=%s%s", i ? eol() : "", below(2) ? "" : "  ",
			       below(4) ? " " : "", below(4) ? " " : "\t", prefix_format(&p, buf));
		else
			printf(",%s%s", below(2) ? " " : "", prefix_format(&p, buf));
	}
	if (n)
		printf("%s", below(4) ? eol() : "  # prefixes\n");
}

int main(int argc, char **argv)
{
	uint8_t (*keys)[WG_KEY_LEN];
	char b64[WG_KEY_B64_LEN];
	unsigned long peers, i, k;

	if (argc < 3 || argc > 4 || !(peers = strtoul(argv[2], NULL, 10))) {
		fprintf(stderr, "usage: randconf SEED PEERS [OWN_KEY]\n");
		return 1;
	}
	seed = strtoul(argv[1], NULL, 10);
	keys = malloc(peers * sizeof(*keys));
	if (!keys)
		return 1;
	for (i = 0; i < peers; i++) {
		for (k = 0; k < WG_KEY_LEN; k++)
			keys[i][k] = rand_r(&seed);
		/* a peer again, whose later section replaces its allowed IPs */
		k = i > 10 && !below(30) ? below(i) : i;
		key_to_base64(b64, keys[k]);
		if (argc == 4 && !below(40))
			snprintf(b64, sizeof(b64), "%s", argv[3]);
		if (!below(8))
			printf("# peer %lu%s", i, eol());
		printf("%s%s", below(3) ? "[Peer]" : "[peer]", eol());
		printf("%s = %s%s", below(3) ? "PublicKey" : "publickey", b64, eol());
		allowed_ips();
	}
	free(keys);
	return 0;
}
