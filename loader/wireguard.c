// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>
#include <sys/stat.h>

#include "wireguard.h"

int wg_read_device(const char *ifname, struct wg_device **out)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), UAPI_DIR "/%s.sock", ifname);
	if (!stat(path, &st) && S_ISSOCK(st.st_mode))
		return uapi_read_device(ifname, out);
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
	default:
		return strerror(-err);
	}
}
