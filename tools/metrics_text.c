// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio_ext.h>
#include <string.h>

#include "attach/view.h"
#include "metrics.h"
#include "quarantine_print.h"
#include "ui_names.h"
#include "ui_text.h"

/* Where a family's value comes from. */
enum source {
	PEER_STAT,      /* a wgsf_peer_stats counter */
	PEER_STAT_TIME, /* a wgsf_peer_stats stamp, as seconds since the epoch */
	PEER_VIOLATIONS, /* violations[], one sample per reason */
	PEER_RATE,      /* a wgsf_rate_limit rate: only for peers limited so */
	PEER_QUARANTINED, /* 1 where its quarantine is in force, else 0 */
	PEER_QUAR_UNTIL, /* its end: only where in force, and not until released */
	PEER_REJECTED,  /* a wgsf_rejected counter: only where rejections are visible */
	IFACE_STAT,     /* a wgsf_dev_stats counter */
	IFACE_REJECTED, /* senders wgsf's tables lack: only where visible */
	IFACE_INFO,     /* 1, its labels the information */
	IFACE_IN_FORCE, /* 1 where show says the hook is attached, else 0 */
	IFACE_HOOK_STATE, /* 1, show's hook_state its label */
};

static const struct family {
	const char *name, *type, *help;
	enum source source;
	size_t offset;
} families[] = {
	{ "wgsf_interface_info", "gauge",
	  "An attached interface: its hook, the mechanism that runs it, and the mode",
	  IFACE_INFO, 0 },
	{ "wgsf_interface_hook_in_force", "gauge",
	  "1 where the programs pinned for the interface run on it now, on its ingress and its "
	  "egress (show's hook_state attached), else 0", IFACE_IN_FORCE, 0 },
	{ "wgsf_interface_hook_state", "gauge",
	  "How the hook stands on the interface, as show's hook_state says (attached, detached, "
	  "stale, interface-recreated, interface-gone, ingress-only, egress-only, or unknown "
	  "where this process may not read the interface's programs)", IFACE_HOOK_STATE, 0 },
	{ "wgsf_interface_unknown_packets_total", "counter",
	  "Packets from sources no peer's allowed IPs hold (the tables lag WireGuard)", IFACE_STAT,
	  offsetof(struct wgsf_dev_stats, unknown_packets) },
	{ "wgsf_interface_unknown_bytes_total", "counter",
	  "IP bytes from sources no peer's allowed IPs hold", IFACE_STAT,
	  offsetof(struct wgsf_dev_stats, unknown_bytes) },
	{ "wgsf_interface_malformed_packets_total", "counter",
	  "Packets too short for their IP header, or neither IPv4 nor IPv6", IFACE_STAT,
	  offsetof(struct wgsf_dev_stats, malformed_packets) },
	{ "wgsf_interface_flows_created_total", "counter",
	  "Flows the egress program recorded for replies (README, Replies); the flow table holds "
	  "16384, the least recently used goes first", IFACE_STAT,
	  offsetof(struct wgsf_dev_stats, flows_created) },
	{ "wgsf_interface_flow_records_evicted_total", "counter",
	  "Flow records (wgsf attach --flows) that newer flows pushed out of the table",
	  IFACE_STAT, offsetof(struct wgsf_dev_stats, flowrec_evicted) },
	/* a gauge: a sync that gives such senders their peer moves their
	 * packets to the peer's counter, and this falls */
	{ "wgsf_interface_rejected_unknown_packets", "gauge",
	  "Packets WireGuard itself rejected from senders wgsf's tables lack now", IFACE_REJECTED,
	  0 },
	{ "wgsf_peer_receive_packets_total", "counter", "Packets received from the peer",
	  PEER_STAT, offsetof(struct wgsf_peer_stats, rx_packets) },
	{ "wgsf_peer_receive_bytes_total", "counter", "IP bytes received from the peer", PEER_STAT,
	  offsetof(struct wgsf_peer_stats, rx_bytes) },
	{ "wgsf_peer_last_seen_seconds", "gauge",
	  "When the peer's last packet arrived, in seconds since the epoch; 0: never",
	  PEER_STAT_TIME, offsetof(struct wgsf_peer_stats, last_seen_ns) },
	{ "wgsf_peer_violation_packets_total", "counter",
	  "Packets from the peer that broke its policy, by reason", PEER_VIOLATIONS, 0 },
	{ "wgsf_peer_violation_bytes_total", "counter",
	  "IP bytes of packets from the peer that broke its policy", PEER_STAT,
	  offsetof(struct wgsf_peer_stats, violation_bytes) },
	{ "wgsf_peer_rate_limit_exceeded_bytes_total", "counter",
	  "IP bytes of packets from the peer over its rate limit (their packets: "
	  "wgsf_peer_violation_packets_total{reason=\"rate\"})", PEER_STAT,
	  offsetof(struct wgsf_peer_stats, rate_bytes) },
	{ "wgsf_peer_last_violation_seconds", "gauge",
	  "When the peer last broke its policy, in seconds since the epoch; 0: never",
	  PEER_STAT_TIME, offsetof(struct wgsf_peer_stats, last_violation_ns) },
	{ "wgsf_peer_drop_packets_total", "counter",
	  "Packets from the peer dropped for breaking its policy (enforce mode)", PEER_STAT,
	  offsetof(struct wgsf_peer_stats, drop_packets) },
	{ "wgsf_peer_drop_bytes_total", "counter",
	  "IP bytes of packets from the peer dropped for breaking its policy", PEER_STAT,
	  offsetof(struct wgsf_peer_stats, drop_bytes) },
	{ "wgsf_peer_reply_packets_total", "counter",
	  "Packets from the peer that broke its destination rules but answered a flow opened "
	  "toward it from the gateway's side, so passed (README, Replies)", PEER_STAT,
	  offsetof(struct wgsf_peer_stats, reply_packets) },
	{ "wgsf_peer_rate_limit_bits_per_second", "gauge",
	  "The peer's rate limit in bits per second, of what it sends in; only for peers "
	  "limited so", PEER_RATE, offsetof(struct wgsf_rate_limit, bits_per_sec) },
	{ "wgsf_peer_rate_limit_packets_per_second", "gauge",
	  "The peer's rate limit in packets per second, of what it sends in; only for peers "
	  "limited so", PEER_RATE, offsetof(struct wgsf_rate_limit, packets_per_sec) },
	{ "wgsf_peer_quarantined", "gauge",
	  "1 where the peer is in quarantine now (every packet of it a violation of reason "
	  "quarantined), else 0", PEER_QUARANTINED, 0 },
	{ "wgsf_peer_quarantine_until_seconds", "gauge",
	  "When the peer's quarantine ends, in seconds since the epoch; only for peers in "
	  "quarantine for a time, not until released", PEER_QUAR_UNTIL, 0 },
	{ "wgsf_peer_rejected_packets_total", "counter",
	  "Packets from the peer that WireGuard itself rejected (source not in its allowed IPs)",
	  PEER_REJECTED, offsetof(struct wgsf_rejected, packets) },
	{ "wgsf_peer_rejected_bytes_total", "counter",
	  "IP bytes of packets from the peer that WireGuard itself rejected", PEER_REJECTED,
	  offsetof(struct wgsf_rejected, bytes) },
};

