/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WGSF_CHECK_ROUTE_H
#define WGSF_CHECK_ROUTE_H

#include "check/report.h"

/* not-routed on a live interface: where the kernel routes each prefix of
 * r->table. */
int check_live_routes(struct check_report *r);
/* The address within p that the routing check asks about. */
void check_route_addr(const struct prefix *p, struct prefix *addr);

#endif
