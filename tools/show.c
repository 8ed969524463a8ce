// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sort.h"
#include "attach/iface.h"
#include "attach/orphans.h"
#include "ifname.h"
#include "subcommands.h"
#include "policy_print.h"
#include "quarantine_print.h"
#include "show_dump.h"
#include "ui_color.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_opts.h"
#include "ui_privilege.h"
#include "ui_text.h"
#include "attach/view.h"
#include "tables/flowrec.h"

const char show_usage[] = "[IFACE [dump]] [--json]";

/* As `wg show` orders peers: the most recently heard from first. */
static int recent_first(const void *a, const void *b)
{
	const struct peer_view *x = a, *y = b;

	if (x->stats.last_seen_ns != y->stats.last_seen_ns)
		return x->stats.last_seen_ns > y->stats.last_seen_ns ? -1 : 1;
	return memcmp(x->public_key, y->public_key, WG_KEY_LEN);
}

/* null where WireGuard's rejections are not visible: unknown, not zero */
static void json_rejected(struct json *j, const struct iface_view *v, const struct peer_view *p)
{
	static const struct wgsf_rejected none;
	const struct wgsf_rejected *r = p->rejected ?: &none;
	char b1[PREFIX_STRLEN], b2[PREFIX_STRLEN], key[WG_KEY_B64_LEN];
	static const char *const fields[] = { "rejected_packets", "rejected_bytes",
					       "last_rejected_source", "last_rejected_destination",
					       "last_rejected", "last_rejected_owner" };
	size_t i;

	if (!v->rejected_visible) {
		for (i = 0; i < sizeof(fields) / sizeof(*fields); i++)
			json_string(j, fields[i], NULL);
		return;
	}
	if (r->last_has_owner)
		key_to_base64(key, r->last_owner);
	json_u64(j, fields[0], r->packets);
	json_u64(j, fields[1], r->bytes);
	json_string(j, fields[2], ui_addr(&r->last_src, b1));
	json_string(j, fields[3], ui_addr(&r->last_dst, b2));
	json_u64(j, fields[4], ui_epoch(r->last_ns));
	json_string(j, fields[5], r->last_has_owner ? key : NULL);
}

/* The last violation's protocol (a name, or its number), destination port
 * and ICMP type, each null where there is none. */
static void json_last_l4(struct json *j, const struct wgsf_peer_stats *s)
{
	const char *name = svc_proto_name(s->last_violation_proto);
	unsigned int value;
	int what = s->last_violation_ns ? ui_last_l4(s, &value) : UI_L4_NONE;

	if (!s->last_violation_ns || name)
		json_string(j, "last_violation_protocol", s->last_violation_ns ? name : NULL);
	else
		json_u64(j, "last_violation_protocol", s->last_violation_proto);
	if (what == UI_L4_PORT)
		json_u64(j, "last_violation_destination_port", value);
	else
		json_string(j, "last_violation_destination_port", NULL);
	if (what == UI_L4_TYPE)
		json_u64(j, "last_violation_icmp_type", value);
	else
		json_string(j, "last_violation_icmp_type", NULL);
}

static void json_peer(struct json *j, const struct iface_view *v, const struct peer_view *p)
{
	const struct wgsf_peer_stats *s = &p->stats;
	char key[WG_KEY_B64_LEN], buf[PREFIX_STRLEN];
	size_t i;

	json_object_begin(j, NULL);
	key_to_base64(key, p->public_key);
	json_string(j, "public_key", key);
	json_u64(j, "slot", p->slot);
	json_array_begin(j, "allowed_ips");
	for (i = 0; i < p->n_allowedips; i++)
		json_string(j, NULL, prefix_format(&p->allowedips[i].prefix, buf));
	json_array_end(j);
	json_u64(j, "rx_packets", s->rx_packets);
	json_u64(j, "rx_bytes", s->rx_bytes);
	json_u64(j, "last_seen", ui_epoch(s->last_seen_ns));
	json_u64(j, "violation_packets", s->violation_packets);
	json_u64(j, "violation_bytes", s->violation_bytes);
	json_object_begin(j, "violations_by_reason");
	for (i = 0; i < WGSF_REASON_COUNT; i++)
		json_u64(j, ui_reason_name(i), s->violations[i]);
	json_object_end(j);
	json_u64(j, "rate_bytes", s->rate_bytes);
	json_u64(j, "drop_packets", s->drop_packets);
	json_u64(j, "drop_bytes", s->drop_bytes);
	json_u64(j, "reply_packets", s->reply_packets);
	json_string(j, "last_violation_source", ui_addr(&s->last_violation_src, buf));
	json_string(j, "last_violation_destination", ui_addr(&s->last_violation_dst, buf));
	json_string(j, "last_violation_reason",
		    s->last_violation_ns ? ui_reason_name(s->last_violation_reason) : NULL);
	json_last_l4(j, s);
	json_u64(j, "last_violation", ui_epoch(s->last_violation_ns));
	json_bool(j, "blocked", p->policy.flags & WGSF_PEER_BLOCKED);
	json_rejected(j, v, p);
	quar_json(j, p);
	policy_json(j, v, p);
	json_object_end(j);
}

