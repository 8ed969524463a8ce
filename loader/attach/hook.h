/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attaching the datapath to an interface, and removing exactly that: its
 * program on the ingress and the flows' recorder on the egress (see
 * wgsf.h's enum wgsf_side), always both, by tc: through tcx where the
 * kernel has it (>= 6.6), else a cls_bpf direct-action filter on each side
 * of a clsact qdisc. Earlier wgsf versions could attach generic XDP
 * instead: their pins are of another map ABI, which detach removes with
 * every wgsf program on the interface, XDP's too (hook_sweep).
 */
#ifndef WGSF_HOOK_H
#define WGSF_HOOK_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "wgsf.h"

/* BPF_TCX_INGRESS and _EGRESS: Debian's libbpf 1.1 and 6.1 headers
 * predate tcx; the kernel ABI values. */
#define WGSF_TCX_INGRESS 46
#define WGSF_TCX_EGRESS 47

/* HOOK_XDP is retired: only the pins of an earlier wgsf, of another map
 * ABI, record it; the value stays taken. */
enum hook_kind { HOOK_TC, HOOK_XDP };

/* Where a generation of pins (see pins/generation.h) keeps each side's program
 * (DIR/prog, DIR/egress_prog) and tcx link (DIR/link, DIR/egress_link). */
#define HOOK_PATH_MAX (PATH_MAX + 16)
void hook_prog_path(const char *dir, enum wgsf_side side, char path[HOOK_PATH_MAX]);
void hook_link_path(const char *dir, enum wgsf_side side, char path[HOOK_PATH_MAX]);
/* The programs an attachment runs, by side: wgsf.bpf.c's wgsf_tc and
 * wgsf_egress. */
struct hook_progs {
	int fd[WGSF_SIDES];
};
struct wgsf;
struct hook_progs hook_progs_of(const struct wgsf *skel);
/* MECH_XDP_GENERIC: retired, as HOOK_XDP; the value stays taken */
enum hook_mech { MECH_NONE, MECH_TCX, MECH_CLSACT, MECH_XDP_GENERIC };

/*
 * st records what an attachment made (kept in the pinned config map), so
 * that detach removes that and nothing else. For a first attachment it is
 * zero but for ifindex.
 *
 * Attaches progs to st->ifindex's tc ingress and egress, and records how
 * in st->mech. Links are pinned in dir so that the attachment outlives the
 * process. When st already holds a tc attachment (on this ifindex: the
 * caller's to check), its programs are replaced in place (link update,
 * filter replace): no moment without a program. A side of ours removed
 * behind our back is attached anew by the same mechanism. force_mech
 * MECH_CLSACT takes the fallback where tcx exists, for a new attachment
 * only. A new attachment that fails leaves nothing of itself behind.
 */
int hook_attach(const struct hook_progs *progs, enum hook_mech force_mech, const char *dir,
		struct wgsf_attachment *st);
/* Told what st will describe just before the kernel is asked to make each
 * new attachment of a side, so that a kill in between finds it recorded
 * (a clsact filter's priority is chosen first for that); a nonzero return
 * stops it. */
struct hook_recorder {
	int (*record)(void *ctx, const struct wgsf_attachment *st);
	void *ctx;
};
int hook_attach_recorded(const struct hook_progs *progs, enum hook_mech force_mech,
			 const char *dir, struct wgsf_attachment *st,
			 const struct hook_recorder *rec);
/* Removes what st describes, on both sides; what is already gone is no
 * error, and a filter that took our clsact filter's place is left alone.
 * The clsact qdisc goes too when we added it and no filter of anyone's is
 * left. */
int hook_detach(const char *dir, const struct wgsf_attachment *st);
/* How what st records stands on the live interface, ifname now: both
 * sides as one. */
enum hook_state {
	HOOK_LIVE,      /* the programs pinned in dir run there, on both sides */
	HOOK_NONE,      /* nothing of ours runs there: removed from outside, or
			 * an attach that did not get that far */
	HOOK_STALE,     /* an older program of ours runs there on a side: a
			 * command that replaces it was interrupted */
	HOOK_RECREATED, /* the interface of that name is another one now */
	HOOK_GONE,      /* no interface of that name */
	HOOK_UNKNOWN,   /* the interface's programs could not be read: this
			 * process lacks the privilege (CAP_SYS_ADMIN) */
	HOOK_INGRESS_ONLY, /* ours runs on the ingress, nothing on the egress:
			    * policy holds, but no flow is recorded, so replies
			    * to what the gateway's side opens are judged */
	HOOK_EGRESS_ONLY,  /* ours runs on the egress only: nothing is judged */
};
enum hook_state hook_state(const char *ifname, const char *dir, const struct wgsf_attachment *st);
/* "attached", "detached", "stale", "interface-recreated", "interface-gone",
 * "unknown", "ingress-only", "egress-only" */
const char *hook_state_name(enum hook_state state);
/* Whether the datapath judges packets in state (perhaps with an older
 * program, or without recording flows). */
bool hook_judges(enum hook_state state);
/* Pins progs in dir (a new generation of pins, see pins/generation.h), and the links
 * pinned in link_from, if any, beside them. */
int hook_pin(const char *dir, const struct hook_progs *progs, const char *link_from);
/* The programs pinned in dir (hook_pin), opened; -errno when one is not. */
int hook_progs_open(const char *dir, struct hook_progs *progs);
void hook_progs_close(struct hook_progs *progs);
/* The id of side's program pinned in dir; 0 when none. */
uint32_t hook_prog_id(const char *dir, enum wgsf_side side);
/* The ifindex of the device that the ingress link pinned in dir runs on:
 * 0 when there is no link (clsact has none), or its device is gone. */
int hook_link_ifindex(const char *dir, uint32_t *ifindex);
/* Removes every wgsf program from ifindex's ingress and egress but those
 * pinned in keep_dir (NULL: none): what commands killed midway, or pins
 * removed from outside, left running, and an earlier wgsf's XDP program. */
void hook_sweep(uint32_t ifindex, const char *keep_dir);
/* "tcx", "clsact", or "none". */
const char *hook_mech_name(uint32_t mech);

#endif
