// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "err.h"
#include "attach/pin.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14; older libc headers lack it */
#endif

#define BPFFS "/sys/fs/bpf"
/* `ip netns exec` remounts /sys in a private mount namespace that dies with
 * the command, and any bpffs mounted there dies with it, taking the pins,
 * and so the attachment, along. The init namespace's bpffs is reachable
 * through PID 1's root and outlives the command. */
#define INIT_BPFFS "/proc/1/root/sys/fs/bpf"

int ifname_check(const char *name)
{
	size_t len = strlen(name), i;

	if (!len || len >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == ':' || name[i] <= ' ' || name[i] == 0x7f)
			return -EINVAL;
	return 0;
}

static int is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

/*
 * Whether a bpffs mounted now would outlive this command: so in PID 1's
 * mount namespace, or, where PID 1 is out of sight, in our parent's. Under
 * `ip netns exec` it is neither: that command's private mount namespace,
 * and whatever is mounted in it, ends with the command.
 */
static bool mount_ns_lasts(void)
{
	struct stat self, other;
	char path[64];

	if (stat("/proc/self/ns/mnt", &self))
		return true;
	if (!stat("/proc/1/ns/mnt", &other))
		return self.st_ino == other.st_ino;
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)getppid());
	return stat(path, &other) || self.st_ino == other.st_ino;
}

const char *bpffs_root(void)
{
	if (is_bpffs(BPFFS))
		return BPFFS;
	if (is_bpffs(INIT_BPFFS))
		return INIT_BPFFS;
	if (!mount_ns_lasts()) {
		wgsf_set_error("no bpffs at " BPFFS " in this mount namespace, and one mounted "
			       "now would vanish with this command ('ip netns exec'?); run wgsf through "
			       "'nsenter --net=/var/run/netns/NAME' instead");
		return NULL;
	}
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
		wgsf_set_error("cannot mount bpffs on " BPFFS ": %s", strerror(errno));
		return NULL;
	}
	return BPFFS;
}

/*
 * A name for this network namespace that no later namespace can take: its
 * cookie (Linux 5.14+). Inode numbers are reused once a namespace is gone,
 * and pins left by a deleted namespace would then seem to be a new one's.
 */
static int netns_name(char *buf, size_t len)
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
	const char *root = bpffs_root();
	char ns[32];
	int err;

	if (!root)
		return -ENOTSUP;
	err = netns_name(ns, sizeof(ns));
	if (err)
		return err;
	snprintf(out, PATH_MAX, "%s/wgsf/%s", root, ns);
	return 0;
}

int pin_iface_dir(const char *ifname, char out[PATH_MAX])
{
	char ns[PATH_MAX];
	int err;

	if (ifname_check(ifname))
		return -EINVAL;
	err = pin_ns_dir(ns);
	if (err)
		return err;
	if (snprintf(out, PATH_MAX, "%s/%s", ns, ifname) >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static int mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(buf, 0700) && errno != EEXIST ? -errno : 0;
}

int pin_lock(const char *dir, int create)
{
	struct stat held, now;
	int tries, fd;

	/* detach removes the directory under the lock: a waiter that then gets
	 * the lock on the removed directory must look again. */
	for (tries = 0; tries < 10; tries++) {
		if (create && mkdir_p(dir))
			return -errno;
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX)) {
			close(fd);
			return -errno;
		}
		if (!fstat(fd, &held) && !stat(dir, &now) && held.st_ino == now.st_ino)
			return fd;
		close(fd);
		if (!create)
			return -ENOENT;
	}
	return -EAGAIN;
}

void pin_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

void pin_dir_remove(const char *dir)
{
	char buf[PATH_MAX];
	char *slash;
	int up;

	snprintf(buf, sizeof(buf), "%s", dir);
	/* the interface dir, then its namespace dir, then wgsf/, when empty */
	for (up = 0; up < 3; up++) {
		if (rmdir(buf))
			return;
		slash = strrchr(buf, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
}
