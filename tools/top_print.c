// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "sort.h"
#include "json.h"
#include "top_print.h"
#include "ui_color.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_text.h"

/* Each column's --sort name (its first letter the key that sorts by it on
 * a screen), its heading, and its JSON member. */
static const struct {
	const char *name, *heading, *json;
} columns[TOP_COLUMNS] = {
	[TOP_PACKETS] = { "packets", "PACKETS/S", "packets_per_second" },
	[TOP_BITS] = { "bits", "BITS/S", "bits_per_second" },
	[TOP_VIOLATIONS] = { "violations", "VIOLATIONS/S", "violations_per_second" },
	[TOP_REJECTIONS] = { "rejections", "REJECTIONS/S", "rejections_per_second" },
};

static const char *const state_names[] = {
	[TOP_RATE] = "rate", [TOP_NEW] = "new", [TOP_RESET] = "reset"
};

#define COLUMN_WIDTH 12

int top_column_named(const char *name)
{
	int c;

	for (c = 0; c < TOP_COLUMNS; c++)
		if (!strcmp(name, columns[c].name))
			return c;
	return -1;
}

int top_column_keyed(int key)
{
	int c;

	for (c = 0; c < TOP_COLUMNS; c++)
		if (key == columns[c].name[0])
			return c;
	return -1;
}

void top_screen(bool enter)
{
	/* the alternate screen keeps the shell's text to be shown again on leaving */
	fputs(enter ? "\x1b[?1049h\x1b[?25l" : "\x1b[?25h\x1b[?1049l", stdout);
	fflush(stdout);
}

/* Where the lines of a round go: on a screen, cut to its width, and no
 * more of them than its height holds. */
struct out {
	bool screen;
	int rows, cols, row;
	size_t left_out;
};

