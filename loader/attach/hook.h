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

/* BPF_TCX_INGRESS: Debian's libbpf 1.1 and 6.1 headers predate tcx; the
 * kernel ABI value. */
#define WGSF_TCX_INGRESS 46

enum hook_kind { HOOK_TC, HOOK_XDP };
enum hook_mech { MECH_NONE, MECH_TCX, MECH_CLSACT, MECH_XDP_GENERIC };

/*
 * st records what an attachment made (kept in the pinned config map), so
 * that detach removes that and nothing else. For a first attachment it is
 * zero but for ifindex.
 *
 * Attaches prog_fd to st->ifindex, and records how in st->mech. Links are
 * pinned at DIR/link so that the attachment outlives the process. When st
 * already holds an attachment of this kind (on this ifindex: the caller's
 * to check), its program is replaced in place (link update, filter
 * replace): no moment without a program. If ours was removed behind our
 * back, it is attached anew by the same mechanism. force_mech MECH_CLSACT
 * takes the fallback where tcx exists, for a new attachment only.
 * -EBUSY: XDP is taken by another program (in any XDP mode).
 */
int hook_attach(int prog_fd, enum hook_kind kind, enum hook_mech force_mech,
		const char *dir, struct wgsf_attachment *st);
/* Removes what st describes; what is already gone is no error, and a
 * filter that took our clsact filter's place is left alone. The clsact
 * qdisc goes too when we added it and no filter of anyone's is left. */
int hook_detach(const char *dir, const struct wgsf_attachment *st);
/* "tcx", "clsact", "xdp-generic", or "none". */
const char *hook_mech_name(uint32_t mech);

#endif
