// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "policy_print.h"
#include "quarantine_print.h"
#include "ui_color.h"
#include "ui_names.h"

/* "PREFIX SERVICE..." as an Allow line writes them. */
#define RULE_STRLEN 512

/* Whether destination rule e goes in the list of services (else in that
 * of every protocol). */
static bool of_services(const struct table_entry *e, int d)
{
	return d == 1 && e->bits != WGSF_SET_ANY;
}

/* Rule e of list d as text: its prefix, and for a destination the
 * services its set admits there (none: every protocol). */
static const char *rule_format(const struct iface_view *v, const struct table_entry *e, int d,
			       char buf[RULE_STRLEN])
{
	char pfx[PREFIX_STRLEN], svc[RULE_STRLEN - PREFIX_STRLEN];
	const struct svc_entry *s;
	size_t n;

	prefix_format(&e->prefix, pfx);
	if (!of_services(e, d))
		return snprintf(buf, RULE_STRLEN, "%s", pfx), buf;
	s = view_services(v, e->bits, &n);
	svc_format(s, n, svc, sizeof(svc));
	snprintf(buf, RULE_STRLEN, "%s %s", pfx, svc);
	return buf;
}

/* The rules of list `which` (0 sources, 1 destinations of every protocol,
 * 2 destinations of some services); null stands for the default: sources,
 * the allowed IPs; destinations, any. */
static void json_rules(struct json *j, const char *name, const struct iface_view *v,
		       const struct peer_view *p, int which, uint32_t flag)
{
	int d = which ? 1 : 0;
	char buf[RULE_STRLEN];
	size_t i;

	if (!(p->policy.flags & flag))
		return json_string(j, name, NULL);
	json_array_begin(j, name);
	for (i = 0; i < p->n_rules[d]; i++)
		if (of_services(&p->rules[d][i], d) == (which == 2))
			json_string(j, NULL, rule_format(v, &p->rules[d][i], d, buf));
	json_array_end(j);
}

/* A number, or null where its kind is not limited (rate 0). */
static void json_limit(struct json *j, const char *name, uint64_t rate, uint64_t value)
{
	if (rate)
		json_u64(j, name, value);
	else
		json_string(j, name, NULL);
}

static void json_rate(struct json *j, const struct wgsf_rate_limit *r)
{
	if (!r->bits_per_sec && !r->packets_per_sec)
		return json_string(j, "rate_limit", NULL);
	json_object_begin(j, "rate_limit");
	json_limit(j, "bits_per_second", r->bits_per_sec, r->bits_per_sec);
	json_limit(j, "burst_bytes", r->bits_per_sec, r->burst_bytes);
	json_limit(j, "packets_per_second", r->packets_per_sec, r->packets_per_sec);
	json_limit(j, "burst_packets", r->packets_per_sec, r->burst_packets);
	json_object_end(j);
}

void policy_json(struct json *j, const struct iface_view *v, const struct peer_view *p)
{
	json_object_begin(j, "policy");
	json_bool(j, "blocked", p->policy.flags & WGSF_PEER_BLOCKED);
	json_rules(j, "allowed_sources", v, p, 0, WGSF_PEER_SRC_POLICY);
	json_rules(j, "allowed_destinations", v, p, 1, WGSF_PEER_DST_POLICY);
	json_rules(j, "allow", v, p, 2, WGSF_PEER_DST_POLICY);
	json_rate(j, &p->rate);
	quar_rule_json(j, p);
	json_object_end(j);
}

static void rules(const char *indent, const char *name, const struct iface_view *v,
		  const struct peer_view *p, int which)
{
	int d = which ? 1 : 0, n = 0;
	char buf[RULE_STRLEN];
	size_t i;

	ui_label(indent, name);
	for (i = 0; i < p->n_rules[d]; i++)
		if (of_services(&p->rules[d][i], d) == (which == 2))
			printf("%s%s", n++ ? which == 2 ? "; " : ", " : "",
			       rule_format(v, &p->rules[d][i], d, buf));
	printf("%s\n", n ? "" : "(none)");
}

/* "rate limit: 20 Mbit/s, burst 250000 bytes; 2000 packets/s, burst 200
 * packets", where it has one */
static void rate(const char *indent, const struct wgsf_rate_limit *r)
{
	char buf[32];

	if (!r->bits_per_sec && !r->packets_per_sec)
		return;
	ui_label(indent, "rate limit");
	if (r->bits_per_sec)
		printf("%s, burst %llu bytes%s", ui_bit_rate(r->bits_per_sec, buf),
		       (unsigned long long)r->burst_bytes, r->packets_per_sec ? "; " : "");
	if (r->packets_per_sec)
		printf("%llu packets/s, burst %llu packet%s", (unsigned long long)r->packets_per_sec,
		       (unsigned long long)r->burst_packets, r->burst_packets == 1 ? "" : "s");
	printf("\n");
}

void policy_print(const struct iface_view *v, const struct peer_view *p, const char *indent)
{
	size_t i, services = 0;

	if (p->policy.flags & WGSF_PEER_SRC_POLICY)
		rules(indent, "allowed sources", v, p, 0);
	if (p->policy.flags & WGSF_PEER_DST_POLICY) {
		for (i = 0; i < p->n_rules[1]; i++)
			services += of_services(&p->rules[1][i], 1);
		/* a peer with Allow rules alone has no every-protocol line to show */
		if (services < p->n_rules[1] || !services)
			rules(indent, "allowed destinations", v, p, 1);
		if (services)
			rules(indent, "allow", v, p, 2);
	}
	rate(indent, &p->rate);
}
