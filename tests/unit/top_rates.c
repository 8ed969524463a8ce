// SPDX-License-Identifier: GPL-2.0-only
/* wgsf top's rates (tools/top_rates.c) from two rounds of counters read
 * half a second apart: what grew over the time measured between the reads,
 * summed into the interface's total; a peer first seen has none, and one
 * whose counter went back is a reset, as is its interface, never a negative
 * rate. No privileges needed. */
#include <string.h>

#include "tap.h"
#include "top_rates.h"

/* A peer whose key is all k, with its four counters. */
static struct top_peer peer(uint8_t k, uint64_t packets, uint64_t bits, uint64_t violations,
			    uint64_t rejections)
{
	struct top_peer p = { .count = { packets, bits, violations, rejections } };

	memset(p.public_key, k, WG_KEY_LEN);
	return p;
}

static struct top_round round_of(struct top_iface *f, uint64_t read_ns, struct top_peer *peers,
				 size_t n)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->name, "wg0");
	f->read_ns = read_ns;
	f->peers = peers;
	f->n_peers = n;
	return (struct top_round){ f, 1 };
}

static bool near(double got, double want)
{
	return got > want - 1e-6 && got < want + 1e-6;
}

static void grown(void)
{
	struct top_peer a[] = { peer(1, 100, 8000, 3, 0), peer(2, 50, 800, 0, 5) };
	struct top_peer b[] = { peer(1, 1100, 1608000, 4, 0), peer(2, 550, 40800, 0, 7),
				peer(3, 9, 72, 0, 0) };
	struct top_iface fa, fb;
	struct top_round was = round_of(&fa, 1000000000, a, 2), now = round_of(&fb, 1500000000, b, 3);

	top_rates(&was, NULL);
	ok(fa.state == TOP_NEW && a[0].state == TOP_NEW && a[1].state == TOP_NEW,
	   "a first round: no rates");
	top_rates(&now, &was);
	ok(fb.state == TOP_RATE && near(fb.seconds, 0.5), "then rates over the 0.5 s measured");
	ok(b[0].state == TOP_RATE && near(b[0].rate[TOP_PACKETS], 2000) &&
	   near(b[0].rate[TOP_BITS], 3200000) && near(b[0].rate[TOP_VIOLATIONS], 2) &&
	   near(b[0].rate[TOP_REJECTIONS], 0), "peer 1: 2000 packets/s, 3.2 Mbit/s, 2 violations/s");
	ok(near(b[1].rate[TOP_PACKETS], 1000) && near(b[1].rate[TOP_REJECTIONS], 4),
	   "peer 2: 1000 packets/s, 4 rejections/s");
	ok(b[2].state == TOP_NEW, "peer 3, not in the previous round: new, no rate");
	ok(near(fb.total[TOP_PACKETS], 3000) && near(fb.total[TOP_BITS], 3280000) &&
	   near(fb.total[TOP_VIOLATIONS], 2) && near(fb.total[TOP_REJECTIONS], 4),
	   "the total: the peers' rates summed, the new one left out");
}

static void went_back(void)
{
	struct top_peer a[] = { peer(1, 100, 8000, 3, 0), peer(2, 50, 800, 0, 5) };
	struct top_peer b[] = { peer(1, 10, 800, 0, 0), peer(2, 60, 880, 0, 5) };
	struct top_iface fa, fb;
	struct top_round was = round_of(&fa, 1000000000, a, 2), now = round_of(&fb, 2000000000, b, 2);

	top_rates(&was, NULL);
	top_rates(&now, &was);
	ok(b[0].state == TOP_RESET, "counters that went back: a reset");
	ok(b[1].state == TOP_RATE && near(b[1].rate[TOP_PACKETS], 10), "another peer keeps its rate");
	ok(fb.state == TOP_RESET, "and the interface's total is a reset");
	b[1] = peer(2, 60, 880, 0, 4);
	top_rates(&now, &was);
	ok(b[1].state == TOP_RESET, "one counter going back is enough: rejections");
}

int main(void)
{
	grown();
	went_back();
	return done_testing();
}
