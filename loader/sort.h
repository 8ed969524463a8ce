/* SPDX-License-Identifier: GPL-2.0-only */
/* qsort() for arrays that may be empty: an empty one may be NULL, which
 * qsort() must not be given (glibc declares it nonnull); a comparison of
 * numbers; and a binary search of what it sorted. */
#ifndef WGSF_SORT_H
#define WGSF_SORT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline void sort_array(void *v, size_t n, size_t size,
			      int (*cmp)(const void *, const void *))
{
	if (n)
		qsort(v, n, size, cmp);
}

/* A comparison for sort_array() and bsearch() of uint32_t. */
static inline int sort_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Of n elements of size bytes at v, sorted by the uint32_t at offset off
 * of each, the first whose one is not below key; n where none is. */
static inline size_t lower_bound_u32(const void *v, size_t n, size_t size, size_t off,
				     uint32_t key)
{
	size_t lo = 0, hi = n, mid;
	uint32_t k;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		memcpy(&k, (const char *)v + mid * size + off, sizeof(k));
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#endif
