/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-peer policy, stricter than allowed IPs, read from a file in
 * WireGuard's own config style (wgsf.policy(5)):
 *
 *     [Interface]
 *     Mode = enforce                       # or monitor
 *     [Group contractors]                  # or [Group *]: every peer
 *     Allow = 198.51.100.10/32 tcp/443
 *     [Peer]
 *     PublicKey = <base64>
 *     Group = contractors
 *     AllowedSources = 192.0.2.10/32       # default: the peer's allowed IPs
 *     AllowedDestinations = 198.51.100.0/24   # default: anywhere
 *     Allow = 2001:db8:5::/64 tcp/8000-8999,22 icmp
 *     Block = true                         # every packet a violation
 *     RateLimit = 20mbit burst 256kb 2000pps   # what it may send in
 *     Quarantine = 20/10s for 15m          # 20 violations in 10 s: 15 min out
 */
#ifndef WGSF_POLICY_H
#define WGSF_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/model.h"

struct prefix_list {
	struct prefix *v;
	unsigned int *lines; /* where each is in its file, 0 when not from one */
	size_t n, cap;
};

/* One destination a peer may send to: an AllowedDestinations prefix (every
 * protocol), or one prefix x service x range of an Allow line. */
struct rule {
	struct prefix dst;
	bool any_proto;
	uint8_t proto;   /* else: the protocol, ICMP's resolved for dst's family */
	uint16_t lo, hi; /* and its destination ports, or ICMP types */
	unsigned int line;
};

struct rule_list {
	struct rule *v;
	size_t n, cap;
};

/* A RateLimit: each kind 0 where it is not limited. Bursts are always
 * set where their rate is (a default where the line gave none). */
struct rate_limit {
	uint64_t bits_per_sec, burst_bytes;
	uint64_t packets_per_sec, burst_packets;
	unsigned int line; /* of its RateLimit line; 0: none */
};

/* A Quarantine rule: N violations within PERIOD begin a quarantine of
 * DURATION (wgsf.policy(5)); violations 0: none. */
struct quarantine_rule {
	uint32_t violations;
	uint64_t period_ns, duration_ns;
	unsigned int line; /* of its Quarantine line; 0: none */
};

#define POLICY_GROUP_NAME_MAX 32 /* [A-Za-z0-9_.-], or "*": every peer */

struct policy_group {
	char name[POLICY_GROUP_NAME_MAX + 1];
	unsigned int line; /* of its [Group] section */
	bool blocked;
	struct rule_list rules;
	struct rate_limit rate;
	struct quarantine_rule quarantine;
};

struct peer_rules {
	uint8_t public_key[WG_KEY_LEN];
	unsigned int line; /* of its [Peer] section, for messages; 0: none */
	bool blocked, has_sources;
	struct prefix_list sources;
	struct rule_list rules; /* its own */
	struct rate_limit rate; /* its own; flattened: the one in force */
	struct quarantine_rule quarantine; /* likewise */
	size_t *groups;         /* its groups, indexes in policy.groups, each once */
	size_t n_groups;
};

struct policy {
	int mode; /* enum wgsf_mode, or -1 when the file does not say */
	unsigned int mode_line; /* of the Mode that counts (the last), for messages */
	struct peer_rules *peers;
	size_t n_peers, cap_peers;
	struct policy_group *groups;
	size_t n_groups, cap_groups;
};

#define POLICY_ERR_LEN 512
/* A policy's Allow rules at most: a line multiplies its prefixes by its
 * services' ports, so a file of a few MiB could ask for billions. */
#define POLICY_RULES_MAX 1000000

/* Reads a whole policy file; on error, fills err with "FILE:LINE: what"
 * (or "FILE: what") and returns -EINVAL or -errno, with *out empty. */
int policy_read(const char *path, struct policy *out, char err[POLICY_ERR_LEN]);
/* Whether the file path names, as named, may hold a policy: the check of
 * strict_path.h, which policy_load() makes too, on the path before its
 * links are resolved. 0, or -errno with "PATH: why" in err. */
int policy_check_path(const char *path, char err[POLICY_ERR_LEN]);
/* policy_read() in two steps: the file's text (*text the caller's to free;
 * -EFBIG past what the pins hold), then the text, named name in messages. */
int policy_load(const char *path, char **text, size_t *size, char err[POLICY_ERR_LEN]);
int policy_parse(const char *name, const char *text, size_t size, struct policy *out,
		 char err[POLICY_ERR_LEN]);
void policy_free(struct policy *p);
/* A deep copy of src into dst (empty before). */
int policy_copy(struct policy *dst, const struct policy *src);
const struct peer_rules *policy_find(const struct policy *p, const uint8_t key[WG_KEY_LEN]);
/* The group named name, or NULL. */
const struct policy_group *policy_group(const struct policy *p, const char *name);
int prefix_list_add(struct prefix_list *l, const struct prefix *p);
int rule_list_add(struct rule_list *l, const struct rule *r);

/* The rules in force for peer r of pol (NULL: a key the file does not
 * list), as one peer_rules of no group: its own rules, then its groups',
 * then those of [Group *]; blocked when it or any of those groups is; its
 * rate limit, per kind, its own, else the tightest of those groups'
 * (rate_tighten()); its Quarantine, its own, else the strictest of those
 * groups' (quarantine_tighten()). out (the caller's to free with
 * peer_rules_free) has r's key and line. */
int policy_flatten(const struct policy *pol, const struct peer_rules *r, struct peer_rules *out);
/* The same by key: for a key the file does not list, [Group *]'s alone. */
int policy_peer_rules(const struct policy *pol, const uint8_t key[WG_KEY_LEN],
		      struct peer_rules *out);
/* Whether policy_flatten() would give more than r itself. */
bool policy_needs_flatten(const struct policy *pol, const struct peer_rules *r);
void peer_rules_free(struct peer_rules *r);

/* A rule of a policy that cannot take effect, as policy_ineffective()
 * finds it. */
struct policy_warning {
	enum {
		POLICY_NOT_A_PEER,      /* peer: a key the device lacks */
		POLICY_SOURCE_OUTSIDE,  /* src: an allowed source of peer outside its allowed IPs */
		POLICY_EMPTY_GROUP,     /* group: no member, and not [Group *] */
	} kind;
	const struct peer_rules *peer;
	const struct policy_group *group;
	const struct prefix *src;
	unsigned int line;
};

/* Calls fn for each rule of pol that cannot take effect on dev: a peer
 * that dev lacks (line: its [Peer]'s), an allowed source that no allowed IP
 * of the peer overlaps, which WireGuard drops before wgsf could see it
 * (line: the source's), a group that no peer is a member of (line: its
 * [Group]'s). */
void policy_ineffective(const struct policy *pol, const struct wg_device *dev,
			void (*fn)(const struct policy_warning *w, void *ctx), void *ctx);

#endif
