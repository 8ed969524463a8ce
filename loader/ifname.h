/* SPDX-License-Identifier: GPL-2.0-only */
/* Interface names, as the kernel takes them. */
#ifndef WGSF_IFNAME_H
#define WGSF_IFNAME_H

/* 0 when the kernel would take name for an interface's (dev_valid_name()):
 * 1-15 bytes, no '/', ':' or white space, not "." or "..". Checked before a
 * name touches a path. */
int ifname_check(const char *name);

#endif
