/* SPDX-License-Identifier: GPL-2.0-only */
/* Text for people: what a terminal would act on, or cannot show, escaped. */
#ifndef WGSF_UI_TEXT_H
#define WGSF_UI_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* s as one readable line: control characters, and bytes of no UTF-8
 * character, as \xNN. */
void ui_print_text(FILE *f, const char *s);
/* The same into buf, size bytes, cut short at a whole character. */
const char *ui_text(const char *s, char *buf, size_t size);
/* Room for an interface name so escaped: 4 bytes a byte of its 15 */
#define UI_IFNAME_LEN 64

#endif
