// SPDX-License-Identifier: GPL-2.0-only
/* The device model: keys in base64 and hex as WireGuard spells them, peers
 * found and merged by key at 100,000 peers, the canonical form and its
 * order. No privileges needed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "device/model.h"
#include "tap.h"

#define KEY_0_31_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define KEY_0_31_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define MANY_PEERS 100000

static void key_fill(uint8_t key[WG_KEY_LEN], unsigned int seed)
{
	unsigned int i;

	for (i = 0; i < WG_KEY_LEN; i++)
		key[i] = rand_r(&seed);
}

/* Keys alike in all but their last bytes, as a careless hash would bunch. */
static void key_numbered(uint8_t key[WG_KEY_LEN], unsigned int n)
{
	memset(key, 0x5a, WG_KEY_LEN);
	key[WG_KEY_LEN - 3] = n >> 16;
	key[WG_KEY_LEN - 2] = n >> 8;
	key[WG_KEY_LEN - 1] = n;
}

static void key_hex(char out[2 * WG_KEY_LEN + 1], const uint8_t key[WG_KEY_LEN])
{
	unsigned int i;

	for (i = 0; i < WG_KEY_LEN; i++)
		sprintf(out + 2 * i, "%02x", key[i]);
}

static struct prefix pfx(const char *s)
{
	struct prefix p;

	if (prefix_parse(s, &p))
		diag("bad test prefix %s", s);
	return p;
}

static void base64_tests(unsigned int seed)
{
	static const char *const bad[] = {
		"",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",   /* no '=' */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==", /* 45 */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=",  /* low bits set */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHhB=",  /* low bits set */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh-=",  /* URL-safe alphabet */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd_h8=",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH=8=",  /* '=' inside */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8 ",  /* space for '=' */
		" AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n",
		"\x80" "AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", /* past ASCII */
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\xc3\xa9" "8=",
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh\xff=",
	};
	uint8_t key[WG_KEY_LEN], back[WG_KEY_LEN], want[WG_KEY_LEN];
	char b64[WG_KEY_B64_LEN];
	unsigned int i, bad_trips = 0;

	for (i = 0; i < WG_KEY_LEN; i++)
		want[i] = i;
	ok(!key_from_base64(key, KEY_0_31_B64) && !memcmp(key, want, WG_KEY_LEN),
	   "base64 decodes bytes 0..31");
	key_to_base64(b64, want);
	ok(!strcmp(b64, KEY_0_31_B64), "and encodes them back (%s)", b64);
	memset(want, 0xff, WG_KEY_LEN);
	key_to_base64(b64, want);
	ok(!strcmp(b64, "//////////////////////////////////////////8="), "all ones: %s", b64);

	for (i = 0; i < 10000; i++) {
		key_fill(key, seed + i);
		key_to_base64(b64, key);
		if (key_from_base64(back, b64) || memcmp(key, back, WG_KEY_LEN))
			bad_trips++;
	}
	is_u64(bad_trips, 0, "10000 random keys survive base64 and back");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(key_from_base64(key, bad[i]) == -EINVAL, "base64 rejects '%s'", bad[i]);
	/* a private key's first 30 bytes decode before its last character fails */
	memset(want, 0, WG_KEY_LEN);
	ok(key_from_base64(key, bad[3]) == -EINVAL && !memcmp(key, want, WG_KEY_LEN),
	   "a rejected key leaves none of its bytes behind");
}

static void hex_tests(unsigned int seed)
{
	static const char *const bad[] = {
		"",
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",   /* 63 */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0", /* 65 */
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g",
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e 1f",
		"0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"-00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	};
	uint8_t key[WG_KEY_LEN], back[WG_KEY_LEN], want[WG_KEY_LEN];
	char hex[2 * WG_KEY_LEN + 1];
	unsigned int i, bad_trips = 0;

	for (i = 0; i < WG_KEY_LEN; i++)
		want[i] = i;
	ok(!key_from_hex(key, KEY_0_31_HEX) && !memcmp(key, want, WG_KEY_LEN),
	   "hex decodes bytes 0..31");
	ok(!key_from_hex(key, "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF") &&
		   key[0] == 0xff && key[31] == 0xff,
	   "hex in capitals too");
	for (i = 0; i < 10000; i++) {
		key_fill(key, seed + i);
		key_hex(hex, key);
		if (key_from_hex(back, hex) || memcmp(key, back, WG_KEY_LEN))
			bad_trips++;
	}
	is_u64(bad_trips, 0, "10000 random keys survive hex and back");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(key_from_hex(key, bad[i]) == -EINVAL, "hex rejects '%s'", bad[i]);
}

static void merge_tests(void)
{
	struct wg_device *dev = device_new("wg0");
	struct prefix a = pfx("192.0.2.0/24"), b = pfx("2001:db8::/32");
	uint8_t k1[WG_KEY_LEN], k2[WG_KEY_LEN];
	struct wg_peer *p, *q;

	key_fill(k1, 1);
	key_fill(k2, 2);
	ok(!device_find_peer(dev, k1), "an empty device has no peer");
	p = device_peer(dev, k1);
	ok(p && !peer_add_allowedip(p, &a), "a peer with one allowed IP");
	device_peer(dev, k2);
	q = device_peer(dev, k1);
	ok(q && !peer_add_allowedip(q, &b), "the same key again: the second half");
	is_u64(dev->n_peers, 2, "two keys, two peers");
	p = device_find_peer(dev, k1);
	ok(p && p->n_allowedips == 2 && !prefix_cmp(&p->allowedips[0], &a) &&
		   !prefix_cmp(&p->allowedips[1], &b),
	   "the peer seen twice holds both halves");
	p = device_find_peer(dev, k2);
	ok(p && !p->n_allowedips && !memcmp(p->public_key, k2, WG_KEY_LEN),
	   "the other peer is found by its key, with none");
	ok(!strcmp(dev->name, "wg0"), "the device keeps its name");
	device_free(dev);
}

