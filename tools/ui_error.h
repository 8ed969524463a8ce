/* SPDX-License-Identifier: GPL-2.0-only */
/* Errors and warnings: one line each, or a JSON object with --json; and
 * the exit statuses that tell them apart. */
#ifndef WGSF_UI_ERROR_H
#define WGSF_UI_ERROR_H

#include <stdbool.h>

#define PROG_NAME "wgsf"

/* The exit statuses, as `wgsf --help` and wgsf(8) list them. */
enum ui_status {
	UI_OK = 0,
	UI_ERROR = 1, /* an error that none below names */
	UI_FINDINGS = 2, /* check: a finding at warning level or above */
	UI_NOT_ATTACHED = 3,
	UI_NO_DEVICE = 4, /* no such interface */
	UI_USAGE = 64, /* an unknown option, a missing or invalid argument (EX_USAGE) */
	UI_NO_PRIVILEGE = 77, /* a capability that the command needs is missing (EX_NOPERM) */
};

/* Set by --json: errors become {"error": "..."} on stdout. */
extern bool ui_json;

/* One line on stderr (or a JSON error); returns status. */
__attribute__((format(printf, 2, 3))) int ui_fail(int status, const char *fmt, ...);
/* The same, with UI_ERROR. */
#define ui_error(...) ui_fail(UI_ERROR, __VA_ARGS__)
/* The same, with UI_USAGE: an argument that can never be right. */
#define ui_usage_error(...) ui_fail(UI_USAGE, __VA_ARGS__)
/* "Usage: wgsf SUBCOMMAND ..."; returns UI_USAGE. */
int ui_usage(const char *subcommand, const char *args);
/* The exit status for a loader's error: no such interface, not attached
 * where pinned (the command works on an attached interface's pins, whose
 * absence -ENOENT is), or UI_ERROR. */
int ui_status(int err, bool pinned);
/* The loader's message for err, or the libc one. */
const char *ui_reason(int err);
/* A policy rule that cannot take effect: "wgsf: warning: ..." on stderr. */
void ui_warn(const char *msg);
/* A command's status once its output is flushed: where standard output did
 * not take all of it (a full disk), that error on stderr, and UI_ERROR in
 * place of a status that said the output was whole. */
int ui_finish(int status);

#endif