static void json_iface(struct json *j, const struct iface_view *v)
{
	uint32_t flows = flowrec_table_size(&v->pins.maps);
	char buf[PREFIX_STRLEN];
	size_t i;

	json_object_begin(j, NULL);
	json_string(j, "name", v->name);
	json_string(j, "hook", "tc");
	json_string(j, "mechanism", hook_mech_name(v->pins.cfg.attachment.mech));
	json_string(j, "hook_state", hook_state_name(v->pins.hook));
	json_bool(j, "unfinished", v->pins.cfg.unfinished);
	json_string(j, "mode", ui_mode(v->pins.cfg.mode));
	json_string(j, "policy_file", v->pins.cfg.policy[0] ? v->pins.cfg.policy : NULL);
	json_u64(j, "unknown_packets", v->dev.unknown_packets);
	json_u64(j, "unknown_bytes", v->dev.unknown_bytes);
	json_string(j, "last_unknown_source", ui_addr(&v->dev.last_unknown_src, buf));
	json_u64(j, "malformed_packets", v->dev.malformed_packets);
	json_u64(j, "flows_created", v->dev.flows_created);
	if (flows)
		json_u64(j, "flow_table", flows);
	else
		json_string(j, "flow_table", NULL);
	json_u64(j, "flow_records_evicted", v->dev.flowrec_evicted);
	json_bool(j, "rejected_visible", v->rejected_visible);
	if (v->rejected_visible)
		json_u64(j, "rejected_unknown_packets", v->rejected_unknown_packets);
	else
		json_string(j, "rejected_unknown_packets", NULL);
	json_array_begin(j, "peers");
	for (i = 0; i < v->n_peers; i++)
		json_peer(j, v, &v->peers[i]);
	json_array_end(j);
	json_object_end(j);
}


/* "violations: 6 packets, 504 B (source 4, rate 2)": the reasons that
 * have any */
static void human_violations(const struct wgsf_peer_stats *s)
{
	char b1[32], b2[PREFIX_STRLEN], b3[PREFIX_STRLEN], b4[64], b5[32];
	const char *sep = " (";
	int r;

	ui_label("  ", "violations");
	printf("%s%llu packets, %s%s", ui_color(UI_YELLOW),
	       (unsigned long long)s->violation_packets, ui_bytes(s->violation_bytes, b1),
	       ui_color(UI_RESET));
	for (r = 0; r < WGSF_REASON_COUNT; r++)
		if (s->violations[r]) {
			printf("%s%s %llu", sep, ui_reason_name(r),
			       (unsigned long long)s->violations[r]);
			sep = ", ";
		}
	printf("%s\n", *sep == ',' ? ")" : "");
	if (s->violations[WGSF_REASON_RATE]) {
		ui_label("  ", "over the rate limit");
		printf("%llu packets, %s\n", (unsigned long long)s->violations[WGSF_REASON_RATE],
		       ui_bytes(s->rate_bytes, b1));
	}
	ui_label("  ", "dropped");
	printf("%s%llu packets, %s%s\n", ui_color(UI_RED), (unsigned long long)s->drop_packets,
	       ui_bytes(s->drop_bytes, b1), ui_color(UI_RESET));
	ui_label("  ", "last violation");
	printf("%s -> %s %s (%s), %s\n", ui_addr(&s->last_violation_src, b2),
	       ui_addr(&s->last_violation_dst, b3), ui_service(s, b5),
	       ui_reason_name(s->last_violation_reason), ui_ago(s->last_violation_ns, b4));
}

/* "rejected by WireGuard: 12 packets, 1008 B; last 10.1.0.5 -> 10.0.0.1
 * (belongs to peer KEY), 3 seconds ago" */
