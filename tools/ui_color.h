/* SPDX-License-Identifier: GPL-2.0-only */
/* Colours and bold labels, on a terminal only. */
#ifndef WGSF_UI_COLOR_H
#define WGSF_UI_COLOR_H

#define UI_BOLD "\x1b[1m"
#define UI_GREEN "\x1b[32m"
#define UI_YELLOW "\x1b[33m"
#define UI_RED "\x1b[31m"
#define UI_RESET "\x1b[0m"

/* "INDENTname: " in bold, in the style of `wg show`. */
void ui_label(const char *indent, const char *name);
/* Terminal colours, empty strings when stdout is not a tty. */
const char *ui_color(const char *code);

#endif
