// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "device/model.h"

struct wg_device *device_new(const char *name)
{
	struct wg_device *dev = calloc(1, sizeof(*dev));

	if (dev)
		strncpy(dev->name, name, sizeof(dev->name) - 1);
	return dev;
}

void device_free(struct wg_device *dev)
{
	size_t i;

	if (!dev)
		return;
	for (i = 0; i < dev->n_peers; i++)
		free(dev->peers[i].allowedips);
	free(dev->peers);
	free(dev->index);
	free(dev);
}

/* Keys are random in practice, but `wg set` takes any 32 bytes: every byte
 * is mixed in, so that keys alike but for their last bytes still spread. */
static size_t key_hash(const uint8_t key[WG_KEY_LEN])
{
	uint64_t w, h = 0;
	unsigned int i;

	for (i = 0; i < WG_KEY_LEN; i += sizeof(w)) {
		memcpy(&w, key + i, sizeof(w));
		h ^= w;
		h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
		h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
		h ^= h >> 31;
	}
	return h;
}

static size_t *index_find(const struct wg_device *dev, const uint8_t key[WG_KEY_LEN])
{
	size_t mask = dev->cap_index - 1, i;

	for (i = key_hash(key) & mask;; i = (i + 1) & mask)
		if (!dev->index[i] ||
		    !memcmp(dev->peers[dev->index[i] - 1].public_key, key, WG_KEY_LEN))
			return &dev->index[i];
}

static void index_fill(struct wg_device *dev)
{
	size_t i;

	memset(dev->index, 0, dev->cap_index * sizeof(*dev->index));
	for (i = 0; i < dev->n_peers; i++)
		*index_find(dev, dev->peers[i].public_key) = i + 1;
}

/* On ENOMEM the old index stays, still whole. */
static int index_grow(struct wg_device *dev, size_t cap)
{
	size_t *index = malloc(cap * sizeof(*index));

	if (!index)
		return -ENOMEM;
	free(dev->index);
	dev->index = index;
	dev->cap_index = cap;
	index_fill(dev);
	return 0;
}

struct wg_peer *device_find_peer(const struct wg_device *dev, const uint8_t key[WG_KEY_LEN])
{
	size_t *e;

	if (!dev->cap_index)
		return NULL;
	e = index_find(dev, key);
	return *e ? &dev->peers[*e - 1] : NULL;
}

struct wg_peer *device_peer(struct wg_device *dev, const uint8_t key[WG_KEY_LEN])
{
	struct wg_peer *p = device_find_peer(dev, key);

	if (p)
		return p;
	if (dev->n_peers == dev->cap_peers) {
		size_t cap = dev->cap_peers ? dev->cap_peers * 2 : 16;

		p = realloc(dev->peers, cap * sizeof(*p));
		if (!p)
			return NULL;
		dev->peers = p;
		dev->cap_peers = cap;
	}
	/* at most half full, so that probes stay short */
	if (2 * (dev->n_peers + 1) > dev->cap_index &&
	    index_grow(dev, dev->cap_index ? dev->cap_index * 2 : 32))
		return NULL;
	p = &dev->peers[dev->n_peers++];
	memset(p, 0, sizeof(*p));
	memcpy(p->public_key, key, WG_KEY_LEN);
	*index_find(dev, key) = dev->n_peers;
	return p;
}

int peer_add_allowedip(struct wg_peer *peer, const struct prefix *p)
{
	return prefixes_push(&peer->allowedips, &peer->n_allowedips, &peer->cap_allowedips, p);
}

