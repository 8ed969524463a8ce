// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "attach/pin.h"
#include "err.h"
#include "fault.h"

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
	size_t len = strnlen(name, IFNAMSIZ), i;
	unsigned char c;

	if (!len || len >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		c = name[i];
		/* the kernel's isspace(): ASCII's, and Latin-1's no-break space */
		if (c == '/' || c == ':' || c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0)
			return -EINVAL;
	}
	return 0;
}

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

static const char *bpffs_root(void)
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

int pin_root_dir(char out[PATH_MAX])
{
	const char *root = bpffs_root();

	if (!root)
		return -ENOTSUP;
	snprintf(out, PATH_MAX, "%s/wgsf", root);
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

int pin_lock(const char *dir, int flags)
{
	int op = flags & PIN_LOCK_SHARED ? LOCK_SH : LOCK_EX;
	struct stat held, now;
	int tries, fd;

	/* detach removes the directory under the lock: a waiter that then gets
	 * the lock on the removed directory must look again. */
	for (tries = 0; tries < 10; tries++) {
		if ((flags & PIN_LOCK_CREATE) && mkdir_p(dir))
			return -errno;
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (flock(fd, op)) {
			close(fd);
			return -errno;
		}
		if (!fstat(fd, &held) && !stat(dir, &now) && held.st_ino == now.st_ino)
			return fd;
		close(fd);
		if (!(flags & PIN_LOCK_CREATE))
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
		if (rmdir(buf) && errno != ENOENT)
			return;
		slash = strrchr(buf, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
}

static int remove_below(int dirfd)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *e;
	struct stat st;
	int fd, err = d ? 0 : -errno, removed = 0;

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue; /* gone meanwhile */
		if (S_ISDIR(st.st_mode)) {
			fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			err = err ?: fd < 0 ? -errno : remove_below(fd);
		}
		if (removed++ == 1)
			fault_point("remove pins, partway");
		if (unlinkat(dirfd, e->d_name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) &&
		    errno != ENOENT)
			err = err ?: -errno;
	}
	if (d)
		closedir(d);
	else
		close(dirfd);
	return err;
}

int pin_remove_tree(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), err;

	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = remove_below(fd);
	if (rmdir(path) && errno != ENOENT)
		err = err ?: -errno;
	return err;
}

#define CURRENT "current"
#define NEXT "next" /* the symlink a commit renames over CURRENT */

/* The number of the generation in force, 0 when none. */
static unsigned long current_number(const char *dir)
{
	char path[PATH_MAX], target[32];
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/" CURRENT, dir) >= (int)sizeof(path))
		return 0;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 1 || target[0] != 'g')
		return 0;
	target[n] = '\0';
	return strtoul(target + 1, NULL, 10);
}

static int generation_path(const char *dir, unsigned long n, char out[PATH_MAX])
{
	return snprintf(out, PATH_MAX, "%s/g%lu", dir, n) >= PATH_MAX ? -ENAMETOOLONG : 0;
}

int pin_current(const char *dir, char out[PATH_MAX])
{
	unsigned long n = current_number(dir);
	struct stat st;
	int err;

	if (!n)
		return -ENOENT;
	err = generation_path(dir, n, out);
	if (!err && stat(out, &st))
		err = -ENOENT;
	return err;
}

int pin_generation(const char *dir, char out[PATH_MAX])
{
	int err = generation_path(dir, current_number(dir) + 1, out);

	/* a generation of a command killed before its commit */
	err = err ?: pin_remove_tree(out);
	if (!err && mkdir(out, 0700))
		err = -errno;
	return err;
}

int pin_commit(const char *dir, const char *gen)
{
	const char *name = strrchr(gen, '/');
	char next[PATH_MAX], current[PATH_MAX];

	if (!name || snprintf(next, sizeof(next), "%s/" NEXT, dir) >= (int)sizeof(next) ||
	    snprintf(current, sizeof(current), "%s/" CURRENT, dir) >= (int)sizeof(current))
		return -ENAMETOOLONG;
	if (unlink(next) && errno != ENOENT)
		return -errno;
	if (symlink(name + 1, next))
		return -errno;
	fault_point("commit a generation");
	return rename(next, current) ? -errno : 0;
}

void pin_sweep(const char *dir)
{
	unsigned long keep = current_number(dir);
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d))) {
		if (e->d_name[0] != 'g' || strtoul(e->d_name + 1, NULL, 10) == keep ||
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		pin_remove_tree(path);
	}
	if (d)
		closedir(d);
	if (snprintf(path, sizeof(path), "%s/" NEXT, dir) < (int)sizeof(path))
		unlink(path);
}
