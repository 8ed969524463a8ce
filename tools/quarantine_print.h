/* SPDX-License-Identifier: GPL-2.0-only */
/* A peer's quarantine as the map holds it now, for show, lookup and the
 * quarantine command: its rule, and the last quarantine, in force or not. */
#ifndef WGSF_QUARANTINE_PRINT_H
#define WGSF_QUARANTINE_PRINT_H

#include <stdbool.h>

#include "json.h"
#include "attach/view.h"
#include "policy/quarantine.h"

/* Whether q is in force now. */
bool quar_now_in_force(const struct wgsf_quarantine *q);
/* "by its rule" or "by hand", of the last quarantine; NULL: none. */
const char *quar_by_name(const struct wgsf_quarantine *q);
/* The end of q in seconds since the epoch, counted from its start so that
 * the two differ by its duration exactly; 0 where it has none (until
 * released, or released). */
uint64_t quar_until_epoch(const struct wgsf_quarantine *q);
/* "2026-12-07 05:00:00 (in 14 minutes, 59 seconds)", or "released" for a
 * quarantine until released. */
const char *quar_until(const struct wgsf_quarantine *q, char buf[128]);
/* Its rule, "20/10s for 15m"; NULL where it has none. */
const char *quar_rule_format(const struct peer_view *p, char buf[QUARANTINE_STRLEN]);
/* "quarantine": {"violations", "period_seconds", "duration_seconds"} of
 * its rule, or null. */
void quar_rule_json(struct json *j, const struct peer_view *p);
/* "quarantine": {"in_force", "by", "since", "until", "counted",
 * "reasons"} of its last quarantine (until null: until released), or null
 * where it never was in one. */
void quar_json(struct json *j, const struct peer_view *p);
/* Its rule, and its quarantine in force or the last one, a line each. */
void quar_print(const struct peer_view *p, const char *indent);

#endif
