// SPDX-License-Identifier: GPL-2.0-only
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "device/prefix.h"
#include "events_print.h"
#include "json.h"
#include "tables/services.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_text.h"

#define TIME_LEN 32

/* RFC 3339, UTC, to the microsecond: what log pipelines parse. */
static const char *time_format(uint64_t real_ns, char buf[TIME_LEN])
{
	time_t secs = real_ns / 1000000000ull;
	struct tm tm;
	size_t n;

	gmtime_r(&secs, &tm);
	n = strftime(buf, TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, TIME_LEN - n, ".%06uZ", (unsigned)(real_ns % 1000000000ull / 1000));
	return buf;
}

/* A line being written: a JSON object, or key=value pairs. */
struct line {
	struct json j;
	bool any; /* text: a pair is out, the next one takes a space */
};

/* One member: "key=value", or a JSON member; NULL is left out of the
 * text, null in JSON. */
static void field(struct line *l, const char *key, const char *value)
{
	if (ui_json) {
		json_string(&l->j, key, value);
	} else if (value) {
		printf("%s%s=%s", l->any ? " " : "", key, value);
		l->any = true;
	}
}

/* A number, where known; else as NULL is. */
static void field_u64(struct line *l, const char *key, uint64_t value, bool known)
{
	char buf[24];

	if (ui_json && known) {
		json_u64(&l->j, key, value);
		return;
	}
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);
	field(l, key, known ? buf : NULL);
}

/* JSON escapes its own strings; a text line gets the name as show
 * prints it, where a byte of it could end the line or drive a terminal. */
static void interface(struct line *l, const char *ifname)
{
	char shown[UI_IFNAME_LEN];

	field(l, "interface", ui_json ? ifname : ui_text(ifname, shown, sizeof(shown)));
}

static struct line line_begin(const char *ifname, uint64_t real_ns)
{
	struct line l = { .j = { .f = stdout } };
	char t[TIME_LEN];

	if (ui_json)
		json_object_begin(&l.j, NULL);
	field(&l, "time", time_format(real_ns, t));
	interface(&l, ifname);
	return l;
}

static void line_end(struct line *l)
{
	if (ui_json)
		json_object_end(&l->j);
	else
		putchar('\n');
}

/* By its name where it has one, else its number. */
static void protocol(struct line *l, uint8_t proto)
{
	const char *name = svc_proto_name(proto);

	if (name)
		field(l, "protocol", name);
	else
		field_u64(l, "protocol", proto, true);
}

/* A flow's address, as the datapath's wgsf_addr holds one. */
static const char *flow_addr(const uint8_t *a, uint8_t version, char buf[PREFIX_STRLEN])
{
	struct wgsf_addr w = { .version = version };

	memcpy(w.addr, a, version == 4 ? 4 : 16);
	return ui_addr(&w, buf);
}

/* The members of a flow, after the line's own. */
static void flow_fields(struct line *l, const char *key, const struct wgsf_flowrec_key *k,
			const struct wgsf_flowrec *r, int64_t mono_to_real)
{
	int kind = ui_l4_kind(k->version, k->proto, k->l4_flags);
	bool icmp = kind == UI_L4_TYPE, ports = kind == UI_L4_PORT;
	char src[PREFIX_STRLEN], dst[PREFIX_STRLEN], t[TIME_LEN];

	field(l, "peer", key);
	field(l, "source", flow_addr(k->src, k->version, src));
	field(l, "destination", flow_addr(k->dst, k->version, dst));
	protocol(l, k->proto);
	field_u64(l, "source_port", k->sport, ports);
	field_u64(l, "destination_port", k->dport, ports);
	field_u64(l, "icmp_type", k->icmp_type, icmp);
	field_u64(l, "icmp_code", k->icmp_code, icmp);
	field_u64(l, "packets", r->packets, true);
	field_u64(l, "bytes", r->bytes, true);
	field(l, "first_seen", time_format(r->first_ns + mono_to_real, t));
	field(l, "last_seen", time_format(r->last_ns + mono_to_real, t));
}

void events_print_flow(const char *ifname, const char *key, const struct wgsf_flowrec_key *k,
		       const struct wgsf_flowrec *r, int64_t mono_to_real)
{
	struct line l = { .j = { .f = stdout } };

	if (ui_json)
		json_object_begin(&l.j, NULL);
	interface(&l, ifname);
	flow_fields(&l, key, k, r, mono_to_real);
	line_end(&l);
}

void events_print_flow_end(const char *ifname, const char *key, const struct wgsf_flow_end *e,
			   int64_t mono_to_real)
{
	struct line l = line_begin(ifname, e->time_ns + mono_to_real);

	field(&l, "end", e->why == WGSF_FLOW_END_IDLE ? "idle" : "evicted");
	flow_fields(&l, key, &e->key, &e->rec, mono_to_real);
	line_end(&l);
}

void events_print_event(const char *ifname, const char *key, const struct wgsf_event *e,
			int64_t mono_to_real)
{
	struct line l = line_begin(ifname, e->time_ns + mono_to_real);
	int kind = ui_l4_kind(e->src.version, e->proto, e->l4_flags);
	bool icmp = kind == UI_L4_TYPE, ports = kind == UI_L4_PORT;
	char src[PREFIX_STRLEN], dst[PREFIX_STRLEN];

	field(&l, "peer", key);
	field(&l, "reason", e->reason == WGSF_EVENT_REJECTED ? "rejected" : ui_reason_name(e->reason));
	field(&l, "action", e->action == WGSF_ACTION_DROPPED ? "dropped" : "counted");
	field(&l, "source", ui_addr(&e->src, src));
	field(&l, "destination", ui_addr(&e->dst, dst));
	protocol(&l, e->proto);
	field_u64(&l, "source_port", e->sport, ports);
	field_u64(&l, "destination_port", e->dport, ports);
	field_u64(&l, "icmp_type", e->icmp_type, icmp);
	field_u64(&l, "icmp_code", e->icmp_code, icmp);
	field_u64(&l, "length", e->bytes, true);
	field_u64(&l, "packets", e->packets, true);
	line_end(&l);
}

void events_print_suppressed(const char *ifname, const char *key, uint64_t n, uint64_t real_ns)
{
	struct line l = line_begin(ifname, real_ns);

	field(&l, "peer", key);
	field_u64(&l, "suppressed", n, true);
	line_end(&l);
}

void events_print_lost(const char *ifname, const char *what, uint64_t n, uint64_t real_ns)
{
	struct line l = line_begin(ifname, real_ns);

	field_u64(&l, what, n, true);
	line_end(&l);
}
