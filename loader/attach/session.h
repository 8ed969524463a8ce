/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One command's hold on an interface (for iface.c): its lock, what
 * WireGuard says, the pins in force, and the policy the command applies.
 * The policy's sources are iface.h's too.
 */
#ifndef WGSF_SESSION_H
#define WGSF_SESSION_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "device/model.h"
#include "policy/policy.h"
#include "tables/maps.h"
#include "wgsf.h"

struct session {
	const char *ifname;
	char dir[PATH_MAX]; /* the interface's pins */
	char gen[PATH_MAX]; /* the generation in force, when attached */
	int lock;
	struct wg_device *dev;
	bool attached; /* a generation is in force */
	bool leftovers; /* not attached, but pins of an interrupted command are there */
	uint32_t foreign_abi; /* or those of a wgsf of this other map ABI */
	struct maps old; /* the maps in force */
	struct wgsf_config cfg; /* as found */
	char path[WGSF_POLICY_PATH_MAX]; /* the policy file the command leaves in force */
	struct policy own;
	const struct policy *pol; /* what this command applies: own, or a memo's */
	/* The policy text read from the file, when it differs from the one in
	 * force: pinned beside it, in force with the config's last write. */
	char *text;
	size_t text_len;
	/* The line of that text's Mode when the command applies it (unless
	 * --mode wins); 0: the mode in force stays. */
	unsigned int mode_line;
};

#define SESSION_CREATE 1   /* attach: create the pin directory */
#define SESSION_READ_WG 2  /* read the device from WireGuard first */
#define SESSION_ANY 4      /* no error when not attached */

int session_begin(struct session *s, const char *ifname, int flags);
void session_end(struct session *s);

/* Where the policy that a command applies comes from. */
enum policy_source {
	POLICY_FILE,   /* the file in force, read anew; if it cannot be read,
			* the text in force, with a warning */
	POLICY_PATH,   /* a new file; an error if it cannot be read */
	POLICY_NONE,   /* none: the one in force is dropped */
	POLICY_PINNED, /* the text in force, not the file */
};

/* The last policy text a process parsed, so that it need not parse it
 * again while the pins hold the same one (see iface_sync). Zeroed: empty. */
struct policy_memo {
	uint32_t id;
	bool valid;
	struct policy pol;
};

/* Sets s->pol (and s->text when the file's text is new, s->mode_line when
 * its Mode applies) from src; path is
 * POLICY_PATH's file. warn, when not NULL, is told of rules that cannot
 * take effect and of a file that cannot be read. */
int session_policy(struct session *s, enum policy_source src, const char *path,
		   void (*warn)(const char *msg), struct policy_memo *memo);

#endif
