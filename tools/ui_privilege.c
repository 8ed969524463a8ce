// SPDX-License-Identifier: GPL-2.0-only
/*
 * The capabilities themselves are checked, not the user: root without
 * CAP_BPF (in a container) cannot load BPF, and the metrics unit, root
 * with CAP_BPF alone, reads the pins. The pins are root's: another user
 * with the capabilities is refused by the files' modes, in the loader's
 * own words.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include "ui_error.h"
#include "ui_privilege.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (UINT32_C(1) << (cap % 32));
}

int ui_need_privileges(const char *subcommand, enum ui_privilege p)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};
	bool bpf, net;

	if (p == UI_NEEDS_NOTHING)
		return 0;
	/* where capget fails, nothing is known to be missing: the kernel says */
	if (syscall(SYS_capget, &h, d))
		return 0;
	bpf = has(d, CAP_BPF) || has(d, CAP_SYS_ADMIN);
	net = p != UI_NEEDS_BPF_NET || has(d, CAP_NET_ADMIN);
	if (bpf && net)
		return 0;
	if (p == UI_NEEDS_BPF)
		return ui_fail(UI_NO_PRIVILEGE, "%s %s needs CAP_BPF (or CAP_SYS_ADMIN) to read "
			       "the pinned maps; run it as root", PROG_NAME, subcommand);
	return ui_fail(UI_NO_PRIVILEGE, "%s %s needs CAP_BPF (or CAP_SYS_ADMIN) for BPF and "
		       "CAP_NET_ADMIN for the interface; it lacks %s: run it as root", PROG_NAME,
		       subcommand,
		       !bpf && !net ? "both" : bpf ? "CAP_NET_ADMIN" : "CAP_BPF");
}
