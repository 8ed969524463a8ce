/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WGSF_CHECK_EFFECTIVE_H
#define WGSF_CHECK_EFFECTIVE_H

#include "check/report.h"

/* The allowed IPs of the file's peers (r->conf) as WireGuard will hold
 * them, into r->dev and r->table, and what the file itself gets wrong:
 * duplicate-prefix, peer-left-empty, no-allowed-ips, repeated-peer,
 * own-key, host-bits. */
int check_config(struct check_report *r);

#endif
