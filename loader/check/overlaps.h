/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WGSF_CHECK_OVERLAPS_H
#define WGSF_CHECK_OVERLAPS_H

#include "check/report.h"

/* nested-prefix and catch-all, over r->table. */
int check_overlaps(struct check_report *r);

#endif
