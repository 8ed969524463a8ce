/* SPDX-License-Identifier: GPL-2.0-only */
/* One peer's policy in force, as show and lookup print it. */
#ifndef WGSF_POLICY_PRINT_H
#define WGSF_POLICY_PRINT_H

#include "json.h"
#include "attach/view.h"

/* "policy": {"blocked", "allowed_sources", "allowed_destinations"}, null
 * lists standing for the defaults (the allowed IPs; anywhere). */
void policy_json(struct json *j, const struct peer_view *p);
/* Its allowed sources and destinations, where it has any, one line each. */
void policy_print(const struct peer_view *p, const char *indent);

#endif
