// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "device/wireguard.h"

int wg_read_device(const char *ifname, struct wg_device **out)
{
	char path[sizeof(UAPI_DIR "/.sock") + IFNAMSIZ];
	struct stat st;
	int err;

	/* no interface has a longer name, and a cut one could name another
	 * interface's socket */
	if (strnlen(ifname, IFNAMSIZ) == IFNAMSIZ)
		return WG_ERR_NO_DEVICE;
	snprintf(path, sizeof(path), UAPI_DIR "/%s.sock", ifname);
	if (!stat(path, &st) && S_ISSOCK(st.st_mode)) {
		err = uapi_read_device(ifname, out);
		/* Nobody listens: the socket of a process that is gone, which
		 * `wg` passes over for the kernel too. */
		if (err != -ECONNREFUSED && err != -ENOENT)
			return err;
	}
	return netlink_read_device(ifname, out);
}

const char *wg_strerror(int err)
{
	switch (err) {
	case WG_ERR_NO_DEVICE:
		return "no such interface";
	case WG_ERR_NOT_WG:
		return "not a WireGuard interface";
	case WG_ERR_BAD_REPLY:
		return "malformed reply from WireGuard";
	case -ETIMEDOUT:
		return "WireGuard took its request and did not answer";
	default:
		return strerror(-err);
	}
}
