/* SPDX-License-Identifier: GPL-2.0-only */
/* An attached interface as its pins describe it, for the printers. */
#ifndef WGSF_VIEW_H
#define WGSF_VIEW_H

#include <net/if.h>

#include "device/model.h"
#include "attach/iface.h"
#include "tables/maps.h"
#include "tables/services.h"
#include "tables/sync.h"

struct peer_view {
	uint32_t slot;
	uint8_t public_key[WG_KEY_LEN];
	struct wgsf_peer_stats stats;
	struct wgsf_peer_policy policy;
	const struct table_entry *allowedips; /* into iface_view.table */
	size_t n_allowedips;
	/* its allowed sources, and its ruleset's destinations with their
	 * service sets in bits, into iface_view.rules */
	const struct table_entry *rules[2];
	size_t n_rules[2];
	/* its rate limit in force: zero where its flags say it has none */
	struct wgsf_rate_limit rate;
	/* its quarantine entry, as the map holds it; has_quarantine false
	 * where there is none (no rule, never quarantined by hand) */
	struct wgsf_quarantine quarantine;
	bool has_quarantine;
	/* what WireGuard itself rejected of its packets, into iface_view.rejected;
	 * NULL when none, or not visible */
	const struct wgsf_rejected *rejected;
};

struct iface_view {
	char name[IFNAMSIZ];
	struct iface_pins pins; /* its maps, config and hook, held open */
	struct wgsf_dev_stats dev;
	struct table_entry *table; /* sorted by slot, then prefix */
	size_t n_table;
	struct table_entry *rules[2]; /* policy: sources [0], destinations [1] */
	size_t n_rules[2];
	struct svc_entry *services; /* the service sets, sorted (services.h) */
	size_t n_services;
	struct peer_view *peers;   /* by slot */
	size_t n_peers;
	/* WireGuard's own rejections (see tracer.h): visible, or why not */
	bool rejected_visible;
	char rejected_why[TRACER_WHY_LEN];
	struct tracer_view rejected;
	/* of senders that wgsf's tables do not hold (yet) */
	uint64_t rejected_unknown_packets;
};

int view_read(const char *ifname, struct iface_view *v);
/* The entries of service set set, sorted; *n 0 when it has none. */
const struct svc_entry *view_services(const struct iface_view *v, uint32_t set, size_t *n);
void view_free(struct iface_view *v);
/* ifname's view, or when NULL those of every interface attached in this
 * namespace, less one detached meanwhile; all read before any is printed,
 * so that an error prints alone. On error, failed names the interface.
 * Without tables, the allowed IPs and policy rules are left unread (each
 * peer's n_allowedips and n_rules 0): counters cost a quarter less so. */
int view_read_all(const char *ifname, bool tables, struct iface_view **views, size_t *n,
		  char failed[IFNAMSIZ]);
void view_free_all(struct iface_view *views, size_t n);
/* The peer in slot, and its longest allowed IP that holds addr; NULL when
 * no peer is in slot. */
const struct peer_view *view_peer(const struct iface_view *v, uint32_t slot,
				  const struct prefix *addr, const struct table_entry **entry);

#endif
