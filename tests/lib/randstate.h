/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Random peers for differential tests, held in a reference model
 * (reference.h) whose slots are the peers' indexes: allowed IPs of every
 * length, nested in and overlapping other peers' and unique as WireGuard
 * keeps them, and policies: allowed sources, destination rules (Allow
 * lines of every service, AllowedDestinations) of peers and of groups, a
 * [Group *] now and then, rate limits of peers; a state at a time, as the
 * device model and the policy file text that the loader reads. random()
 * draws everything: the caller seeds it.
 */
#ifndef WGSF_TEST_RANDSTATE_H
#define WGSF_TEST_RANDSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/model.h"
#include "reference.h"

#define RAND_DST_POOL 24

/* A group of the state: the reference's of the same index, as text. */
struct rand_group {
	char name[32 + 1]; /* at most 32 characters (wgsf.policy(5)) */
	char *text; /* the lines of its section */
};

struct rand_state {
	struct reference r;             /* slot k: the peer of keys[k] */
	uint8_t (*keys)[WG_KEY_LEN];
	bool *present;                  /* in the state in force */
	char **text;                    /* of each peer: its Group and destination lines */
	struct rand_group groups[REF_GROUPS_MAX];
	/* what destination rules and packets share, so that both meet */
	struct prefix dst_pool[RAND_DST_POOL];
	unsigned int short_left[2];     /* IPv4, IPv6 */
	unsigned int states;            /* drawn before the one in force */
};

/* 0 to n - 1 (0 when n is 0). */
unsigned int rand_below(unsigned int n);
void rand_bytes(uint8_t *b, size_t n);
uint8_t rand_family(void);
/* An address inside p, its other bits random. */
struct prefix rand_host_in(const struct prefix *p);
/* A prefix of length cidr inside outer, the bits between them random. */
struct prefix rand_within(const struct prefix *outer, unsigned int cidr);
/* A prefix of either family, long mostly, nested in an allowed IP now and
 * then. */
struct prefix rand_prefix(struct rand_state *g);

/* keys peers, none present yet. */
void rand_state_init(struct rand_state *g, size_t keys);
void rand_state_free(struct rand_state *g);
/* A new state: each peer present with chance in_of_4 in 4, with new allowed
 * IPs and policy; the counters of the peers that stay are kept, those of
 * the departed forgotten. default_routes: one peer also gets 0.0.0.0/0 and
 * ::/0. */
void rand_state_next(struct rand_state *g, unsigned int in_of_4, bool default_routes);
/* The state's policies as a policy file, *len bytes, the caller's to free. */
char *rand_state_policy(const struct rand_state *g, size_t *len);

/* The state's allowed IPs as WireGuard would hand them to the loader, and
 * the key index of each of its peers (*key_of, the caller's to free). */
struct wg_device *rand_state_device(const struct rand_state *g, size_t **key_of);
/* An address that no allowed IP holds, when one can be found. */
struct prefix rand_state_outside(const struct rand_state *g);
/* A destination: of the shared pool mostly, anywhere now and then. */
struct prefix rand_state_destination(const struct rand_state *g, uint8_t family);

/* randrules.c: destination rules, each into the reference and as text. */
/* AllowedDestinations, Allow lines or both, of peer slot. */
void rand_peer_rules(struct rand_state *g, uint32_t slot);
/* The state's groups, with Block now and then and rules mostly. */
void rand_groups(struct rand_state *g);
/* Makes peer slot a member of some of the state's groups. */
void rand_join(struct rand_state *g, uint32_t slot);
/* A rate limit and a Quarantine of peer slot's own now and then (see
 * reference.h). */
void rand_peer_limits(struct rand_state *g, uint32_t slot);

/* randquar.c: quarantine entries, into the reference and the datapath's
 * map (fd), at g->r.now_ns. */
/* What quarantines by hand and releases did. */
struct rand_quar_hands {
	uint64_t short_until; /* the end of the last one of milliseconds */
	uint64_t written;     /* quarantines by hand */
	uint64_t released;    /* in force, released by hand or by a sync */
};

/* What a sync does to every peer's entry in the reference. */
void rand_quar_sync(struct rand_state *g, struct rand_quar_hands *h);
/* Before a sync, once every quarantine of milliseconds has ended (a sync
 * as one ends may find it either way), and at the time then: wgsf
 * quarantine of n peers drawn, of those present, for hours or until
 * released; 0 or -errno. */
int rand_quar_some(struct rand_state *g, int fd, unsigned int n, struct rand_quar_hands *h);
/* Now and then, at the time now: wgsf quarantine (until released, for
 * hours, or for 1 to 20 ms, waited out) or release of a present peer
 * drawn; 0 or -errno. */
int rand_quar_now_and_then(struct rand_state *g, int fd, struct rand_quar_hands *h);
/* Whether the map's entry of peer k is the reference's at g->r.now_ns;
 * where not, why. */
bool rand_quar_agrees(const struct rand_state *g, int fd, uint32_t k, char *why, size_t size);
/* Peer k's entry as the reference has it, for messages. */
const char *rand_quar_describe(const struct rand_state *g, uint32_t k, char *buf, size_t size);

#endif
