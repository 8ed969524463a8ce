/* SPDX-License-Identifier: GPL-2.0-only */
/* Errors and warnings: one line each, or a JSON object with --json. */
#ifndef WGSF_UI_ERROR_H
#define WGSF_UI_ERROR_H

#include <stdbool.h>

#define PROG_NAME "wgsf"

/* Set by --json: errors become {"error": "..."} on stdout. */
extern bool ui_json;

/* One line on stderr (or a JSON error); always returns 1, the exit status. */
__attribute__((format(printf, 1, 2))) int ui_error(const char *fmt, ...);
/* "Usage: wgsf SUBCOMMAND ..." on stderr; returns 1. */
int ui_usage(const char *subcommand, const char *args);
/* The loader's message for err, or the libc one. */
const char *ui_reason(int err);
/* A policy rule that cannot take effect: "wgsf: warning: ..." on stderr. */
void ui_warn(const char *msg);

#endif
