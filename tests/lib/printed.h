/* SPDX-License-Identifier: GPL-2.0-only */
/* What a printer of the CLI writes to standard output, caught to compare. */
#ifndef WGSF_TEST_PRINTED_H
#define WGSF_TEST_PRINTED_H

#include <stdbool.h>

/* The first line that print(arg) writes to standard output; NULL where it
 * cannot be caught. Freed by the caller. */
char *printed(void (*print)(const void *arg), const void *arg);

/* A TAP line: whether got is want, both shown where not. */
bool text_is(const char *got, const char *want, const char *what);

#endif
