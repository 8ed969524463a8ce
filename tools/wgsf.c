// SPDX-License-Identifier: GPL-2.0-only
/* wgsf: per-peer accounting and source policy for WireGuard interfaces. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "subcommands.h"
#include "ui_error.h"
#include "ui_text.h"

static const struct {
	const char *name;
	int (*run)(int argc, const char *argv[]);
	const char *args;
	const char *description;
} subcommands[] = {
	{ "show", show_main, show_usage, "Shows per-peer counters of attached interfaces" },
	{ "attach", attach_main, attach_usage,
	  "Attaches to a WireGuard interface and syncs its peers" },
	{ "sync", sync_main, sync_usage, "Re-reads WireGuard and applies the difference" },
	{ "lookup", lookup_main, lookup_usage,
	  "Tells which peer owns an address and what wgsf does with it" },
	{ "watch", watch_main, watch_usage,
	  "Keeps syncing an interface in the foreground (for a service)" },
	{ "detach", detach_main, detach_usage,
	  "Removes everything wgsf attached to an interface" },
	{ "orphans", orphans_main, orphans_usage, "Lists or removes pins of deleted namespaces" },
	{ "check", check_main, check_usage, "Audits allowed IPs, live or from a config file" },
	{ "metrics", metrics_main, metrics_usage,
	  "Prints or serves the counters for Prometheus" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(*subcommands))

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s [-v] <cmd> [<args>]\n\nAvailable subcommands:\n", PROG_NAME);
	for (i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].description);
	fprintf(f, "You may pass `--help' to any of these subcommands to view usage.\n"
		   "-v prints libbpf's debug output; --version prints the version.\n");
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

static bool wants_help(int argc, const char *argv[])
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

int main(int argc, const char *argv[])
{
	size_t i;

	libbpf_set_print(libbpf_quiet);
	if (argc > 1 && !strcmp(argv[1], "-v")) {
		libbpf_set_print(libbpf_verbose);
		argc--;
		argv++;
	}
	if (argc > 1 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version"))) {
		printf("%s %s\n", PROG_NAME, WGSF_VERSION);
		return 0;
	}
	if (argc > 1 && (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
			 !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 1)
		return show_main(1, (const char *[]){ "show", NULL });
	for (i = 0; i < N_SUBCOMMANDS; i++) {
		if (strcmp(argv[1], subcommands[i].name))
			continue;
		if (wants_help(argc - 1, argv + 1)) {
			printf("Usage: %s %s %s\n", PROG_NAME, argv[1], subcommands[i].args);
			return 0;
		}
		return subcommands[i].run(argc - 1, argv + 1);
	}
	fputs("Invalid subcommand: '", stderr);
	ui_print_text(stderr, argv[1]);
	fputs("'\n", stderr);
	usage(stderr);
	return 1;
}
