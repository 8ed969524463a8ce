// SPDX-License-Identifier: GPL-2.0-only
/* wgsf: per-peer accounting and source policy for WireGuard interfaces. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "json.h"
#include "subcommands.h"
#include "ui_error.h"
#include "ui_opts.h"
#include "ui_text.h"

static const char version_usage[] = "[--json]", help_usage[] = "[--json]";
static int version_main(int argc, const char *argv[]);
static int help_main(int argc, const char *argv[]);

static const struct subcommand {
	const char *name;
	int (*run)(int argc, const char *argv[]);
	const char *args;
	const char *description;
} subcommands[] = {
	{ "show", show_main, show_usage, "Shows per-peer counters of attached interfaces" },
	{ "top", top_main, top_usage, "Shows each peer's rates live, refreshed every second" },
	{ "events", events_main, events_usage,
	  "Prints each denied packet as it comes, and what was not printed" },
	{ "flows", flows_main, flows_usage,
	  "Lists what each peer sent, flow by flow, where flows are on" },
	{ "attach", attach_main, attach_usage,
	  "Attaches to a WireGuard interface and syncs its peers" },
	{ "sync", sync_main, sync_usage, "Re-reads WireGuard and applies the difference" },
	{ "lookup", lookup_main, lookup_usage,
	  "Tells which peer owns an address and what wgsf does with it" },
	{ "watch", watch_main, watch_usage,
	  "Keeps syncing an interface in the foreground (for a service)" },
	{ "quarantine", quarantine_main, quarantine_usage,
	  "Makes every packet of a peer a violation, for a time or until released" },
	{ "release", release_main, release_usage, "Ends a peer's quarantine" },
	{ "detach", detach_main, detach_usage,
	  "Removes everything wgsf attached to an interface" },
	{ "orphans", orphans_main, orphans_usage, "Lists or removes pins of deleted namespaces" },
	{ "check", check_main, check_usage, "Audits allowed IPs, live or from a config file" },
	{ "metrics", metrics_main, metrics_usage,
	  "Prints or serves the counters for Prometheus" },
	{ "version", version_main, version_usage, "Prints the version" },
	{ "help", help_main, help_usage, "Prints this help" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(*subcommands))

/* What each exit status means, for a script to tell failures apart. */
static const struct {
	int status;
	const char *meaning;
} exit_statuses[] = {
	{ UI_OK, "success" },
	{ UI_ERROR, "an error that none below names" },
	{ UI_FINDINGS, "check found something at warning level or above" },
	{ UI_NOT_ATTACHED, "the interface is not attached" },
	{ UI_NO_DEVICE, "no such interface" },
	{ UI_USAGE, "bad usage: an unknown option, a missing or invalid argument" },
	{ UI_NO_PRIVILEGE, "a capability that the command needs is missing" },
};

#define N_EXIT_STATUSES (sizeof(exit_statuses) / sizeof(*exit_statuses))

static const char usage_line[] = PROG_NAME " [-v] <cmd> [<args>]";

static void usage(void)
{
	size_t i;

	printf("Usage: %s\n\nAvailable subcommands:\n", usage_line);
	for (i = 0; i < N_SUBCOMMANDS; i++)
		printf("  %-10s %s\n", subcommands[i].name, subcommands[i].description);
	printf("You may pass `--help' to any of these subcommands to view usage, and `--json'\n"
	       "to any for its output and its errors as JSON; `--' ends the options.\n"
	       "-v prints libbpf's debug output; --version prints the version.\n\n"
	       "Exit status:\n");
	for (i = 0; i < N_EXIT_STATUSES; i++)
		printf("  %-3d %s\n", exit_statuses[i].status, exit_statuses[i].meaning);
}

static void usage_json(void)
{
	struct json j = { .f = stdout };
	char line[256];
	size_t i;

	json_object_begin(&j, NULL);
	json_string(&j, "usage", usage_line);
	json_array_begin(&j, "subcommands");
	for (i = 0; i < N_SUBCOMMANDS; i++) {
		snprintf(line, sizeof(line), "%s %s %s", PROG_NAME, subcommands[i].name,
			 subcommands[i].args);
		json_object_begin(&j, NULL);
		json_string(&j, "name", subcommands[i].name);
		json_string(&j, "usage", line);
		json_string(&j, "description", subcommands[i].description);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_array_begin(&j, "exit_statuses");
	for (i = 0; i < N_EXIT_STATUSES; i++) {
		json_object_begin(&j, NULL);
		json_u64(&j, "status", exit_statuses[i].status);
		json_string(&j, "meaning", exit_statuses[i].meaning);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
}

static int help_main(int argc, const char *argv[])
{
	const struct ui_command c = { "help", help_usage, NULL, 0, 0, 0, UI_NEEDS_NOTHING };
	int err = ui_parse(&c, argc, argv, NULL);

	if (err)
		return err;
	if (ui_json)
		usage_json();
	else
		usage();
	return 0;
}

static int version_main(int argc, const char *argv[])
{
	const struct ui_command c = { "version", version_usage, NULL, 0, 0, 0, UI_NEEDS_NOTHING };
	struct json j = { .f = stdout };
	int err = ui_parse(&c, argc, argv, NULL);

	if (err)
		return err;
	if (!ui_json) {
		printf("%s %s\n", PROG_NAME, WGSF_VERSION);
		return 0;
	}
	json_object_begin(&j, NULL);
	json_string(&j, "version", WGSF_VERSION);
	json_object_end(&j);
	return 0;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int libbpf_verbose(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

/* --help or -h among the options, before any "--". */
static bool wants_help(int argc, const char *argv[])
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (is_help(argv[i]))
			return true;
	return false;
}

/* SUBCOMMAND --help: its usage line, on stdout, exit status 0. */
static int subcommand_usage(const struct subcommand *s, int argc, const char *argv[])
{
	struct json j = { .f = stdout };
	char line[256];

	snprintf(line, sizeof(line), "%s %s %s", PROG_NAME, s->name, s->args);
	if (!ui_wants_json(argc, argv, NULL, 0)) {
		printf("Usage: %s\n", line);
		return 0;
	}
	json_object_begin(&j, NULL);
	json_string(&j, "usage", line);
	json_object_end(&j);
	return 0;
}

static const struct subcommand *find_subcommand(const char *name)
{
	size_t i;

	for (i = 0; i < N_SUBCOMMANDS; i++)
		if (!strcmp(name, subcommands[i].name))
			return &subcommands[i];
	return NULL;
}

static int run(int argc, const char *argv[])
{
	const struct subcommand *s;

	libbpf_set_print(libbpf_quiet);
	if (argc > 1 && !strcmp(argv[1], "-v")) {
		libbpf_set_print(libbpf_verbose);
		argc--;
		argv++;
	}
	if (argc == 1)
		return show_main(1, (const char *[]){ "show", NULL });
	if (is_help(argv[1]))
		return help_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version"))
		return version_main(argc - 1, argv + 1);
	s = find_subcommand(argv[1]);
	if (s && wants_help(argc - 1, argv + 1))
		return subcommand_usage(s, argc - 1, argv + 1);
	if (s)
		return s->run(argc - 1, argv + 1);
	ui_json = ui_wants_json(argc, argv, NULL, 0);
	return ui_usage_error("Invalid subcommand: '%s' (see '%s help')", argv[1], PROG_NAME);
}

int main(int argc, const char *argv[])
{
	return ui_finish(run(argc, argv));
}
