/* SPDX-License-Identifier: GPL-2.0-only */
/* Whether this process may do what a subcommand asks of the kernel. */
#ifndef WGSF_UI_PRIVILEGE_H
#define WGSF_UI_PRIVILEGE_H

/* The capabilities a subcommand needs for what it asks of the kernel. */
enum ui_privilege {
	UI_NEEDS_NOTHING, /* help, version, check of a file */
	UI_NEEDS_BPF, /* CAP_BPF: opens the pinned maps and reads them */
	/* CAP_BPF and CAP_NET_ADMIN: loads BPF and attaches it to an
	 * interface, reads WireGuard */
	UI_NEEDS_BPF_NET,
};

/* 0 when the process has the effective capabilities that p needs (where
 * CAP_BPF is asked, CAP_SYS_ADMIN does too: it stood for it before Linux
 * 5.8); else the error, which names them, printed and UI_NO_PRIVILEGE. */
int ui_need_privileges(const char *subcommand, enum ui_privilege p);

#endif
