// SPDX-License-Identifier: GPL-2.0-only
/*
 * wgsf watch IFACE: keeps an interface's tables in line with WireGuard,
 * which has no change notification, by polling. The policy file is read at
 * start and on SIGHUP only; SIGTERM and SIGINT end the watch and leave the
 * program attached. An interface that disappears is waited for, and
 * attached again when it returns.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attach/iface.h"
#include "subcommands.h"
#include "ui.h"
#include "device/wireguard.h"

const char watch_usage[] = "IFACE [--interval SECONDS]";

static volatile sig_atomic_t stop, reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop = 1;
}

/* Without SA_RESTART, so that a signal cuts the sleep short. */
static void handle_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const int sigs[] = { SIGHUP, SIGTERM, SIGINT };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void say(const char *ifname, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ifname);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* The policy file in force, read anew; on error the old one stays. */
static void read_policy(const char *ifname, struct policy *pol)
{
	char err[POLICY_ERR_LEN];
	struct wgsf_config cfg;
	struct policy fresh;
	struct maps m;

	if (iface_open(ifname, &m, &cfg))
		return;
	maps_close(&m);
	if (!cfg.policy[0])
		return;
	if (policy_read(cfg.policy, &fresh, err)) {
		say(ifname, "policy not applied, the previous one stays: %s", err);
		return;
	}
	policy_free(pol);
	*pol = fresh;
	say(ifname, "policy %s read", cfg.policy);
}

static void sync_once(const char *ifname, const struct policy *pol, struct sync_cache *cache,
		      bool *gone)
{
	struct sync_result r;
	int err = iface_sync(ifname, pol, ui_warn, cache, &r);

	if (err == WG_ERR_NO_DEVICE) {
		if (!*gone)
			say(ifname, "interface gone; waiting for it to return");
		*gone = true;
		return;
	}
	if (err) {
		say(ifname, "sync failed: %s", ui_reason(err));
		return;
	}
	if (*gone)
		say(ifname, "interface back; attached again");
	*gone = false;
	if (r.peers_added || r.peers_removed || r.prefixes_added || r.prefixes_changed ||
	    r.prefixes_removed || r.rules_added || r.rules_removed || r.flags_changed) {
		printf("%s: ", ifname);
		ui_print_changes(&r);
		fflush(stdout);
	}
}

int watch_main(int argc, const char *argv[])
{
	const char *ifname, *interval = NULL;
	const struct ui_opt opts[] = { { "--interval", true, &interval } };
	struct iface_opts keep = { .hook = -1, .mode = -1, .warn = ui_warn };
	struct policy pol = { .mode = -1 };
	/* most rounds change nothing, or one peer: no need to read back all */
	struct sync_cache cache = {};
	struct timespec nap;
	struct sync_result r;
	bool gone = false;
	double secs = 1;
	char *end;
	int err;

	if (ui_iface_command(argc, argv, opts, 1, &ifname, 1, 1, "watch", watch_usage))
		return 1;
	if (interval && (secs = strtod(interval, &end), *end || !(secs >= 0.1 && secs <= 3600)))
		return ui_error("Invalid interval: '%s' (0.1 to 3600 seconds)", interval);
	/* attached as it was, or with the defaults; either way synced now */
	err = iface_attach(ifname, &keep, &r);
	if (err)
		return ui_error("Unable to watch %s: %s", ifname, ui_reason(err));
	say(ifname, "watching every %g seconds", secs);
	handle_signals();
	read_policy(ifname, &pol);
	nap.tv_sec = (time_t)secs;
	nap.tv_nsec = (long)((secs - nap.tv_sec) * 1e9);
	while (!stop) {
		if (reload) {
			reload = 0;
			read_policy(ifname, &pol);
		}
		sync_once(ifname, &pol, &cache, &gone);
		if (!stop && !reload)
			nanosleep(&nap, NULL);
	}
	say(ifname, "watch ended; the program stays attached");
	policy_free(&pol);
	sync_cache_free(&cache);
	return 0;
}
