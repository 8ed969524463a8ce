/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lines of wgsf events: a denied packet, a peer's suppressed events,
 * the events the ring buffer lost, a flow that ended; and the flows of
 * wgsf flows --json. key=value text, or JSON lines; fields
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
/* n records the ring had no room for, at real_ns: what is "lost" (the
 * events of violations) or "flow_records_lost" (flows' ends). */
void events_print_lost(const char *ifname, const char *what, uint64_t n, uint64_t real_ns);
/* A flow of the table (wgsf flows), with no time of its own. */
void events_print_flow(const char *ifname, const char *key, const struct wgsf_flowrec_key *k,
		       const struct wgsf_flowrec *r, int64_t mono_to_real);
/* A flow that ended: evicted (the datapath's record), or found idle. */
void events_print_flow_end(const char *ifname, const char *key, const struct wgsf_flow_end *e,
			   int64_t mono_to_real);

#endif
