// SPDX-License-Identifier: GPL-2.0-only
/* The userspace implementations' text protocol on a unix socket. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "wireguard.h"

/* Long enough for any line the protocol has: a key is 64 hex digits. */
#define LINE_MAX_LEN 256

/* One key=value line: peers start at public_key, allowed_ip lines belong to
 * the current peer, device-level keys are not needed here. */
static int parse_line(char *line, struct wg_device *dev, struct wg_peer **peer, int *err_out)
{
	char *value = strchr(line, '=');
	uint8_t key[WG_KEY_LEN];
	struct prefix p;

	if (!value || value == line)
		return WG_ERR_BAD_REPLY;
	*value++ = '\0';
	if (!strcmp(line, "public_key")) {
		if (key_from_hex(key, value))
			return WG_ERR_BAD_REPLY;
		*peer = device_peer(dev, key);
		return *peer ? 0 : -ENOMEM;
	}
	if (!strcmp(line, "allowed_ip")) {
		if (!*peer || prefix_parse(value, &p))
			return WG_ERR_BAD_REPLY;
		return peer_add_allowedip(*peer, &p);
	}
	if (!strcmp(line, "errno")) {
		char *end;
		long e = strtol(value, &end, 10);

		if (*end || !*value || e < 0 || e > 4095)
			return WG_ERR_BAD_REPLY;
		*err_out = -e;
	}
	return 0;
}

int uapi_parse(FILE *f, struct wg_device *dev)
{
	struct wg_peer *peer = NULL;
	char line[LINE_MAX_LEN + 2];
	int err = 0, status = 1; /* 1 until the errno= line arrives */
	size_t len;

	while (fgets(line, sizeof(line), f)) {
		len = strlen(line);
		if (!len || line[len - 1] != '\n' || memchr(line, '\0', len))
			return WG_ERR_BAD_REPLY;
		line[--len] = '\0';
		if (!len)
			return status > 0 ? WG_ERR_BAD_REPLY : status;
		if (status <= 0)
			return WG_ERR_BAD_REPLY; /* nothing may follow errno= */
		err = parse_line(line, dev, &peer, &status);
		if (err)
			return err;
	}
	return WG_ERR_BAD_REPLY; /* the reply ends with a blank line */
}

static FILE *uapi_open(const char *ifname)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	FILE *f;
	int fd;

	snprintf(addr.sun_path, sizeof(addr.sun_path), UAPI_DIR "/%s.sock", ifname);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    write(fd, "get=1\n\n", 7) != 7 || !(f = fdopen(fd, "r"))) {
		int e = errno;

		close(fd);
		errno = e;
		return NULL;
	}
	return f;
}

int uapi_read_device(const char *ifname, struct wg_device **out)
{
	struct wg_device *dev;
	FILE *f;
	int err;

	dev = device_new(ifname);
	if (!dev)
		return -ENOMEM;
	dev->ifindex = if_nametoindex(ifname);
	if (!dev->ifindex) {
		device_free(dev);
		return WG_ERR_NO_DEVICE;
	}
	f = uapi_open(ifname);
	if (!f) {
		err = -errno;
		device_free(dev);
		return err;
	}
	err = uapi_parse(f, dev);
	fclose(f);
	if (err) {
		device_free(dev);
		return err;
	}
	*out = dev;
	return 0;
}
