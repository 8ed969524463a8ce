// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "ui_text.h"

/* The character s starts with, as a person should see it, into out (at
 * most 4 * 4 bytes, and maybe a NUL); its length there. *n: its bytes in s. */
static size_t escape_char(const char *s, char out[17], size_t *n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, len = 0;

	*n = utf8_char(s);
	/* C1 controls too (U+0080 to U+009F), as terminals act on some, and
	 * the no-break space, which reads as a space */
	if (*n && u[0] >= 0x20 && u[0] != 0x7f && !(u[0] == 0xc2 && u[1] <= 0xa0)) {
		memcpy(out, s, *n);
		return *n;
	}
	*n = *n ?: 1;
	for (i = 0; i < *n; i++, len += 4)
		sprintf(out + len, "\\x%02x", u[i]);
	return len;
}

void ui_print_text(FILE *f, const char *s)
{
	char out[17];
	size_t n;

	for (; *s; s += n)
		fwrite(out, 1, escape_char(s, out, &n), f);
}

const char *ui_text(const char *s, char *buf, size_t size)
{
	char out[17];
	size_t n, len, used = 0;

	for (; *s; s += n) {
		len = escape_char(s, out, &n);
		if (used + len >= size)
			break;
		memcpy(buf + used, out, len);
		used += len;
	}
	buf[used] = '\0';
	return buf;
}
