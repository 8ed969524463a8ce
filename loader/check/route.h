/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WGSF_CHECK_ROUTE_H
#define WGSF_CHECK_ROUTE_H

#include "check/report.h"

/* not-routed on a live interface: where the kernel routes each prefix of
 * r->table. */
int check_live_routes(struct check_report *r);
/* Where the kernel routes each out[i].addr (n of them), as `ip route get`
 * asks: 0, or -errno when it cannot be asked. */
int check_routes(struct check_route *out, size_t n);
/* The address within p that the routing check asks about. */
void check_route_addr(const struct prefix *p, struct prefix *addr);

#endif
