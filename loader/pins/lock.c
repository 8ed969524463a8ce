// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "pins/lock.h"

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
