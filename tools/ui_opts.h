/* SPDX-License-Identifier: GPL-2.0-only */
/* A subcommand's options and positional arguments. */
#ifndef WGSF_UI_OPTS_H
#define WGSF_UI_OPTS_H

#include <stdbool.h>
#include <stddef.h>

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

/* --interval SECONDS, 0.1 to 3600, into *secs when given (s not NULL);
 * 0, or the error printed and 1. */
int ui_parse_interval(const char *s, double *secs);

#endif
