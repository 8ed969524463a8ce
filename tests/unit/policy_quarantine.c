// SPDX-License-Identifier: GPL-2.0-only
/* Quarantine: every form read to the exact number of nanoseconds, every
 * error of the grammar with its exact message and line and nothing read,
 * durations as `wgsf quarantine --for` reads them and as they are printed,
 * a peer's rule in force (its own, else the strictest of its groups' and
 * [Group *]'s, rates compared exactly), and a seeded round trip of the
 * canonical form. No privileges. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/quarantine.h"
#include "policy_text.h"
#include "tap.h"

#define KEY_A POLICY_KEY_A
#define KEY_B "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="
#define KEY_C "K5f/r7JnHMHcj9Goq4RO23jKniha+zalq5PIrWeKPko="
#define KEY_D "EJ5ppbj90v0v1kDMewMjWJuKmSIr0mJ5NiZjNjH8MHQ="
#define KEY_E "s/aBDeDATCNK4ORtdZs1ZBf7zIWxOX8ljb40ubk5uN8="
#define KEY_OTHER "7B/bKqT4u4d4ONZldCTnRjrau/yR0nxe9sk6JPNDeMg="
#define PEER_A POLICY_PEER_A
#define SYNTAX "(Quarantine = N/PERIOD for DURATION: 20/10s for 15m)"

#define S 1000000000ULL
#define DAY (86400 * S)

/* "N PERIOD_NS DURATION_NS @LINE" */
static const char *text_of(const struct quarantine_rule *q)
{
	static char out[128];

	snprintf(out, sizeof(out), "%" PRIu32 " %" PRIu64 " %" PRIu64 " @%u", q->violations,
		 q->period_ns, q->duration_ns, q->line);
	return out;
}

static bool same(const struct quarantine_rule *a, const struct quarantine_rule *b)
{
	return a->violations == b->violations && a->period_ns == b->period_ns &&
	       a->duration_ns == b->duration_ns && a->line == b->line;
}

static const char *quarantine_text(const struct peer_rules *r)
{
	return text_of(&r->quarantine);
}

/* The rule of peer A, whose line 3 is "Quarantine = value". */
static void rule(const char *value, const char *want)
{
	policy_line_reads("Quarantine", value, want, quarantine_text);
}

/* "Quarantine = value" on line 3 of peer A: refused with "p:3: why". */
static void refused(const char *value, const char *why)
{
	policy_line_refused("Quarantine", value, why);
}

static void accepted(void)
{
	rule("20/10s for 15m", "20 10000000000 900000000000 @3");
	rule("1/1s for 1s", "1 1000000000 1000000000 @3");
	rule("1000000/365d for 365d", "1000000 31536000000000000 31536000000000000 @3");
	rule("3/2h for 7d", "3 7200000000000 604800000000000 @3");
	rule("5/59m for 24h", "5 3540000000000 86400000000000 @3");
	rule("1/31536000s for 525600m", "1 31536000000000000 31536000000000000 @3");
	rule("1/8760h for 1d", "1 31536000000000000 86400000000000 @3");
	rule("007/010s for 0001m", "7 10000000000 60000000000 @3");
	rule("20/10s FOR 15m", "20 10000000000 900000000000 @3");
	rule("20/10s\tfor   15m  ", "20 10000000000 900000000000 @3");
	rule("999999/1s for 1s", "999999 1000000000 1000000000 @3");
}

static void n_errors(void)
{
	refused("0/10s for 15m", "N '0' is 0 (at least 1 violation)");
	refused("000/10s for 15m", "N '000' is 0 (at least 1 violation)");
	refused("1000001/10s for 15m", "N '1000001' is above 1000000 violations");
	refused("4294967297/10s for 15m", "N '4294967297' is above 1000000 violations");
	refused("18446744073709551616/10s for 15m",
		"N '18446744073709551616' is above 1000000 violations");
	refused("-1/10s for 15m", "N '-1' is not a whole number of violations");
	refused("+1/10s for 15m", "N '+1' is not a whole number of violations");
	refused("1.5/10s for 15m", "N '1.5' is not a whole number of violations");
	refused("1e3/10s for 15m", "N '1e3' is not a whole number of violations");
	refused("/10s for 15m", "N '' is not a whole number of violations");
	refused("twenty/10s for 15m", "N 'twenty' is not a whole number of violations");
}

