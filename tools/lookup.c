// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "attach/iface.h"
#include "subcommands.h"
#include "policy_print.h"
#include "quarantine_print.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_opts.h"
#include "attach/view.h"
#include "policy/service.h"
#include "tables/policy_text.h"
#include "tables/verdict.h"

const char lookup_usage[] = "IFACE SOURCE [DESTINATION [SERVICE]] [--json]";

struct answer {
	const char *source, *destination; /* as given; destination may be NULL */
	const struct peer_view *peer;
	/* the peer whose last packet that WireGuard rejected came from the
	 * address, if any: the tracer keeps each sender's last one */
	const struct tracer_peer *rejected;
	const struct table_entry *entry;
	const char *verdict; /* pass, violation, unknown */
	const char *reason;  /* why a violation */
	const char *action;  /* what the datapath does: pass, count, drop */
	bool per_destination; /* its allowed destinations decide, none given */
	const char *service;  /* as given, or NULL */
	bool per_service;     /* its destination's services decide, none given */
	char rule[WGSF_POLICY_PATH_MAX + 16]; /* FILE:LINE of the rule that admitted it, or "" */
	char rule_text[PREFIX_STRLEN + SERVICE_STRLEN];
};

/* The packet lookup asks about: its upper layer, where a service is given. */
struct query {
	struct prefix src, dst;
	bool has_dst, has_l4;
	struct verdict_l4 l4;
	int proto, value; /* as service_lookup() gives them; -1, -1 when none given */
};

/* What the datapath decides for a packet from src to dst (NULL: any), by
 * its own decision over its own tables (include/wgsf_verdict.h). */
static int decide(const struct iface_view *v, const struct query *q, struct answer *a)
{
	/* nothing attached runs on the interface: everything passes; where
	 * that could not be read, the answer is for what the pins record */
	bool runs = hook_judges(v->pins.hook) || v->pins.hook == HOOK_UNKNOWN;
	struct wgsf_verdict d;
	int err = verdict_decide(&v->pins.maps, &q->src, q->has_dst ? &q->dst : NULL,
				 q->has_l4 ? &q->l4 : NULL, &d) ?:
		  verdict_quarantine(&v->pins.maps, &d);

	if (err)
		return err;
	a->verdict = d.found ? "pass" : "unknown";
	a->action = "pass";
	if (!d.found)
		return 0;
	a->peer = view_peer(v, d.entry & WGSF_ENTRY_SLOT, &q->src, &a->entry);
	a->per_destination = d.dst_unasked;
	a->per_service = d.svc_unasked;
	if (d.reason < 0)
		return 0;
	a->reason = ui_reason_name(d.reason);
	a->verdict = "violation";
	a->action = !runs ? "pass" : d.drop ? "drop" : "count";
	return 0;
}

static bool same_addr(const struct wgsf_addr *a, const struct prefix *p)
{
	return a->version == (p->family == AF_INET ? 4 : 6) &&
	       !memcmp(a->addr, p->addr, p->family == AF_INET ? 4 : 16);
}

/* The newest rejected packet from addr, of any sender. */
static const struct tracer_peer *rejected_from(const struct iface_view *v, const struct prefix *addr)
{
	const struct tracer_peer *best = NULL;
	size_t i;

	for (i = 0; i < v->rejected.n_peers; i++)
		if (same_addr(&v->rejected.peers[i].rejected.last_src, addr) &&
		    (!best || v->rejected.peers[i].rejected.last_ns > best->rejected.last_ns))
			best = &v->rejected.peers[i];
	return best;
}

static void json_rejected(struct json *j, const struct iface_view *v, const struct answer *a)
{
	char key[WG_KEY_B64_LEN];

	if (!v->rejected_visible) {
		json_string(j, "rejected_seen", NULL);
		json_string(j, "rejected_sender", NULL);
		return;
	}
	json_bool(j, "rejected_seen", a->rejected);
	if (a->rejected)
		key_to_base64(key, a->rejected->public_key);
	json_string(j, "rejected_sender", a->rejected ? key : NULL);
}

static void human_rejected(const struct iface_view *v, const char *address, const struct answer *a)
{
	char key[WG_KEY_B64_LEN], b[64];

	printf("rejected by WireGuard: ");
	if (!v->rejected_visible) {
		printf("not visible (%s)\n", v->rejected_why);
		return;
	}
	if (!a->rejected) {
		printf("no sender's last rejected packet came from %s\n", address);
		return;
	}
	key_to_base64(key, a->rejected->public_key);
	printf("peer %s sent from %s, %s\n", key, address, ui_ago(a->rejected->rejected.last_ns, b));
}

