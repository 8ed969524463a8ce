/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wgsf show IFACE dump: as `wg show IFACE dump`, one line for the interface
 * and one per peer, fields separated by tabs, numbers as numbers, times as
 * seconds since the epoch (0: never), "(none)" where there is nothing, and
 * "off" for WireGuard's own rejections where they are not visible. The
 * fields, in order, are listed in wgsf(8) and README.md; more may be added
 * at the end of a line, never between.
 */
#ifndef WGSF_SHOW_DUMP_H
#define WGSF_SHOW_DUMP_H

#include "attach/view.h"

/* v's lines, its peers in the order they are in. */
void show_dump(const struct iface_view *v);

#endif
