/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attaching the datapath to an interface's ingress, and removing exactly
 * that: tc through tcx where the kernel has it (>= 6.6), else a cls_bpf
 * direct-action filter under clsact; or XDP in generic mode, which is what
 * L3 devices like WireGuard's get.
 */
#ifndef WGSF_HOOK_H
#define WGSF_HOOK_H

#include <stdint.h>

#include "wgsf.h"

enum hook_kind { HOOK_TC, HOOK_XDP };
enum hook_mech { MECH_NONE, MECH_TCX, MECH_CLSACT, MECH_XDP_GENERIC };

/*
 * st records what an attachment made (kept in the pinned config map), so
 * that detach removes that and nothing else.
 *
 * Attaches prog_fd to st->ifindex. When st already holds an attachment of
 * this kind, its program is replaced in place (link update, filter
 * replace): no moment without a program. Links are pinned at DIR/link so
 * that the attachment outlives the process. force_mech MECH_CLSACT takes
 * the fallback even where tcx exists. -EBUSY: XDP is taken by another
 * program.
 */
int hook_attach(int prog_fd, enum hook_kind kind, enum hook_mech force_mech,
		const char *dir, struct wgsf_attachment *st);
/* Removes what st describes; what is already gone is no error. The clsact
 * qdisc goes too when we added it and no filter of anyone's is left. */
int hook_detach(const char *dir, const struct wgsf_attachment *st);
const char *hook_mech_name(uint32_t mech);

#endif
