// SPDX-License-Identifier: GPL-2.0-only
/*
 * The public key of a WireGuard private key: the X25519 function of the
 * key and the base point 9 (RFC 7748), a Montgomery ladder over the field
 * of 2^255 - 19 in five 51-bit limbs. WireGuard ignores a [Peer] whose key
 * is the interface's own, and a check of a config file must know which
 * that is. It swaps by mask and branches on no bit of the key.
 */
#include <string.h>

#include "check/x25519.h"

#define MASK51 ((1ULL << 51) - 1)

typedef unsigned __int128 u128;

struct fe {
	uint64_t v[5];
};

static void store64(uint8_t *s, uint64_t w)
{
	int i;

	for (i = 0; i < 8; i++, w >>= 8)
		s[i] = w;
}

/* Carries each limb into the next, the top one back into the first times
 * 19 (2^255 = 19 in this field): limbs of at most 51 bits and a little. */
static void carry(struct fe *h)
{
	uint64_t c;
	int i;

	for (i = 0; i < 4; i++) {
		c = h->v[i] >> 51;
		h->v[i] &= MASK51;
		h->v[i + 1] += c;
	}
	c = h->v[4] >> 51;
	h->v[4] &= MASK51;
	h->v[0] += 19 * c;
	c = h->v[0] >> 51;
	h->v[0] &= MASK51;
	h->v[1] += c;
}

static void add(struct fe *h, const struct fe *f, const struct fe *g)
{
	int i;

	for (i = 0; i < 5; i++)
		h->v[i] = f->v[i] + g->v[i];
	carry(h);
}

/* f - g, with 4p added first, so that no limb goes below zero. */
static void sub(struct fe *h, const struct fe *f, const struct fe *g)
{
	int i;

	for (i = 0; i < 5; i++)
		h->v[i] = f->v[i] + (i ? 4 * MASK51 : 4 * (MASK51 - 18)) - g->v[i];
	carry(h);
}

/* The five 128-bit column sums into h. */
static void reduce(struct fe *h, u128 t[5])
{
	uint64_t c;
	int i;

	for (i = 0; i < 4; i++) {
		t[i + 1] += (uint64_t)(t[i] >> 51);
		h->v[i] = (uint64_t)t[i] & MASK51;
	}
	c = t[4] >> 51;
	h->v[4] = (uint64_t)t[4] & MASK51;
	h->v[0] += 19 * c;
	c = h->v[0] >> 51;
	h->v[0] &= MASK51;
	h->v[1] += c;
}

static void mul(struct fe *h, const struct fe *f, const struct fe *g)
{
	const uint64_t *a = f->v, *b = g->v;
	uint64_t b19[5];
	u128 t[5];
	int i;

	for (i = 0; i < 5; i++)
		b19[i] = 19 * b[i];
	/* a limb product past 2^255 comes back times 19 */
	t[0] = (u128)a[0] * b[0] + (u128)a[1] * b19[4] + (u128)a[2] * b19[3] +
	       (u128)a[3] * b19[2] + (u128)a[4] * b19[1];
	t[1] = (u128)a[0] * b[1] + (u128)a[1] * b[0] + (u128)a[2] * b19[4] +
	       (u128)a[3] * b19[3] + (u128)a[4] * b19[2];
	t[2] = (u128)a[0] * b[2] + (u128)a[1] * b[1] + (u128)a[2] * b[0] +
	       (u128)a[3] * b19[4] + (u128)a[4] * b19[3];
	t[3] = (u128)a[0] * b[3] + (u128)a[1] * b[2] + (u128)a[2] * b[1] +
	       (u128)a[3] * b[0] + (u128)a[4] * b19[4];
	t[4] = (u128)a[0] * b[4] + (u128)a[1] * b[3] + (u128)a[2] * b[2] +
	       (u128)a[3] * b[1] + (u128)a[4] * b[0];
	reduce(h, t);
}

static void mul_small(struct fe *h, const struct fe *f, uint64_t k)
{
	u128 t[5];
	int i;

	for (i = 0; i < 5; i++)
		t[i] = (u128)f->v[i] * k;
	reduce(h, t);
}

/* f^(p - 2) = 1/f; p - 2 = 2^255 - 21 has every bit from 254 to 5 set,
 * then 01011. */
static void invert(struct fe *h, const struct fe *f)
{
	struct fe r = { { 1 } };
	int i;

	for (i = 254; i >= 0; i--) {
		mul(&r, &r, &r);
		if (i >= 5 || ((0x0b >> i) & 1))
			mul(&r, &r, f);
	}
	*h = r;
}

/* Swaps f and g when swap is 1, by mask. */
static void cswap(struct fe *f, struct fe *g, uint64_t swap)
{
	uint64_t mask = -swap, x;
	int i;

	for (i = 0; i < 5; i++) {
		x = mask & (f->v[i] ^ g->v[i]);
		f->v[i] ^= x;
		g->v[i] ^= x;
	}
}

/* The canonical 32 bytes: fully reduced below p, little-endian. */
static void to_bytes(uint8_t s[32], const struct fe *f)
{
	struct fe h = *f;
	uint64_t q, c;
	int i;

	carry(&h);
	carry(&h);
	/* q = 1 exactly when h >= p, that is when h + 19 reaches 2^255 */
	q = (h.v[0] + 19) >> 51;
	for (i = 1; i < 5; i++)
		q = (h.v[i] + q) >> 51;
	h.v[0] += 19 * q;
	for (i = 0; i < 4; i++) {
		c = h.v[i] >> 51;
		h.v[i] &= MASK51;
		h.v[i + 1] += c;
	}
	h.v[4] &= MASK51;
	store64(s, h.v[0] | h.v[1] << 51);
	store64(s + 8, h.v[1] >> 13 | h.v[2] << 38);
	store64(s + 16, h.v[2] >> 26 | h.v[3] << 25);
	store64(s + 24, h.v[3] >> 39 | h.v[4] << 12);
}

void x25519_public(uint8_t pub[32], const uint8_t priv[32])
{
	struct fe x1 = { { 9 } }, x2 = { { 1 } }, z2 = { { 0 } }, x3 = x1, z3 = { { 1 } };
	struct fe a, aa, b, bb, e, c, d, da, cb, t;
	uint8_t k[32];
	uint64_t swap = 0, bit;
	int i;

	/* clamped, as X25519 takes every private key */
	memcpy(k, priv, sizeof(k));
	k[0] &= 248;
	k[31] = (k[31] & 127) | 64;
	for (i = 254; i >= 0; i--) {
		bit = (k[i / 8] >> (i % 8)) & 1;
		swap ^= bit;
		cswap(&x2, &x3, swap);
		cswap(&z2, &z3, swap);
		swap = bit;
		add(&a, &x2, &z2);
		mul(&aa, &a, &a);
		sub(&b, &x2, &z2);
		mul(&bb, &b, &b);
		sub(&e, &aa, &bb);
		add(&c, &x3, &z3);
		sub(&d, &x3, &z3);
		mul(&da, &d, &a);
		mul(&cb, &c, &b);
		add(&t, &da, &cb);
		mul(&x3, &t, &t);
		sub(&t, &da, &cb);
		mul(&t, &t, &t);
		mul(&z3, &x1, &t);
		mul(&x2, &aa, &bb);
		mul_small(&t, &e, 121665);
		add(&t, &aa, &t);
		mul(&z2, &e, &t);
	}
	cswap(&x2, &x3, swap);
	cswap(&z2, &z3, swap);
	invert(&z2, &z2);
	mul(&x2, &x2, &z2);
	to_bytes(pub, &x2);
	memset(k, 0, sizeof(k));
}
