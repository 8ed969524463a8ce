// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "attach/view.h"
#include "tables/stats.h"
#include "json.h"
#include "quarantine_print.h"
#include "tables/quar_hand.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_text.h"
#include "watch_log.h"

static int by_key(const void *a, const void *b)
{
	return memcmp(a, b, WG_KEY_LEN);
}

/* A log line: "IFACE: KIND key=value ...", or with --json one object
 * {"interface": IFACE, KIND: {key: value, ...}} on a line. */
struct record {
	struct json j;
};

static void record_begin(struct record *r, const char *ifname, const char *kind)
{
	char name[UI_IFNAME_LEN];

	r->j = (struct json){ .f = stdout };
	if (!ui_json) {
		printf("%s: %s", ui_text(ifname, name, sizeof(name)), kind);
		return;
	}
	json_object_begin(&r->j, NULL);
	json_string(&r->j, "interface", ifname);
	json_object_begin(&r->j, kind);
}

/* NULL: "none", null in JSON */
static void record_string(struct record *r, const char *key, const char *value)
{
	if (ui_json)
		json_string(&r->j, key, value);
	else
		printf(" %s=%s", key, value ?: "none");
}

/* sign: "+" where the value is a growth, which people read so */
static void record_u64(struct record *r, const char *key, uint64_t value, const char *sign)
{
	if (ui_json)
		json_u64(&r->j, key, value);
	else
		printf(" %s=%s%llu", key, sign, (unsigned long long)value);
}

static void record_key(struct record *r, const char *name, const uint8_t *key)
{
	char b64[WG_KEY_B64_LEN];

	if (key)
		key_to_base64(b64, key);
	record_string(r, name, key ? b64 : NULL);
}

static void record_addr(struct record *r, const char *key, const struct wgsf_addr *a)
{
	char buf[PREFIX_STRLEN];

	record_string(r, key, ui_addr(a, buf));
}

static void record_end(struct record *r)
{
	if (!ui_json) {
		putchar('\n');
		return;
	}
	json_object_end(&r->j);
	json_object_end(&r->j);
}

static void log_violation(const struct iface_view *v, const struct peer_view *p, uint64_t was)
{
	const struct wgsf_peer_stats *s = &p->stats;
	char svc[32];
	struct record r;

	record_begin(&r, v->name, "violation");
	record_key(&r, "peer", p->public_key);
	record_u64(&r, "packets", s->violation_packets - was, "+");
	record_u64(&r, "total", s->violation_packets, "");
	record_string(&r, "reason", ui_reason_name(s->last_violation_reason));
	record_addr(&r, "source", &s->last_violation_src);
	record_addr(&r, "destination", &s->last_violation_dst);
	record_string(&r, "service", ui_service(s, svc));
	record_string(&r, "action", v->pins.cfg.mode == WGSF_MODE_ENFORCE ? "drop" : "count");
	record_end(&r);
}

static void log_rejected(const char *ifname, const struct tracer_peer *t, uint64_t was)
{
	const struct wgsf_rejected *rej = &t->rejected;
	struct record r;

	record_begin(&r, ifname, "rejected");
	record_key(&r, "peer", t->public_key);
	record_u64(&r, "packets", rej->packets - was, "+");
	record_u64(&r, "total", rej->packets, "");
	record_addr(&r, "source", &rej->last_src);
	record_addr(&r, "destination", &rej->last_dst);
	record_key(&r, "owner", rej->last_has_owner ? rej->last_owner : NULL);
	record_end(&r);
}

static const struct seen_peer *seen_peer(const struct seen *seen, const uint8_t *key)
{
	return bsearch(key, seen->peers, seen->n, sizeof(struct seen_peer), by_key);
}

static uint64_t seen_of(const struct seen *seen, const uint8_t *key, bool rejected)
{
	const struct seen_peer *p = seen_peer(seen, key);

	return !p ? 0 : rejected ? p->rejected : p->violations;
}

/* p's last quarantine into n (until 0: none in force now), and the first
 * end to come of one in force into *next_end. */
static void note_quarantine(const struct peer_view *p, struct seen_peer *n, uint64_t *next_end)
{
	const struct wgsf_quarantine *q = &p->quarantine;

	if (!p->has_quarantine)
		return;
	n->quar_since = q->since_ns;
	if (!quar_now_in_force(q))
		return;
	n->quar_until = q->until_ns;
	n->quar_by_rule = q->by == WGSF_QUAR_BY_RULE;
	if (!*next_end || q->until_ns < *next_end)
		*next_end = q->until_ns;
}

static void log_quarantine(const struct iface_view *v, const struct peer_view *p)
{
	const struct wgsf_quarantine *q = &p->quarantine;
	struct record r;

	record_begin(&r, v->name, "quarantine");
	record_key(&r, "peer", p->public_key);
	record_string(&r, "by", quar_by_name(q));
	/* none: until released, or released before a round saw it (by none) */
	if (quar_until_epoch(q))
		record_u64(&r, "until", quar_until_epoch(q), "");
	else
		record_string(&r, "until", NULL);
	record_end(&r);
}

/* Why a quarantine that was in force until until (0: released) no longer
 * is: its end came (the sync deletes an expired entry of no rule), its
 * rule went (begun by its rule, of a peer that now has none: the sync
 * released it), or a release by hand. */
