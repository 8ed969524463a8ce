// SPDX-License-Identifier: GPL-2.0-only
/* The UAPI socket that takes the request and never answers (a daemon hung):
 * the read gives up after its timeout, with its own words, where it waited
 * for ever. In a mount and network namespace of the test's own, on a tmpfs
 * over /var/run: the host's sockets are neither seen nor touched. Needs
 * root. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "device/wireguard.h"
#include "tap.h"

/* A socket for lo that listens and never accepts: the kernel takes the
 * connection and the request all the same. */
static int silent_daemon(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = UAPI_DIR "/lo.sock" };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 1)) {
		diag("the daemon's socket: %s", strerror(errno));
		return -1;
	}
	return fd;
}

int main(void)
{
	struct wg_device *dev = NULL;
	int fd, err;

	require_root_bpf();
	alarm(60); /* where the read would wait for ever, the test does not */
	if (!ok(!unshare(CLONE_NEWNS | CLONE_NEWNET) &&
			!mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) &&
			!mount("tmpfs", "/var/run", "tmpfs", 0, "mode=0755") &&
			!mkdir(UAPI_DIR, 0700),
		"namespaces of our own, a tmpfs over /var/run"))
		return done_testing();
	fd = silent_daemon();
	err = fd < 0 ? 0 : wg_read_device("lo", &dev);
	ok(err == -ETIMEDOUT, "a daemon that never answers: the read gives up (%d)", err);
	ok(!strcmp(wg_strerror(err), "WireGuard took its request and did not answer"),
	   "and says so: %s", wg_strerror(err));
	if (fd >= 0)
		close(fd);
	return done_testing();
}
