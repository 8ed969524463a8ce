// SPDX-License-Identifier: GPL-2.0-only
/*
 * wgsf top [IFACE]: each peer's rates, live. Every interval the counters
 * are read again and what grew since the previous read is divided by the
 * time measured between the two. On a terminal the screen is redrawn in
 * place and keys are read (q quits; p, b, v, r sort); piped, each round is
 * a table of its own, or with --json a JSON line. q, SIGINT, SIGTERM and
 * SIGHUP end it at once, whatever the interval.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "subcommands.h"
#include "top_print.h"
#include "ui_error.h"
#include "ui_opts.h"
#include "wait.h"

const char top_usage[] = "[IFACE] [--interval SECONDS] [--sort COLUMN] [--json]";

/* Keys are read one at a time, unechoed, from a terminal on stdin; was
 * keeps its settings to restore. Not in the background, where touching
 * the terminal would stop top (SIGTTOU). */
static bool keys_begin(struct termios *was)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp() ||
	    tcgetattr(STDIN_FILENO, was))
		return false;
	raw = *was;
	raw.c_lflag &= ~(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	return !tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

/* What a key asks: true to end; a sort key sets the column. */
static bool key_ends(struct top_view *v)
{
	char k;
	int c;

	if (read(STDIN_FILENO, &k, 1) != 1)
		return true; /* the terminal is gone */
	c = top_column_keyed(k);
	if (c >= 0)
		v->sort = c;
	return k == 'q';
}

/* Reads a round into now; where a named interface cannot be read, the
 * error, and its reason in why. */
static int read_round(struct top_view *v, struct top_round *now, char *why, size_t len)
{
	char failed[IFNAMSIZ];
	int err = top_read(v->ifname, now, failed);

	why[0] = '\0';
	if (err)
		snprintf(why, len, "Unable to read %s: %s", failed[0] ? failed : "the interfaces",
			 ui_reason(err));
	v->error = why;
	return err;
}

/* Waits for the next round: false when a key or a signal ends top. A new
 * sort or a new size of the terminal shows at once. */
static bool wait_round(struct top_view *v, struct waiter *w, int keys, uint64_t next,
		       const struct top_round *shown)
{
	int what;

	while ((what = wait_until(w, keys, next)) == WAIT_INPUT || what == SIGWINCH) {
		if (what == WAIT_INPUT && key_ends(v))
			return false;
		if (shown && v->screen)
			top_print(v, shown);
	}
	return !what;
}

/* Rounds until a key or a signal ends them, on the terminal's alternate
 * screen where v->screen; 0, or the error of the first read, printed.
 * Where a later read fails, its reason shows, and the last round read stays
 * the one to compare with, so that the counters of an interface attached
 * again show as a reset. */
static int run_rounds(struct top_view *v, struct waiter *w, int keys)
{
	struct top_round rounds[2] = {}, *now = &rounds[0], *was = NULL, *t;
	uint64_t next = wait_now();
	char why[300];
	int err;

	do {
		err = read_round(v, now, why, sizeof(why));
		if (err && !was)
			return ui_fail(ui_status(err, true), "%s", why);
		if (!err)
			top_rates(now, was);
		if (v->screen && !was)
			top_screen(true);
		/* piped, a first round, which has no rates, is not worth a table */
		if (v->screen || was || err)
			top_print(v, err ? was : now);
		if (!err) {
			t = was ?: &rounds[1];
			was = now;
			now = t;
			top_free(now);
		}
		/* rounds missed (a machine suspended, stopped) are skipped */
		next += v->interval * 1e9;
		if (next < wait_now())
			next = wait_now() + v->interval * 1e9;
	} while (wait_round(v, w, keys, next, was));
	if (v->screen)
		top_screen(false);
	top_free(&rounds[0]);
	top_free(&rounds[1]);
	return 0;
}

static int parse(int argc, const char *argv[], struct top_view *v)
{
	const char *interval = NULL, *sort = NULL;
	const struct ui_opt opts[] = { { "--interval", UI_VALUE, &interval },
				       { "--sort", UI_VALUE, &sort } };
	const struct ui_command c = { "top", top_usage, opts, 2, 0, 1, UI_NEEDS_BPF };
	int column, err = ui_parse(&c, argc, argv, &v->ifname) ?:
		  (v->ifname ? ui_check_ifname(v->ifname) : 0) ?:
		  ui_parse_interval(interval, &v->interval);

	if (err)
		return err;
	column = sort ? top_column_named(sort) : TOP_PACKETS;
	if (column < 0)
		return ui_usage_error("Invalid column: '%s' (packets, bits, violations or "
				      "rejections)", sort);
	v->sort = column;
	return ui_need_privileges(c.name, c.needs);
}

int top_main(int argc, const char *argv[])
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH };
	struct top_view v = { .interval = 1 };
	struct termios was;
	struct waiter w;
	bool keys;
	int err = parse(argc, argv, &v);

	if (err)
		return err;
	err = wait_open(&w, signals, sizeof(signals) / sizeof(*signals));
	if (err)
		return ui_error("Unable to start top: %s", strerror(-err));
	v.screen = !ui_json && isatty(STDOUT_FILENO);
	keys = keys_begin(&was);
	err = run_rounds(&v, &w, keys ? STDIN_FILENO : -1);
	if (keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &was);
	wait_close(&w);
	return err;
}