static int cmp_prefix(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

static int cmp_peer(const void *a, const void *b)
{
	return memcmp(((const struct wg_peer *)a)->public_key,
		      ((const struct wg_peer *)b)->public_key, WG_KEY_LEN);
}

void device_canonicalise(struct wg_device *dev)
{
	size_t i, j, n;

	for (i = 0; i < dev->n_peers; i++) {
		struct wg_peer *p = &dev->peers[i];

		sort_array(p->allowedips, p->n_allowedips, sizeof(*p->allowedips), cmp_prefix);
		for (j = n = 0; j < p->n_allowedips; j++)
			if (!n || prefix_cmp(&p->allowedips[n - 1], &p->allowedips[j]))
				p->allowedips[n++] = p->allowedips[j];
		p->n_allowedips = n;
	}
	sort_array(dev->peers, dev->n_peers, sizeof(*dev->peers), cmp_peer);
	if (dev->cap_index)
		index_fill(dev); /* the peers moved */
}

int device_cmp(const struct wg_device *a, const struct wg_device *b)
{
	size_t i, j;
	int r;

	if (a->n_peers != b->n_peers)
		return a->n_peers < b->n_peers ? -1 : 1;
	for (i = 0; i < a->n_peers; i++) {
		const struct wg_peer *x = &a->peers[i], *y = &b->peers[i];

		r = cmp_peer(x, y);
		if (r)
			return r;
		if (x->n_allowedips != y->n_allowedips)
			return x->n_allowedips < y->n_allowedips ? -1 : 1;
		for (j = 0; j < x->n_allowedips; j++)
			if ((r = prefix_cmp(&x->allowedips[j], &y->allowedips[j])))
				return r;
	}
	return 0;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void key_to_base64(char out[WG_KEY_B64_LEN], const uint8_t key[WG_KEY_LEN])
{
	unsigned int i, v;

	for (i = 0; i < 10; i++) {
		v = key[i * 3] << 16 | key[i * 3 + 1] << 8 | key[i * 3 + 2];
		out[i * 4] = b64[v >> 18];
		out[i * 4 + 1] = b64[(v >> 12) & 63];
		out[i * 4 + 2] = b64[(v >> 6) & 63];
		out[i * 4 + 3] = b64[v & 63];
	}
	v = key[30] << 16 | key[31] << 8;
	out[40] = b64[v >> 18];
	out[41] = b64[(v >> 12) & 63];
	out[42] = b64[(v >> 6) & 63];
	out[43] = '=';
	out[44] = '\0';
}

/* 1 when lo <= c <= hi, else 0, without a branch: for c in 0..255 both
 * differences are negative only in range, and the sign bit of their AND
 * says so. */
static unsigned int in_range(int c, int lo, int hi)
{
	return (unsigned int)((lo - 1 - c) & (c - hi - 1)) >> 31;
}

/* The 6 bits of base64 character c, or -1 outside the alphabet, by the
 * same steps for every c: a key may be a private one, and which
 * characters it has must not show in the time taken. */
static int b64_char(unsigned char c)
{
	int v = -1;

	v += -(int)in_range(c, 'A', 'Z') & (c - 'A' + 1);
	v += -(int)in_range(c, 'a', 'z') & (c - 'a' + 27);
	v += -(int)in_range(c, '0', '9') & (c - '0' + 53);
	v += -(int)in_range(c, '+', '+') & 63;
	v += -(int)in_range(c, '/', '/') & 64;
	return v;
}

/* Strict, like wireguard-tools: 43 characters and '=', and the unused low
 * bits of the last character zero, so that one key has one spelling. No
 * branch depends on the characters until the verdict. */
int key_from_base64(uint8_t key[WG_KEY_LEN], const char *s)
{
	unsigned int i, j, group, bad = 0;
	int v;

	if (strlen(s) != WG_KEY_B64_LEN - 1 || s[WG_KEY_B64_LEN - 2] != '=')
		return -EINVAL;
	for (i = 0; i < WG_KEY_B64_LEN - 1; i += 4) {
		for (group = 0, j = i; j < i + 4; j++) {
			v = j == WG_KEY_B64_LEN - 2 ? 0 : b64_char(s[j]); /* '=': no bits */
			bad |= (unsigned int)v >> 31;
			group = group << 6 | (v & 63);
		}
		key[i / 4 * 3] = group >> 16;
		key[i / 4 * 3 + 1] = group >> 8;
		if (i / 4 * 3 + 2 < WG_KEY_LEN)
			key[i / 4 * 3 + 2] = group;
	}
	bad |= group & 0xff; /* the last group holds 16 bits, not 18 */
	if (bad) {
		explicit_bzero(key, WG_KEY_LEN);
		return -EINVAL;
	}
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int key_from_hex(uint8_t key[WG_KEY_LEN], const char *s)
{
	unsigned int i;
	int hi, lo;

	if (strlen(s) != 2 * WG_KEY_LEN)
		return -EINVAL;
	for (i = 0; i < WG_KEY_LEN; i++) {
		hi = hex_value(s[2 * i]);
		lo = hex_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		key[i] = hi << 4 | lo;
	}
	return 0;
}
