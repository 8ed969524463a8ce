// SPDX-License-Identifier: GPL-2.0-only
/*
 * The userspace implementations' text protocol on a unix socket: "get=1"
 * and a blank line in; key=value lines out, ending in "errno=N" and a
 * blank line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "device/wireguard.h"

/* Longer than any line the protocol has (a key is 64 hex digits): a longer
 * one is not a reply from WireGuard. */
#define LINE_MAX_LEN 256
/* The reply holds the interface's private key and its peers' preshared
 * keys (private_key=, preshared_key=): the stream reads into a buffer of
 * ours, which is wiped, as the line is, before it goes. */
#define STREAM_BUF_LEN 4096

/* A daemon that takes the request and never answers, or answers without
 * end, would hold the command for ever: it may wait this long for each
 * read, and send this many lines (a device of WireGuard's most peers, each
 * with its lines, and wgsf's most prefixes is well under it). */
#define READ_TIMEOUT_S 5
#define LINES_MAX (1u << 24)

static const char request[] = "get=1\n\n";

static int parse_errno(const char *value, int *status)
{
	char *end;
	long e;

	if (*value < '0' || *value > '9') /* no sign, no space */
		return WG_ERR_BAD_REPLY;
	e = strtol(value, &end, 10);
	if (*end || e > 4095)
		return WG_ERR_BAD_REPLY;
	*status = -e;
	return 0;
}

/* One key=value line: peers start at public_key, allowed_ip lines belong to
 * the current peer; other keys are not needed here, but must look like
 * keys. */
static int parse_line(char *line, struct wg_device *dev, struct wg_peer **peer, int *status)
{
	char *value = strchr(line, '=');
	uint8_t key[WG_KEY_LEN];
	struct prefix p;

	if (!value || value == line)
		return WG_ERR_BAD_REPLY;
	*value++ = '\0';
	if (line[strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789_")])
		return WG_ERR_BAD_REPLY;
	if (!strcmp(line, "public_key")) {
		if (key_from_hex(key, value))
			return WG_ERR_BAD_REPLY;
		*peer = device_peer(dev, key);
		return *peer ? 0 : -ENOMEM;
	}
	if (!strcmp(line, "allowed_ip")) {
		/* always with its length: a bare address is no reply of ours */
		if (!*peer || !strchr(value, '/') || prefix_parse(value, &p))
			return WG_ERR_BAD_REPLY;
		return peer_add_allowedip(*peer, &p);
	}
	if (!strcmp(line, "errno"))
		return parse_errno(value, status);
	return 0;
}

static int parse_lines(FILE *f, struct wg_device *dev, char line[LINE_MAX_LEN + 2])
{
	struct wg_peer *peer = NULL;
	int err, status = 1; /* 1 until the errno= line */
	unsigned int lines = 0;
	size_t len;

	while (fgets(line, LINE_MAX_LEN + 2, f)) {
		if (++lines > LINES_MAX)
			return WG_ERR_BAD_REPLY;
		len = strlen(line);
		/* too long, cut short, or holding a NUL */
		if (!len || line[len - 1] != '\n')
			return WG_ERR_BAD_REPLY;
		line[--len] = '\0';
		if (!len)
			return status > 0 ? WG_ERR_BAD_REPLY : status;
		if (status <= 0)
			return WG_ERR_BAD_REPLY; /* only the blank line follows errno= */
		err = parse_line(line, dev, &peer, &status);
		if (err)
			return err;
	}
	if (ferror(f) && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -ETIMEDOUT;
	return ferror(f) && errno ? -errno : WG_ERR_BAD_REPLY;
}

int uapi_parse(FILE *f, struct wg_device *dev)
{
	char line[LINE_MAX_LEN + 2];
	int err = parse_lines(f, dev, line);

	explicit_bzero(line, sizeof(line));
	return err;
}

/* The reply's stream, reading into buf (STREAM_BUF_LEN bytes). */
static int uapi_open(const char *ifname, char *buf, FILE **f)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const struct timeval wait = { .tv_sec = READ_TIMEOUT_S };
	int fd, err;

	snprintf(addr.sun_path, sizeof(addr.sun_path), UAPI_DIR "/%s.sock", ifname);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* MSG_NOSIGNAL: a process that goes away is an error, not SIGPIPE */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait)) < 0 ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    send(fd, request, strlen(request), MSG_NOSIGNAL) < 0 || !(*f = fdopen(fd, "r"))) {
		err = -errno;
		close(fd);
		return err;
	}
	setvbuf(*f, buf, _IOFBF, STREAM_BUF_LEN);
	return 0;
}

int uapi_read_device(const char *ifname, struct wg_device **out)
{
	unsigned int ifindex = if_nametoindex(ifname);
	struct wg_device *dev;
	char *buf;
	FILE *f;
	int err;

	/* the socket directory is shared by all network namespaces: the
	 * interface must be in ours */
	if (!ifindex)
		return WG_ERR_NO_DEVICE;
	dev = device_new(ifname);
	buf = malloc(STREAM_BUF_LEN);
	if (!dev || !buf) {
		free(buf);
		device_free(dev);
		return -ENOMEM;
	}
	dev->ifindex = ifindex;
	err = uapi_open(ifname, buf, &f);
	if (!err) {
		err = uapi_parse(f, dev);
		fclose(f);
	}
	explicit_bzero(buf, STREAM_BUF_LEN);
	free(buf);
	if (err) {
		device_free(dev);
		return err;
	}
	*out = dev;
	return 0;
}
