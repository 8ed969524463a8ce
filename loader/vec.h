/* SPDX-License-Identifier: GPL-2.0-only */
/* Growing arrays, for what grows with a file: a config's findings, a policy's rules. */
#ifndef WGSF_VEC_H
#define WGSF_VEC_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Room for one more element in the array that *vp points to (n in use, *cap
 * allocated, size bytes each), doubling; on ENOMEM the array stays whole. */
static inline int vec_room(void *vp, size_t n, size_t *cap, size_t size)
{
	void *v, *nv;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? 2 * *cap : 8;
	memcpy(&v, vp, sizeof(v)); /* the pointer, whatever it points to */
	nv = realloc(v, ncap * size);
	if (!nv)
		return -ENOMEM;
	memcpy(vp, &nv, sizeof(nv));
	*cap = ncap;
	return 0;
}

#endif
