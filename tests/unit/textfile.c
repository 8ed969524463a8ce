// SPDX-License-Identifier: GPL-2.0-only
/* The reader of the files a user names: what is not a regular file is
 * refused at once with its kind (a FIFO without a writer too: an alarm
 * bounds the test should the open ever wait), a file past the limit is
 * refused before it is read, and a regular file is read whole, also one
 * whose size stat does not tell (/proc). No privileges. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "tap.h"
#include "textfile.h"

#define MOST (1u << 20)

static char dir[64];

static void refused(const char *path, int want_err, const char *want)
{
	char err[256] = "", full[256];
	char *text = NULL;
	size_t size = 0;
	int r = textfile_read(path, MOST, &text, &size, err, sizeof(err));

	snprintf(full, sizeof(full), "%s: %s", path, want);
	ok(r == want_err && !strcmp(err, full) && !text, "%s: %s", path, want);
	if (strcmp(err, full))
		diag("  got '%s' (%d)", err, r);
	free(text);
}

static void file_of(const char *path, off_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || ftruncate(fd, size))
		abort();
	close(fd);
}

static void read_whole(const char *path, size_t want_size, const char *what)
{
	char err[256] = "", *text = NULL;
	size_t size = 1;
	int r = textfile_read(path, MOST, &text, &size, err, sizeof(err));

	ok(!r && text && (want_size == (size_t)-1 ? size > 0 : size == want_size) &&
		   text[size] == '\0',
	   "%s: read whole, %zu bytes", what, size);
	if (r)
		diag("  %s", err);
	free(text);
}

static void sockets(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		abort();
	refused(path, -EINVAL, "a socket, not a regular file");
	close(fd);
}

int main(void)
{
	char path[96];

	alarm(30);
	snprintf(dir, sizeof(dir), "/tmp/wgsf-textfile-%d", getpid());
	if (mkdir(dir, 0700))
		abort();
	refused(dir, -EINVAL, "a directory, not a regular file");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600))
		abort();
	refused(path, -EINVAL, "a FIFO or pipe, not a regular file");
	unlink(path);
	refused("/dev/null", -EINVAL, "a device, not a regular file");
	refused("/dev/zero", -EINVAL, "a device, not a regular file");
	snprintf(path, sizeof(path), "%s/sock", dir);
	sockets(path);
	unlink(path);
	snprintf(path, sizeof(path), "%s/missing", dir);
	refused(path, -ENOENT, "No such file or directory");
	snprintf(path, sizeof(path), "%s/big", dir);
	file_of(path, MOST + 1);
	refused(path, -EFBIG, "larger than 1 MiB");
	file_of(path, MOST);
	read_whole(path, MOST, "a file of exactly the limit");
	file_of(path, 0);
	read_whole(path, 0, "an empty file");
	unlink(path);
	read_whole("/proc/self/status", (size_t)-1, "a file stat gives size 0 (/proc/self/status)");
	rmdir(dir);
	return done_testing();
}
