/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where a reader of a WireGuard-style file (a policy, a WireGuard or
 * wg-quick config) is, for its one-line errors that name file and line.
 */
#ifndef WGSF_FILEPOS_H
#define WGSF_FILEPOS_H

#include <stdbool.h>
#include <stddef.h>

struct file_pos {
	const char *name;
	unsigned int line; /* 0: the file as a whole */
	char *err;         /* where the message goes, err_len bytes */
	size_t err_len;
};

/* "NAME:LINE: " and the message ("NAME: " at line 0) into pos->err;
 * returns -EINVAL. */
__attribute__((format(printf, 2, 3))) int pos_fail(struct file_pos *pos, const char *fmt, ...);
/* The end of a [Peer] section that began at line peer_line: an error
 * there unless it said whose it is. */
int pos_end_peer(struct file_pos *pos, unsigned int peer_line, bool has_key);

#endif
