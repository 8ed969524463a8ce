// SPDX-License-Identifier: GPL-2.0-only
#include <stddef.h>
#include <string.h>

#include "attach/view.h"
#include "metrics.h"
#include "ui.h"

/* Where a family's value comes from. */
enum source {
	PEER_STAT,      /* a wgsf_peer_stats counter */
	PEER_STAT_TIME, /* a wgsf_peer_stats stamp, as seconds since the epoch */
	PEER_VIOLATIONS, /* violations[], one sample per reason */
	PEER_REJECTED,  /* a wgsf_rejected counter: only where rejections are visible */
	IFACE_STAT,     /* a wgsf_dev_stats counter */
	IFACE_REJECTED, /* senders wgsf's tables lack: only where visible */
	IFACE_INFO,
};

static const struct family {
	const char *name, *type, *help;
	enum source source;
	size_t offset;
} families[] = {
	{ "wgsf_interface_info", "gauge",
	  "An attached interface: its hook, the mechanism that runs it, and the mode",
	  IFACE_INFO, 0 },
	{ "wgsf_interface_unknown_packets_total", "counter",
	  "Packets from sources no peer's allowed IPs hold (the tables lag WireGuard)", IFACE_STAT,
	  offsetof(struct wgsf_dev_stats, unknown_packets) },
	{ "wgsf_interface_unknown_bytes_total", "counter",
	  "IP bytes from sources no peer's allowed IPs hold", IFACE_STAT,
	  offsetof(struct wgsf_dev_stats, unknown_bytes) },
	{ "wgsf_interface_malformed_packets_total", "counter",
	  "Packets too short for their IP header, or neither IPv4 nor IPv6", IFACE_STAT,
	  offsetof(struct wgsf_dev_stats, malformed_packets) },
	{ "wgsf_interface_rejected_unknown_packets_total", "counter",
	  "Packets WireGuard itself rejected from senders wgsf's tables lack", IFACE_REJECTED, 0 },
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
	{ "wgsf_peer_last_violation_seconds", "gauge",
	  "When the peer last broke its policy, in seconds since the epoch; 0: never",
	  PEER_STAT_TIME, offsetof(struct wgsf_peer_stats, last_violation_ns) },
	{ "wgsf_peer_drop_packets_total", "counter",
	  "Packets from the peer dropped for breaking its policy (enforce mode)", PEER_STAT,
	  offsetof(struct wgsf_peer_stats, drop_packets) },
	{ "wgsf_peer_drop_bytes_total", "counter",
	  "IP bytes of packets from the peer dropped for breaking its policy", PEER_STAT,
	  offsetof(struct wgsf_peer_stats, drop_bytes) },
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

/* A label value as the format wants it: backslash, quote and newline escaped. */
static void label(FILE *f, const char *name, const char *value, const char *sep)
{
	fprintf(f, "%s%s=\"", sep, name);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fputc('\\', f);
		if (*value == '\n')
			fputs("\\n", f);
		else
			fputc(*value, f);
	}
	fputc('"', f);
}

static void peer_labels(FILE *f, const char *metric, const struct iface_view *v,
			const struct peer_view *p)
{
	char key[WG_KEY_B64_LEN];

	key_to_base64(key, p->public_key);
	fputs(metric, f);
	label(f, "interface", v->name, "{");
	label(f, "public_key", key, ",");
}

static void peer_samples(FILE *f, const struct family *m, const struct iface_view *v,
			 const struct peer_view *p)
{
	static const struct wgsf_rejected none;
	uint64_t value;
	uint32_t r;

	if (m->source == PEER_VIOLATIONS) {
		for (r = 0; r < WGSF_REASON_COUNT; r++) {
			peer_labels(f, m->name, v, p);
			label(f, "reason", ui_reason_name(r), ",");
			fprintf(f, "} %llu\n", (unsigned long long)p->stats.violations[r]);
		}
		return;
	}
	if (m->source == PEER_REJECTED)
		value = field(p->rejected ?: &none, m->offset);
	else if (m->source == PEER_STAT_TIME)
		value = ui_epoch(field(&p->stats, m->offset));
	else
		value = field(&p->stats, m->offset);
	peer_labels(f, m->name, v, p);
	fprintf(f, "} %llu\n", (unsigned long long)value);
}

static bool has_samples(const struct family *m, const struct iface_view *v)
{
	bool per_peer = m->source <= PEER_REJECTED;
	bool rejected = m->source == PEER_REJECTED || m->source == IFACE_REJECTED;

	return (!per_peer || v->n_peers) && (!rejected || v->rejected_visible);
}

static void iface_sample(FILE *f, const struct family *m, const struct iface_view *v)
{
	const struct wgsf_attachment *a = &v->pins.cfg.attachment;
	size_t i;

	if (!has_samples(m, v))
		return;
	if (m->source <= PEER_REJECTED) {
		for (i = 0; i < v->n_peers; i++)
			peer_samples(f, m, v, &v->peers[i]);
		return;
	}
	fputs(m->name, f);
	label(f, "interface", v->name, "{");
	if (m->source == IFACE_INFO) {
		label(f, "hook", a->kind == HOOK_XDP ? "xdp" : "tc", ",");
		label(f, "mechanism", hook_mech_name(a->mech), ",");
		label(f, "mode", ui_mode(v->pins.cfg.mode), ",");
		fputs("} 1\n", f);
		return;
	}
	fprintf(f, "} %llu\n", (unsigned long long)(m->source == IFACE_REJECTED ?
						     v->rejected_unknown_packets :
						     field(&v->dev, m->offset)));
}

/* HELP and TYPE only for a family with samples, so that nothing attached
 * reads as nothing but the build. */
static bool any_samples(const struct family *m, const struct iface_view *views, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (has_samples(m, &views[i]))
			return true;
	return false;
}

static void print(FILE *f, const struct iface_view *views, size_t n)
{
	size_t m, i;

	fprintf(f, "# HELP wgsf_build_info The wgsf that reports these metrics\n"
		   "# TYPE wgsf_build_info gauge\n");
	fputs("wgsf_build_info", f);
	label(f, "version", WGSF_VERSION, "{");
	fputs("} 1\n", f);
	for (m = 0; m < sizeof(families) / sizeof(*families); m++) {
		if (!any_samples(&families[m], views, n))
			continue;
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", families[m].name, families[m].help,
			families[m].name, families[m].type);
		for (i = 0; i < n; i++)
			iface_sample(f, &families[m], &views[i]);
	}
}

int metrics_print(FILE *f, char failed[IFNAMSIZ])
{
	struct iface_view *views;
	size_t n;
	int err = view_read_all(NULL, &views, &n, failed);

	if (err)
		return err;
	print(f, views, n);
	view_free_all(views, n);
	return 0;
}
