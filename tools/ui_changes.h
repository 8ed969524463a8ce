/* SPDX-License-Identifier: GPL-2.0-only */
/* What attach, sync and watch changed and found, one line each. */
#ifndef WGSF_UI_CHANGES_H
#define WGSF_UI_CHANGES_H

#include <stdarg.h>

#include "json.h"

/* Where a command's lines about one interface go: "IFACE: text" on
 * stdout; with --json, each text a string of the array that j has open,
 * or, where j is NULL (a watch's log), an object {"interface": ...,
 * "message": text} on a line of its own. */
struct ui_lines {
	const char *name; /* the interface, as given */
	const char *shown; /* the same, escaped, for people */
	struct json *j;
};

/* One line, the text escaped whole (a policy's path may hold anything). */
__attribute__((format(printf, 2, 0))) void ui_vline(const struct ui_lines *o, const char *fmt,
						     va_list ap);
__attribute__((format(printf, 2, 3))) void ui_line(const struct ui_lines *o, const char *fmt,
						    ...);

struct sync_result;
/* "peers +1 -0, allowed ips +2 ~0 -0[, policy rules +1 -0, flags ~1]" */
void ui_print_changes(const struct sync_result *r);
/* The same as JSON: "changes": {"peers_added": 1, ...} */
void ui_json_changes(struct json *j, const struct sync_result *r);
struct iface_result;
/* What a command found and mended beside the tables, one line each: a
 * hook that was not in force, an interrupted command's work, maps that
 * grew. */
void ui_print_notes(const struct ui_lines *o, const struct iface_result *r);
/* What a command changed in force, one line each, old -> new and what
 * caused it: the mode, the policy file or its text, the flow records'
 * table. Nothing on a first attach but flows turned on. */
void ui_print_applied(const struct ui_lines *o, const struct iface_result *r);
/* Where WireGuard's own rejections are not visible, one line that says why. */
void ui_print_rejected_note(const struct ui_lines *o, const struct iface_result *r);

#endif
