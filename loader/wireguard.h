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

#include "model.h"

/* The readers' own errors, beside plain errno values. */
#define WG_ERR_NO_DEVICE (-ENODEV)      /* no such interface */
#define WG_ERR_NOT_WG (-EMEDIUMTYPE)    /* exists, but is not WireGuard */
#define WG_ERR_BAD_REPLY (-EBADMSG)     /* a reply that does not parse */

#define UAPI_DIR "/var/run/wireguard"

/* Chooses as `wg` does: the UAPI socket UAPI_DIR/IFNAME.sock when it
 * exists, else kernel WireGuard over netlink. 0, or -errno with *out
 * untouched. */
int wg_read_device(const char *ifname, struct wg_device **out);
int uapi_read_device(const char *ifname, struct wg_device **out);
int netlink_read_device(const char *ifname, struct wg_device **out);
/* Parses the reply to "get=1" (everything after the request) into dev. */
int uapi_parse(FILE *f, struct wg_device *dev);
/* One line for an operator: "no such interface", "not a WireGuard
 * interface", "malformed reply from WireGuard", else strerror. */
const char *wg_strerror(int err);

#endif
