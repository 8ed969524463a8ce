/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath's decision for an address, taken in userspace from the same
 * source (include/wgsf_verdict.h) over the same maps, read through their
 * fds: what wgsf lookup answers and the tests compare.
 */
#ifndef WGSF_TABLES_VERDICT_H
#define WGSF_TABLES_VERDICT_H

#include <stdint.h>
#include <linux/types.h>

#include "device/prefix.h"
#include "tables/maps.h"
#include "wgsf_verdict.h"

/* A packet's upper layer: its protocol, WGSF_L4_* flags, and destination
 * port (ICMP, ICMPv6: type << 8 | code). */
struct verdict_l4 {
	uint8_t proto;
	uint8_t flags;
	uint16_t dport;
};

/* What the datapath decides for a packet from src to dst (NULL: not known;
 * then destination rules are not asked, and v->dst_unasked says whether
 * the sender has any) with upper layer l4 (NULL: not known; then where the
 * destination's services decide, v->svc_unasked is set and v->reason is
 * -1); 0 or -errno. */
int verdict_decide(const struct maps *m, const struct prefix *src, const struct prefix *dst,
		   const struct verdict_l4 *l4, struct wgsf_verdict *v);
/* Then v as a quarantine in force makes it, as the datapath's
 * wgsf_quarantine() decides once the reason is final: for a peer whose
 * bits say it has an entry (v->quar), its key from peer_slots, its entry
 * by the key, in force while now is before until_ns; reason quarantined
 * then outranks the rules'. Apart from verdict_decide(), whose answer is
 * the rules' alone: the windows, as the rate limit's buckets, are the
 * datapath's. 0 or -errno. */
int verdict_quarantine(const struct maps *m, struct wgsf_verdict *v);

#endif
