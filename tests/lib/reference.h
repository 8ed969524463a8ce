/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A plain model of the datapath for differential tests: a linear longest-
 * prefix match and the verdict rules, written from the documented semantics
 * and sharing no code with the BPF program.
 */
#ifndef WGSF_TEST_REFERENCE_H
#define WGSF_TEST_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tables/maps.h"
#include "device/prefix.h"
#include "wgsf.h"

struct ref_prefixes {
	struct prefix *v;
	size_t n, cap;
};

struct ref_peer {
	uint32_t flags; /* WGSF_PEER_* */
	struct ref_prefixes src, dst;
	struct wgsf_peer_stats want; /* counters the datapath must reach */
};

struct reference {
	enum wgsf_mode mode;
	struct ref_prefixes aips; /* every peer's allowed IPs */
	uint32_t *owner;          /* slot of aips.v[i] */
	uint32_t *aip_hash;       /* i + 1 of aips.v[i], by its bytes; 0: free */
	size_t hash_cap;          /* a power of 2, at least twice aips.n */
	struct ref_peer *peers;   /* indexed by slot */
	size_t slots;
	struct wgsf_dev_stats want;
};

/* Names of enum wgsf_reason, for messages. */
extern const char *const ref_reasons[WGSF_REASON_COUNT];

/* What the model makes of one packet. */
struct ref_outcome {
	bool malformed;
	long slot;  /* the sending peer, or -1: malformed or unknown */
	int reason; /* the enum wgsf_reason it breaks, or -1 */
	bool drop;
};

void ref_init(struct reference *r, size_t slots, enum wgsf_mode mode);
void ref_free(struct reference *r);
/* Zeroes the counters the datapath must reach, keeping tables and policies. */
void ref_clear_counts(struct reference *r);
/* Empties the tables and policies, keeping the counters: for the next state
 * of the same peers. */
void ref_clear_tables(struct reference *r);
/* False when the prefix is taken already: in WireGuard a prefix has one owner. */
bool ref_add_allowedip(struct reference *r, const struct prefix *p, uint32_t slot);
void ref_add_policy(struct reference *r, bool dst, uint32_t slot, const struct prefix *p);
/* The slot owning the longest prefix holding addr, or -1. */
long ref_lookup(const struct reference *r, const struct prefix *addr);
/* The outcome for an IP packet (its bytes from the IP header on), counted. */
struct ref_outcome ref_packet(struct reference *r, const uint8_t *ip, size_t len);
const char *ref_outcome_describe(const struct ref_outcome *o, char *buf, size_t size);
/* Writes the tables and policies into the datapath's maps. */
int ref_install(const struct reference *r, const struct maps *m);

#endif
