/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A plain model of the datapath for differential tests: a linear longest-
 * prefix match and the verdict rules of wgsf.policy(5), groups and
 * services included, written from the documented semantics and sharing no
 * code with the BPF program or the loader's policy.
 */
#ifndef WGSF_TEST_REFERENCE_H
#define WGSF_TEST_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tables/maps.h"
#include "device/prefix.h"
#include "ref_l4.h"
#include "wgsf.h"

struct ref_prefixes {
	struct prefix *v;
	size_t n, cap;
};

/* A destination rule: an AllowedDestinations prefix, or one prefix x
 * service x range of an Allow line. */
enum ref_rule_kind {
	REF_ANY_PROTO,  /* AllowedDestinations: every protocol */
	REF_EVERY_PORT, /* proto/N, or icmp or icmpv6 with no type */
	REF_RANGE,      /* destination ports (TCP, UDP, SCTP) or ICMP types */
};

struct ref_rule {
	struct prefix dst;
	uint8_t kind;  /* enum ref_rule_kind */
	uint8_t proto; /* but REF_ANY_PROTO: the IP protocol (ICMP's of dst's family) */
	uint16_t lo, hi;
};

struct ref_rules {
	struct ref_rule *v;
	size_t n, cap;
};

/* Whose rules a rule is, for the coverage of a test. */
enum ref_owner { REF_OWN, REF_GROUP, REF_EVERY_PEER, REF_OWNERS };

/* A Quarantine rule: N violations within PERIOD begin one of DURATION;
 * violations 0: none. */
struct ref_quar_rule {
	uint32_t violations;
	uint64_t period_ns, duration_ns;
};

/*
 * A peer's entry in the quarantine map, as wgsf.h says the datapath, sync
 * and wgsf quarantine/release keep it. The test keeps every period longer
 * than its run by far, so that the violations it counts all lie within the
 * eight last eighths: the windows are then one count since they were last
 * emptied.
 */
struct ref_quar {
	bool entry;          /* the map holds one of the peer's key */
	bool asked;          /* the last sync found one: the peer's bits say ask it */
	bool released;       /* its last quarantine was released */
	struct ref_quar_rule rule; /* as written into it */
	uint32_t by;         /* enum wgsf_quar_by */
	uint64_t until_ns;   /* in force while now < until_ns */
	uint32_t count, count_reasons; /* in the windows: violations, their bits */
	uint32_t counted, reasons;     /* what began the last by the rule */
	uint64_t began_for_ns;         /* and the duration it began with */
};

/* A [Group]: its members take its Block and its rules. */
struct ref_group {
	bool blocked, every; /* every: [Group *], of which every peer is a member */
	struct ref_rules rules;
	uint32_t rate_burst; /* its RateLimit's (see ref_peer), or 0 */
	struct ref_quar_rule quar_rule; /* its Quarantine, or none */
};

#define REF_GROUPS_MAX 32

struct ref_peer {
	uint32_t flags; /* WGSF_PEER_* of its own policy */
	uint32_t groups; /* bit g: a member of group g */
	struct ref_prefixes src;
	struct ref_rules rules; /* its own destination rules */
	/* Its own rate limit of 1 packet/s with a burst of rate_burst
	 * packets (0: none; ref_rate_burst() says which is in force): with
	 * its buckets emptied at least as often as a second could add a
	 * packet's worth (ref_rate_refill), the first packets of the burst in
	 * force that break no rule pass, and the rest are over. */
	uint32_t rate_burst, rate_left;
	struct ref_quar_rule quar_rule; /* its own Quarantine, or none */
	struct ref_quar quar;           /* its quarantine entry, kept across states */
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
	struct ref_group groups[REF_GROUPS_MAX];
	size_t n_groups;
	struct wgsf_dev_stats want;
	/* The time (CLOCK_MONOTONIC ns) at which the datapath judges the next
	 * packet, and sync and wgsf quarantine/release write */
	uint64_t now_ns;
};

/* Names of enum wgsf_reason, for messages. */
extern const char *const ref_reasons[WGSF_REASON_COUNT];

/* What a peer's quarantine entry makes of a packet. */
enum ref_quar_case {
	REF_QUAR_UNASKED,  /* none, or the peer is blocked */
	REF_QUAR_PASSED,   /* not in force, and nothing counted */
	REF_QUAR_COUNTED,  /* a violation counted toward its rule */
	REF_QUAR_BEGAN,    /* the violation that began a quarantine */
	REF_QUAR_IN_FORCE, /* quarantined */
	REF_QUAR_CASES,
};

/* Where a peer's quarantine entry is asked after a quarantine: how that
 * ended. */