static const char *release_why(const struct peer_view *p, bool by_rule, uint64_t until)
{
	if (until && quarantine_now() >= until)
		return "expired";
	if (by_rule && (!p->has_quarantine || !p->quarantine.violations))
		return "rule-gone";
	return "hand";
}

static void log_release(const struct iface_view *v, const struct peer_view *p, bool by_rule,
			uint64_t until)
{
	struct record r;

	record_begin(&r, v->name, "release");
	record_key(&r, "peer", p->public_key);
	record_string(&r, "why", release_why(p, by_rule, until));
	record_end(&r);
}

/* Lines for a quarantine that began, ended, or both, since the last
 * round (w: what that round saw of the peer, NULL: nothing). */
static void log_quarantine_change(const struct iface_view *v, const struct peer_view *p,
				  const struct seen *seen)
{
	const struct wgsf_quarantine *q = &p->quarantine;
	const struct seen_peer *w = seen_peer(seen, p->public_key);
	bool was = w && w->quar_until, now = p->has_quarantine && quar_now_in_force(q);
	bool began = p->has_quarantine && q->since_ns && (!w || w->quar_since != q->since_ns);

	/* one replaced by another is not released */
	if (was && !began && !now)
		log_release(v, p, w->quar_by_rule, w->quar_until);
	if (began)
		log_quarantine(v, p);
	/* one that began and ended between two rounds */
	if (began && !now)
		log_release(v, p, q->by == WGSF_QUAR_BY_RULE, q->until_ns);
}

/* Every peer's counters, as they are now, for the next round. */
static int remember(const struct iface_view *v, struct seen *seen)
{
	struct seen_peer *now = calloc(v->n_peers + v->rejected.n_peers + 1, sizeof(*now));
	size_t i, n = 0;

	if (!now)
		return -1;
	seen->next_end = 0;
	for (i = 0; i < v->n_peers; i++, n++) {
		memcpy(now[n].public_key, v->peers[i].public_key, WG_KEY_LEN);
		now[n].violations = v->peers[i].stats.violation_packets;
		note_quarantine(&v->peers[i], &now[n], &seen->next_end);
	}
	/* by key, for the lookups of the rejected counters that follow */
	sort_array(now, n, sizeof(*now), by_key);
	/* senders the tables lack have no peer_view */
	for (i = 0; i < v->rejected.n_peers; i++) {
		struct seen_peer *p = bsearch(v->rejected.peers[i].public_key, now, v->n_peers,
					      sizeof(*now), by_key);

		if (!p) {
			p = &now[n++];
			memcpy(p->public_key, v->rejected.peers[i].public_key, WG_KEY_LEN);
		}
		p->rejected = v->rejected.peers[i].rejected.packets;
	}
	sort_array(now, n, sizeof(*now), by_key);
	free(seen->peers);
	seen->peers = now;
	seen->n = n;
	return 0;
}

static void log_growth(const struct iface_view *v, const struct seen *seen)
{
	uint64_t was;
	size_t i;

	for (i = 0; i < v->n_peers; i++) {
		was = seen_of(seen, v->peers[i].public_key, false);
		if (v->peers[i].stats.violation_packets > was)
			log_violation(v, &v->peers[i], was);
		log_quarantine_change(v, &v->peers[i], seen);
	}
	for (i = 0; i < v->rejected.n_peers; i++) {
		was = seen_of(seen, v->rejected.peers[i].public_key, true);
		if (v->rejected.peers[i].rejected.packets > was)
			log_rejected(v->name, &v->rejected.peers[i], was);
	}
}

/*
 * The interface's totals: a few reads, where each peer's would be many.
 * Read before the peers' counters, which the datapath and the tracer raise
 * before the totals: a packet that a round's totals hold, its peers' reads
 * hold too, and one counted after them moves the next round's totals.
 * false where they cannot be read: then the peers are read, as if they moved.
 */
static bool totals_read(const char *ifname, uint64_t *violations, uint64_t *rejected)
{
	struct tracer_view t = {};
	struct wgsf_dev_stats d;
	struct iface_pins p;
	bool ok;

	if (iface_open(ifname, &p))
		return false;
	ok = !stats_read_dev(p.maps.fd[MAP_DEV_STATS], &d);
	*violations = d.violation_packets;
	/* no tracer (userspace WireGuard): nothing is ever rejected */
	*rejected = tracer_read(p.cfg.attachment.ifindex, &t) ? 0 : t.total.packets;
	tracer_view_free(&t);
	iface_close(&p);
	return ok;
}

void watch_log_counters(const char *ifname, bool changed, struct seen *seen)
{
	uint64_t violations = 0, rejected = 0;
	bool totals = totals_read(ifname, &violations, &rejected);
	bool ended = seen->next_end && ui_clock_ns(CLOCK_MONOTONIC) >= seen->next_end;
	struct iface_view v;

	if (seen->primed && totals && violations == seen->violations &&
	    rejected == seen->rejected && !changed && !ended)
		return;
	if (view_read(ifname, &v))
		return;
	if (seen->primed)
		log_growth(&v, seen);
	if (!remember(&v, seen)) {
		/* unread totals: never equal to these, so the next round reads */
		seen->violations = totals ? violations : UINT64_MAX;
		seen->rejected = rejected;
		seen->primed = true;
	}
	view_free(&v);
}

void seen_free(struct seen *seen)
{
	free(seen->peers);
	memset(seen, 0, sizeof(*seen));
}
