// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>

#include "tables/blobs.h"

/* FNV-1a: the blobs are the loader's own, not an adversary's. */
static size_t hash(const void *b, size_t len)
{
	const unsigned char *p = b;
	uint64_t h = 0xcbf29ce484222325ull;

	while (len--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

static struct blob *slot_of(const struct blob_index *ix, const void *b, size_t len)
{
	size_t i = hash(b, len) & (ix->cap - 1);

	while (ix->slots[i].bytes &&
	       !(ix->slots[i].len == len && !memcmp(ix->slots[i].bytes, b, len)))
		i = (i + 1) & (ix->cap - 1);
	return &ix->slots[i];
}

struct blob *blob_find(const struct blob_index *ix, const void *b, size_t len)
{
	struct blob *s = ix->cap ? slot_of(ix, b, len) : NULL;

	return s && s->bytes ? s : NULL;
}

/* Twice the room, the blobs moved over. */
static int grow(struct blob_index *ix)
{
	struct blob_index big = { .cap = ix->cap ? 2 * ix->cap : 64 };
	size_t i;

	big.slots = calloc(big.cap, sizeof(*big.slots));
	if (!big.slots)
		return -1;
	for (i = 0; i < ix->cap; i++)
		if (ix->slots[i].bytes)
			*slot_of(&big, ix->slots[i].bytes, ix->slots[i].len) = ix->slots[i];
	big.n = ix->n;
	free(ix->slots);
	*ix = big;
	return 0;
}

struct blob *blob_add(struct blob_index *ix, const void *b, size_t len, uint32_t id)
{
	struct blob *s;
	void *copy;

	/* at most half full, so that probes stay short */
	if (2 * (ix->n + 1) > ix->cap && grow(ix))
		return NULL;
	s = slot_of(ix, b, len);
	if (s->bytes) /* the first of equal blobs keeps its id */
		return s;
	copy = malloc(len ?: 1);
	if (!copy)
		return NULL;
	memcpy(copy, b, len);
	*s = (struct blob){ .bytes = copy, .len = len, .id = id };
	ix->n++;
	return s;
}

void blob_index_free(struct blob_index *ix)
{
	size_t i;

	for (i = 0; i < ix->cap; i++)
		free(ix->slots[i].bytes);
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}
