/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Flow records (wgsf.h) as the datapath tests send and read them: a flow's
 * packets, the key the datapath must give them, its table read as a reader
 * reads it, and the records compared whole, their times within the runs.
 */
#ifndef WGSF_TEST_FLOWRECS_H
#define WGSF_TEST_FLOWRECS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/if_ether.h>

#include "packet.h"
#include "world.h"

#define FLOW_ROOM (PACKET_MAX - ETH_HLEN) /* what world_run_ip takes */
#define FLOW_PAYLOAD_MAX 180

/* A flow's packets: proto IPPROTO_ICMP is an echo request in either
 * family (ICMPv6's in IPv6), its id sport; a fragment is a non-first one,
 * with no ports. */
struct flow_spec {
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
	bool fragment;
};

/* The time from before the first run of those checked, by the coarse
 * clock (first_ns and last_ns are read from it), to after the last, by
 * the fine one (the coarse one is never ahead of it): span_open starts
 * it, span_close ends it now, each time again. */
struct span {
	uint64_t since, until;
};
void span_open(struct span *t);
void span_close(struct span *t);

/* A world with a table of size places (0: flows off), n peers; whether it
 * loaded. */
bool flows_load(struct world *w, uint32_t size, const struct world_peer *ps, size_t n);
/* The packet of f at ip (FLOW_ROOM bytes), with payload bytes of zeros (at
 * most FLOW_PAYLOAD_MAX); its length, or 0. */
size_t flow_packet(uint8_t *ip, const struct flow_spec *f, size_t payload);
/* The key of f's flow, worked out from f. */
struct wgsf_flowrec_key flow_key(const struct flow_spec *f);
/* Runs f's packet n times through prog; how many returns were not want. */
unsigned int flow_send(int prog, const struct flow_spec *f, unsigned int n, int64_t want);
/* How many flows w's table holds, of slot's (UINT32_MAX: of all); their
 * packets and bytes added into *packets and *bytes where not NULL. */
size_t flows_in(const struct world *w, uint32_t slot, uint64_t *packets, uint64_t *bytes);
/* Whether w's table holds k's flow, want but for first_ns and last_ns,
 * which fall within t, first before last. */
bool flow_is(const struct world *w, const struct wgsf_flowrec_key *k, struct wgsf_flowrec want,
	     const struct span *t);
/* Whether e is, every byte, the eviction of k's flow with rec, its times
 * within t (first_ns and last_ns as flow_is, time_ns by the fine clock). */
bool flow_end_is(const struct wgsf_flow_end *e, const struct wgsf_flowrec_key *k,
		 struct wgsf_flowrec rec, const struct span *t);

#endif
