/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one way wgsf reads a text file a user names (a policy, a WireGuard
 * config): a regular file only, opened so that nothing can block (a FIFO's
 * open would wait for a writer, with the interface's lock held), and at
 * most a given size.
 */
#ifndef WGSF_TEXTFILE_H
#define WGSF_TEXTFILE_H

#include <stddef.h>
#include <sys/types.h>

/* The whole of path, a regular file of at most most bytes (whole MiB),
 * into *text (NUL-terminated, the caller's to free), its length into
 * *size. On error, "PATH: reason" into err and -errno: -EINVAL for what is
 * not a regular file, -EFBIG past most. */
int textfile_read(const char *path, size_t most, char **text, size_t *size, char *err,
		  size_t err_len);
/* textfile_read() of a file that decides what is enforced (a policy):
 * only along a path that strict_path.h trusts; otherwise -EPERM (or the
 * walk's -errno) with "PATH: why" in err, PATH what failed the check. */
int textfile_read_strict(const char *path, size_t most, char **text, size_t *size, char *err,
			 size_t err_len);
/* What a file of this mode is, for a message that refuses it: "a
 * directory", "a FIFO or pipe", "a device", "a socket", "a special file". */
const char *textfile_kind(mode_t mode);

#endif
