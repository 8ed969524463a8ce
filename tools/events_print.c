// SPDX-License-Identifier: GPL-2.0-only
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <netinet/in.h>

#include "device/prefix.h"
#include "events_print.h"
#include "json.h"
#include "tables/services.h"
#include "ui_error.h"
#include "ui_names.h"

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

static struct line line_begin(const char *ifname, uint64_t real_ns)
{
	struct line l = { .j = { .f = stdout } };
	char t[TIME_LEN];

	if (ui_json)
		json_object_begin(&l.j, NULL);
	field(&l, "time", time_format(real_ns, t));
	field(&l, "interface", ifname);
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

void events_print_event(const char *ifname, const char *key, const struct wgsf_event *e,
			int64_t mono_to_real)
{
	struct line l = line_begin(ifname, e->time_ns + mono_to_real);
	/* a fragment, a header cut short: no ports, no type */
	bool whole = !e->l4_flags;
	bool icmp = whole && (e->proto == IPPROTO_ICMP || e->proto == IPPROTO_ICMPV6);
	bool ports = whole && (e->proto == IPPROTO_TCP || e->proto == IPPROTO_UDP ||
			       e->proto == IPPROTO_SCTP);
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

void events_print_lost(const char *ifname, uint64_t n, uint64_t real_ns)
{
	struct line l = line_begin(ifname, real_ns);

	field_u64(&l, "lost", n, true);
	line_end(&l);
}
