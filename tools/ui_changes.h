/* SPDX-License-Identifier: GPL-2.0-only */
/* What attach, sync and watch changed and found, one line each. */
#ifndef WGSF_UI_CHANGES_H
#define WGSF_UI_CHANGES_H

#include <stdarg.h>

/* "IFACE: ..." on stdout, the message escaped whole (a policy's path may
 * hold anything); ifname is escaped already. */
__attribute__((format(printf, 2, 0))) void ui_vprint_line(const char *ifname, const char *fmt,
							   va_list ap);

struct sync_result;
/* "peers +1 -0, allowed ips +2 ~0 -0[, policy rules +1 -0, flags ~1]" */
void ui_print_changes(const struct sync_result *r);
struct iface_result;
/* What a command found and mended beside the tables, one "IFACE: ..." line
 * each: a hook that was not in force, an interrupted command's work, maps
 * that grew. */
void ui_print_notes(const char *ifname, const struct iface_result *r);
/* What a command changed in force, one "IFACE: ..." line each, old -> new
 * and what caused it: the mode, the policy file or its text, the hook's
 * kind. Nothing on a first attach, whose first line says it all. */
void ui_print_applied(const char *ifname, const struct iface_result *r);
/* Where WireGuard's own rejections are not visible, one line that says why. */
void ui_print_rejected_note(const char *ifname, const struct iface_result *r);

#endif