static void period_errors(void)
{
	refused("20/10 for 15m", "period '10' has no unit (s, m, h or d)");
	refused("20/10y for 15m", "period '10y' has an unknown unit (s, m, h or d)");
	refused("20/10S for 15m", "period '10S' has an unknown unit (s, m, h or d)");
	refused("20/1M for 15m", "period '1M' has an unknown unit (s, m, h or d)");
	refused("20/10ms for 15m", "period '10ms' has an unknown unit (s, m, h or d)");
	refused("20/10sec for 15m", "period '10sec' has an unknown unit (s, m, h or d)");
	refused("20/1h30m for 15m", "period '1h30m' has an unknown unit (s, m, h or d)");
	refused("20/1.5h for 15m", "period '1.5h' is not a whole number and its unit, with no "
		"space (10s, 15m, 2h, 7d)");
	refused("20/s for 15m", "period 's' is not a whole number and its unit, with no space "
		"(10s, 15m, 2h, 7d)");
	refused("20/ for 15m", "period '' is not a whole number and its unit, with no space (10s, "
		"15m, 2h, 7d)");
	refused("20/-1s for 15m", "period '-1s' is not a whole number and its unit, with no space "
		"(10s, 15m, 2h, 7d)");
	refused("20/10s/2 for 15m", "period '10s/2' has an unknown unit (s, m, h or d)");
	refused("20/0s for 15m", "period '0s' is 0 (at least 1s)");
	refused("20/0d for 15m", "period '0d' is 0 (at least 1s)");
	refused("20/366d for 15m", "period '366d' is above 365d");
	refused("20/31536001s for 15m", "period '31536001s' is above 365d");
	refused("20/8761h for 15m", "period '8761h' is above 365d");
	/* past 64 bits, before or after the unit: too long, never a wrap */
	refused("20/18446744073709551615d for 15m", "period '18446744073709551615d' is above 365d");
	refused("20/213503982335d for 15m", "period '213503982335d' is above 365d");
	refused("20/1000000000000000000000000000000000000000000000000000000000000000000000000000000"
		"000000000000000000000s for 15m",
		"period '100000000000000000000000000000000000000000000000000000000000000000000000000"
		"0000000000000000000000000s' is above 365d");
}

static void grammar_errors(void)
{
	refused("", "an empty Quarantine " SYNTAX);
	refused("20", "'20' is not N/PERIOD " SYNTAX);
	refused("20 / 10s for 15m", "'20' is not N/PERIOD " SYNTAX);
	refused("for 15m", "'for' is not N/PERIOD " SYNTAX);
	refused("20/10s", "no 'for DURATION' after '20/10s' " SYNTAX);
	refused("20/10s 15m", "'15m' where 'for' should be " SYNTAX);
	refused("20/10s during 15m", "'during' where 'for' should be " SYNTAX);
	refused("20/10s for", "'for' with no duration after it");
	refused("20/10s for 15m 2", "'2' after the duration " SYNTAX);
	refused("20/10s for 15m for 1h", "'for' after the duration " SYNTAX);
	refused("20/10s for 15 m", "'m' after the duration " SYNTAX);
	refused("20/10s for 15", "duration '15' has no unit (s, m, h or d)");
	refused("20/10s for forever", "duration 'forever' is not a whole number and its unit, "
		"with no space (10s, 15m, 2h, 7d)");
	refused("20/10s for 0m", "duration '0m' is 0 (at least 1s)");
	refused("20/10s for 366d", "duration '366d' is above 365d");
	refused("20/10s for 99999999999999999999h", "duration '99999999999999999999h' is above "
		"365d");
	refused("20/10s for 15min", "duration '15min' has an unknown unit (s, m, h or d)");
	/* the first fault in the order written */
	refused("0/0s 15x", "N '0' is 0 (at least 1 violation)");
	refused("5/0s 15x", "period '0s' is 0 (at least 1s)");
	policy_refused("a second Quarantine in a [Peer]",
		       PEER_A "Quarantine = 20/10s for 15m\nBlock = false\nquarantine = 1/1s for 1s\n",
		       "p:5: a second Quarantine in one [Peer] (first at line 3)");
	policy_refused("a second Quarantine in a [Group]",
		       "[Group g]\nQuarantine = 2/1m for 1h\nQuarantine = 2/1m for 1h\n",
		       "p:3: a second Quarantine in one [Group] (first at line 2)");
	policy_refused("a bad Quarantine in [Group *]", "[Group *]\n\nQuarantine = 0/1s for 1s\n",
		       "p:3: N '0' is 0 (at least 1 violation)");
	policy_refused("Quarantine in [Interface]", "[Interface]\nQuarantine = 20/10s for 15m\n",
		       "p:2: unknown key 'Quarantine' in [Interface]");
}

