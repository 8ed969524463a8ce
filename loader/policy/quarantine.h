/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The value of a Quarantine line, N/PERIOD for DURATION (wgsf.policy(5)),
 * how the rules of a peer's groups combine, and durations as the policy
 * and `wgsf quarantine --for` write them: a whole number and a unit, s, m,
 * h or d.
 */
#ifndef WGSF_QUARANTINE_H
#define WGSF_QUARANTINE_H

#include <stddef.h>
#include <stdint.h>

#include "filepos.h"
#include "policy/policy.h"

/* What a Quarantine may say: N violations, a period and a duration of
 * 1s to 365d. */
#define QUARANTINE_VIOLATIONS_MAX 1000000u
#define DURATION_MIN_NS 1000000000ULL
#define DURATION_MAX_NS (365ULL * 86400 * DURATION_MIN_NS)

/* Room for duration_format() and quarantine_format() */
#define DURATION_STRLEN 32
#define QUARANTINE_STRLEN 80

/* Reads value (changed in place) into *out, of line pos->line; -EINVAL
 * with "FILE:LINE: what" in pos->err, *out untouched, when value is not
 * one. */
int quarantine_parse(struct file_pos *pos, char *value, struct quarantine_rule *out);

/* A duration, "15m", into *ns: 0, or -EINVAL where s is none (a unit
 * other than s, m, h or d, a fraction, a space) or is out of 1s..365d. */
int duration_parse(const char *s, uint64_t *ns);

/* ns in its largest exact unit: 900 s "15m", 90 s "90s", 86400 s "1d";
 * a time of no whole seconds in seconds with decimals ("0.25s"). */
void duration_format(uint64_t ns, char *buf, size_t size);

/* "20/10s for 15m": the canonical form, which quarantine_parse() reads
 * back to the same rule. */
void quarantine_format(const struct quarantine_rule *q, char *buf, size_t size);

/* Tightens *out, the rule in force of a peer whose own is *own, by the
 * rule g of one of its groups: where own has none, g's when it is
 * stricter than out's (violations 0: none), that is of a lower rate N /
 * PERIOD, or of the same with a smaller N, or of the same N and PERIOD
 * with a longer DURATION. */
void quarantine_tighten(struct quarantine_rule *out, const struct quarantine_rule *own,
			const struct quarantine_rule *g);

#endif