static void human_rejected(const struct wgsf_rejected *r)
{
	char b1[32], b2[PREFIX_STRLEN], b3[PREFIX_STRLEN], b4[64], key[WG_KEY_B64_LEN];

	ui_label("  ", "rejected by WireGuard");
	printf("%s%llu packets, %s%s; last %s -> %s (belongs to ", ui_color(UI_RED),
	       (unsigned long long)r->packets, ui_bytes(r->bytes, b1), ui_color(UI_RESET),
	       ui_addr(&r->last_src, b2), ui_addr(&r->last_dst, b3));
	if (r->last_has_owner) {
		key_to_base64(key, r->last_owner);
		printf("peer %s", key);
	} else {
		printf("no peer");
	}
	printf("), %s\n", ui_ago(r->last_ns, b4));
}

static void human_peer(const struct iface_view *v, const struct peer_view *p)
{
	char key[WG_KEY_B64_LEN], buf[PREFIX_STRLEN], b[64];
	size_t i;

	key_to_base64(key, p->public_key);
	printf("\n%s%speer%s: %s%s\n", ui_color(UI_BOLD), ui_color(UI_YELLOW), ui_color(UI_RESET), key,
	       p->policy.flags & WGSF_PEER_BLOCKED			     ? " (blocked)"
	       : p->has_quarantine && quar_now_in_force(&p->quarantine) ? " (quarantined)"
									 : "");
	ui_label("  ", "allowed ips");
	for (i = 0; i < p->n_allowedips; i++)
		printf("%s%s", i ? ", " : "", prefix_format(&p->allowedips[i].prefix, buf));
	printf("%s\n", p->n_allowedips ? "" : "(none)");
	policy_print(v, p, "  ");
	quar_print(p, "  ");
	ui_label("  ", "received");
	printf("%llu packets, %s\n", (unsigned long long)p->stats.rx_packets,
	       ui_bytes(p->stats.rx_bytes, b));
	ui_label("  ", "last seen");
	printf("%s\n", ui_ago(p->stats.last_seen_ns, b));
	if (p->stats.reply_packets) {
		ui_label("  ", "replies");
		printf("%llu packets (answers to flows opened toward the peer, which its "
		       "destination rules do not judge)\n", (unsigned long long)p->stats.reply_packets);
	}
	if (p->stats.violation_packets)
		human_violations(&p->stats);
	if (p->rejected && p->rejected->packets)
		human_rejected(p->rejected);
}

/* The hook as the pins record it, and how it stands on the interface. */
static void human_hook(const struct iface_view *v, const char *name)
{
	char buf[32];

	switch (v->pins.hook) {
	case HOOK_LIVE:
		printf("%s\n", ui_hook(&v->pins.cfg.attachment, buf));
		return;
	case HOOK_STALE:
		printf("%s, running an older program (an update was interrupted); run 'wgsf sync "
		       "%s'\n", ui_hook(&v->pins.cfg.attachment, buf), name);
		return;
	case HOOK_RECREATED:
		printf("none: not attached to the current %s (re-created); run 'wgsf sync %s'\n",
		       name, name);
		return;
	case HOOK_GONE:
		printf("none: no interface %s now; 'wgsf sync %s' attaches again once there is\n",
		       name, name);
		return;
	case HOOK_NONE:
		printf("none: nothing of wgsf's runs on %s (removed from outside, or an attach "
		       "was interrupted); run 'wgsf sync %s'\n", name, name);
		return;
	case HOOK_UNKNOWN:
		printf("%s, as recorded; not verified: reading %s's programs takes CAP_SYS_ADMIN\n",
		       ui_hook(&v->pins.cfg.attachment, buf), name);
		return;
	case HOOK_INGRESS_ONLY:
		printf("%s on the ingress only: nothing of wgsf's runs on the egress (removed from "
		       "outside, or an attach was interrupted), where it records the flows that "
		       "replies answer: replies are judged as any packet; run 'wgsf sync %s'\n",
		       ui_hook(&v->pins.cfg.attachment, buf), name);
		return;
	case HOOK_EGRESS_ONLY:
		printf("none: only the egress program runs on %s, nothing of wgsf's on the ingress "
		       "(removed from outside, or an attach was interrupted); run 'wgsf sync %s'\n",
		       name, name);
		return;
	}
}

