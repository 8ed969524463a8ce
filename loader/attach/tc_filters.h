/* SPDX-License-Identifier: GPL-2.0-only */
/* The filters under an interface's clsact qdisc, as rtnetlink dumps them. */
#ifndef WGSF_TC_FILTERS_H
#define WGSF_TC_FILTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tc_filter {
	uint32_t prio, handle;
	uint32_t prog_id; /* a cls_bpf filter's program; 0 for other kinds */
	bool egress;      /* on the egress; else on the ingress */
};

struct tc_filters {
	struct tc_filter *v;
	size_t n, cap;
};

/* ifindex's ingress filters, and egress's too when egress_too; none where
 * there is no clsact qdisc. fs->v is the caller's to free. */
int tc_filters_read(uint32_t ifindex, bool egress_too, struct tc_filters *fs);

#endif
