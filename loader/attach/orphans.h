/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pins that deleted network namespaces left behind: deleting a namespace
 * with an interface attached takes the interface along, but its pins under
 * <bpffs>/wgsf/<namespace>/ stay, and so does their kernel memory.
 *
 * Decided per interface from the kernel's own objects, never from the
 * processes of the host: the sentinel of the generation in force (see
 * wgsf.h) and the link pinned beside it. An interface's pins are orphaned
 * when the sentinel has lost both its devices (so its namespace is deleted)
 * and no link of theirs runs on a device (an interface moved out to another
 * namespace first keeps its tcx or XDP link, and its program runs there).
 * Pins without a generation in force or without a sentinel are never judged
 * orphaned, nor are this namespace's own, nor a directory whose name wgsf
 * did not make.
 */
#ifndef WGSF_ORPHANS_H
#define WGSF_ORPHANS_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pins_state {
	PINS_LIVE,        /* its network namespace exists */
	PINS_ORPHANED,    /* its namespace is deleted, and no program of it runs */
	PINS_ELSEWHERE,   /* its namespace is deleted, but its program runs on the
			   * interface, which moved to another namespace first */
	PINS_UNCOMMITTED, /* no generation in force: not judged */
	PINS_NO_SENTINEL, /* attached by a wgsf that made no sentinel: not judged */
};

struct pinned_iface {
	char name[IFNAMSIZ];
	char dir[IFNAMSIZ]; /* its directory's name */
	enum pins_state state;
	uint64_t memlock;   /* orphaned: bytes of kernel memory its maps hold */
	bool removed;
};

/* A namespace directory under <bpffs>/wgsf, other than this namespace's. */
struct orphan {
	char name[32];
	struct pinned_iface *ifaces; /* those that are not live, by name */
	size_t n_ifaces;
	bool deleted; /* some interface's sentinel says the namespace is gone */
};

struct orphans {
	char root[PATH_MAX]; /* <bpffs>/wgsf */
	struct orphan *v;    /* those with any interface not live, in the order
			      * the namespaces were made */
	size_t n;
	size_t n_orphaned;   /* of them, those with orphaned pins */
	uint64_t memlock;    /* the orphaned pins' together */
};

int orphans_find(struct orphans *o);
/* Removes the orphaned pins of o->v[i]: each interface's under its lock,
 * judged again there, children first, never following a symlink; with
 * them the namespace's registrations with the tracer, and its directory
 * once empty. */
int orphans_remove(struct orphans *o, size_t i);
void orphans_free(struct orphans *o);

#endif
