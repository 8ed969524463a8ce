/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wgsf check IFACE: the audit of a live interface, from WireGuard's own
 * state, the kernel's routes and, where wgsf is attached, the policy in
 * force and the senders WireGuard rejected.
 */
#ifndef WGSF_CHECK_LIVE_H
#define WGSF_CHECK_LIVE_H

#include "check/report.h"

/* Checks a live interface of this network namespace; on error, the
 * message is the loader's (err.h). */
int check_iface(const char *ifname, struct check_report *r);

#endif
