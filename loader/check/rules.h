/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Allow rules of the policy in force (live, attached with a policy)
 * that can never match: rule-not-routed, a prefix the kernel has no route
 * to (as not-routed asks it: packets to it cannot leave the gateway);
 * rule-shadowed, a rule inside an AllowedDestinations prefix of the same
 * peer or group, which admits every protocol there.
 */
#ifndef WGSF_CHECK_RULES_H
#define WGSF_CHECK_RULES_H

#include "check/report.h"

/* The findings of r->policy's Allow rules. */
int check_policy_rules(struct check_report *r);

#endif