/* Whether a packet that passes its rules is metered against the peer's
 * rate limit: the bucket is the datapath's alone, so lookup cannot say
 * whether it is over. A packet that breaks a rule uses none of it. */
static bool metered(const struct answer *a)
{
	return a->peer && !a->reason && (a->peer->rate.bits_per_sec || a->peer->rate.packets_per_sec);
}

/* Whether the destination rules found the violation. */
static bool by_rules(const struct answer *a)
{
	return a->reason && (!strcmp(a->reason, ui_reason_name(WGSF_REASON_DESTINATION)) ||
			     !strcmp(a->reason, ui_reason_name(WGSF_REASON_SERVICE)));
}

static void print_json(const struct iface_view *v, const struct answer *a)
{
	char key[WG_KEY_B64_LEN], buf[PREFIX_STRLEN];
	struct json j = { .f = stdout };

	if (a->peer)
		key_to_base64(key, a->peer->public_key);
	json_object_begin(&j, NULL);
	json_string(&j, "interface", v->name);
	json_string(&j, "address", a->source);
	json_string(&j, "destination", a->destination);
	json_string(&j, "peer", a->peer ? key : NULL);
	json_string(&j, "allowed_ip", a->entry ? prefix_format(&a->entry->prefix, buf) : NULL);
	json_string(&j, "verdict", a->verdict);
	json_string(&j, "reason", a->reason);
	json_string(&j, "action", a->action);
	json_bool(&j, "depends_on_destination", a->per_destination);
	json_string(&j, "service", a->service);
	json_bool(&j, "depends_on_service", a->per_service);
	json_string(&j, "rule", a->rule[0] ? a->rule : NULL);
	/* the flow table is the datapath's alone: what a reply would do */
	json_bool(&j, "replies_pass", by_rules(a));
	json_bool(&j, "metered", metered(a));
	if (a->peer) {
		policy_json(&j, v, a->peer);
		quar_json(&j, a->peer);
	}
	json_string(&j, "mode", ui_mode(v->pins.cfg.mode));
	json_string(&j, "hook_state", hook_state_name(v->pins.hook));
	json_rejected(&j, v, a);
	json_object_end(&j);
}

static void print_violation(const struct iface_view *v, const struct answer *a)
{
	if (!strcmp(a->action, "pass"))
		printf("verdict: violation (%s): passed, since nothing wgsf attached runs on the "
		       "current %s (%s mode when it does); run 'wgsf sync %s'\n", a->reason,
		       v->name, ui_mode(v->pins.cfg.mode), v->name);
	else
		printf("verdict: violation (%s): %s in %s mode\n", a->reason,
		       !strcmp(a->action, "drop") ? "dropped" : "counted and passed",
		       ui_mode(v->pins.cfg.mode));
}

static void print_human(const struct iface_view *v, const struct answer *a)
{
	char key[WG_KEY_B64_LEN], buf[PREFIX_STRLEN];

	printf("address: %s\n", a->source);
	if (a->destination)
		printf("destination: %s\n", a->destination);
	if (a->service)
		printf("service: %s\n", a->service);
	if (!a->peer) {
		/* WireGuard itself drops such sources: any wgsf sees mean stale tables */
		printf("peer: (none)\nverdict: unknown (no allowed IP of %s holds it; if wgsf "
		       "counts any, run 'wgsf sync %s')\n", v->name, v->name);
		human_rejected(v, a->source, a);
		return;
	}
	key_to_base64(key, a->peer->public_key);
	printf("peer: %s\nallowed ip: %s\n", key, a->entry ? prefix_format(&a->entry->prefix, buf) : "?");
	if (a->reason) {
		print_violation(v, a);
		/* the flow table is the datapath's alone */
		if (by_rules(a))
			printf("replies: not judged here; a packet that answers a flow opened "
			       "toward the peer from the gateway's side passes (wgsf.policy(5), "
			       "Replies)\n");
	} else if (a->per_destination)
		printf("verdict: pass from this source; its allowed destinations decide by "
		       "destination ('wgsf lookup %s %s DESTINATION')\n", v->name, a->source);
	else if (a->per_service)
		printf("verdict: its destination rules admit some services to %s; they decide "
		       "('wgsf lookup %s %s %s SERVICE')\n", a->destination, v->name, a->source,
		       a->destination);
	else
		printf("verdict: pass\n");
	if (a->rule[0])
		printf("rule: %s (%s)\n", a->rule, a->rule_text);
	else if (by_rules(a))
		printf("rule: none matched\n");
	policy_print(v, a->peer, "");
	quar_print(a->peer, "");
	if (metered(a))
		printf("metered: against its rate limit, which lookup does not judge: over it, the "
		       "packet is a violation (rate)\n");
	human_rejected(v, a->source, a);
}

