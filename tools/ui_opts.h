/* SPDX-License-Identifier: GPL-2.0-only */
/* A subcommand's options and positional arguments. */
#ifndef WGSF_UI_OPTS_H
#define WGSF_UI_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "ui_privilege.h"

/* What an option takes: nothing (a flag), a value (--name VALUE or
 * --name=VALUE), or a value it may go without (only as --name=VALUE). */
enum ui_takes {
	UI_FLAG,
	UI_VALUE,
	UI_VALUE_OPTIONAL,
};

/* Options, and positional args. */
struct ui_opt {
	const char *name;     /* "--hook" */
	enum ui_takes takes;
	const char **value;   /* set to the value, or to "" where there is none */
};

/* What a subcommand takes. Every one takes --json besides its opts, and
 * "--" ends the options. */
struct ui_command {
	const char *name;  /* "attach" */
	const char *usage; /* its arguments, as its usage line prints them */
	const struct ui_opt *opts;
	size_t nopts;
	size_t min_pos, max_pos; /* how many positional arguments */
	enum ui_privilege needs;
};

/* Whether argv asks for JSON: --json among the options of a subcommand
 * that takes opts (nopts of them), before any "--". */
bool ui_wants_json(int argc, const char *argv[], const struct ui_opt *opts, size_t nopts);
/* Sets ui_json, fills c's options and the positional arguments into pos (at
 * most max_pos, the rest NULL); 0, or the error printed and its status. */
int ui_parse(const struct ui_command *c, int argc, const char *argv[], const char **pos);
/* A name that the kernel could give an interface, else the usage error. */
int ui_check_ifname(const char *name);

/* The start of every subcommand on one interface: ui_parse() with the
 * interface first of the positionals, and its name checked. 0, or the exit
 * status. The privileges are checked once every argument is: a usage error
 * is one whoever makes it. */
int ui_iface_command(const struct ui_command *c, int argc, const char *argv[], const char **pos);

/* Whether s is a whole number in decimal digits alone (no sign, no
 * space), from min to max; into *out where it is. */
bool ui_whole_number(const char *s, long min, long max, long *out);

/* --interval SECONDS (digits, a fraction after a point), 0.1 to 3600, into
 * *secs when given (s not NULL);
 * 0, or the error printed and its status. */
int ui_parse_interval(const char *s, double *secs);

#endif