static void human_iface(const struct iface_view *v)
{
	uint32_t flows = flowrec_table_size(&v->pins.maps);
	char buf[PREFIX_STRLEN], name[UI_IFNAME_LEN];
	size_t i;

	ui_text(v->name, name, sizeof(name));
	printf("%s%sinterface%s: %s%s%s\n", ui_color(UI_BOLD), ui_color(UI_GREEN), ui_color(UI_RESET),
	       ui_color(UI_GREEN), name, ui_color(UI_RESET));
	ui_label("  ", "hook");
	human_hook(v, name);
	ui_label("  ", "mode");
	printf("%s%s\n", ui_mode(v->pins.cfg.mode), v->pins.hook == HOOK_UNKNOWN ? " (not verified)"
						 : hook_judges(v->pins.hook) ? "" : " (not in force)");
	if (v->pins.cfg.policy[0]) {
		ui_label("  ", "policy");
		printf("%s\n", v->pins.cfg.policy);
	}
	ui_label("  ", "unknown sources");
	printf("%llu packets", (unsigned long long)v->dev.unknown_packets);
	if (v->dev.unknown_packets)
		printf(", last from %s (tables stale? run 'wgsf sync %s')",
		       ui_addr(&v->dev.last_unknown_src, buf), name);
	printf("\n");
	ui_label("  ", "malformed");
	printf("%llu packets\n", (unsigned long long)v->dev.malformed_packets);
	if (flows) {
		ui_label("  ", "flow records");
		printf("on, %u flows at most, %llu evicted ('wgsf flows %s')\n", flows,
		       (unsigned long long)v->dev.flowrec_evicted, name);
	}
	if (!v->rejected_visible) {
		ui_label("  ", "rejected by WireGuard");
		printf("not visible (%s)\n", v->rejected_why);
	} else if (v->rejected_unknown_packets) {
		ui_label("  ", "rejected by WireGuard");
		printf("%llu packets from senders not in wgsf's tables (run 'wgsf sync %s')\n",
		       (unsigned long long)v->rejected_unknown_packets, name);
	}
	if (v->pins.cfg.unfinished) {
		ui_label("  ", "note");
		printf("a command on %s was interrupted midway; 'wgsf sync %s' completes it\n",
		       name, name);
	}
	for (i = 0; i < v->n_peers; i++)
		human_peer(v, &v->peers[i]);
}

/* Pins of deleted namespaces, which no other command would ever show;
 * said only when wgsf can tell. */
static void print_orphans(struct json *j, bool blank_line)
{
	struct orphans o;
	int err = orphans_find(&o);
	char b[32];

	if (!err && j)
		json_u64(j, "orphaned_namespaces", o.n_orphaned);
	else if (!err && o.n_orphaned)
		printf("%snote: %zu deleted network namespace%s left wgsf pins (%s); 'wgsf orphans "
		       "--remove' removes them\n", blank_line ? "\n" : "", o.n_orphaned,
		       o.n_orphaned == 1 ? "" : "s", ui_bytes(o.memlock, b));
	orphans_free(&o);
}

static void print(struct iface_view *views, size_t n, bool dump)
{
	struct json j = { .f = stdout };
	size_t i;

	if (ui_json) {
		json_object_begin(&j, NULL);
		json_array_begin(&j, "interfaces");
	}
	for (i = 0; i < n; i++) {
		sort_array(views[i].peers, views[i].n_peers, sizeof(*views[i].peers), recent_first);
		if (ui_json) {
			json_iface(&j, &views[i]);
			continue;
		}
		if (dump) {
			show_dump(&views[i]);
			continue;
		}
		printf("%s", i ? "\n" : "");
		human_iface(&views[i]);
	}
	if (dump)
		return;
	if (ui_json)
		json_array_end(&j);
	print_orphans(ui_json ? &j : NULL, n);
	if (ui_json)
		json_object_end(&j);
}

/* IFACE, and after it the word dump; 0 or the exit status. */
static int parse(int argc, const char *argv[], const char *pos[2])
{
	const struct ui_command c = { "show", show_usage, NULL, 0, 0, 2, UI_NEEDS_BPF };
	int err = ui_parse(&c, argc, argv, pos) ?: (pos[0] ? ui_check_ifname(pos[0]) : 0);

	if (err)
		return err;
	if (pos[1] && strcmp(pos[1], "dump"))
		return ui_usage_error("Unexpected argument: '%s' (usage: %s show %s)", pos[1],
				      PROG_NAME, show_usage);
	if (pos[1] && ui_json)
		return ui_usage_error("dump and --json exclude each other (usage: %s show %s)",
				      PROG_NAME, show_usage);
	return ui_need_privileges(c.name, c.needs);
}

int show_main(int argc, const char *argv[])
{
	const char *pos[2];
	struct iface_view *views;
	char failed[IFNAMSIZ];
	size_t n;
	int err = parse(argc, argv, pos);

	if (err)
		return err;
	err = view_read_all(pos[0], true, &views, &n, failed);
	if (err && !failed[0])
		return ui_error("Unable to list attached interfaces: %s", ui_reason(err));
	if (err)
		return ui_fail(ui_status(err, true), "Unable to show %s: %s", failed,
			       ui_reason(err));
	print(views, n, pos[1]);
	view_free_all(views, n);
	return 0;
}
