// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>

#include "quarantine_print.h"
#include "show_dump.h"
#include "ui_names.h"
#include "ui_text.h"

static void field(const char *s)
{
	putchar('\t');
	ui_print_text(stdout, s ?: "(none)");
}

static void number(uint64_t n)
{
	printf("\t%llu", (unsigned long long)n);
}

/* A count of WireGuard's own rejections, "off" where they are not visible. */
static void rejected(const struct iface_view *v, uint64_t n)
{
	if (v->rejected_visible)
		number(n);
	else
		field("off");
}

static void dump_iface(const struct iface_view *v)
{
	char buf[PREFIX_STRLEN];

	ui_print_text(stdout, v->name);
	field(hook_mech_name(v->pins.cfg.attachment.mech));
	field(hook_state_name(v->pins.hook));
	field(ui_mode(v->pins.cfg.mode));
	field(v->pins.cfg.policy[0] ? v->pins.cfg.policy : NULL);
	number(v->dev.unknown_packets);
	number(v->dev.unknown_bytes);
	field(ui_addr(&v->dev.last_unknown_src, buf));
	number(v->dev.malformed_packets);
	rejected(v, v->rejected_unknown_packets);
	putchar('\n');
}

static void allowed_ips(const struct peer_view *p)
{
	char buf[PREFIX_STRLEN];
	size_t i;

	putchar('\t');
	for (i = 0; i < p->n_allowedips; i++)
		printf("%s%s", i ? "," : "", prefix_format(&p->allowedips[i].prefix, buf));
	if (!p->n_allowedips)
		fputs("(none)", stdout);
}

/* Violations quarantined; the last quarantine: on while in force, off
 * once over, none where there was none; by (rule, hand, or none once
 * released); its start and end in seconds since the epoch, 0 where it has
 * none (until released, or released). Its rule is in the JSON only, as
 * the rest of the policy. */
static void quarantine(const struct peer_view *p)
{
	const struct wgsf_quarantine *q = &p->quarantine;
	bool ever = p->has_quarantine && q->since_ns;

	number(p->stats.violations[WGSF_REASON_QUARANTINED]);
	field(!ever ? NULL : quar_now_in_force(q) ? "on" : "off");
	field(ever ? quar_by_name(q) : NULL);
	number(ever ? ui_epoch(q->since_ns) : 0);
	number(ever ? quar_until_epoch(q) : 0);
}

static void dump_peer(const struct iface_view *v, const struct peer_view *p)
{
	static const struct wgsf_rejected none;
	const struct wgsf_peer_stats *s = &p->stats;
	const struct wgsf_rejected *r = p->rejected ?: &none;
	char key[WG_KEY_B64_LEN], buf[PREFIX_STRLEN];

	key_to_base64(key, p->public_key);
	fputs(key, stdout);
	allowed_ips(p);
	number(s->rx_packets);
	number(s->rx_bytes);
	number(ui_epoch(s->last_seen_ns));
	number(s->violation_packets);
	number(s->violation_bytes);
	number(s->violations[WGSF_REASON_SOURCE]);
	number(s->violations[WGSF_REASON_DESTINATION]);
	number(s->violations[WGSF_REASON_BLOCKED]);
	number(s->drop_packets);
	number(s->drop_bytes);
	number(ui_epoch(s->last_violation_ns));
	field(ui_addr(&s->last_violation_src, buf));
	field(ui_addr(&s->last_violation_dst, buf));
	field(s->last_violation_ns ? ui_reason_name(s->last_violation_reason) : NULL);
	field(p->policy.flags & WGSF_PEER_BLOCKED ? "on" : "off");
	rejected(v, r->packets);
	rejected(v, r->bytes);
	rejected(v, ui_epoch(r->last_ns));
	/* after what earlier versions printed: fields are only ever added at the end */
	number(s->violations[WGSF_REASON_SERVICE]);
	number(s->violations[WGSF_REASON_RATE]);
	number(s->rate_bytes);
	quarantine(p);
	putchar('\n');
}

void show_dump(const struct iface_view *v)
{
	size_t i;

	dump_iface(v);
	for (i = 0; i < v->n_peers; i++)
		dump_peer(v, &v->peers[i]);
}
