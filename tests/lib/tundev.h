/* SPDX-License-Identifier: GPL-2.0-only */
/* A TUN device in a network namespace of the calling process's own: an L3
 * device that hands packets to the stack as WireGuard does (no link
 * header). */
#ifndef WGSF_TEST_TUNDEV_H
#define WGSF_TEST_TUNDEV_H

#include <limits.h>
#include <stdint.h>
#include <net/if.h>

struct tundev {
	char ifname[IFNAMSIZ];
	char dir[PATH_MAX]; /* its pin directory, locked */
	uint32_t ifindex;
	int fd;
};

/*
 * Moves the process into a new network namespace and makes NAME_PREFIX<n>
 * there (with lo), up, with 192.0.2.1/24 and 2001:db8::1/64, and its pin
 * directory, which the process removes at exit; the namespace and the
 * device go with the process. tun_flags: more TUNSETIFF flags, as
 * IFF_VNET_HDR, with which every write begins with a struct virtio_net_hdr
 * and may be a GSO frame. NULL, or why not, in one line.
 */
const char *tundev_setup(struct tundev *t, const char *name_prefix, short tun_flags);
struct wgsf;
/* The datapath, loaded with small maps, giving 192.0.2.0/24 and
 * 2001:db8::/64 (the device's own subnets) to slot; NULL on failure. */
struct wgsf *tundev_datapath(uint32_t slot);
/* Runs a shell command made as printf does; system()'s result. */
int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* How many lines of a shell command's output (stdout and stderr) hold
 * needle. */
int output_lines(const char *cmd, const char *needle);

#endif