static void many_peers_test(void)
{
	struct wg_device *dev = device_new("wg0");
	uint8_t key[WG_KEY_LEN];
	struct timespec t0, t1;
	unsigned int i, lost = 0;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 2 * MANY_PEERS; i++) {
		key_numbered(key, i % MANY_PEERS); /* each key twice */
		if (!device_peer(dev, key))
			lost++;
	}
	for (i = 0; i < MANY_PEERS; i++) {
		key_numbered(key, i);
		if (!device_find_peer(dev, key) ||
		    memcmp(device_find_peer(dev, key)->public_key, key, WG_KEY_LEN))
			lost++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	is_u64(dev->n_peers, MANY_PEERS, "%d keys alike but for their last bytes, each added twice",
	       MANY_PEERS);
	is_u64(lost, 0, "every one found again by its key");
	/* a scan per peer takes minutes here; the index, milliseconds */
	ok(secs < 2.0, "in %.3f s, under 2 s", secs);
	key_numbered(key, MANY_PEERS);
	ok(!device_find_peer(dev, key), "a key never added is not found");
	device_free(dev);
}

/* The same peers and prefixes, added in another order, with repeats. */
static struct wg_device *scrambled(unsigned int seed, bool extra)
{
	static const char *const aips[] = {
		"2001:db8:1::/48", "192.0.2.0/25", "198.51.100.7/32", "192.0.2.128/25",
		"2001:db8::/32",   "203.0.113.0/24", "192.0.2.0/24",
	};
	struct wg_device *dev = device_new("wg0");
	unsigned int i, j, n = sizeof(aips) / sizeof(aips[0]);
	uint8_t key[WG_KEY_LEN];
	struct prefix p;

	for (i = 0; i < 3 * 20 * n; i++) {
		unsigned int peer = rand_r(&seed) % 20, a = rand_r(&seed) % n;

		key_fill(key, 100 + peer);
		p = pfx(aips[a]);
		peer_add_allowedip(device_peer(dev, key), &p);
	}
	for (i = 0; i < 20; i++) /* every prefix at least once */
		for (j = 0; j < n; j++) {
			key_fill(key, 100 + i);
			p = pfx(aips[j]);
			peer_add_allowedip(device_peer(dev, key), &p);
		}
	if (extra) {
		key_fill(key, 105);
		p = pfx("2001:db8:ffff::/64");
		peer_add_allowedip(device_peer(dev, key), &p);
	}
	return dev;
}

static bool is_canonical(const struct wg_device *dev)
{
	size_t i, j;

	for (i = 0; i < dev->n_peers; i++) {
		const struct wg_peer *p = &dev->peers[i];

		if (i && memcmp(dev->peers[i - 1].public_key, p->public_key, WG_KEY_LEN) >= 0)
			return false;
		for (j = 1; j < p->n_allowedips; j++)
			if (prefix_cmp(&p->allowedips[j - 1], &p->allowedips[j]) >= 0)
				return false;
		if (device_find_peer(dev, p->public_key) != p)
			return false;
	}
	return true;
}

static void canonical_tests(unsigned int seed)
{
	struct wg_device *a = scrambled(seed, false), *b = scrambled(seed + 1, false);
	struct wg_device *c = scrambled(seed + 2, true), *empty = device_new("wg1");
	uint8_t key[WG_KEY_LEN];
	char buf[PREFIX_STRLEN];
	size_t i;

	device_canonicalise(a);
	device_canonicalise(b);
	device_canonicalise(c);
	device_canonicalise(empty);
	ok(is_canonical(a) && is_canonical(b) && is_canonical(c),
	   "canonical: peers by key, allowed IPs sorted and unique, each found by its key");
	is_u64(a->n_peers, 20, "20 peers");
	for (i = 0; i < a->n_peers && a->peers[i].n_allowedips == 7; i++)
		;
	is_u64(i, 20, "each with its 7 allowed IPs, repeats dropped");
	ok(!strcmp(prefix_format(&a->peers[0].allowedips[0], buf), "192.0.2.0/24") &&
		   !strcmp(prefix_format(&a->peers[0].allowedips[6], buf), "2001:db8:1::/48"),
	   "IPv4 first, shorter first at one address");
	ok(!device_cmp(a, b), "the same state added in another order compares equal");
	ok(device_cmp(a, c) < 0 && device_cmp(c, a) > 0, "one more allowed IP orders after");
	ok(device_cmp(empty, a) < 0 && device_cmp(a, empty) > 0 && !device_cmp(empty, empty),
	   "fewer peers order first");
	key_fill(key, 1);
	device_peer(empty, key);
	device_canonicalise(empty);
	ok(is_canonical(empty) && empty->n_peers == 1 && !empty->peers[0].n_allowedips,
	   "a peer without allowed IPs keeps none");
	device_free(a);
	device_free(b);
	device_free(c);
	device_free(empty);
	device_free(NULL);
}

int main(void)
{
	unsigned int seed = test_seed();

	base64_tests(seed);
	hex_tests(seed);
	merge_tests();
	many_peers_test();
	canonical_tests(seed);
	return done_testing();
}