static uint64_t field(const void *record, size_t offset)
{
	uint64_t v;

	memcpy(&v, (const char *)record + offset, sizeof(v));
	return v;
}

/* interface="NAME",public_key="KEY", with every character of NAME escaped
 * at the most */
#define LABELS_LEN (sizeof("interface=\"\",public_key=\"\"") + 2 * UI_IFNAME_LEN + WG_KEY_B64_LEN)

/* An interface's labels, and each of its peers', formatted once for all
 * their samples. */
struct labels {
	const struct iface_view *v;
	char iface[LABELS_LEN];
	char (*peer)[LABELS_LEN];
};

/* A label as the format wants it: backslash, quote and newline escaped;
 * out holds twice value and name, and 5 more. */
static char *label(char *out, const char *sep, const char *name, const char *value)
{
	out += sprintf(out, "%s%s=\"", sep, name);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"' || *value == '\n')
			*out++ = '\\';
		*out++ = *value == '\n' ? 'n' : *value;
	}
	*out++ = '"';
	*out = '\0';
	return out;
}

static void sample(FILE *f, const char *name, const char *labels, const char *more,
		   uint64_t value)
{
	fputs(name, f);
	fputc('{', f);
	fputs(labels, f);
	fputs(more, f);
	fprintf(f, "} %llu\n", (unsigned long long)value);
}

static bool in_quarantine(const struct peer_view *p)
{
	return p->has_quarantine && quar_now_in_force(&p->quarantine);
}

/* Whether p's quarantine is in force and ends at a time. */
static bool quar_until_known(const struct peer_view *p)
{
	return in_quarantine(p) && p->quarantine.until_ns != WGSF_QUAR_FOREVER;
}

static void peer_samples(FILE *f, const struct family *m, const struct iface_view *v,
			 size_t i, const char *labels)
{
	static const struct wgsf_rejected none;
	const struct peer_view *p = &v->peers[i];
	char reason[64];
	uint64_t value;
	uint32_t r;

	if (m->source == PEER_VIOLATIONS) {
		for (r = 0; r < WGSF_REASON_COUNT; r++) {
			label(reason, ",", "reason", ui_reason_name(r));
			sample(f, m->name, labels, reason, p->stats.violations[r]);
		}
		return;
	}
	if (m->source == PEER_RATE && !field(&p->rate, m->offset))
		return;
	if (m->source == PEER_QUAR_UNTIL && !quar_until_known(p))
		return;
	if (m->source == PEER_RATE)
		value = field(&p->rate, m->offset);
	else if (m->source == PEER_QUARANTINED)
		value = in_quarantine(p);
	else if (m->source == PEER_QUAR_UNTIL)
		value = quar_until_epoch(&p->quarantine);
	else if (m->source == PEER_REJECTED)
		value = field(p->rejected ?: &none, m->offset);
	else if (m->source == PEER_STAT_TIME)
		value = ui_epoch(field(&p->stats, m->offset));
	else
		value = field(&p->stats, m->offset);
	sample(f, m->name, labels, "", value);
}

