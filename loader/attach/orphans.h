/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pins that deleted network namespaces left behind: deleting a namespace
 * with an interface attached takes the interface along, but its pins under
 * <bpffs>/wgsf/<namespace>/ stay, and so does their kernel memory.
 *
 * A namespace counts as deleted only when nothing on the host can reach it:
 * no task in it, no nsfs mount of it in any process's mount namespace, no
 * open file of it in any process. A directory whose name wgsf did not make
 * is never counted.
 */
#ifndef WGSF_ORPHANS_H
#define WGSF_ORPHANS_H

#include <limits.h>
#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

struct orphan {
	char name[32];            /* the namespace's directory under <bpffs>/wgsf */
	char (*ifaces)[IFNAMSIZ]; /* the interfaces pinned there, sorted */
	size_t n_ifaces;
	uint64_t memlock;         /* bytes of kernel memory its pinned maps hold */
};

struct orphans {
	char root[PATH_MAX];      /* <bpffs>/wgsf */
	struct orphan *v;         /* in the order the namespaces were made */
	size_t n;
	uint64_t memlock;         /* theirs together */
	/* Processes whose open files the kernel hides even from root (an LSM):
	 * a namespace that only such a file holds would seem deleted. */
	size_t hidden;
};

int orphans_find(struct orphans *o);
/* Removes everything below o->v[i]'s directory, and it: children first,
 * whatever their names, never following a symlink. */
int orphans_remove(const struct orphans *o, size_t i);
void orphans_free(struct orphans *o);

#endif
