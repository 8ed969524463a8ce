/* SPDX-License-Identifier: GPL-2.0-only */
/* Byte strings by content, each with an id: what finds that a ruleset or a
 * service set wanted is one the tables hold already. */
#ifndef WGSF_BLOBS_H
#define WGSF_BLOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct blob {
	void *bytes; /* a copy, the index's */
	size_t len;
	uint32_t id;
	bool used; /* for the caller: wanted, and listed once */
};

struct blob_index {
	struct blob *slots; /* open addressing; bytes NULL: free */
	size_t cap, n;
};

/* The blob of the len bytes at b, or NULL. */
struct blob *blob_find(const struct blob_index *ix, const void *b, size_t len);
/* Adds a copy of them with id (where no equal one is there: that one);
 * the blob, or NULL without memory. */
struct blob *blob_add(struct blob_index *ix, const void *b, size_t len, uint32_t id);
void blob_index_free(struct blob_index *ix);

#endif
