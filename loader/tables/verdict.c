// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "tables/quar_hand.h"
#include "tables/verdict.h"

static void *verdict_map_lookup(void *ctx, const char *map, const void *key);

/* The datapath's decision, compiled here with its maps read through fds:
 * map names are the BPF object's (map_names). */
#define WGSF_VERDICT_FN inline
#define WGSF_LOOKUP(ctx, map, key) verdict_map_lookup(ctx, #map, key)
#define wgsf_htonl(x) htonl(x)
#define wgsf_htons(x) htons(x)
#include "wgsf_verdict.h"

/* A lookup's value lives until the decision is taken: the most that one
 * decision holds at once is the config, the host-route index's head and
 * two buckets, an entry, a policy's flags and a service set. */
#define VALUES 8

struct verdict_ctx {
	const struct maps *m;
	union {
		__u32 u32;
		struct wgsf_peer_policy policy;
		struct wgsf_config config;
		struct wgsf_host4_bucket host4;
		struct wgsf_host6_bucket host6;
	} values[VALUES];
	unsigned int next;
	int err; /* the first lookup that failed other than by a missing key */
};

static void *verdict_map_lookup(void *ctx, const char *map, const void *key)
{
	struct verdict_ctx *c = ctx;
	void *value = &c->values[c->next++ % VALUES];
	int id;

	for (id = 0; id < MAP_COUNT && strcmp(map_names[id], map); id++)
		;
	if (id == MAP_COUNT) {
		c->err = c->err ?: -ENOENT;
		return NULL;
	}
	if (!bpf_map_lookup_elem(c->m->fd[id], key, value))
		return value;
	if (errno != ENOENT)
		c->err = c->err ?: -errno;
	return NULL;
}

int verdict_quarantine(const struct maps *m, struct wgsf_verdict *v)
{
	uint32_t slot = v->entry & WGSF_ENTRY_SLOT;
	struct wgsf_quarantine q;
	struct wgsf_slot s;
	int err;

	if (!v->found || !v->quar)
		return 0;
	if (bpf_map_lookup_elem(m->fd[MAP_PEER_SLOTS], &slot, &s))
		return -errno;
	/* a release by hand may delete it before the sync clears the bit */
	err = quarantine_read(m->fd[MAP_QUARANTINE], s.public_key, &q);
	if (err || !quarantine_in_force(&q, quarantine_now()))
		return err == -ENOENT ? 0 : err;
	v->reason = WGSF_REASON_QUARANTINED;
	v->svc_unasked = 0;
	v->dst_unasked = 0;
	v->drop = v->enforce;
	return 0;
}

int verdict_decide(const struct maps *m, const struct prefix *src, const struct prefix *dst,
		   const struct verdict_l4 *l4, struct wgsf_verdict *v)
{
	struct verdict_ctx c = { .m = m };
	struct wgsf_query q = { .version = src->family == AF_INET ? 4 : 6, .src = src->addr,
				.dst = dst ? dst->addr : NULL };

	if (dst && dst->family != src->family)
		return -EAFNOSUPPORT;
	if (l4)
		q = (struct wgsf_query){ .version = q.version, .l4 = 1, .proto = l4->proto,
					 .l4_flags = l4->flags, .dport = l4->dport,
					 .src = q.src, .dst = q.dst };
	if (wgsf_decide(&c, &q, v) && !c.err)
		c.err = -ENOENT; /* no config: not a datapath's set of maps */
	if (v->reason == WGSF_REASON_PENDING) {
		v->reason = -1;
		v->svc_unasked = 1;
	}
	return c.err;
}
