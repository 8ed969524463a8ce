/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Opening a file that decides what wgsf enforces (a policy) only along a
 * path that no other user could have changed, as sshd's StrictModes checks
 * its own files. The file is owned by root or by this process's user and
 * writable by neither group nor others; so is every directory on the way,
 * but for a root-owned sticky one (as /tmp), where others may add entries
 * but not replace ours; every symbolic link on the way is owned by root or
 * the user, and its target is walked the same way.
 *
 * The walk opens each component relative to the directory already checked,
 * never lets the kernel follow a link, and checks what it opened (fstat),
 * so that a swap between the check and the open cannot win.
 */
#ifndef WGSF_STRICT_PATH_H
#define WGSF_STRICT_PATH_H

#include <stddef.h>
#include <sys/types.h>

/* An fd of what path names: readable when it is a regular file, else
 * opened O_PATH, for its kind to be told. A relative path is taken from
 * the working directory, whose own path is checked too. On error -errno,
 * and "PATH: why" into why, PATH the object at fault as walked (absolute):
 * -EPERM for an owner or a mode that fails the check, -ELOOP past 40
 * links. user is whom a file may belong to besides root (geteuid()). */
int strict_path_open(const char *path, uid_t user, char *why, size_t why_len);

#endif