/* The source, and the destination and service when given, of one family. */
static int parse_query(const char *const pos[4], struct query *q)
{
	char why[SERVICE_WHY_LEN];
	uint8_t proto;

	*q = (struct query){ .has_dst = pos[2], .proto = -1, .value = -1 };
	if (addr_parse(pos[1], &q->src))
		return ui_usage_error("Invalid address: '%s'", pos[1]);
	if (pos[2] && addr_parse(pos[2], &q->dst))
		return ui_usage_error("Invalid destination: '%s'", pos[2]);
	if (pos[2] && q->dst.family != q->src.family)
		return ui_usage_error("Invalid destination: '%s' is not of the source's family",
				      pos[2]);
	if (!pos[3])
		return 0;
	if (service_lookup(pos[3], q->src.family, &proto, &q->value, why))
		return ui_usage_error("Invalid service: %s", why);
	q->proto = proto;
	q->has_l4 = true;
	q->l4 = (struct verdict_l4){ .proto = proto, .dport = q->value < 0 ? 0 : q->value };
	if (proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6)
		return 0;
	if (q->value < 0)
		return ui_usage_error("Invalid service: '%s' names no ICMP type (as %s/echo-request)",
				      pos[3], pos[3]);
	q->l4.dport = q->value << 8; /* any code */
	return 0;
}

/* The rule of the policy in force that admitted the packet, by file and
 * line: where the tables admitted it, found again in the text they were
 * made from. None where no text is in force, or it no longer says so. */
static void name_rule(const struct iface_view *v, const struct query *q, struct answer *a)
{
	char err[POLICY_ERR_LEN], svc[SERVICE_STRLEN], pfx[PREFIX_STRLEN];
	struct policy pol = {};
	struct peer_rules pr;
	const struct rule *r;
	bool held;

	if (!a->peer || a->reason || a->per_service || a->per_destination || !q->has_dst ||
	    !(a->peer->policy.flags & WGSF_PEER_DST_POLICY) ||
	    policy_text_policy(v->pins.maps.fd[MAP_POLICY_TEXT], &v->pins.cfg, &pol, err))
		return;
	if (!policy_peer_rules(&pol, a->peer->public_key, &pr)) {
		r = rule_admitting(&pr.rules, &q->dst, q->proto, q->value, &held);
		if (r) {
			snprintf(a->rule, sizeof(a->rule), "%s:%u", v->pins.cfg.policy, r->line);
			snprintf(a->rule_text, sizeof(a->rule_text), "%s %s",
				 prefix_format(&r->dst, pfx), service_format(r, svc));
		}
		peer_rules_free(&pr);
	}
	policy_free(&pol);
}

int lookup_main(int argc, const char *argv[])
{
	const struct ui_command c = { "lookup", lookup_usage, NULL, 0, 2, 4, UI_NEEDS_BPF };
	const char *pos[4] = {};
	struct answer a = {};
	struct iface_view v;
	struct query q;
	int err;

	err = ui_iface_command(&c, argc, argv, pos) ?: parse_query(pos, &q) ?:
	      ui_need_privileges(c.name, c.needs);
	if (err)
		return err;
	err = view_read(pos[0], &v);
	if (err)
		return ui_fail(ui_status(err, true), "Unable to look up in %s: %s", pos[0],
			       ui_reason(err));
	a.source = pos[1];
	a.destination = pos[2];
	a.service = pos[3];
	err = decide(&v, &q, &a);
	if (err) {
		view_free(&v);
		return ui_error("Unable to look up in %s: %s", pos[0], ui_reason(err));
	}
	name_rule(&v, &q, &a);
	a.rejected = rejected_from(&v, &q.src);
	if (ui_json)
		print_json(&v, &a);
	else
		print_human(&v, &a);
	view_free(&v);
	return 0;
}
