/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lines of wgsf events: a denied packet, a peer's suppressed events,
 * the events the ring buffer lost. key=value text, or JSON lines; fields
 * as wgsf(8) lists them, a contract.
 */
#ifndef WGSF_EVENTS_PRINT_H
#define WGSF_EVENTS_PRINT_H

#include <stdint.h>

#include "wgsf.h"

/* e of the interface ifname, its sender's key in base64 (NULL: its slot
 * holds no peer now); mono_to_real turns its CLOCK_MONOTONIC time into
 * CLOCK_REALTIME. */
void events_print_event(const char *ifname, const char *key, const struct wgsf_event *e,
			int64_t mono_to_real);
/* n violations of the peer of key that wrote no event, at real_ns. */
void events_print_suppressed(const char *ifname, const char *key, uint64_t n,
			     uint64_t real_ns);
/* n violations whose event the ring had no room for, at real_ns. */
void events_print_lost(const char *ifname, uint64_t n, uint64_t real_ns);

#endif
