/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reading a WireGuard interface into the device model: kernel WireGuard
 * over generic netlink, userspace implementations (wireguard-go, boringtun)
 * over their UAPI socket.
 */
#ifndef WGSF_WIREGUARD_H
#define WGSF_WIREGUARD_H

#include <errno.h>
#include <stdio.h>

#include "device/model.h"

/*
 * The readers' own errors, beside plain errno values. EMEDIUMTYPE ("wrong
 * medium type") is what no system call on this path returns, so it can
 * only mean: the interface exists, but is neither kernel WireGuard nor
 * served by a UAPI socket.
 */
#define WG_ERR_NO_DEVICE (-ENODEV)   /* no such interface */
#define WG_ERR_NOT_WG (-EMEDIUMTYPE) /* exists, but is not WireGuard */
#define WG_ERR_BAD_REPLY (-EBADMSG)  /* a reply that does not parse */

#define UAPI_DIR "/var/run/wireguard"

struct nlmsghdr;

/* Chooses as `wg` does: the UAPI socket UAPI_DIR/IFNAME.sock when it
 * exists and a process listens on it, else kernel WireGuard over netlink.
 * Fills the name and the ifindex in the current network namespace. 0, or
 * -errno with *out untouched. */
int wg_read_device(const char *ifname, struct wg_device **out);
int uapi_read_device(const char *ifname, struct wg_device **out);
/* Takes the dump again while the kernel flags it interrupted, up to a bound,
 * then fails with -EAGAIN. */
int netlink_read_device(const char *ifname, struct wg_device **out);
/* Parses the reply to "get=1" (everything after the request) into dev:
 * 0, the reply's own nonzero errno= as -errno, or WG_ERR_BAD_REPLY. */
int uapi_parse(FILE *f, struct wg_device *dev);
/* Parses one message of the WG_CMD_GET_DEVICE dump into dev, merging a peer
 * split across messages: 0, WG_ERR_BAD_REPLY or -ENOMEM. */
int netlink_parse_message(const struct nlmsghdr *nlh, struct wg_device *dev);
/* One line for an operator: "no such interface", "not a WireGuard
 * interface", "malformed reply from WireGuard", else strerror. */
const char *wg_strerror(int err);

#endif
