// SPDX-License-Identifier: GPL-2.0-only
#include <stdlib.h>
#include <string.h>

#include "attach/pin.h"
#include "ui_error.h"
#include "ui_opts.h"
#include "ui_privilege.h"

static const struct ui_opt *find_opt(const struct ui_opt *opts, size_t n, const char *arg,
				     size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(opts[i].name) == len && !strncmp(opts[i].name, arg, len))
			return &opts[i];
	return NULL;
}

int ui_parse(int argc, const char *argv[], const struct ui_opt *opts, size_t nopts,
	     const char **pos, size_t min_pos, size_t max_pos, const char *subcommand,
	     const char *usage)
{
	size_t npos = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '=');
		const struct ui_opt *o;

		if (arg[0] != '-' || !arg[1]) {
			if (npos == max_pos)
				return ui_error("Unexpected argument: '%s' (usage: %s %s %s)", arg,
						PROG_NAME, subcommand, usage);
			pos[npos++] = arg;
			continue;
		}
		o = find_opt(opts, nopts, arg, eq ? (size_t)(eq - arg) : strlen(arg));
		if (!o || (eq && !o->takes_value))
			return ui_error("Invalid option: '%s' (usage: %s %s %s)", arg, PROG_NAME,
					subcommand, usage);
		if (!o->takes_value)
			*o->value = "";
		else if (eq)
			*o->value = eq + 1;
		else if (i + 1 < argc)
			*o->value = argv[++i];
		else
			return ui_error("Option %s needs a value", o->name);
	}
	if (npos < min_pos)
		return ui_usage(subcommand, usage);
	while (npos < max_pos)
		pos[npos++] = NULL;
	return 0;
}

int ui_iface_command(int argc, const char *argv[], const struct ui_opt *opts, size_t nopts,
		     const char **pos, size_t min_pos, size_t max_pos, const char *subcommand,
		     const char *usage)
{
	if (!argc)
		return ui_usage(subcommand, usage);
	if (ui_parse(argc, argv, opts, nopts, pos, min_pos, max_pos, subcommand, usage))
		return 1;
	if (ifname_check(pos[0]))
		return ui_error("Invalid interface name: '%s'", pos[0]);
	return ui_need_root();
}

int ui_parse_interval(const char *s, double *secs)
{
	char *end;

	if (s && (*secs = strtod(s, &end), *end || !(*secs >= 0.1 && *secs <= 3600)))
		return ui_error("Invalid interval: '%s' (0.1 to 3600 seconds)", s);
	return 0;
}
