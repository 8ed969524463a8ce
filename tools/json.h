/* SPDX-License-Identifier: GPL-2.0-only */
/* A small streaming JSON writer: commas and escaping are handled here only. */
#ifndef WGSF_JSON_H
#define WGSF_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool has_items[JSON_MAX_DEPTH];
	/* Set by a begin past JSON_MAX_DEPTH, or an end with nothing open: from
	 * then on nothing is written, as to a FILE with its error flag set. */
	bool failed;
};

/* The length of the UTF-8 character that s starts with (1 to 4; 1 for
 * ASCII), or 0 when s starts none: a stray or cut-short byte, an overlong
 * form, a surrogate, past U+10FFFF. */
size_t utf8_char(const char *s);

/* key is the member name inside an object, NULL inside an array or at top.
 * A begin past JSON_MAX_DEPTH levels sets failed; one that writes nothing,
 * so, returns -E2BIG, else 0. */
int json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
int json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *value); /* NULL: null */
void json_u64(struct json *j, const char *key, uint64_t value);
/* With three decimals; one that is not finite, null. */
void json_double(struct json *j, const char *key, double value);
void json_bool(struct json *j, const char *key, bool value);

#endif
