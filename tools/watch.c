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
#include <string.h>

#include "attach/iface.h"
#include "device/wireguard.h"
#include "subcommands.h"
#include "ui_changes.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_opts.h"
#include "ui_text.h"
#include "wait.h"
#include "watch_log.h"

const char watch_usage[] = "IFACE [--interval SECONDS] [--json]";

/* The interface watched, and where its log lines go (JSON lines with
 * --json); logged lines are flushed at once, for a log is read as it is
 * written. */
static struct ui_lines log_to;
static bool warned;

/* A log line, escaped whole: a policy's path, an error, may hold anything */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ui_vline(&log_to, fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* A log line of its own member: "IFACE: key: ..." or {"interface": ...,
 * key: ...}; the caller writes the value. */
static struct json log_begin(const char *key)
{
	struct json j = { .f = stdout };

	if (ui_json) {
		json_object_begin(&j, NULL);
		json_string(&j, "interface", log_to.name);
	} else {
		printf("%s: %s%s", log_to.shown, key ?: "", key ? ": " : "");
	}
	return j;
}

/* Warnings are log lines too. */
static void warn(const char *msg)
{
	struct json j = log_begin("warning");

	warned = true;
	if (ui_json) {
		json_string(&j, "warning", msg);
		json_object_end(&j);
	} else {
		ui_print_text(stdout, msg);
		putchar('\n');
	}
	fflush(stdout);
}

static void log_changes(const struct sync_result *r)
{
	struct json j = log_begin(NULL);

	if (ui_json) {
		ui_json_changes(&j, r);
		json_object_end(&j);
	} else {
		ui_print_changes(r);
	}
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
	       r->prefixes_removed || r->rules_added || r->rules_removed || r->flags_changed ||
	       r->limits_changed;
}

/* One round, which re-reads the policy file when reread; false when the
 * watch must end. */
static bool round_once(bool reread, struct sync_cache *cache, struct policy_memo *memo,
		       bool *gone, struct wgsf_config *last, struct seen *seen)
{
	struct iface_result r;
	bool changed;
	int err;

	warned = false;
	err = iface_sync(log_to.name, reread ? POLICY_FILE : POLICY_PINNED, warn, cache, memo, &r);
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
		ui_print_notes(&log_to, &r);
	*gone = false;
	/* others' changes since the last round, then this round's own */
	log_adopted(last, &r.was);
	ui_print_applied(&log_to, &r);
	if (reread)
		log_reload(&r.was, &r.cfg);
	/* what another command wrote since the last round, or this one */
	changed = r.was.generation != last->generation || r.was.policy_id != r.cfg.policy_id ||
		  has_changes(&r.sync);
	*last = r.cfg;
	if (has_changes(&r.sync))
		log_changes(&r.sync);
	watch_log_counters(log_to.name, changed, seen);
	/* a log, read as it is written */
	fflush(stdout);
	return true;
}

/* Rounds every step nanoseconds until one ends the watch (false), or
 * SIGTERM or SIGINT does (true); SIGHUP brings the next round, which
 * re-reads the policy file, at once. */
static bool run_rounds(struct waiter *w, uint64_t step, struct wgsf_config *last,
		       struct seen *seen)
{
	/* most rounds change nothing, or one peer: no need to read back all,
	 * nor to parse the same policy again */
	struct sync_cache cache = {};
	struct policy_memo memo = {};
	bool gone = false, signalled = false;
	int sig = 0;

	while (round_once(sig == SIGHUP, &cache, &memo, &gone, last, seen)) {
		sig = wait_until(w, -1, wait_now() + step);
		signalled = sig == SIGTERM || sig == SIGINT;
		if (signalled)
			break;
	}
	policy_free(&memo.pol);
	sync_cache_free(&cache);
	return signalled;
}

int watch_main(int argc, const char *argv[])
{
	static const int signals[] = { SIGHUP, SIGTERM, SIGINT };
	const char *interval = NULL;
	const struct ui_opt opts[] = { { "--interval", UI_VALUE, &interval } };
	const struct ui_command c = { "watch", watch_usage, opts, 1, 1, 1, UI_NEEDS_BPF_NET };
	struct iface_opts keep = { .mode = -1, .warn = ui_warn };
	struct seen seen = {};
	struct iface_result r;
	char shown[UI_IFNAME_LEN];
	struct waiter w;
	double secs = 1;
	int err;

	err = ui_iface_command(&c, argc, argv, &log_to.name) ?: ui_parse_interval(interval, &secs) ?:
	      ui_need_privileges(c.name, c.needs);
	if (err)
		return err;
	log_to.shown = ui_text(log_to.name, shown, sizeof(shown));
	/* attached as it was, or with the defaults; either way synced now */
	err = iface_attach(log_to.name, &keep, &r);
	if (err)
		return ui_fail(ui_status(err, false), "Unable to watch %s: %s", log_to.name,
			       ui_reason(err));
	/* what grows from here on is logged */
	watch_log_counters(log_to.name, true, &seen);
	say("watching every %g seconds", secs);
	ui_print_applied(&log_to, &r);
	ui_print_notes(&log_to, &r);
	ui_print_rejected_note(&log_to, &r);
	fflush(stdout);
	err = wait_open(&w, signals, sizeof(signals) / sizeof(*signals));
	if (err)
		return ui_error("Unable to watch %s: %s", log_to.name, strerror(-err));
	if (run_rounds(&w, secs * 1e9, &r.cfg, &seen))
		say("watch ended; the program stays attached");
	wait_close(&w);
	seen_free(&seen);
	return 0;
}
