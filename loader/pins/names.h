/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where an interface's maps, program and link are pinned:
 *   <bpffs>/wgsf/<netns cookie>/<ifname>/current -> gN/
 * The network namespace is part of the path so that the same interface name
 * in two namespaces never collides. bpffs refuses '.' in a name, which an
 * interface name may hold, and ':', which it may not, stands in for it.
 */
#ifndef WGSF_PINS_NAMES_H
#define WGSF_PINS_NAMES_H

#include <limits.h>
#include <stddef.h>
#include <net/if.h>

/* The interface whose pin directory is named dir, or -EINVAL when dir is
 * none's. */
int pin_dir_ifname(const char *dir, char out[IFNAMSIZ]);
/* The name of the calling thread's network namespace's directory under
 * the root: its cookie, or "ino<inode>" on kernels without cookies (before
 * 5.14). */
int pin_netns_name(char *buf, size_t len);
/* The directory holding this namespace's interfaces. */
int pin_ns_dir(char out[PATH_MAX]);
/* The directory of the interface named ifname, in this namespace; -EINVAL
 * for a name the kernel would not take (ifname_check()). */
int pin_iface_dir(const char *ifname, char out[PATH_MAX]);

#endif