__attribute__((format(printf, 3, 4))) static void line(struct out *o, bool bold,
							 const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	/* a line kept for "(N more lines)", and the last row for the cursor,
	 * lest the screen scroll */
	if (o->screen && o->row >= o->rows - 2) {
		o->left_out++;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	n = n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1;
	if (o->screen && n > o->cols)
		n = o->cols;
	printf("%s%.*s%s%s\n", bold ? ui_color(UI_BOLD) : "", n, buf,
	       bold ? ui_color(UI_RESET) : "", o->screen ? "\x1b[K" : "");
	o->row++;
}

/* "2.05M": bits, as SI prefixes scale them */
static const char *si(double v, char buf[COLUMN_WIDTH + 1])
{
	static const char prefixes[] = "kMGTP";
	int p = -1;

	while (v >= 1000 && p < (int)sizeof(prefixes) - 2) {
		v /= 1000;
		p++;
	}
	if (p < 0)
		snprintf(buf, COLUMN_WIDTH + 1, "%.0f", v);
	else
		snprintf(buf, COLUMN_WIDTH + 1, "%.2f%c", v, prefixes[p]);
	return buf;
}

/* One rate as its column shows it: a figure, or the word for none. */
static const char *cell(const struct top_iface *f, enum top_state s, int c, double rate,
			char buf[COLUMN_WIDTH + 1])
{
	if (s != TOP_RATE)
		return s == TOP_RESET ? "reset" : "-";
	if (c == TOP_REJECTIONS && !f->rejections_visible)
		return "n/a";
	if (c == TOP_BITS)
		return si(rate, buf);
	snprintf(buf, COLUMN_WIDTH + 1, "%.1f", rate);
	return buf;
}

static void rates_line(struct out *o, const struct top_iface *f, enum top_state s,
		       const double *rate, const char *what)
{
	char b[TOP_COLUMNS][COLUMN_WIDTH + 1];

	line(o, false, "%*s  %*s  %*s  %*s  %s", COLUMN_WIDTH,
	     cell(f, s, TOP_PACKETS, rate[TOP_PACKETS], b[0]), COLUMN_WIDTH,
	     cell(f, s, TOP_BITS, rate[TOP_BITS], b[1]), COLUMN_WIDTH,
	     cell(f, s, TOP_VIOLATIONS, rate[TOP_VIOLATIONS], b[2]), COLUMN_WIDTH,
	     cell(f, s, TOP_REJECTIONS, rate[TOP_REJECTIONS], b[3]), what);
}

/* The column sorted by, for qsort(), which passes no context. */
static enum top_column sort_column;

/* Highest rate first, lines without one last; then by public key. */
static int by_rate(const void *a, const void *b)
{
	const struct top_peer *x = *(const struct top_peer *const *)a;
	const struct top_peer *y = *(const struct top_peer *const *)b;
	double rx = x->state == TOP_RATE ? x->rate[sort_column] : -1;
	double ry = y->state == TOP_RATE ? y->rate[sort_column] : -1;

	if (rx != ry)
		return rx > ry ? -1 : 1;
	return memcmp(x->public_key, y->public_key, WG_KEY_LEN);
}

/* f's peers in the order shown, in a buffer to free; NULL when out of memory. */
static const struct top_peer **sorted(const struct top_iface *f, enum top_column by)
{
	const struct top_peer **order = calloc(f->n_peers ?: 1, sizeof(*order));
	size_t i;

	for (i = 0; order && i < f->n_peers; i++)
		order[i] = &f->peers[i];
	sort_column = by;
	if (order)
		sort_array(order, f->n_peers, sizeof(*order), by_rate);
	return order;
}

static void human_iface(struct out *o, const struct top_view *v, const struct top_iface *f)
{
	const struct top_peer **order = sorted(f, v->sort);
	char name[UI_IFNAME_LEN], key[WG_KEY_B64_LEN];
	size_t i;

	ui_text(f->name, name, sizeof(name));
	if (f->state == TOP_NEW)
		line(o, false, "%s: %zu peer%s, first read", name, f->n_peers,
		     f->n_peers == 1 ? "" : "s");
	else
		line(o, false, "%s: %zu peer%s, over %.3f s", name, f->n_peers,
		     f->n_peers == 1 ? "" : "s", f->seconds);
	line(o, true, "%*s  %*s  %*s  %*s  %s", COLUMN_WIDTH, columns[0].heading, COLUMN_WIDTH,
	     columns[1].heading, COLUMN_WIDTH, columns[2].heading, COLUMN_WIDTH,
	     columns[3].heading, "PEER");
	rates_line(o, f, f->state, f->total, "(total)");
	for (i = 0; order && i < f->n_peers; i++) {
		key_to_base64(key, order[i]->public_key);
		rates_line(o, f, order[i]->state, order[i]->rate, key);
	}
	if (!order)
		line(o, false, "(out of memory: peers not shown)");
	free(order);
}

static void human(const struct top_view *v, const struct top_round *r)
{
	struct out o = { .screen = v->screen, .rows = 24, .cols = 80 };
	struct winsize ws;
	char when[32], shown[256];
	time_t t = time(NULL);
	size_t i;

	if (v->screen && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		o.rows = ws.ws_row;
		o.cols = ws.ws_col;
	}
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", localtime(&t));
	if (v->screen)
		fputs("\x1b[H", stdout);
	line(&o, false, "wgsf top, %s, every %g s, sorted by %s%s", when, v->interval,
	     columns[v->sort].name, v->screen ? "; q quits, p b v r sort" : "");
	/* a name in it may hold anything */
	if (v->error[0])
		line(&o, false, "%s", ui_text(v->error, shown, sizeof(shown)));
	else if (!r->n_ifaces)
		line(&o, false, "no interface attached");
	for (i = 0; !v->error[0] && i < r->n_ifaces; i++) {
		line(&o, false, "%s", "");
		human_iface(&o, v, &r->ifaces[i]);
	}
	if (o.left_out)
		printf("(%zu more lines)\x1b[K\n", o.left_out);
	fputs(v->screen ? "\x1b[J" : "\n", stdout);
}

static void json_rates(struct json *j, const struct top_iface *f, enum top_state s,
		       const double *rate)
{
	int c;

	json_string(j, "state", state_names[s]);
	for (c = 0; c < TOP_COLUMNS; c++)
		if (s == TOP_RATE && (c != TOP_REJECTIONS || f->rejections_visible))
			json_double(j, columns[c].json, rate[c]);
		else
			json_string(j, columns[c].json, NULL);
}

static void json_iface(struct json *j, const struct top_iface *f)
{
	char key[WG_KEY_B64_LEN];
	size_t i;

	json_object_begin(j, NULL);
	json_string(j, "name", f->name);
	/* null for an interface new this round, as every figure not known yet */
	if (f->state != TOP_NEW)
		json_double(j, "seconds", f->seconds);
	else
		json_string(j, "seconds", NULL);
	json_object_begin(j, "total");
	json_rates(j, f, f->state, f->total);
	json_object_end(j);
	json_array_begin(j, "peers");
	for (i = 0; i < f->n_peers; i++) {
		json_object_begin(j, NULL);
		key_to_base64(key, f->peers[i].public_key);
		json_string(j, "public_key", key);
		json_rates(j, f, f->peers[i].state, f->peers[i].rate);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
}

/* {"time": ..., "interfaces": [...]}, or {"time": ..., "error": ...} */
static void json(const struct top_view *v, const struct top_round *r)
{
	struct json j = { .f = stdout };
	size_t i;

	json_object_begin(&j, NULL);
	json_u64(&j, "time", time(NULL));
	if (v->error[0]) {
		json_string(&j, "interface", v->ifname);
		json_string(&j, "error", v->error);
	} else {
		json_array_begin(&j, "interfaces");
		for (i = 0; i < r->n_ifaces; i++)
			json_iface(&j, &r->ifaces[i]);
		json_array_end(&j);
	}
	json_object_end(&j);
}

void top_print(const struct top_view *v, const struct top_round *r)
{
	if (ui_json)
		json(v, r);
	else
		human(v, r);
	fflush(stdout);
}
