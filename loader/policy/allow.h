/* SPDX-License-Identifier: GPL-2.0-only */
/* The value of an Allow line: PREFIX[, PREFIX...] SERVICE [SERVICE...]. */
#ifndef WGSF_ALLOW_H
#define WGSF_ALLOW_H

#include "filepos.h"
#include "policy/policy.h"

/* Adds to l one rule for each prefix x service x range of value (changed
 * in place), each of line pos->line, taking them from the *room left in
 * the policy; -EINVAL with "FILE:LINE: what" in pos->err when value is not
 * one, or the policy would have more than POLICY_RULES_MAX Allow rules. */
int allow_parse(struct file_pos *pos, char *value, struct rule_list *l, size_t *room);

#endif
