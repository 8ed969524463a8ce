/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wgsf check's kinds of finding, each described once, as metrics_text.c
 * describes each metric family: the name scripts match, how severe it is,
 * its words, what to change, what its JSON has besides the members every
 * finding has, and which file its line is in.
 */
#ifndef WGSF_CHECK_KINDS_H
#define WGSF_CHECK_KINDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "check/report.h"
#include "json.h"

enum severity { SEVERITY_INFO, SEVERITY_WARNING, SEVERITY_ERROR, SEVERITIES };

/* Everything the words of a finding say, with its report. */
struct words {
	FILE *m;
	const struct check_report *r;
	const struct finding *f;
	const char *source; /* r->source, escaped as other output is */
};

struct finding_kind {
	const char *name; /* "duplicate-prefix", ...: it keeps its meaning */
	enum severity severity;
	void (*message)(const struct words *w); /* the finding in one line */
	const char *advice;                    /* what to change: the same for each, */
	void (*advise)(const struct words *w); /* or worded for each */
	void (*json)(struct json *j, const struct finding *f); /* NULL: nothing more */
	bool policy_line; /* its line is in the attached policy, not the config */
};

extern const struct finding_kind finding_kinds[CHECK_KINDS];
extern const char *const severity_names[SEVERITIES];

/* A key or a prefix as a JSON string; a NULL key, a prefix of family 0 as
 * null. */
void json_key(struct json *j, const char *name, const uint8_t *k);
void json_prefix(struct json *j, const char *name, const struct prefix *p);

#endif
