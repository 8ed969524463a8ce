/* SPDX-License-Identifier: GPL-2.0-only */
/* One peer's policy in force, as show and lookup print it. */
#ifndef WGSF_POLICY_PRINT_H
#define WGSF_POLICY_PRINT_H

#include "json.h"
#include "attach/view.h"

/* "policy": {"blocked", "allowed_sources", "allowed_destinations",
 * "allow", "rate_limit", "quarantine"}, null lists standing for the defaults (the
 * allowed IPs; anywhere): the destinations of every protocol, and those of
 * some services, "PREFIX SERVICE...", as the tables hold them (a prefix's
 * services are those of every rule whose prefix holds it); the rate limit
 * as rate_limit holds it, null where there is none, and each kind's rate
 * and burst null where that kind is not limited; the Quarantine rule as
 * the quarantine map holds it, null where there is none. */
void policy_json(struct json *j, const struct iface_view *v, const struct peer_view *p);
/* Its allowed sources, destination rules and rate limit, where it has
 * any, one line each. */
void policy_print(const struct iface_view *v, const struct peer_view *p, const char *indent);

#endif
