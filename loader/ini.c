// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "ini.h"

char *ini_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

char *ini_strip_spaces(char *s)
{
	char *out = s, *in;

	for (in = s; *in; in++)
		if (!isspace((unsigned char)*in))
			*out++ = *in;
	*out = '\0';
	return s;
}

/* The bytes of one line (len of them) that no text holds. */
static int check_bytes(struct file_pos *pos, const char *buf, size_t len)
{
	size_t i;

	if (!strncmp(buf, "\xef\xbb\xbf", 3))
		return pos_fail(pos, "a UTF-8 byte order mark, which only the first line may "
				"start with");
	for (i = 0; i < len; i++)
		if (((unsigned char)buf[i] < ' ' && !isspace((unsigned char)buf[i])) ||
		    buf[i] == 0x7f)
			return pos_fail(pos, "binary data (byte 0x%02x)", (unsigned char)buf[i]);
	return 0;
}

static int classify(struct file_pos *pos, char *s, bool quote, struct ini_line *l)
{
	size_t len = strlen(s);
	char *eq = strchr(s, '=');

	*l = (struct ini_line){};
	if (*s == '[') {
		if (s[len - 1] != ']')
			return pos_fail(pos, "unterminated section header");
		s[len - 1] = '\0';
		l->section = ini_trim(s + 1);
		return 0;
	}
	if (eq && eq != s) {
		*eq = '\0';
		l->key = ini_trim(s);
		l->value = ini_trim(eq + 1);
		return 0;
	}
	if (quote)
		return pos_fail(pos, "expected 'Key = Value' or a [Section], not '%s'", s);
	return pos_fail(pos, "expected 'Key = Value' or a [Section]");
}

static int one_line(struct file_pos *pos, char *buf, size_t len, bool quote,
		    int (*fn)(void *ctx, const struct ini_line *l), void *ctx)
{
	size_t bom = pos->line == 1 && !strncmp(buf, "\xef\xbb\xbf", 3) ? 3 : 0;
	struct ini_line l;
	char *hash, *s;
	int err = check_bytes(pos, buf + bom, len - bom);

	if (err)
		return err;
	hash = strchr(buf + bom, '#');
	if (hash)
		*hash = '\0';
	s = ini_trim(buf + bom);
	if (!*s)
		return 0;
	return classify(pos, s, quote, &l) ?: fn(ctx, &l);
}

int ini_read(struct file_pos *pos, char *text, size_t size, bool quote,
	     int (*fn)(void *ctx, const struct ini_line *l), void *ctx)
{
	char *at = text, *end = text + size, *nl;
	int err = 0;

	pos->line = 0;
	for (; at < end && !err; at = nl ? nl + 1 : end) {
		nl = memchr(at, '\n', end - at);
		if (nl)
			*nl = '\0';
		pos->line++;
		err = one_line(pos, at, (nl ?: end) - at, quote, fn, ctx);
	}
	return err;
}
