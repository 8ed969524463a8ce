// SPDX-License-Identifier: GPL-2.0-only
/*
 * wgsf watch IFACE: keeps an interface's tables in line with WireGuard,
 * which has no change notification, by polling. Each round applies the
 * policy in force as the pins hold it, so a policy or mode that another
 * command put in force is kept, and logged; SIGHUP re-reads the policy
 * file. SIGTERM and SIGINT end the watch and leave the program attached; a
 * detach by another command ends it too. An interface that disappears is
 * waited for, and attached again when it returns.
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
#include "device/wireguard.h"
#include "subcommands.h"
#include "ui_changes.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_opts.h"
#include "ui_text.h"
#include "watch_log.h"

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

static const char *watched;
static char shown[UI_IFNAME_LEN]; /* its name for people, escaped */
static bool warned;

/* A log line, escaped whole: a policy's path, an error, may hold anything */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ui_vprint_line(shown, fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* Warnings are log lines too. */
static void warn(const char *msg)
{
	warned = true;
	printf("%s: warning: ", shown);
	ui_print_text(stdout, msg);
	putchar('\n');
	fflush(stdout);
}

/* What another command put in force since the last round. */
static void log_adopted(const struct wgsf_config *was, const struct wgsf_config *now)
{
	/* room for both: two paths, and the rest's few words */
	char what[2 * WGSF_POLICY_PATH_MAX + 128] = "";
	size_t n = 0;

	if (was->mode != now->mode)
		n += snprintf(what + n, sizeof(what) - n, ", mode %s -> %s", ui_mode(was->mode),
			      ui_mode(now->mode));
	if (strcmp(was->policy, now->policy))
		n += snprintf(what + n, sizeof(what) - n, ", policy %s -> %s", ui_policy_name(was),
			      ui_policy_name(now));
	else if (was->policy_id != now->policy_id)
		n += snprintf(what + n, sizeof(what) - n, ", policy %s re-read",
			      ui_policy_name(now));
	if (n)
		say("another command changed %s; kept", what + 2);
}

/* After SIGHUP: what the file gave, where it changed nothing (a new text
 * is logged as every change this watch applies, warned of or not: a rule
 * that cannot take effect is warned of too). */
static void log_reload(const struct wgsf_config *was, const struct wgsf_config *now)
{
	if (!now->policy[0])
		say("no policy file to read");
	else if (was->policy_id != now->policy_id)
		return;
	else if (warned)
		say("policy %s not applied, the previous one stays", now->policy);
	else
		say("policy %s read, unchanged", now->policy);
}

static bool has_changes(const struct sync_result *r)
{
	return r->peers_added || r->peers_removed || r->prefixes_added || r->prefixes_changed ||
	       r->prefixes_removed || r->rules_added || r->rules_removed || r->flags_changed;
}

/* One round; false when the watch must end. */
static bool round_once(struct sync_cache *cache, struct policy_memo *memo, bool *gone,
		       struct wgsf_config *last, struct seen *seen)
{
	bool reread = reload;
	struct iface_result r;
	int err;

	reload = 0;
	warned = false;
	err = iface_sync(watched, reread ? POLICY_FILE : POLICY_PINNED, warn, cache, memo, &r);
	if (err == WG_ERR_NO_DEVICE) {
		if (!*gone)
			say("interface gone; waiting for it to return");
		*gone = true;
		return true;
	}
	if (err == -ENOENT) {
		say("detached by another command; watch ends");
		return false;
	}
	if (err) {
		say("sync failed: %s", ui_reason(err));
		return true;
	}
	if (*gone)
		say("interface back; attached again");
	else
		ui_print_notes(shown, &r);
	*gone = false;
	/* others' changes since the last round, then this round's own */
	log_adopted(last, &r.was);
	ui_print_applied(shown, &r);
	if (reread)
		log_reload(&r.was, &r.cfg);
	*last = r.cfg;
	if (has_changes(&r.sync)) {
		printf("%s: ", shown);
		ui_print_changes(&r.sync);
	}
	watch_log_counters(watched, seen);
	/* a log, read as it is written */
	fflush(stdout);
	return true;
}

int watch_main(int argc, const char *argv[])
{
	const char *interval = NULL;
	const struct ui_opt opts[] = { { "--interval", true, &interval } };
	struct iface_opts keep = { .mode = -1, .warn = ui_warn };
	/* most rounds change nothing, or one peer: no need to read back all,
	 * nor to parse the same policy again */
	struct sync_cache cache = {};
	struct policy_memo memo = {};
	struct seen seen = {};
	struct iface_result r;
	struct timespec nap;
	bool gone = false;
	double secs = 1;
	char *end;
	int err;

	if (ui_iface_command(argc, argv, opts, 1, &watched, 1, 1, "watch", watch_usage))
		return 1;
	ui_text(watched, shown, sizeof(shown));
	if (interval && (secs = strtod(interval, &end), *end || !(secs >= 0.1 && secs <= 3600)))
		return ui_error("Invalid interval: '%s' (0.1 to 3600 seconds)", interval);
	/* attached as it was, or with the defaults; either way synced now */
	err = iface_attach(watched, &keep, &r);
	if (err)
		return ui_error("Unable to watch %s: %s", watched, ui_reason(err));
	/* what grows from here on is logged */
	watch_log_counters(watched, &seen);
	say("watching every %g seconds", secs);
	ui_print_applied(shown, &r);
	ui_print_notes(shown, &r);
	ui_print_rejected_note(shown, &r);
	fflush(stdout);
	handle_signals();
	nap.tv_sec = (time_t)secs;
	nap.tv_nsec = (long)((secs - nap.tv_sec) * 1e9);
	while (!stop && round_once(&cache, &memo, &gone, &r.cfg, &seen))
		if (!stop && !reload)
			nanosleep(&nap, NULL);
	if (stop)
		say("watch ended; the program stays attached");
	policy_free(&memo.pol);
	sync_cache_free(&cache);
	seen_free(&seen);
	return 0;
}
