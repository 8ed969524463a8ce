/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attaching the datapath to an interface's ingress, and removing exactly
 * that: tc through tcx where the kernel has it (>= 6.6), else a cls_bpf
 * direct-action filter under clsact. Earlier wgsf versions could attach
 * generic XDP instead: their pins are of another map ABI, which detach
 * removes with every wgsf program on the interface, XDP's too (hook_sweep).
 */
#ifndef WGSF_HOOK_H
#define WGSF_HOOK_H

#include <limits.h>
#include <stdint.h>

#include "wgsf.h"

/* BPF_TCX_INGRESS: Debian's libbpf 1.1 and 6.1 headers predate tcx; the
 * kernel ABI value. */
#define WGSF_TCX_INGRESS 46

/* HOOK_XDP is retired: only the pins of an earlier wgsf, of another map
 * ABI, record it; the value stays taken. */
enum hook_kind { HOOK_TC, HOOK_XDP };

/* DIR/NAME: where a generation of pins (see pins/generation.h) keeps its
 * "prog" and its "link". */
#define HOOK_PATH_MAX (PATH_MAX + 8)
void hook_path(const char *dir, const char *name, char path[HOOK_PATH_MAX]);
/* MECH_XDP_GENERIC: retired, as HOOK_XDP; the value stays taken */
enum hook_mech { MECH_NONE, MECH_TCX, MECH_CLSACT, MECH_XDP_GENERIC };

/*
 * st records what an attachment made (kept in the pinned config map), so
 * that detach removes that and nothing else. For a first attachment it is
 * zero but for ifindex.
 *
 * Attaches prog_fd to st->ifindex's tc ingress, and records how in st->mech.
 * Links are pinned at DIR/link so that the attachment outlives the process.
 * When st already holds a tc attachment (on this ifindex: the caller's to
 * check), its program is replaced in place (link update, filter replace):
 * no moment without a program. If ours was removed behind our back, it is
 * attached anew by the same mechanism. force_mech MECH_CLSACT takes the
 * fallback where tcx exists, for a new attachment only.
 */
int hook_attach(int prog_fd, enum hook_mech force_mech, const char *dir,
		struct wgsf_attachment *st);
/* Told what st will describe just before the kernel is asked to make a new
 * attachment, so that a kill in between finds it recorded (the clsact
 * filter's priority is chosen first for that); a nonzero return stops it. */
struct hook_recorder {
	int (*record)(void *ctx, const struct wgsf_attachment *st);
	void *ctx;
};
int hook_attach_recorded(int prog_fd, enum hook_mech force_mech, const char *dir,
			 struct wgsf_attachment *st, const struct hook_recorder *rec);
/* Removes what st describes; what is already gone is no error, and a
 * filter that took our clsact filter's place is left alone. The clsact
 * qdisc goes too when we added it and no filter of anyone's is left. */
int hook_detach(const char *dir, const struct wgsf_attachment *st);
/* How what st records stands on the live interface, ifname now. */
enum hook_state {
	HOOK_LIVE,      /* the program pinned in dir runs there */
	HOOK_NONE,      /* nothing of ours runs there: removed from outside, or
			 * an attach that did not get that far */
	HOOK_STALE,     /* an older program of ours runs there: a command that
			 * replaces it was interrupted */
	HOOK_RECREATED, /* the interface of that name is another one now */
	HOOK_GONE,      /* no interface of that name */
	HOOK_UNKNOWN,   /* the interface's programs could not be read: this
			 * process lacks the privilege (CAP_SYS_ADMIN) */
};
enum hook_state hook_state(const char *ifname, const char *dir, const struct wgsf_attachment *st);
/* "attached", "detached", "stale", "interface-recreated", "interface-gone",
 * "unknown" */
const char *hook_state_name(enum hook_state state);
/* Pins prog_fd in dir (a new generation of pins, see pins/generation.h),
 * and the link pinned in link_from, if any, beside it. */
int hook_pin(const char *dir, int prog_fd, const char *link_from);
/* The id of the program pinned in dir; 0 when none. */
uint32_t hook_prog_id(const char *dir);
/* The ifindex of the device that the link pinned in dir runs on: 0 when
 * there is no link (clsact has none), or its device is gone. */
int hook_link_ifindex(const char *dir, uint32_t *ifindex);
/* Removes every wgsf program from ifindex's ingress but the one of id keep:
 * what commands killed midway, or pins removed from outside, left running,
 * and an earlier wgsf's XDP program. */
void hook_sweep(uint32_t ifindex, uint32_t keep);
/* "tcx", "clsact", or "none". */
const char *hook_mech_name(uint32_t mech);

#endif
