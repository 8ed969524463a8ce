/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath's decision for an address, taken in userspace from the same
 * source (include/wgsf_verdict.h) over the same maps, read through their
 * fds: what wgsf lookup answers and the tests compare.
 */
#ifndef WGSF_TABLES_VERDICT_H
#define WGSF_TABLES_VERDICT_H

#include <linux/types.h>

#include "device/prefix.h"
#include "tables/maps.h"
#include "wgsf_verdict.h"

/* What the datapath decides for a packet from src to dst (NULL: not known;
 * then destination rules are not asked, and v->dst_unasked says whether
 * the sender has any); 0 or -errno. */
int verdict_decide(const struct maps *m, const struct prefix *src, const struct prefix *dst,
		   struct wgsf_verdict *v);

#endif
