/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The tracer (bpf/tracer.bpf.c): the packets that kernel WireGuard itself
 * drops because their source lies outside their sender's allowed IPs,
 * counted per sending peer on the interfaces registered here.
 *
 * One tracer serves the whole host, whichever network namespace its
 * interfaces live in. It is loaded with the first interface registered and
 * pinned under <bpffs>/wgsf/tracer/, and removed with the last one: while
 * it is attached, the wireguard module cannot be unloaded. Commands of
 * every namespace take turns on it (an flock on that directory). An
 * interface is the ifindex given, in the caller's network namespace.
 */
#ifndef WGSF_TRACER_LOADER_H
#define WGSF_TRACER_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "wgsf_tracer.h"

enum tracer_visibility {
	TRACER_VISIBLE,
	TRACER_USERSPACE, /* not kernel WireGuard: wireguard-go or boringtun drop in their own code */
	TRACER_NO_BTF,    /* kernel WireGuard without BTF to trace it by */
	TRACER_NO_MODULE, /* the wireguard module is not loaded */
};

#define TRACER_WHY_LEN 192

/* Whether the tracer can see WireGuard's drops on the interface (ifindex 0:
 * on any kernel WireGuard interface of this host), judged from sysfs and
 * the interface's link kind, before libbpf is asked: an enum
 * tracer_visibility, with one line in why when not TRACER_VISIBLE, or
 * -errno when the interface cannot be looked at. */
int tracer_status(const char *ifname, int ifindex, char why[TRACER_WHY_LEN]);

/* The datapath's maps that the tracer writes (see wgsf_tracer.h): its
 * events ring and its event_reader lease, for its events, and its
 * quarantine map, where rejected packets count toward a Quarantine. */
struct tracer_events {
	int ring_fd, lease_fd, quarantine_fd;
};

/* Loads and attaches the tracer unless it runs, and registers the
 * interface with ev; registered already, its counters are kept. -EOPNOTSUPP
 * when tracer_status() says it cannot see the interface, its line in
 * err.h; else 0 or -errno. A first enable that fails leaves nothing pinned. */
int tracer_enable(const char *ifname, int ifindex, const struct tracer_events *ev);
/* Unregisters the interface and drops its counters; with the last one the
 * tracer goes, and the wireguard module can be unloaded again. 0 also when
 * it was not registered. */
int tracer_disable(int ifindex);

/* tracer_disable() of every interface of a network namespace that is gone,
 * named by its cookie. */
int tracer_forget_netns(uint64_t cookie);

struct tracer_peer {
	uint8_t public_key[32];
	struct wgsf_rejected rejected; /* summed over CPUs */
};

struct tracer_view {
	struct wgsf_rejected_total total; /* every sender's */
	struct tracer_peer *peers;        /* senders with any, by public key */
	size_t n_peers;
};

/* The interface's rejected packets; -ENOENT when it is not registered. */
int tracer_read(int ifindex, struct tracer_view *v);
void tracer_view_free(struct tracer_view *v);

#endif
