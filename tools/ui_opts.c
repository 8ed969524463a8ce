// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ifname.h"
#include "ui_error.h"
#include "ui_opts.h"

static const struct ui_opt *find_opt(const struct ui_opt *opts, size_t n, const char *arg,
				     size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(opts[i].name) == len && !strncmp(opts[i].name, arg, len))
			return &opts[i];
	return NULL;
}

/* An option's name: arg up to its '=', if any. */
static const struct ui_opt *opt_of(const struct ui_opt *opts, size_t n, const char *arg)
{
	const char *eq = strchr(arg, '=');

	return find_opt(opts, n, arg, eq ? (size_t)(eq - arg) : strlen(arg));
}

static bool is_option(const char *arg)
{
	return arg[0] == '-' && arg[1];
}

bool ui_wants_json(int argc, const char *argv[], const struct ui_opt *opts, size_t nopts)
{
	const struct ui_opt *o;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--json"))
			return true;
		/* the value of an option is not one */
		o = is_option(argv[i]) ? opt_of(opts, nopts, argv[i]) : NULL;
		if (o && o->takes == UI_VALUE && !strchr(argv[i], '='))
			i++;
	}
	return false;
}

static int positional(const struct ui_command *c, const char *arg, const char **pos,
		      size_t *npos)
{
	if (*npos == c->max_pos)
		return ui_usage_error("Unexpected argument: '%s' (usage: %s %s %s)", arg,
				      PROG_NAME, c->name, c->usage);
	pos[(*npos)++] = arg;
	return 0;
}

/* The option argv[*i], and its value; *i moves past what it took. */
static int option(const struct ui_command *c, int argc, const char *argv[], int *i)
{
	const char *arg = argv[*i], *eq = strchr(arg, '=');
	const struct ui_opt *o = opt_of(c->opts, c->nopts, arg);

	if (!strcmp(arg, "--json"))
		return 0;
	if (!o || (eq && o->takes == UI_FLAG))
		return ui_usage_error("Invalid option: '%s' (usage: %s %s %s)", arg, PROG_NAME,
				      c->name, c->usage);
	if (o->takes == UI_VALUE_OPTIONAL && eq && !eq[1])
		return ui_usage_error("Option %s needs a value after '='", o->name);
	/* the first value is never checked where a second replaces it */
	if (*o->value)
		return ui_usage_error("Option %s given twice", o->name);
	if (o->takes != UI_VALUE)
		*o->value = eq ? eq + 1 : "";
	else if (eq)
		*o->value = eq + 1;
	else if (*i + 1 < argc)
		*o->value = argv[++*i];
	else
		return ui_usage_error("Option %s needs a value", o->name);
	return 0;
}

int ui_parse(const struct ui_command *c, int argc, const char *argv[], const char **pos)
{
	bool options = true;
	size_t npos = 0;
	int i, err = 0;

	ui_json = ui_wants_json(argc, argv, c->opts, c->nopts);
	for (i = 1; i < argc && !err; i++) {
		if (options && !strcmp(argv[i], "--"))
			options = false;
		else if (options && is_option(argv[i]))
			err = option(c, argc, argv, &i);
		else
			err = positional(c, argv[i], pos, &npos);
	}
	if (err)
		return err;
	if (npos < c->min_pos)
		return ui_usage(c->name, c->usage);
	while (npos < c->max_pos)
		pos[npos++] = NULL;
	return 0;
}

int ui_check_ifname(const char *name)
{
	return ifname_check(name) ? ui_usage_error("Invalid interface name: '%s'", name) : 0;
}

int ui_iface_command(const struct ui_command *c, int argc, const char *argv[], const char **pos)
{
	return ui_parse(c, argc, argv, pos) ?: ui_check_ifname(pos[0]);
}

bool ui_whole_number(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Digits, and a fraction after a point: no sign, space, exponent or hex,
 * which strtod() would take. */
static bool decimal(const char *s)
{
	size_t whole = strspn(s, "0123456789");

	return whole && (!s[whole] || (s[whole] == '.' && s[whole + 1] &&
				       !s[whole + 1 + strspn(s + whole + 1, "0123456789")]));
}

int ui_parse_interval(const char *s, double *secs)
{
	if (s && (!decimal(s) || (*secs = strtod(s, NULL), !(*secs >= 0.1 && *secs <= 3600))))
		return ui_usage_error("Invalid interval: '%s' (0.1 to 3600 seconds)", s);
	return 0;
}
