// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fault.h"
#include "pins/tree.h"

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
	int fd, below, err = d ? 0 : -errno, removed = 0;

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue; /* gone meanwhile */
		if (S_ISDIR(st.st_mode)) {
			fd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			/* after an error too: it closes fd */
			below = fd < 0 ? -errno : remove_below(fd);
			err = err ?: below;
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
