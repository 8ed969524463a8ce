// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "filepos.h"

int pos_fail(struct file_pos *pos, const char *fmt, ...)
{
	int n = pos->line ? snprintf(pos->err, pos->err_len, "%s:%u: ", pos->name, pos->line)
			  : snprintf(pos->err, pos->err_len, "%s: ", pos->name);
	va_list ap;

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < pos->err_len)
		vsnprintf(pos->err + n, pos->err_len - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int pos_end_peer(struct file_pos *pos, unsigned int peer_line, bool has_key)
{
	unsigned int line = pos->line;
	int err;

	if (has_key)
		return 0;
	pos->line = peer_line;
	err = pos_fail(pos, "[Peer] without a PublicKey");
	pos->line = line;
	return err;
}
