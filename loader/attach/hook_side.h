/* SPDX-License-Identifier: GPL-2.0-only */
/* What tells an attachment's two sides apart (for hook.c and hook_state.c). */
#ifndef WGSF_HOOK_SIDE_H
#define WGSF_HOOK_SIDE_H

#include <bpf/libbpf.h>

#include "wgsf.h"

struct hook_side {
	const char *prog_name; /* the kernel's name for the side's program */
	const char *prog_pin, *link_pin; /* in a generation of pins */
	int tcx_type;          /* WGSF_TCX_INGRESS or _EGRESS */
	enum bpf_tc_attach_point tc_point;
	/* the fault points (fault.h) of each write on the side */
	const char *fault_pin_link, *fault_replace_link, *fault_replace_filter,
		*fault_repin_link, *fault_pin_prog, *fault_detach_link;
};

extern const struct hook_side hook_side[WGSF_SIDES];

#endif
