/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where an interface's maps, program and link are pinned:
 *   <bpffs>/wgsf/<netns cookie>/<ifname>/current -> gN/
 * The network namespace is part of the path so that the same interface name
 * in two namespaces never collides. bpffs refuses '.' in a name, which an
 * interface name may hold, and ':', which it may not, stands in for it.
 */
#ifndef WGSF_PIN_H
#define WGSF_PIN_H

#include <limits.h>
#include <stddef.h>
#include <net/if.h>

/* 0 when the kernel would take name for an interface's (dev_valid_name()):
 * 1-15 bytes, no '/', ':' or white space, not "." or "..". Checked before a
 * name touches a path. */
int ifname_check(const char *name);
/* The interface whose pin directory is named dir, or -EINVAL when dir is
 * none's. */
int pin_dir_ifname(const char *dir, char out[IFNAMSIZ]);
/* <bpffs>/wgsf, which holds one directory per network namespace, mounting
 * bpffs when none is mounted. */
int pin_root_dir(char out[PATH_MAX]);
/* The name of the calling thread's network namespace's directory there:
 * its cookie, or "ino<inode>" on kernels without cookies (before 5.14). */
int pin_netns_name(char *buf, size_t len);
/* The directory holding this namespace's interfaces. */
int pin_ns_dir(char out[PATH_MAX]);
int pin_iface_dir(const char *ifname, char out[PATH_MAX]);
#define PIN_LOCK_CREATE 1 /* create dir (and parents) first */
#define PIN_LOCK_SHARED 2 /* a reader's lock: readers share, writers wait */
/* Holds a flock on dir; returns the lock fd, or -ENOENT when dir does not
 * exist (without PIN_LOCK_CREATE). */
int pin_lock(const char *dir, int flags);
void pin_unlock(int fd);
/* Removes dir and its now-empty parents; pins inside must be gone. */
void pin_dir_remove(const char *dir);
/* Removes path and everything below it, never following a symlink. */
int pin_remove_tree(const char *path);

/*
 * An interface's pins change as one: a writer pins a whole new set in a
 * generation directory DIR/gN, then points the symlink DIR/current at it,
 * which is one rename. A reader, or a command after a kill at any instant,
 * finds either the old set whole or the new one whole.
 */
/* The generation in force, as a path; -ENOENT when none was committed. */
int pin_current(const char *dir, char out[PATH_MAX]);
/* A new, empty generation directory after the one in force. */
int pin_generation(const char *dir, char out[PATH_MAX]);
/* Puts gen in force. */
int pin_commit(const char *dir, const char *gen);
/* Removes what is not in force: generations of commands killed before
 * their commit, and the one a commit replaced. */
void pin_sweep(const char *dir);

#endif
