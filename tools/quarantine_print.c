// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>

#include "policy/quarantine.h"
#include "quarantine_print.h"
#include "tables/quar_hand.h"
#include "ui_color.h"
#include "ui_names.h"

#define NS_PER_SEC 1000000000ull

bool quar_now_in_force(const struct wgsf_quarantine *q)
{
	return quarantine_in_force(q, quarantine_now());
}

const char *quar_by_name(const struct wgsf_quarantine *q)
{
	switch (q->by) {
	case WGSF_QUAR_BY_RULE:
		return "rule";
	case WGSF_QUAR_BY_HAND:
		return "hand";
	}
	return NULL;
}

/* Reason r's bit among a quarantine's reasons, and its name there. */
static const char *reason_bit_name(unsigned int r)
{
	return 1u << r == WGSF_QUAR_REJECTED ? "rejected" : ui_reason_name(r);
}

static bool has_rule(const struct peer_view *p)
{
	return p->has_quarantine && p->quarantine.violations;
}

static bool ever(const struct peer_view *p)
{
	return p->has_quarantine && p->quarantine.since_ns;
}

/* "TIME (AGO)" or "TIME (IN)" of a CLOCK_MONOTONIC stamp. */
static const char *when(uint64_t mono_ns, char buf[128])
{
	char t[32], rel[64];

	snprintf(buf, 128, "%s (%s)", ui_local_time(ui_epoch(mono_ns), t),
		 ui_clock_ns(CLOCK_MONOTONIC) < mono_ns ? ui_in(mono_ns, rel)
							: ui_ago(mono_ns, rel));
	return buf;
}

uint64_t quar_until_epoch(const struct wgsf_quarantine *q)
{
	if (!q->until_ns || q->until_ns == WGSF_QUAR_FOREVER || q->until_ns < q->since_ns)
		return 0;
	return ui_epoch(q->since_ns) + (q->until_ns - q->since_ns) / NS_PER_SEC;
}

const char *quar_until(const struct wgsf_quarantine *q, char buf[128])
{
	if (q->until_ns == WGSF_QUAR_FOREVER)
		return strcpy(buf, "released");
	return when(q->until_ns, buf);
}

const char *quar_rule_format(const struct peer_view *p, char buf[QUARANTINE_STRLEN])
{
	const struct wgsf_quarantine *q = &p->quarantine;
	struct quarantine_rule rule = { q->violations, q->period_ns, q->duration_ns, 0 };

	if (!has_rule(p))
		return NULL;
	quarantine_format(&rule, buf, QUARANTINE_STRLEN);
	return buf;
}

void quar_rule_json(struct json *j, const struct peer_view *p)
{
	if (!has_rule(p))
		return json_string(j, "quarantine", NULL);
	json_object_begin(j, "quarantine");
	json_u64(j, "violations", p->quarantine.violations);
	json_u64(j, "period_seconds", p->quarantine.period_ns / NS_PER_SEC);
	json_u64(j, "duration_seconds", p->quarantine.duration_ns / NS_PER_SEC);
	json_object_end(j);
}

void quar_json(struct json *j, const struct peer_view *p)
{
	const struct wgsf_quarantine *q = &p->quarantine;
	unsigned int r;

	if (!ever(p))
		return json_string(j, "quarantine", NULL);
	json_object_begin(j, "quarantine");
	json_bool(j, "in_force", quar_now_in_force(q));
	json_string(j, "by", quar_by_name(q));
	json_u64(j, "since", ui_epoch(q->since_ns));
	if (quar_until_epoch(q))
		json_u64(j, "until", quar_until_epoch(q));
	else
		json_string(j, "until", NULL);
	/* what began it: a rule's, where by a rule */
	json_u64(j, "counted", q->by == WGSF_QUAR_BY_RULE ? q->counted : 0);
	json_array_begin(j, "reasons");
	for (r = 0; q->by == WGSF_QUAR_BY_RULE && r < 32; r++)
		if (q->reasons & 1u << r)
			json_string(j, NULL, reason_bit_name(r));
	json_array_end(j);
	json_object_end(j);
}

/* ", by its rule: 20 violations (source, service)", ", by hand", or
 * nothing once released (by none) */
static void print_by(const struct wgsf_quarantine *q)
{
	const char *sep = " (";
	unsigned int r;

	if (q->by != WGSF_QUAR_BY_RULE) {
		printf("%s", q->by == WGSF_QUAR_BY_HAND ? ", by hand" : "");
		return;
	}
	printf(", by its rule: %u violation%s", q->counted, q->counted == 1 ? "" : "s");
	for (r = 0; r < 32; r++)
		if (q->reasons & 1u << r) {
			printf("%s%s", sep, reason_bit_name(r));
			sep = ", ";
		}
	printf("%s", *sep == ',' ? ")" : "");
}

void quar_print(const struct peer_view *p, const char *indent)
{
	const struct wgsf_quarantine *q = &p->quarantine;
	char buf[QUARANTINE_STRLEN], b1[128], b2[128];

	if (quar_rule_format(p, buf)) {
		ui_label(indent, "quarantine");
		printf("%s\n", buf);
	}
	if (!ever(p))
		return;
	if (quar_now_in_force(q)) {
		ui_label(indent, "quarantined");
		printf("%ssince %s, until %s", ui_color(UI_RED), when(q->since_ns, b1),
		       quar_until(q, b2));
		print_by(q);
		printf("%s\n", ui_color(UI_RESET));
		return;
	}
	ui_label(indent, "last quarantined");
	if (q->until_ns)
		printf("since %s, until %s", when(q->since_ns, b1), when(q->until_ns, b2));
	else
		printf("since %s, released", when(q->since_ns, b1));
	print_by(q);
	printf("\n");
}