static void durations(void)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} good[] = {
		{ "15m", 900 * S }, { "1s", S }, { "90s", 90 * S }, { "2h", 7200 * S },
		{ "7d", 7 * DAY }, { "365d", 365 * DAY }, { "31536000s", 365 * DAY },
		{ "0010s", 10 * S },
	};
	static const char *const bad[] = {
		"", "0s", "366d", "31536001s", "15", "15M", "1.5h", "15 m", " 15m", "15m ", "-1s",
		"1h30m", "99999999999999999999999999999999999999s", "18446744073709551615m",
	};
	uint64_t ns;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		ns = 0;
		ok(!duration_parse(good[i].s, &ns) && ns == good[i].ns, "duration_parse('%s') = %"
		   PRIu64, good[i].s, good[i].ns);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ns = 42;
		ok(duration_parse(bad[i], &ns) == -EINVAL && ns == 42, "duration_parse('%s'): -EINVAL",
		   bad[i]);
	}
}

static void formats(void)
{
	static const struct {
		uint64_t ns;
		const char *want;
	} cases[] = {
		{ 900 * S, "15m" }, { 90 * S, "90s" }, { DAY, "1d" }, { 0, "0s" }, { S, "1s" },
		{ 120 * S, "2m" }, { 3600 * S, "1h" }, { 25 * 3600 * S, "25h" },
		{ 36 * 3600 * S, "36h" }, { 48 * 3600 * S, "2d" }, { 365 * DAY, "365d" },
		{ 86401 * S, "86401s" }, { 1500000000ULL, "1.5s" }, { 250000000ULL, "0.25s" },
		{ 1, "0.000000001s" }, { 61 * S + 1, "61.000000001s" },
	};
	struct quarantine_rule q = { 20, 10 * S, 900 * S, 3 };
	char buf[QUARANTINE_STRLEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		duration_format(cases[i].ns, buf, DURATION_STRLEN);
		if (!ok(!strcmp(buf, cases[i].want), "duration_format(%" PRIu64 ") = %s",
			cases[i].ns, cases[i].want))
			diag("  got '%s'", buf);
	}
	duration_format(250000000ULL, buf, 4);
	ok(!strcmp(buf, "0.2"), "duration_format into a buffer too small: cut short, ended");
	quarantine_format(&q, buf, sizeof(buf));
	ok(!strcmp(buf, "20/10s for 15m"), "quarantine_format: '%s'", buf);
	q = (struct quarantine_rule){ 1000000, 365 * DAY, 86399 * S, 1 };
	quarantine_format(&q, buf, sizeof(buf));
	ok(!strcmp(buf, "1000000/365d for 86399s"), "quarantine_format: '%s'", buf);
}

static const char groups_text[] =
	"[Peer]\n"                                          /* 1 */
	"PublicKey = " KEY_A "\n"
	"Group = loose, tight\n"
	"Quarantine = 100/1s for 1m\n"
	"[Group loose]\n"                                   /* 5 */
	"Quarantine = 3/1s for 1h\n"
	"[Group tight]\n"
	"Quarantine = 100/34s for 2h\n"
	"[Group *]\n"
	"Quarantine = 1000000/1s for 1d\n"                  /* 10 */
	"[Peer]\n"
	"PublicKey = " KEY_B "\n"
	"Group = loose, tight\n"
	"[Group near1]\n"
	"Quarantine = 1000000/31535032s for 1m\n"           /* 15 */
	"[Group near2]\n"
	"Quarantine = 999999/31535000s for 1m\n"
	"[Peer]\n"
	"PublicKey = " KEY_C "\n"
	"Group = near2, near1\n"                            /* 20 */
	"[Group twice]\n"
	"Quarantine = 6/1m for 1h\n"
	"[Group once]\n"
	"Quarantine = 1/10s for 1m\n"
	"[Peer]\n"                                          /* 25 */
	"PublicKey = " KEY_D "\n"
	"Group = twice, once, long, short\n"
	"[Group long]\n"
	"Quarantine = 1/10s for 2m\n"
	"[Group short]\n"                                   /* 30 */
	"Quarantine = 1/10s for 1m\n"
	"[Group none]\n"
	"Block = true\n"
	"[Peer]\n"
	"PublicKey = " KEY_E "\n"                           /* 35 */
	"Group = none\n";

