// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>

#include "json.h"

size_t utf8_char(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* a NUL too */
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || (c >= 0xd800 && c <= 0xdfff) ||
	    c > 0x10ffff)
		return 0;
	return n;
}

/* Always valid UTF-8 JSON: a byte of no character is written as the text
 * \xNN, as human output shows it. */
static void quoted(FILE *f, const char *s)
{
	size_t n;

	fputc('"', f);
	for (; *s; s += n ?: 1) {
		unsigned char c = *s;

		n = utf8_char(s);
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else if (!n)
			fprintf(f, "\\\\x%02x", c);
		else
			fwrite(s, 1, n, f);
	}
	fputc('"', f);
}

/* Starts a value: false when nothing may be written any more. */
static bool member(struct json *j, const char *key)
{
	if (j->failed)
		return false;
	if (j->depth > 0 && j->has_items[j->depth - 1])
		fputc(',', j->f);
	if (j->depth > 0)
		j->has_items[j->depth - 1] = true;
	if (key) {
		quoted(j->f, key);
		fputc(':', j->f);
	}
	return true;
}

static int open(struct json *j, const char *key, char c)
{
	if (j->depth >= JSON_MAX_DEPTH)
		j->failed = true;
	if (!member(j, key))
		return -E2BIG;
	fputc(c, j->f);
	j->has_items[j->depth++] = false;
	return 0;
}

static void close_(struct json *j, char c)
{
	if (!j->depth)
		j->failed = true;
	if (j->failed)
		return;
	fputc(c, j->f);
	if (--j->depth == 0)
		fputc('\n', j->f);
}

int json_object_begin(struct json *j, const char *key)
{
	return open(j, key, '{');
}

void json_object_end(struct json *j)
{
	close_(j, '}');
}

int json_array_begin(struct json *j, const char *key)
{
	return open(j, key, '[');
}

void json_array_end(struct json *j)
{
	close_(j, ']');
}

void json_string(struct json *j, const char *key, const char *value)
{
	if (!member(j, key))
		return;
	if (value)
		quoted(j->f, value);
	else
		fputs("null", j->f);
}

void json_u64(struct json *j, const char *key, uint64_t value)
{
	if (member(j, key))
		fprintf(j->f, "%llu", (unsigned long long)value);
}

void json_double(struct json *j, const char *key, double value)
{
	if (!member(j, key))
		return;
	/* JSON has no infinity nor NaN */
	if (isfinite(value))
		fprintf(j->f, "%.3f", value);
	else
		fputs("null", j->f);
}

void json_bool(struct json *j, const char *key, bool value)
{
	if (member(j, key))
		fputs(value ? "true" : "false", j->f);
}
