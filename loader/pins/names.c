// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "ifname.h"
#include "pins/bpffs.h"
#include "pins/names.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14; older libc headers lack it */
#endif

/* dir's name with every from as to, into out (IFNAMSIZ bytes) */
static int swap_char(const char *dir, char from, char to, char out[IFNAMSIZ])
{
	size_t len = strnlen(dir, IFNAMSIZ), i;

	if (len >= IFNAMSIZ)
		return -EINVAL;
	for (i = 0; i <= len; i++)
		out[i] = dir[i] == from ? to : dir[i];
	return 0;
}

int pin_dir_ifname(const char *dir, char out[IFNAMSIZ])
{
	return swap_char(dir, ':', '.', out) ?: ifname_check(out);
}

/*
 * A name for this network namespace that no later namespace can take: its
 * cookie (Linux 5.14+). Inode numbers are reused once a namespace is gone,
 * and pins left by a deleted namespace would then seem to be a new one's.
 */
int pin_netns_name(char *buf, size_t len)
{
	uint64_t cookie;
	socklen_t clen = sizeof(cookie);
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && !getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &clen)) {
		close(fd);
		snprintf(buf, len, "%llu", (unsigned long long)cookie);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	if (stat("/proc/self/ns/net", &st))
		return -errno;
	snprintf(buf, len, "ino%lu", (unsigned long)st.st_ino);
	return 0;
}

int pin_ns_dir(char out[PATH_MAX])
{
	char root[PATH_MAX], ns[32];
	int err = pin_root_dir(root) ?: pin_netns_name(ns, sizeof(ns));

	if (err)
		return err;
	if (snprintf(out, PATH_MAX, "%s/%s", root, ns) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int pin_iface_dir(const char *ifname, char out[PATH_MAX])
{
	char ns[PATH_MAX], name[IFNAMSIZ];
	int err;

	if (ifname_check(ifname) || swap_char(ifname, '.', ':', name))
		return -EINVAL;
	err = pin_ns_dir(ns);
	if (err)
		return err;
	if (snprintf(out, PATH_MAX, "%s/%s", ns, name) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}
