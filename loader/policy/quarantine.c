// SPDX-License-Identifier: GPL-2.0-only
/* A Quarantine's value read exactly: whole numbers only, and a number past
 * 64 bits too large, never what is left of it. Units are lowercase, so
 * that no one's "1M" (a month?) is read as a minute. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/quarantine.h"

#define WHITE " \t\r\n\v\f"
#define DIGITS "0123456789"
#define SYNTAX "(Quarantine = N/PERIOD for DURATION: 20/10s for 15m)"

/* Largest first, as duration_format() tries them */
static const struct {
	char name;
	uint64_t seconds;
} units[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 } };

#define N_UNITS (sizeof(units) / sizeof(*units))

enum duration_fault {
	DURATION_OK,
	DURATION_INVALID,
	DURATION_NO_UNIT,
	DURATION_UNIT,
	DURATION_ZERO,
	DURATION_LONG,
};

/* What is wrong with a duration, after "period 'X' " */
static const char *const duration_faults[] = {
	[DURATION_INVALID] = "is not a whole number and its unit, with no space (10s, 15m, 2h, "
			     "7d)",
	[DURATION_NO_UNIT] = "has no unit (s, m, h or d)",
	[DURATION_UNIT] = "has an unknown unit (s, m, h or d)",
	[DURATION_ZERO] = "is 0 (at least 1s)",
	[DURATION_LONG] = "is above 365d",
};

/* The value of the len digits that start s; UINT64_MAX past 64 bits. */
static uint64_t digits_value(const char *s, size_t len)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[i] - '0', &v))
			return UINT64_MAX;
	return v;
}

static enum duration_fault duration_read(const char *s, uint64_t *ns)
{
	size_t len = strspn(s, DIGITS), i;
	uint64_t v;

	if (!len || s[len] == '.')
		return DURATION_INVALID;
	if (!s[len])
		return DURATION_NO_UNIT;
	for (i = 0; i < N_UNITS && (s[len] != units[i].name || s[len + 1]); i++)
		;
	if (i == N_UNITS)
		return DURATION_UNIT;
	if (__builtin_mul_overflow(digits_value(s, len), units[i].seconds, &v))
		return DURATION_LONG;
	if (!v)
		return DURATION_ZERO;
	if (v > DURATION_MAX_NS / DURATION_MIN_NS)
		return DURATION_LONG;
	*ns = v * DURATION_MIN_NS;
	return DURATION_OK;
}

int duration_parse(const char *s, uint64_t *ns)
{
	return duration_read(s, ns) == DURATION_OK ? 0 : -EINVAL;
}

/* A PERIOD or DURATION (what) of a Quarantine line. */
static int read_duration(struct file_pos *pos, const char *what, const char *s, uint64_t *ns)
{
	enum duration_fault f = duration_read(s, ns);

	return f == DURATION_OK ? 0 : pos_fail(pos, "%s '%s' %s", what, s, duration_faults[f]);
}

/* N: decimal digits alone, 1 to QUARANTINE_VIOLATIONS_MAX. */
static int read_violations(struct file_pos *pos, const char *s, uint32_t *n)
{
	size_t len = strspn(s, DIGITS);
	uint64_t v = digits_value(s, len);

	if (!len || s[len])
		return pos_fail(pos, "N '%s' is not a whole number of violations", s);
	if (!v)
		return pos_fail(pos, "N '%s' is 0 (at least 1 violation)", s);
	if (v > QUARANTINE_VIOLATIONS_MAX)
		return pos_fail(pos, "N '%s' is above %u violations", s, QUARANTINE_VIOLATIONS_MAX);
	*n = v;
	return 0;
}

/* "N/PERIOD", cut in two while it is read. */
static int read_rate(struct file_pos *pos, char *t, struct quarantine_rule *q)
{
	char *slash = strchr(t, '/');
	int err;

	if (!slash)
		return pos_fail(pos, "'%s' is not N/PERIOD " SYNTAX, t);
	*slash = '\0';
	err = read_violations(pos, t, &q->violations) ?:
	      read_duration(pos, "period", slash + 1, &q->period_ns);
	*slash = '/';
	return err;
}

/* "for DURATION", and nothing after it. */
static int read_for(struct file_pos *pos, const char *rate, char **save,
		    struct quarantine_rule *q)
{
	const char *word = strtok_r(NULL, WHITE, save), *duration, *extra;

	if (!word)
		return pos_fail(pos, "no 'for DURATION' after '%s' " SYNTAX, rate);
	if (strcasecmp(word, "for"))
		return pos_fail(pos, "'%s' where 'for' should be " SYNTAX, word);
	duration = strtok_r(NULL, WHITE, save);
	if (!duration)
		return pos_fail(pos, "'for' with no duration after it");
	extra = strtok_r(NULL, WHITE, save);
	if (extra)
		return pos_fail(pos, "'%s' after the duration " SYNTAX, extra);
	return read_duration(pos, "duration", duration, &q->duration_ns);
}

int quarantine_parse(struct file_pos *pos, char *value, struct quarantine_rule *out)
{
	struct quarantine_rule q = { .line = pos->line };
	char *save = NULL, *t = strtok_r(value, WHITE, &save);
	int err;

	if (!t)
		return pos_fail(pos, "an empty Quarantine " SYNTAX);
	err = read_rate(pos, t, &q) ?: read_for(pos, t, &save, &q);
	if (!err)
		*out = q;
	return err;
}

void duration_format(uint64_t ns, char *buf, size_t size)
{
	uint64_t s = ns / DURATION_MIN_NS, frac = ns % DURATION_MIN_NS;
	char fraction[16];
	size_t i, end;

	if (frac) {
		snprintf(fraction, sizeof(fraction), "%09" PRIu64, frac);
		for (end = strlen(fraction); fraction[end - 1] == '0'; end--)
			;
		snprintf(buf, size, "%" PRIu64 ".%.*ss", s, (int)end, fraction);
		return;
	}
	for (i = 0; i < N_UNITS - 1 && (!s || s % units[i].seconds); i++)
		;
	snprintf(buf, size, "%" PRIu64 "%c", s / units[i].seconds, units[i].name);
}

void quarantine_format(const struct quarantine_rule *q, char *buf, size_t size)
{
	char period[DURATION_STRLEN], duration[DURATION_STRLEN];

	duration_format(q->period_ns, period, sizeof(period));
	duration_format(q->duration_ns, duration, sizeof(duration));
	snprintf(buf, size, "%" PRIu32 "/%s for %s", q->violations, period, duration);
}

/* Whether rule a is stricter than b (violations 0: none). The rates are
 * compared exactly: N of a million times a period of a year in ns is
 * past 64 bits. */
static bool stricter(const struct quarantine_rule *a, const struct quarantine_rule *b)
{
	unsigned __int128 x = (unsigned __int128)a->violations * b->period_ns;
	unsigned __int128 y = (unsigned __int128)b->violations * a->period_ns;

	if (!b->violations || x != y)
		return !b->violations || x < y;
	if (a->violations != b->violations)
		return a->violations < b->violations;
	return a->duration_ns > b->duration_ns;
}

void quarantine_tighten(struct quarantine_rule *out, const struct quarantine_rule *own,
			const struct quarantine_rule *g)
{
	if (g->violations && !own->violations && stricter(g, out))
		*out = *g;
}
