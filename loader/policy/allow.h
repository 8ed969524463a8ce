/* SPDX-License-Identifier: GPL-2.0-only */
/* The value of an Allow line: PREFIX[, PREFIX...] SERVICE [SERVICE...]. */
#ifndef WGSF_ALLOW_H
#define WGSF_ALLOW_H

#include "filepos.h"
#include "policy/policy.h"

/* Adds to l one rule for each prefix x service x range of value (changed
 * in place), each of line pos->line; -EINVAL with "FILE:LINE: what" in
 * pos->err when value is not one. */
int allow_parse(struct file_pos *pos, char *value, struct rule_list *l);

#endif
