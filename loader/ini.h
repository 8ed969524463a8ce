/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one reader of WireGuard-style text: a policy, a WireGuard or
 * wg-quick config. Its rules are wg's own (config.c) where wg has one:
 * lines end at '\n' (a '\r' before it is white space), '#' starts a
 * comment wherever it stands, white space around a line, a key or a value
 * says nothing; keys and section names compare in any case (the callers'
 * part, as is white space inside a key or a value: wg takes it out of the
 * whole line, which a WireGuard config's reader does too, while a policy
 * keeps it between an Allow line's prefixes and services, and refuses a key
 * of two words). Where wgsf is stricter, it says why: a UTF-8 byte order
 * mark starts the first line only (some editors write one; elsewhere it
 * is a sign of two files pasted together); a control byte other than white
 * space, or DEL, is "binary data" (wg would read it into a key or a value);
 * a line that opens a section must close it.
 */
#ifndef WGSF_INI_H
#define WGSF_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "filepos.h"

/* One line that says something: a section's header or a setting. */
struct ini_line {
	char *section; /* "[...]": what is between the brackets, trimmed; else NULL */
	char *key;     /* "Key = Value": the key, trimmed, never empty */
	char *value;   /* its value, trimmed; empty when the line has none */
};

/* Reads size bytes of text (NUL at size, changed in place), calling fn for
 * each section header and setting in order, pos->line its line, until fn
 * fails. A line of neither form is an error: when quote, the message quotes
 * it; otherwise it names the line by its number alone, as the reader of a
 * file that may be any file (a link to /etc/shadow) must. Returns 0 or
 * fn's error, or -EINVAL with the message in pos->err. */
int ini_read(struct file_pos *pos, char *text, size_t size, bool quote,
	     int (*fn)(void *ctx, const struct ini_line *l), void *ctx);
/* s with no white space in it, as wg reads a line (in place). */
char *ini_strip_spaces(char *s);
/* s without its leading and trailing white space (in place). */
char *ini_trim(char *s);

#endif
