/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An interface's whole life with wgsf: attach (load, sync, hook, pin),
 * sync, detach. Every command takes the interface's flock first, so two
 * commands on one interface never interleave.
 */
#ifndef WGSF_IFACE_H
#define WGSF_IFACE_H

#include <net/if.h>
#include <stddef.h>

#include "attach/hook.h"
#include "tables/maps.h"
#include "policy/policy.h"
#include "tables/sync.h"

struct iface_opts {
	int hook;                  /* enum hook_kind, or -1: keep (tc at first) */
	int mode;                  /* enum wgsf_mode, or -1: the policy's, else keep */
	const char *policy;        /* a policy file, or NULL: keep the one in force */
	enum hook_mech force_mech; /* MECH_NONE: the best the kernel has */
	/* told of policy rules that cannot take effect; may be NULL */
	void (*warn)(const char *msg);
};

int iface_attach(const char *ifname, const struct iface_opts *o, struct sync_result *res);
/* Re-reads WireGuard, and applies pol, or when NULL the policy file in force
 * read anew; warn as in iface_opts. cache, when not NULL, remembers what
 * this sync wrote, so that the next one with it need not read it back (see
 * sync.h); a process that syncs again and again keeps one. */
int iface_sync(const char *ifname, const struct policy *pol, void (*warn)(const char *msg),
	       struct sync_cache *cache, struct sync_result *res);
int iface_detach(const char *ifname);
/* Opens an attached interface's pins for reading; -ENOENT if not attached. */
int iface_open(const char *ifname, struct maps *m, struct wgsf_config *cfg);
/* The interfaces attached in this network namespace, sorted by name. */
int iface_list(char (**names)[IFNAMSIZ], size_t *n);

#endif
