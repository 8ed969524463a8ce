/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where an interface's maps, program and link are pinned:
 *   <bpffs>/wgsf/<netns cookie>/<ifname>/
 * The network namespace is part of the path so that the same interface name
 * in two namespaces never collides.
 */
#ifndef WGSF_PIN_H
#define WGSF_PIN_H

#include <limits.h>
#include <stddef.h>

/* 0 when name is a usable interface name: 1-15 bytes, no '/', no
 * whitespace, not "." or "..". Checked before a name touches a path. */
int ifname_check(const char *name);
/* The bpffs that outlives this command, mounted when none is; NULL, with
 * the reason left in err.h, where there is none to be had. */
const char *bpffs_root(void);
/* The directory holding this namespace's interfaces, mounting bpffs when
 * none is mounted. */
int pin_ns_dir(char out[PATH_MAX]);
int pin_iface_dir(const char *ifname, char out[PATH_MAX]);
/* Creates dir (and parents), then holds an exclusive flock on it; returns
 * the lock fd. create=0 only locks an existing dir (-ENOENT if none). */
int pin_lock(const char *dir, int create);
void pin_unlock(int fd);
/* Removes dir and its now-empty parents; pins inside must be gone. */
void pin_dir_remove(const char *dir);

#endif
