// SPDX-License-Identifier: GPL-2.0-only
/*
 * wgsf check IFACE|FILE: the findings, one line each and a line of advice,
 * or as JSON with each peer's allowed IPs as configured and as WireGuard
 * holds (or will hold) them. Exit status 0 when nothing at warning level or
 * above was found, 2 when something was, another (wgsf(8), EXIT STATUS)
 * when the check could not run.
 * What each kind of finding says is in check_kinds.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sort.h"
#include "ifname.h"
#include "check/file.h"
#include "check/live.h"
#include "check_kinds.h"
#include "subcommands.h"
#include "ui_color.h"
#include "ui_error.h"
#include "ui_opts.h"
#include "ui_privilege.h"
#include "ui_text.h"

const char check_usage[] = "IFACE|FILE [--json]";

static enum severity severity_of(const struct finding *f)
{
	return finding_kinds[f->kind].severity;
}

static int key_cmp(const uint8_t *a, const uint8_t *b)
{
	if (!a || !b)
		return !!a - !!b;
	return memcmp(a, b, WG_KEY_LEN);
}

/* The most severe first, then in file order, so that a test can hold the
 * output to an exact text. */
static int finding_cmp(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	int c;

	if (severity_of(x) != severity_of(y))
		return severity_of(x) > severity_of(y) ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	c = prefix_cmp(&x->prefix, &y->prefix);
	return c ?: key_cmp(x->key, y->key);
}

/* The findings sorted, and how many there are of each severity. */
static void tally(struct check_report *r, size_t count[SEVERITIES])
{
	size_t i;

	sort_array(r->findings, r->n_findings, sizeof(*r->findings), finding_cmp);
	memset(count, 0, SEVERITIES * sizeof(*count));
	for (i = 0; i < r->n_findings; i++)
		count[severity_of(&r->findings[i])]++;
}

static void message(const struct words *w)
{
	finding_kinds[w->f->kind].message(w);
}

static void advice(const struct words *w)
{
	const struct finding_kind *k = &finding_kinds[w->f->kind];

	if (k->advise)
		k->advise(w);
	else
		fputs(k->advice, w->m);
}

/* fn's words as a string, the caller's to free. */
static char *say(void (*fn)(const struct words *), const struct check_report *r,
		 const struct finding *f)
{
	char shown[4096];
	struct words w = { .r = r, .f = f, .source = ui_text(r->source, shown, sizeof(shown)) };
	char *s = NULL;
	size_t len;

	w.m = open_memstream(&s, &len);
	if (!w.m)
		return strdup("");
	fn(&w);
	fclose(w.m);
	return s;
}

/* The file a finding's line is in: the config, or the attached policy. */
static const char *file_of(const struct check_report *r, const struct finding *f)
{
	if (finding_kinds[f->kind].policy_line)
		return r->policy_file;
	return r->live ? NULL : r->source;
}

static const char *const severity_colors[SEVERITIES] = {
	[SEVERITY_INFO] = UI_GREEN, [SEVERITY_WARNING] = UI_YELLOW, [SEVERITY_ERROR] = UI_RED
};

static void human_finding(const struct check_report *r, const struct finding *f)
{
	char *msg = say(message, r, f), *adv = say(advice, r, f);
	const char *file = file_of(r, f);
	enum severity s = severity_of(f);

	ui_print_text(stdout, file && f->line ? file : r->source);
	if (file && f->line)
		printf(":%u", f->line);
	fputs(": ", stdout);
	printf("%s%s%s: %s [%s]\n  advice: %s\n", ui_color(severity_colors[s]), severity_names[s],
	       ui_color(UI_RESET), msg, finding_kinds[f->kind].name, adv);
	free(msg);
	free(adv);
}

static void human(const struct check_report *r, const size_t count[SEVERITIES])
{
	static const char *const names[SEVERITIES][2] = {
		[SEVERITY_INFO] = { "info", "info" },
		[SEVERITY_WARNING] = { "warning", "warnings" },
		[SEVERITY_ERROR] = { "error", "errors" },
	};
	const char *sep = "";
	size_t i;
	int s;

	for (i = 0; i < r->n_findings; i++)
		human_finding(r, &r->findings[i]);
	ui_print_text(stdout, r->source);
	printf(": %zu peer%s, %zu allowed IP%s: ", r->dev->n_peers,
	       r->dev->n_peers == 1 ? "" : "s", r->n_table, r->n_table == 1 ? "" : "s");
	for (s = SEVERITY_ERROR; s >= SEVERITY_INFO; s--) {
		if (!count[s])
			continue;
		printf("%s%zu %s", sep, count[s], names[s][count[s] != 1]);
		sep = ", ";
	}
	printf("%s\n", r->n_findings ? "" : "no findings");
}

