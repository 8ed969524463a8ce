/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The flow records' part of wgsf events (see wgsf.h): a flow ends where the
 * datapath evicts it, which it writes to the ring, or where a reader finds
 * it idle: that one takes it out of the table and prints its end.
 */
#ifndef WGSF_EVENTS_FLOWS_H
#define WGSF_EVENTS_FLOWS_H

#include <stdint.h>

#include "device/model.h"

#define EVENTS_FLOW_IDLE_S 60 /* --flow-idle's default */

/* The base64 key of slot's peer (slots_fd: peer_slots), or NULL where
 * the slot holds none now. */
const char *events_slot_key(int slots_fd, uint32_t slot, char buf[WG_KEY_B64_LEN]);
/* Ends each flow of ifname's table (flowrec_fd) that saw no packet for
 * idle_ns: takes it out and prints its end, its last counts the ones it
 * had when it went. 0 or -errno. */
int events_flows_sweep(const char *ifname, int flowrec_fd, int slots_fd, uint64_t idle_ns,
		       int64_t mono_to_real);

#endif