enum ref_quar_after {
	REF_QUAR_NEVER,    /* none yet */
	REF_QUAR_EXPIRED,  /* by itself */
	REF_QUAR_RELEASED, /* released in force */
	REF_QUAR_AFTERS,
};

/* What the model makes of one packet. */
struct ref_outcome {
	bool malformed;
	long slot;  /* the sending peer, or -1: malformed or unknown */
	int reason; /* the enum wgsf_reason it breaks, or -1 */
	bool drop;
	struct ref_l4 l4; /* its upper layer, where it is not malformed */
	/* the destination rules asked: bit enum ref_owner of those whose
	 * prefix holds the destination, and the rule that admitted it (own
	 * rules first, then the groups', then [Group *]'s), or NULL */
	uint8_t matched;
	bool any_matched; /* one of them admits every protocol */
	const struct ref_rule *admitted;
	enum ref_owner admitted_by;
	bool blocked_by_group;
	enum ref_quar_case quar; /* what its sender's quarantine entry made of it */
	enum ref_quar_after quar_after; /* where the entry was asked, not in force */
	int rules_reason;        /* the reason its rules give, before quarantine and rate */
};

void ref_init(struct reference *r, size_t slots, enum wgsf_mode mode);
void ref_free(struct reference *r);
/* Zeroes the counters the datapath must reach and forgets the quarantine
 * entries, for a new datapath; keeps tables and policies. */
void ref_clear_counts(struct reference *r);
/* Empties the tables and policies, keeping the counters: for the next state
 * of the same peers. */
void ref_clear_tables(struct reference *r);
/* Every rate limit's burst whole again: the buckets emptied. */
void ref_rate_refill(struct reference *r);
/* The burst of slot's rate limit in force (every one is of 1 packet/s):
 * its own, else the smallest of its groups', [Group *]'s included; 0:
 * none. */
uint32_t ref_rate_burst(const struct reference *r, uint32_t slot);
/* The Quarantine rule in force for slot: its own, else the strictest of
 * its groups' (the lowest N/PERIOD; then the smaller N; then the longer
 * DURATION), [Group *]'s included. */
struct ref_quar_rule ref_quar_rule(const struct reference *r, uint32_t slot);
/* Whether slot's quarantine is in force at r->now_ns. */
bool ref_quarantined(const struct reference *r, uint32_t slot);
/* What a sync does to slot's entry (present: a peer of the device), at
 * r->now_ns; whether it released a quarantine in force. */
bool ref_quar_sync(struct reference *r, uint32_t slot, bool present);
/* wgsf quarantine (until: its end, WGSF_QUAR_FOREVER: none) and wgsf
 * release (whether it released a quarantine in force). */
void ref_quar_hand(struct reference *r, uint32_t slot, uint64_t until_ns);
bool ref_quar_release(struct reference *r, uint32_t slot);
/* False when the prefix is taken already: in WireGuard a prefix has one owner. */
bool ref_add_allowedip(struct reference *r, const struct prefix *p, uint32_t slot);
/* An allowed source (dst false) or destination (every protocol) of slot. */
void ref_add_policy(struct reference *r, bool dst, uint32_t slot, const struct prefix *p);
/* A destination rule of slot's own. */
void ref_add_rule(struct reference *r, uint32_t slot, const struct ref_rule *rule);
/* A new group, of no member yet (every: [Group *]); its index. */
size_t ref_add_group(struct reference *r, bool every);
void ref_group_rule(struct reference *r, size_t group, const struct ref_rule *rule);
void ref_join(struct reference *r, uint32_t slot, size_t group);
/* Whether slot is a member of group g ([Group *]: every slot is). */
bool ref_member(const struct reference *r, uint32_t slot, size_t g);
/* Whether slot is blocked or has destination rules, its groups' included. */
bool ref_blocked(const struct reference *r, uint32_t slot);
bool ref_has_rules(const struct reference *r, uint32_t slot);
/* The slot owning the longest prefix holding addr, or -1. */
long ref_lookup(const struct reference *r, const struct prefix *addr);
/* The outcome for an IP packet (its bytes from the IP header on), counted. */
struct ref_outcome ref_packet(struct reference *r, const uint8_t *ip, size_t len);
const char *ref_outcome_describe(const struct ref_outcome *o, char *buf, size_t size);
/* "PREFIX any", "PREFIX proto 6", "PREFIX proto 6 22-80". */
const char *ref_rule_describe(const struct ref_rule *rule, char *buf, size_t size);
/* Writes the tables and policies into the datapath's maps: of peers with
 * no group and no rule but AllowedDestinations (-EINVAL otherwise). */
int ref_install(const struct reference *r, const struct maps *m);

#endif
