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

/* The directory opened, made first where asked; -EAGAIN where it went
 * meanwhile and is to be made again. */
static int open_dir(const char *dir, int flags)
{
	int fd;

	/* a detach of the namespace's last interface removes the directories
	 * above, between our mkdir of one and of the next, or the open */
	if ((flags & PIN_LOCK_CREATE) && mkdir_p(dir))
		return errno == ENOENT ? -EAGAIN : -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT && (flags & PIN_LOCK_CREATE) ? -EAGAIN : -errno;
	return fd;
}

int pin_lock(const char *dir, int flags)
{
	int op = flags & PIN_LOCK_SHARED ? LOCK_SH : LOCK_EX;
	struct stat held, now;
	int tries, fd;

	/* detach removes the directory under the lock: a waiter that then gets
	 * the lock on the removed directory must look again. Each removal
	 * costs a turn: 10 turns ran out under two loops of attach and detach
	 * (tests/unit/pin_lock.c at 20,000 rounds), 100 did not. */
	for (tries = 0; tries < 100; tries++) {
		fd = open_dir(dir, flags);
		if (fd == -EAGAIN)
			continue;
		if (fd < 0)
			return fd;
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
