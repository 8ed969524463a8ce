// SPDX-License-Identifier: GPL-2.0-only
/* O_PATH */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "strict_path.h"
#include "textfile.h"

const char *textfile_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO or pipe";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "a device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "a special file";
}

/* realloc(), but the old block is wiped before it is freed: the text may
 * be a WireGuard config, with its PrivateKey. */
static char *grow(char *buf, size_t used, size_t cap)
{
	char *grown = malloc(cap);

	if (grown && buf) {
		memcpy(grown, buf, used);
		explicit_bzero(buf, used);
		free(buf);
	}
	return grown;
}

/* Up to most + 1 bytes: a file may grow past what fstat said. */
static int read_all(int fd, size_t most, size_t hint, char **text, size_t *size)
{
	size_t cap = hint < most ? hint + 2 : most + 2, n = 0;
	char *buf = NULL, *grown;
	ssize_t got = 1;

	while (got) {
		if (n + 1 == cap || !buf) {
			cap = buf ? (cap * 2 < most + 2 ? cap * 2 : most + 2) : cap;
			grown = grow(buf, n, cap);
			if (!grown)
				break;
			buf = grown;
		}
		got = read(fd, buf + n, cap - 1 - n);
		if (got < 0 && errno != EINTR)
			break;
		n += got > 0 ? got : 0;
		if (n > most)
			break;
	}
	if (got) {
		if (buf)
			explicit_bzero(buf, n);
		free(buf);
		return n > most ? -EFBIG : -errno;
	}
	buf[n] = '\0';
	*text = buf;
	*size = n;
	return 0;
}

/* What fd, opened for path, holds: a regular file of at most most bytes. */
static int read_fd(int fd, const char *path, size_t most, char **text, size_t *size, char *err,
		   size_t err_len)
{
	struct stat st;
	int r = fstat(fd, &st) ? -errno : 0;

	if (r) {
		snprintf(err, err_len, "%s: %s", path, strerror(-r));
	} else if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		snprintf(err, err_len, "%s: %s, not a regular file", path,
			 textfile_kind(st.st_mode));
	} else if ((size_t)st.st_size > most) {
		r = -EFBIG;
	} else {
		r = read_all(fd, most, st.st_size, text, size);
		if (r && r != -EFBIG)
			snprintf(err, err_len, "%s: read failed: %s", path, strerror(-r));
	}
	if (r == -EFBIG)
		snprintf(err, err_len, "%s: larger than %zu MiB", path, most >> 20);
	return r;
}

int textfile_read(const char *path, size_t most, char **text, size_t *size, char *err,
		  size_t err_len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), r;

	/* a socket cannot be opened for reading at all (ENXIO): its kind says more */
	if (fd < 0 && errno == ENXIO)
		fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(-r));
		return r;
	}
	r = read_fd(fd, path, most, text, size, err, err_len);
	close(fd);
	return r;
}

int textfile_read_strict(const char *path, size_t most, char **text, size_t *size, char *err,
			 size_t err_len)
{
	int fd = strict_path_open(path, geteuid(), err, err_len), r;

	if (fd < 0)
		return fd;
	r = read_fd(fd, path, most, text, size, err, err_len);
	close(fd);
	return r;
}