static void groups(void)
{
	static const struct policy_in_force cases[] = {
		{ KEY_A, "100 1000000000 60000000000 @4", "A: its own, though its groups' are stricter" },
		{ KEY_B, "100 34000000000 7200000000000 @8",
		  "B: 100/34s (2.94 a second) is stricter than 3/1s and than *'s" },
		{ KEY_C, "1000000 31535032000000000 60000000000 @15",
		  "C: 1000000/31535032s, a hair below 999999/31535000s (by 1.5e-11), exactly" },
		{ KEY_D, "1 10000000000 120000000000 @29",
		  "D: of equal rates, the smaller N (1/10s before 6/1m), then the longer duration" },
		{ KEY_E, "1000000 1000000000 86400000000000 @10",
		  "E: a group of no Quarantine: *'s" },
		{ KEY_OTHER, "1000000 1000000000 86400000000000 @10",
		  "a key the file does not list: *'s" },
	};
	char err[POLICY_ERR_LEN];
	struct policy p, copy;

	if (!ok(!policy_parse("p", groups_text, strlen(groups_text), &p, err), "groups: read"))
		return diag("%s", err);
	ok(!strcmp(text_of(&p.groups[0].quarantine), "3 1000000000 3600000000000 @6") &&
		   !strcmp(text_of(&p.peers[1].quarantine), "0 0 0 @0"),
	   "a group's rule as written; a peer of none has none of its own");
	policy_in_force(&p, cases, sizeof(cases) / sizeof(*cases), quarantine_text);
	ok(!policy_copy(&copy, &p) && same(&copy.peers[0].quarantine, &p.peers[0].quarantine) &&
		   same(&copy.groups[2].quarantine, &p.groups[2].quarantine),
	   "a copy has the peers' and groups' rules");
	policy_free(&copy);
	policy_free(&p);
}

/* With no [Group *]: a peer's own rule alone, no flattening needed; equal
 * rules of two groups keep the first's line. */
static void no_star(void)
{
	static const struct policy_in_force cases[] = {
		{ KEY_A, "20 10000000000 900000000000 @3", "A: its own" },
		{ KEY_B, "2 60000000000 3600000000000 @8", "B: a's, b's being the same" },
		{ KEY_C, "0 0 0 @0", "a key the file does not list: none" },
	};
	static const char text[] = PEER_A "Quarantine = 20/10s for 15m\n"
		"[Peer]\nPublicKey = " KEY_B "\nGroup = a, b\n"
		"[Group a]\nQuarantine = 2/1m for 1h\n[Group b]\nQuarantine = 2/60s for 60m\n";
	char err[POLICY_ERR_LEN];
	struct policy p;

	if (!ok(!policy_parse("p", text, strlen(text), &p, err), "no [Group *]: read"))
		return diag("%s", err);
	ok(!policy_needs_flatten(&p, &p.peers[0]), "a peer of no group: its own rule alone");
	ok(policy_needs_flatten(&p, &p.peers[1]), "a member of a group with a rule: flattened");
	policy_in_force(&p, cases, sizeof(cases) / sizeof(*cases), quarantine_text);
	policy_free(&p);
}

/* A period or duration of 1s..365d in a random unit that holds it. */
static uint64_t random_duration(unsigned int *seed)
{
	static const uint64_t unit[] = { 1, 60, 3600, 86400 };
	uint64_t u = unit[rand_r(seed) % 4];

	return (1 + (uint64_t)rand_r(seed) % (365 * 86400 / u)) * u * S;
}

/* format(rule) read back is rule, and duration_parse(format(d)) is d. */
static void round_trip(unsigned int seed)
{
	char buf[QUARANTINE_STRLEN], err[POLICY_ERR_LEN];
	struct file_pos pos = { "p", 1, err, sizeof(err) };
	struct quarantine_rule q, back;
	unsigned int i, bad = 0;
	uint64_t ns;

	for (i = 0; i < 5000; i++) {
		q = (struct quarantine_rule){ 1 + rand_r(&seed) % QUARANTINE_VIOLATIONS_MAX,
					      random_duration(&seed), random_duration(&seed), 1 };
		quarantine_format(&q, buf, sizeof(buf));
		back = (struct quarantine_rule){};
		if (quarantine_parse(&pos, buf, &back) || !same(&q, &back)) {
			if (!bad++)
				diag("  '%s' read back as '%s' (%s)", buf, text_of(&back), err);
			continue;
		}
		duration_format(q.duration_ns, buf, DURATION_STRLEN);
		if (duration_parse(buf, &ns) || ns != q.duration_ns)
			if (!bad++)
				diag("  duration '%s' read back as %" PRIu64, buf, ns);
	}
	ok(!bad, "5000 random rules (seed %u): format, then parse, gives the rule (%u not)",
	   seed, bad);
}

int main(void)
{
	unsigned int seed = test_seed();

	accepted();
	n_errors();
	period_errors();
	grammar_errors();
	durations();
	formats();
	groups();
	no_star();
	round_trip(seed);
	return done_testing();
}