static void json_finding(struct json *j, const struct check_report *r, const struct finding *f)
{
	char *msg = say(message, r, f), *adv = say(advice, r, f);
	const char *file = file_of(r, f);
	size_t i;

	json_object_begin(j, NULL);
	json_string(j, "severity", severity_names[severity_of(f)]);
	json_string(j, "kind", finding_kinds[f->kind].name);
	json_array_begin(j, "peers");
	if (f->key)
		json_key(j, NULL, f->key);
	for (i = 0; i < f->n_others; i++)
		json_key(j, NULL, f->others[i]);
	json_array_end(j);
	json_prefix(j, "prefix", &f->prefix);
	json_string(j, "file", f->line ? file : NULL);
	if (f->line)
		json_u64(j, "line", f->line);
	else
		json_string(j, "line", NULL);
	json_string(j, "message", msg);
	json_string(j, "advice", adv);
	if (finding_kinds[f->kind].json)
		finding_kinds[f->kind].json(j, f);
	json_object_end(j);
	free(msg);
	free(adv);
}

static void json_peer(struct json *j, const struct check_report *r, size_t p)
{
	const struct wg_peer *peer = &r->dev->peers[p];
	size_t i;

	json_object_begin(j, NULL);
	json_key(j, "public_key", peer->public_key);
	json_array_begin(j, "allowed_ips");
	if (r->live)
		for (i = 0; i < peer->n_allowedips; i++)
			json_prefix(j, NULL, &peer->allowedips[i]);
	else
		for (i = r->listed_at[p]; i < r->listed_at[p + 1]; i++)
			json_prefix(j, NULL, &r->conf.ips[r->listed[i]].written);
	json_array_end(j);
	json_array_begin(j, "effective_allowed_ips");
	for (i = 0; i < peer->n_allowedips; i++)
		json_prefix(j, NULL, &peer->allowedips[i]);
	json_array_end(j);
	json_object_end(j);
}

static void json(const struct check_report *r, const size_t count[SEVERITIES])
{
	struct json j = { .f = stdout };
	size_t i;

	json_object_begin(&j, NULL);
	json_string(&j, "source", r->source);
	json_string(&j, "type", r->live ? "interface" : "file");
	json_u64(&j, "errors", count[SEVERITY_ERROR]);
	json_u64(&j, "warnings", count[SEVERITY_WARNING]);
	json_u64(&j, "info", count[SEVERITY_INFO]);
	json_array_begin(&j, "findings");
	for (i = 0; i < r->n_findings; i++)
		json_finding(&j, r, &r->findings[i]);
	json_array_end(&j);
	json_array_begin(&j, "peers");
	for (i = 0; i < r->dev->n_peers; i++)
		json_peer(&j, r, i);
	json_array_end(&j);
	json_object_end(&j);
}

/* A name of an interface here is the interface; anything else, a file
 * (write ./wg0 for a file that shares an interface's name). */
static int run(const char *target, struct check_report *r)
{
	char err[WGCONF_ERR_LEN];
	struct stat st;
	int e;

	if (!ifname_check(target) && if_nametoindex(target)) {
		e = ui_need_privileges("check", UI_NEEDS_BPF_NET);
		if (e)
			return e;
		e = check_iface(target, r);
		return e ? ui_fail(ui_status(e, false), "Unable to check %s: %s", target,
				   ui_reason(e)) : 0;
	}
	if (stat(target, &st) && !strchr(target, '/') && !ifname_check(target))
		return ui_error("Unable to check %s: no such interface or file", target);
	if (check_file(target, r, err))
		return ui_error("Unable to check %s", err);
	return 0;
}

int check_main(int argc, const char *argv[])
{
	/* the privileges of a live check, only once the target is known */
	const struct ui_command c = { "check", check_usage, NULL, 0, 1, 1, UI_NEEDS_NOTHING };
	size_t count[SEVERITIES];
	struct check_report r;
	const char *target;
	int status;

	status = ui_parse(&c, argc, argv, &target) ?: run(target, &r);
	if (status)
		return status;
	tally(&r, count);
	if (ui_json)
		json(&r, count);
	else
		human(&r, count);
	status = count[SEVERITY_ERROR] || count[SEVERITY_WARNING] ? UI_FINDINGS : UI_OK;
	check_report_free(&r);
	return status;
}
