/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An interface's whole life with wgsf: attach (load, sync, pin, hook),
 * sync, detach. Every command takes the interface's flock first, so two
 * commands on one interface never interleave; readers share it.
 *
 * The pins are the one source of truth: mode, policy (its text, so that
 * it holds while the file moves), hook and counters are read from them by
 * every command, and a command changes them so that a kill at any instant
 * leaves either the old state or the new one, marked unfinished in the
 * config where the tables are half written; the next writer completes it.
 */
#ifndef WGSF_IFACE_H
#define WGSF_IFACE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "attach/hook.h"
#include "attach/session.h"
#include "tables/maps.h"
#include "tables/sync.h"
#include "tracer/tracer.h"

#define IFACE_FLOWS_OFF (-1L)

struct iface_opts {
	int mode;                  /* enum wgsf_mode, or -1: the policy's, else keep */
	/* a policy file, "none" to drop the one in force, or NULL: the one in
	 * force, read anew */
	const char *policy;
	enum hook_mech force_mech; /* MECH_NONE: the best the kernel has */
	/* flow records' table size (wgsf.h), IFACE_FLOWS_OFF, or 0: keep what
	 * is in force (off on a first attach) */
	long flows;
	/* told of policy rules that cannot take effect, and of a policy file
	 * that cannot be read; may be NULL */
	void (*warn)(const char *msg);
};

/* What a command found and did, beside the tables' difference. */
struct iface_result {
	struct sync_result sync;
	enum hook_state found;  /* the hook as the command found it */
	bool completed;         /* an interrupted command's work was completed */
	bool grown;             /* the maps were too small and grew */
	struct wgsf_config cfg; /* the config in force afterwards */
	/* and before, as found, where was_attached: the two tell what changed */
	struct wgsf_config was;
	bool was_attached;
	/* the flow records' table in force afterwards, and before: its size,
	 * 0 where flows are off */
	uint32_t flows, was_flows;
	unsigned int mode_line; /* the policy file's Mode that set the mode; 0: none did */
	/* WireGuard's own rejections on the interface: traced, or why not */
	bool rejected_visible;
	char rejected_why[TRACER_WHY_LEN];
};

int iface_attach(const char *ifname, const struct iface_opts *o, struct iface_result *res);
/* Re-reads WireGuard and applies the policy of src (POLICY_FILE or
 * POLICY_PINNED; memo, when not NULL, spares parsing the same pinned text
 * again); attaches anew where the hook is not in force. cache, when not
 * NULL, remembers what this sync wrote, so that the next one with it need
 * not read it back (see sync.h); a process that syncs again and again keeps
 * one, and a memo. */
int iface_sync(const char *ifname, enum policy_source src, void (*warn)(const char *msg),
	       struct sync_cache *cache, struct policy_memo *memo, struct iface_result *res);
/* A write of the tables' state under the interface's lock, which the sync
 * after it follows (a quarantine by hand: the sync sets or clears the
 * peer's bits); dev is WireGuard's device as the sync reads it. */
struct iface_write {
	int (*write)(const struct maps *m, const struct wg_device *dev, void *arg);
	void *arg;
};
/* w's write, then iface_sync of the policy file, under one lock. */
int iface_sync_after(const char *ifname, const struct iface_write *w,
		     void (*warn)(const char *msg), struct iface_result *res);
/* 0, or 1 when there was nothing attached but what an interrupted command
 * left, or 2 but the pins of a wgsf of another map ABI, which are gone now
 * too. */
int iface_detach(const char *ifname);

/* An attached interface's pins, open for reading under a shared lock. */
struct iface_pins {
	struct maps maps;
	struct wgsf_config cfg;
	enum hook_state hook; /* the hook on the live interface */
	int lock;
};
/* -ENOENT if not attached. */
int iface_open(const char *ifname, struct iface_pins *p);
void iface_close(struct iface_pins *p);
/* The interfaces attached in this network namespace, sorted by name. */
int iface_list(char (**names)[IFNAMSIZ], size_t *n);

#endif
