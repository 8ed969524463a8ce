// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "attach/iface.h"
#include "subcommands.h"
#include "policy_print.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_opts.h"
#include "attach/view.h"
#include "tables/verdict.h"

const char lookup_usage[] = "IFACE SOURCE [DESTINATION] [--json]";

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
};

/* What the datapath decides for a packet from src to dst (NULL: any), by
 * its own decision over its own tables (include/wgsf_verdict.h). */
static int decide(const struct iface_view *v, const struct prefix *src, const struct prefix *dst,
		  struct answer *a)
{
	/* nothing attached runs on the interface: everything passes; where
	 * that could not be read, the answer is for what the pins record */
	bool runs = hook_judges(v->pins.hook) || v->pins.hook == HOOK_UNKNOWN;
	struct wgsf_verdict d;
	int err = verdict_decide(&v->pins.maps, src, dst, &d);

	if (err)
		return err;
	a->verdict = d.found ? "pass" : "unknown";
	a->action = "pass";
	if (!d.found)
		return 0;
	a->peer = view_peer(v, d.entry & WGSF_ENTRY_SLOT, src, &a->entry);
	a->per_destination = d.dst_unasked;
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
	if (a->peer)
		policy_json(&j, a->peer);
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
		if (!strcmp(a->reason, ui_reason_name(WGSF_REASON_DESTINATION)))
			printf("replies: not judged here; a packet that answers a flow opened "
			       "toward the peer from the gateway's side passes (wgsf.policy(5), "
			       "Replies)\n");
	} else if (a->per_destination)
		printf("verdict: pass from this source; its allowed destinations decide by "
		       "destination ('wgsf lookup %s %s DESTINATION')\n", v->name, a->source);
	else
		printf("verdict: pass\n");
	policy_print(a->peer, "");
	human_rejected(v, a->source, a);
}

/* The source, and the destination when given, of one family. */
static int parse_addresses(const char *const pos[3], struct prefix *src, struct prefix *dst)
{
	if (addr_parse(pos[1], src))
		return ui_usage_error("Invalid address: '%s'", pos[1]);
	if (pos[2] && addr_parse(pos[2], dst))
		return ui_usage_error("Invalid destination: '%s'", pos[2]);
	if (pos[2] && dst->family != src->family)
		return ui_usage_error("Invalid destination: '%s' is not of the source's family",
				      pos[2]);
	return 0;
}

int lookup_main(int argc, const char *argv[])
{
	const struct ui_command c = { "lookup", lookup_usage, NULL, 0, 2, 3, UI_NEEDS_BPF };
	const char *pos[3] = {};
	struct answer a = {};
	struct prefix src, dst;
	struct iface_view v;
	int err;

	err = ui_iface_command(&c, argc, argv, pos) ?: parse_addresses(pos, &src, &dst);
	if (err)
		return err;
	err = view_read(pos[0], &v);
	if (err)
		return ui_fail(ui_status(err, true), "Unable to look up in %s: %s", pos[0],
			       ui_reason(err));
	a.source = pos[1];
	a.destination = pos[2];
	err = decide(&v, &src, pos[2] ? &dst : NULL, &a);
	if (err) {
		view_free(&v);
		return ui_error("Unable to look up in %s: %s", pos[0], ui_reason(err));
	}
	a.rejected = rejected_from(&v, &src);
	if (ui_json)
		print_json(&v, &a);
	else
		print_human(&v, &a);
	view_free(&v);
	return 0;
}