/* Whether some peer of v is limited in m's kind. */
static bool any_limited(const struct family *m, const struct iface_view *v)
{
	size_t i;

	for (i = 0; i < v->n_peers; i++)
		if (field(&v->peers[i].rate, m->offset))
			return true;
	return false;
}

static bool has_samples(const struct family *m, const struct iface_view *v)
{
	bool per_peer = m->source <= PEER_REJECTED;
	bool rejected = m->source == PEER_REJECTED || m->source == IFACE_REJECTED;
	size_t i;

	if (m->source == PEER_RATE)
		return any_limited(m, v);
	if (m->source == PEER_QUAR_UNTIL) {
		for (i = 0; i < v->n_peers; i++)
			if (quar_until_known(&v->peers[i]))
				return true;
		return false;
	}
	return (!per_peer || v->n_peers) && (!rejected || v->rejected_visible);
}

/* The labels of an interface's sample beyond its name, into out. */
static void iface_labels(char *out, const struct family *m, const struct iface_view *v)
{
	const struct wgsf_attachment *a = &v->pins.cfg.attachment;

	*out = '\0';
	if (m->source == IFACE_INFO) {
		out = label(out, ",", "hook", "tc");
		out = label(out, ",", "mechanism", hook_mech_name(a->mech));
		label(out, ",", "mode", ui_mode(v->pins.cfg.mode));
	} else if (m->source == IFACE_HOOK_STATE) {
		label(out, ",", "state", hook_state_name(v->pins.hook));
	}
}

static uint64_t iface_value(const struct family *m, const struct iface_view *v)
{
	switch (m->source) {
	case IFACE_IN_FORCE:
		return v->pins.hook == HOOK_LIVE;
	case IFACE_REJECTED:
		return v->rejected_unknown_packets;
	case IFACE_STAT:
		return field(&v->dev, m->offset);
	default:
		return 1;
	}
}

static void iface_samples(FILE *f, const struct family *m, const struct labels *l)
{
	const struct iface_view *v = l->v;
	char more[4 * LABELS_LEN];
	size_t i;

	if (!has_samples(m, v))
		return;
	if (m->source <= PEER_REJECTED) {
		for (i = 0; i < v->n_peers; i++)
			peer_samples(f, m, v, i, l->peer[i]);
		return;
	}
	iface_labels(more, m, v);
	sample(f, m->name, l->iface, more, iface_value(m, v));
}

/* HELP and TYPE only for a family with samples, so that nothing attached
 * reads as nothing but the build. */
static bool any_samples(const struct family *m, const struct labels *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (has_samples(m, l[i].v))
			return true;
	return false;
}

static void print(FILE *f, const struct labels *l, size_t n)
{
	char version[LABELS_LEN];
	size_t m, i;

	label(version, "", "version", WGSF_VERSION);
	fprintf(f, "# HELP wgsf_build_info The wgsf that reports these metrics\n"
		   "# TYPE wgsf_build_info gauge\n");
	sample(f, "wgsf_build_info", version, "", 1);
	for (m = 0; m < sizeof(families) / sizeof(*families); m++) {
		if (!any_samples(&families[m], l, n))
			continue;
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", families[m].name, families[m].help,
			families[m].name, families[m].type);
		for (i = 0; i < n; i++)
			iface_samples(f, &families[m], &l[i]);
	}
}

static int labels_make(struct labels *l, const struct iface_view *v)
{
	char key[WG_KEY_B64_LEN], shown[UI_IFNAME_LEN], *end;
	size_t i;

	l->v = v;
	/* as show and JSON write it: a label value is UTF-8, and a name need
	 * not be (one such would make the whole page unreadable) */
	end = label(l->iface, "", "interface", ui_text(v->name, shown, sizeof(shown)));
	l->peer = calloc(v->n_peers ?: 1, sizeof(*l->peer));
	if (!l->peer)
		return -ENOMEM;
	for (i = 0; i < v->n_peers; i++) {
		key_to_base64(key, v->peers[i].public_key);
		memcpy(l->peer[i], l->iface, end - l->iface);
		label(l->peer[i] + (end - l->iface), ",", "public_key", key);
	}
	return 0;
}

int metrics_print(FILE *f, char failed[IFNAMSIZ])
{
	struct iface_view *views;
	struct labels *l;
	size_t n, i, made = 0;
	int err = view_read_all(NULL, false, &views, &n, failed);

	if (err)
		return err;
	l = calloc(n ?: 1, sizeof(*l));
	err = l ? 0 : -ENOMEM;
	for (; !err && made < n; made++)
		err = labels_make(&l[made], &views[made]);
	if (!err) {
		/* only this thread writes f: a lock per call would cost more
		 * than reading the maps */
		__fsetlocking(f, FSETLOCKING_BYCALLER);
		print(f, l, n);
	}
	for (i = 0; l && i < made; i++)
		free(l[i].peer);
	free(l);
	view_free_all(views, n);
	return err;
}
