/* SPDX-License-Identifier: GPL-2.0-only */
/* What every subcommand shares: errors, option parsing, units, colours. */
#ifndef WGSF_UI_H
#define WGSF_UI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "wgsf.h"

#define PROG_NAME "wgsf"

/* Set by --json: errors become {"error": "..."} on stdout. */
extern bool ui_json;

/* s as one readable line: control characters, and bytes of no UTF-8
 * character, as \xNN. */
void ui_print_text(FILE *f, const char *s);
/* The same into buf, size bytes, cut short at a whole character. */
const char *ui_text(const char *s, char *buf, size_t size);
/* Room for an interface name so escaped: 4 bytes a byte of its 15 */
#define UI_IFNAME_LEN 64
/* One line on stderr (or a JSON error); always returns 1, the exit status. */
__attribute__((format(printf, 1, 2))) int ui_error(const char *fmt, ...);
/* "Usage: wgsf SUBCOMMAND ..." on stderr; returns 1. */
int ui_usage(const char *subcommand, const char *args);
/* The loader's message for err, or the libc one. */
const char *ui_reason(int err);
/* A violation's reason (enum wgsf_reason): "source", "destination", "blocked" */
const char *ui_reason_name(uint32_t reason);
/* 0 when running with the privileges BPF needs, else the error exit. */
int ui_need_root(void);

/* Options of the form --name VALUE or --name=VALUE, and positional args. */
struct ui_opt {
	const char *name;     /* "--hook" */
	bool takes_value;
	const char **value;   /* set to the value, or to "" for a flag */
};
/* Fills opts and the positional arguments (at most max_pos); returns 0 or
 * prints the error and returns 1. */
int ui_parse(int argc, const char *argv[], const struct ui_opt *opts, size_t nopts,
	     const char **pos, size_t min_pos, size_t max_pos, const char *subcommand,
	     const char *usage);

/* The start of every subcommand on one interface: usage when called bare,
 * then ui_parse() with the interface first among min_pos..max_pos
 * positionals, its name checked, and root. 0, or the exit status. */
int ui_iface_command(int argc, const char *argv[], const struct ui_opt *opts, size_t nopts,
		     const char **pos, size_t min_pos, size_t max_pos, const char *subcommand,
		     const char *usage);

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
/* "tc (tcx)", "tc (clsact)" */
const char *ui_hook(const struct wgsf_attachment *a, char buf[32]);
/* The config's policy file, or "none" */
const char *ui_policy_name(const struct wgsf_config *c);
/* "monitor" or "enforce" */
const char *ui_mode(uint32_t mode);
/* A policy rule that cannot take effect: "wgsf: warning: ..." on stderr. */
void ui_warn(const char *msg);

const char *ui_bytes(uint64_t bytes, char buf[32]);
const char *ui_ago(uint64_t mono_ns, char buf[64]);
/* Seconds since the epoch of a CLOCK_MONOTONIC stamp; 0 stays 0. */
uint64_t ui_epoch(uint64_t mono_ns);
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
