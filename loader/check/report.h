/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wgsf check's report: what is wrong with a WireGuard interface's allowed
 * IPs, live or as a config file would make them, as findings, each of a
 * kind, about peers and a prefix, beside the allowed IPs as WireGuard
 * holds (or will hold) them. The checks (effective.h, overlaps.h, route.h)
 * add findings to it; the audits of a file (file.h) and of a live
 * interface (live.h) run them; the printers (tools/check.c) name each
 * kind, grade it and word it.
 */
#ifndef WGSF_CHECK_REPORT_H
#define WGSF_CHECK_REPORT_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "check/wgconf.h"
#include "device/model.h"
#include "policy/policy.h"
#include "wgsf.h"

enum check_kind {
	CHECK_DUPLICATE_PREFIX, /* a prefix listed for more than one peer */
	CHECK_PEER_LEFT_EMPTY,  /* later peers took every prefix of a peer */
	CHECK_NO_ALLOWED_IPS,   /* a peer without any */
	CHECK_REPEATED_PEER,    /* one key in two [Peer] sections */
	CHECK_OWN_KEY,          /* a [Peer] with the interface's own key */
	CHECK_NESTED_PREFIX,    /* longer prefixes of other peers inside a peer's */
	CHECK_NESTED_HOSTS,     /* the same, all of them host routes: behind a hub */
	CHECK_CATCH_ALL,        /* all of IPv4 or IPv6 with other peers beside */
	CHECK_HOST_BITS,        /* a file's prefix with host bits set */
	CHECK_NOT_ROUTED,       /* not routed through the interface */
	CHECK_REJECTED_SOURCE, /* a source a peer sent from, which WireGuard dropped */
	CHECK_POLICY_INEFFECTIVE, /* a rule of the attached policy that cannot act */
	CHECK_RULE_NOT_ROUTED,  /* an Allow rule to where the kernel has no route */
	CHECK_RULE_SHADOWED,    /* an Allow rule inside an AllowedDestinations prefix */
	CHECK_KINDS
};

/* A peer's prefix within a finding, and where the file lists it. */
struct check_item {
	struct prefix prefix;
	const uint8_t *key; /* its peer's */
	unsigned int line;
};

/* Where the kernel routes a not-routed prefix (live only). */
struct check_route {
	struct prefix addr; /* the address asked about, in the prefix */
	int err;            /* the kernel's -errno when it has no route */
	unsigned char type; /* RTN_UNICAST, RTN_LOCAL, ... */
	unsigned int oif;   /* where packets to addr leave */
	char dev[IFNAMSIZ]; /* its name, "" unknown */
};

struct finding {
	enum check_kind kind;
	const uint8_t *key;   /* the peer it is about; NULL: none */
	struct prefix prefix; /* family 0: none */
	unsigned int line;    /* in the config file, or the policy's; 0: none */
	/* by kind: duplicate-prefix, every listing of the prefix (its key, if
	 * any, is the peer that holds it in the end); nested prefixes, the parts
	 * other peers take; repeated-peer, its sections; catch-all, the
	 * prefixes that make it */
	struct check_item *items;
	size_t n_items;
	/* the other peers the items name, once each, in their order */
	const uint8_t **others;
	size_t n_others;
	/* nested prefixes: what is left of the prefix to its own peer */
	struct prefix *rest;
	size_t n_rest;
	struct prefix written; /* host-bits: as the file writes it */
	bool routed;           /* not-routed: live, so route says how */
	struct check_route route;
	/* rejected-source: prefix is the last source WireGuard dropped, dest
	 * where it went, owner the peer that source belongs to (NULL: none) */
	uint64_t rejected_packets, last_rejected_ns;
	struct prefix dest;
	const uint8_t *owner;
	/* rule-not-routed, rule-shadowed: the Allow rule (prefix is its), of
	 * key's peer or of group (a name in the report's policy); shadowed, by
	 * the AllowedDestinations rule by */
	struct rule rule, by;
	const char *group;
};

/* One allowed IP as WireGuard holds it, and the file's line that gives it. */
struct check_entry {
	struct prefix prefix;
	size_t peer; /* index into dev->peers */
	unsigned int line;
};

struct check_report {
	bool live;
	char source[PATH_MAX]; /* the file, or the interface */
	/* The peers as WireGuard holds (file: will hold) them: file order, or
	 * by key when live. */
	struct wg_device *dev;
	struct check_entry *table; /* every allowed IP, sorted by prefix */
	size_t n_table;
	/* file: the config, and each peer's listings, by index into conf.ips:
	 * peer i's are listed[listed_at[i]] to listed[listed_at[i + 1]] */
	struct wg_conf conf;
	size_t *listed, *listed_at;
	/* live, attached with a policy: the policy in force and its file */
	struct policy policy;
	char policy_file[WGSF_POLICY_PATH_MAX];
	struct finding *findings; /* in the order the checks found them */
	size_t n_findings, cap_findings;
};

void check_report_init(struct check_report *r, const char *source, bool live);
/* Adds f, its others filled from its items; takes f's arrays along, or
 * frees them on error. */
int check_finding(struct check_report *r, struct finding *f);
void check_report_free(struct check_report *r);

#endif
