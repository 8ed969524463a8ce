/* SPDX-License-Identifier: GPL-2.0-only */
/* qsort() for arrays that may be empty: an empty one may be NULL, which
 * qsort() must not be given (glibc declares it nonnull). */
#ifndef WGSF_SORT_H
#define WGSF_SORT_H

#include <stdlib.h>

static inline void sort_array(void *v, size_t n, size_t size,
			      int (*cmp)(const void *, const void *))
{
	if (n)
		qsort(v, n, size, cmp);
}

#endif
