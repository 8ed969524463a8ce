// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "check/route.h"
#include "policy/service.h"
#include "check_kinds.h"
#include "ui_names.h"
#include "ui_text.h"

/* How many of a list a message names before "and N more". */
#define LIST_MAX 3

static void key(FILE *m, const uint8_t *k)
{
	char b[WG_KEY_B64_LEN];

	key_to_base64(b, k);
	fputs(b, m);
}

static void prefix(FILE *m, const struct prefix *p)
{
	char b[PREFIX_STRLEN];

	fputs(prefix_format(p, b), m);
}

static void peer(FILE *m, const uint8_t *k)
{
	fputs("peer ", m);
	key(m, k);
}

static void more(FILE *m, size_t n)
{
	if (n > LIST_MAX)
		fprintf(m, " and %zu more", n - LIST_MAX);
}

static void lines(FILE *m, const struct check_item *items, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < LIST_MAX; i++)
		fprintf(m, "%s%u", i ? ", " : "", items[i].line);
	more(m, n);
}

static void keys(FILE *m, const uint8_t *const *k, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < LIST_MAX; i++) {
		fputs(i ? ", " : "", m);
		key(m, k[i]);
	}
	more(m, n);
}

/* The finding in one line, by kind. */
static void duplicate(const struct words *w)
{
	const struct finding *f = w->f;

	prefix(w->m, &f->prefix);
	fprintf(w->m, " is listed for %zu peers (lines ", f->n_others + !!f->key);
	lines(w->m, f->items, f->n_items);
	if (f->key) {
		fputs("): WireGuard gives it to the last, ", w->m);
		key(w->m, f->key);
		fputs(", and takes it from ", w->m);
		keys(w->m, f->others, f->n_others);
		return;
	}
	fputs("): no peer holds it, as the last to list it, ", w->m);
	key(w->m, f->items[f->n_items - 1].key);
	fputs(", drops it in a later [Peer] section", w->m);
}

static void left_empty(const struct words *w)
{
	peer(w->m, w->f->key);
	fputs(" is left with no allowed IPs: later peers list each prefix it lists, and "
	      "WireGuard gives a prefix to the last, so it can neither send nor receive", w->m);
}

static void no_allowed_ips(const struct words *w)
{
	peer(w->m, w->f->key);
	fprintf(w->m, " %s no allowed IPs: it can neither send nor receive",
		w->r->live ? "has" : "lists");
}

static void repeated(const struct words *w)
{
	peer(w->m, w->f->key);
	fprintf(w->m, " has %zu [Peer] sections (lines ", w->f->n_items);
	lines(w->m, w->f->items, w->f->n_items);
	fputs("): WireGuard keeps the AllowedIPs of the last one only", w->m);
}

static void own_key(const struct words *w)
{
	peer(w->m, w->f->key);
	fputs(" is this interface itself, the public key of its PrivateKey: WireGuard "
	      "ignores this [Peer] section, AllowedIPs and all", w->m);
}

static void nested(const struct words *w)
{
	const struct finding *f = w->f;
	size_t i;

	prefix(w->m, &f->prefix);
	fputs(" of peer ", w->m);
	key(w->m, f->key);
	if (f->n_items == 1) {
		fputs(" holds ", w->m);
		prefix(w->m, &f->items[0].prefix);
		fputs(" of peer ", w->m);
		key(w->m, f->items[0].key);
		fputs(", which takes that part", w->m);
	} else {
		fprintf(w->m, " holds %zu longer prefixes of other peers, each taking its part: ",
			f->n_items);
		for (i = 0; i < f->n_items && i < LIST_MAX; i++) {
			fputs(i ? ", " : "", w->m);
			prefix(w->m, &f->items[i].prefix);
			fputs(" (", w->m);
			key(w->m, f->items[i].key);
			fputs(")", w->m);
		}
		more(w->m, f->n_items);
	}
	fputs(f->n_rest ? "; its peer keeps " : "; nothing of it is left to its peer", w->m);
	for (i = 0; i < f->n_rest && i < LIST_MAX; i++) {
		fputs(i ? ", " : "", w->m);
		prefix(w->m, &f->rest[i]);
	}
	more(w->m, f->n_rest);
}

static void catch_all(const struct words *w)
{
	const struct finding *f = w->f;
	const char *family = f->prefix.family == AF_INET ? "IPv4" : "IPv6";

	peer(w->m, f->key);
	fputs(" holds ", w->m);
	prefix(w->m, &f->items[0].prefix);
	if (f->n_items > 1) {
		fputs(" and ", w->m);
		prefix(w->m, &f->items[1].prefix);
		fprintf(w->m, ", all of %s,", family);
	}
	fprintf(w->m, " on an interface with %zu peers: every %s destination that no other "
		"peer's prefix holds goes to it, and it may send from any %s address",
		w->r->dev->n_peers, family, family);
}

static void host_bits(const struct words *w)
{
	prefix(w->m, &w->f->written);
	fputs(" has host bits set: WireGuard clears them without a word and holds ", w->m);
	prefix(w->m, &w->f->prefix);
}

static void not_routed(const struct words *w)
{
	const struct finding *f = w->f;
	char a[PREFIX_STRLEN], dev[UI_IFNAME_LEN];

	if (!f->routed) {
		fputs("wg-quick adds no route for ", w->m);
		prefix(w->m, &f->prefix);
		fputs(" (peer ", w->m);
		key(w->m, f->key);
		fputs(") with Table = off, and no Address of the interface holds it", w->m);
		return;
	}
	fputs("replies to ", w->m);
	prefix(w->m, &f->prefix);
	fputs(" (peer ", w->m);
	key(w->m, f->key);
	addr_format(&f->route.addr, a);
	if (f->route.err)
		fprintf(w->m, ") cannot leave through %s: the kernel has no route to %s (%s)",
			w->source, a, strerror(-f->route.err));
	else if (f->route.type == RTN_LOCAL)
		fprintf(w->m, ") stay on this host instead of leaving through %s: %s is a local "
			"address", w->source, a);
	else
		fprintf(w->m, ") leave through %s, not %s: the kernel routes %s there",
			f->route.dev[0] ? ui_text(f->route.dev, dev, sizeof(dev)) :
					  "another interface", w->source, a);
}

static void policy(const struct words *w)
{
	const struct finding *f = w->f;

	if (!f->prefix.family) {
		peer(w->m, f->key);
		fprintf(w->m, " of the policy is not a peer of %s: its rules do nothing",
			w->source);
		return;
	}
	fputs("allowed source ", w->m);
	prefix(w->m, &f->prefix);
	fputs(" of peer ", w->m);
	key(w->m, f->key);
	fputs(" lies outside its allowed IPs: WireGuard drops those packets before wgsf sees "
	      "them", w->m);
}

static void rejected(const struct words *w)
{
	const struct finding *f = w->f;
	char b[64];

	peer(w->m, f->key);
	fputs(" sent from ", w->m);
	prefix(w->m, &f->prefix);
	fprintf(w->m, ", which its AllowedIPs here do not hold: WireGuard dropped %llu of its "
		"packets (the last to ", (unsigned long long)f->rejected_packets);
	prefix(w->m, &f->dest);
	fprintf(w->m, ", %s); ", ui_ago(f->last_rejected_ns, b));
	prefix(w->m, &f->prefix);
	if (f->owner) {
		fputs(" belongs to peer ", w->m);
		key(w->m, f->owner);
	} else {
		fputs(" belongs to no peer", w->m);
	}
}

/* "Allow rule PREFIX SERVICE of peer KEY" (or "of group 'NAME'"). */
static void allow_rule(const struct words *w)
{
	const struct finding *f = w->f;
	char svc[SERVICE_STRLEN];

	fputs("Allow rule ", w->m);
	prefix(w->m, &f->rule.dst);
	fprintf(w->m, " %s of ", service_format(&f->rule, svc));
	if (f->key)
		peer(w->m, f->key);
	else
		fprintf(w->m, "group '%s'", f->group);
}

static void rule_not_routed(const struct words *w)
{
	const struct check_route *rt = &w->f->route;
	char a[PREFIX_STRLEN];

	allow_rule(w);
	addr_format(&rt->addr, a);
	if (rt->err)
		fprintf(w->m, " can never match: the kernel has no route to %s (%s)", a,
			strerror(-rt->err));
	else
		fprintf(w->m, " can never match: the kernel routes %s to a%s %s route", a,
			rt->type == RTN_UNREACHABLE ? "n" : "",
			rt->type == RTN_BLACKHOLE ? "blackhole" :
			rt->type == RTN_PROHIBIT ? "prohibit" : "unreachable");
}

static void rule_shadowed(const struct words *w)
{
	const struct finding *f = w->f;

	allow_rule(w);
	fputs(" changes nothing: AllowedDestinations ", w->m);
	prefix(w->m, &f->by.dst);
	fprintf(w->m, " (line %u) admits every protocol there", f->by.line);
}

/* What to change, where it depends on the finding. */
static void duplicate_advice(const struct words *w)
{
	char p[PREFIX_STRLEN];

	fprintf(w->m, "list %s for one peer only: the one that sends from it",
		prefix_format(&w->f->prefix, p));
}

static void host_bits_advice(const struct words *w)
{
	const struct finding *f = w->f;
	char a[PREFIX_STRLEN], p[PREFIX_STRLEN];

	fprintf(w->m, "write %s, or %s/%u if the one host was meant", prefix_format(&f->prefix, p),
		addr_format(&f->written, a), prefix_bits(f->written.family));
}

static void not_routed_advice(const struct words *w)
{
	const struct finding *f = w->f;
	char a[PREFIX_STRLEN], p[PREFIX_STRLEN];
	struct prefix mid;

	if (f->routed) {
		fprintf(w->m, "route it through %s ('ip route add %s dev %s'), or remove it from "
			"the peer's AllowedIPs", w->source, prefix_format(&f->prefix, p), w->source);
		return;
	}
	check_route_addr(&f->prefix, &mid);
	fprintf(w->m, "check by hand that it is routed through the interface (PostUp, or the "
		"system's routes): 'ip route get %s'", addr_format(&mid, a));
}

static void rejected_advice(const struct words *w)
{
	char p[PREFIX_STRLEN];

	fprintf(w->m, "add %s to this peer's AllowedIPs on this side, or change the client's "
		"address", prefix_format(&w->f->prefix, p));
}

static void policy_advice(const struct words *w)
{
	char p[PREFIX_STRLEN];

	if (w->f->prefix.family)
		fprintf(w->m, "add %s to the peer's AllowedIPs, or remove it from its "
			"AllowedSources", prefix_format(&w->f->prefix, p));
	else
		fprintf(w->m, "remove its [Peer] section from the policy, or add the peer to %s",
			w->source);
}

void json_key(struct json *j, const char *name, const uint8_t *k)
{
	char b[WG_KEY_B64_LEN];

	if (k)
		key_to_base64(b, k);
	json_string(j, name, k ? b : NULL);
}

void json_prefix(struct json *j, const char *name, const struct prefix *p)
{
	char b[PREFIX_STRLEN];

	json_string(j, name, p->family ? prefix_format(p, b) : NULL);
}

/* What a kind's JSON has besides what every finding's has. */
static void json_duplicate(struct json *j, const struct finding *f)
{
	size_t i;

	json_key(j, "holder", f->key);
	json_array_begin(j, "listed");
	for (i = 0; i < f->n_items; i++) {
		json_object_begin(j, NULL);
		json_key(j, "peer", f->items[i].key);
		json_u64(j, "line", f->items[i].line);
		json_object_end(j);
	}
	json_array_end(j);
}

static void json_nested(struct json *j, const struct finding *f)
{
	size_t i;

	json_array_begin(j, "parts");
	for (i = 0; i < f->n_items; i++) {
		json_object_begin(j, NULL);
		json_prefix(j, "prefix", &f->items[i].prefix);
		json_key(j, "peer", f->items[i].key);
		json_object_end(j);
	}
	json_array_end(j);
	json_array_begin(j, "remaining");
	for (i = 0; i < f->n_rest; i++)
		json_prefix(j, NULL, &f->rest[i]);
	json_array_end(j);
}

static void json_repeated(struct json *j, const struct finding *f)
{
	size_t i;

	json_array_begin(j, "lines");
	for (i = 0; i < f->n_items; i++)
		json_u64(j, NULL, f->items[i].line);
	json_array_end(j);
}

static void json_catch_all(struct json *j, const struct finding *f)
{
	size_t i;

	json_array_begin(j, "prefixes");
	for (i = 0; i < f->n_items; i++)
		json_prefix(j, NULL, &f->items[i].prefix);
	json_array_end(j);
}

static void json_host_bits(struct json *j, const struct finding *f)
{
	json_prefix(j, "written", &f->written);
}

/* live only: where the kernel routes it */
static void json_not_routed(struct json *j, const struct finding *f)
{
	static const char *const types[] = {
		[RTN_UNICAST] = "unicast",     [RTN_LOCAL] = "local",
		[RTN_BROADCAST] = "broadcast", [RTN_ANYCAST] = "anycast",
		[RTN_MULTICAST] = "multicast", [RTN_BLACKHOLE] = "blackhole",
		[RTN_UNREACHABLE] = "unreachable", [RTN_PROHIBIT] = "prohibit",
	};
	const struct check_route *rt = &f->route;
	char a[PREFIX_STRLEN];

	if (!f->routed)
		return;
	json_string(j, "address", addr_format(&rt->addr, a));
	json_object_begin(j, "route");
	json_string(j, "device", !rt->err && rt->dev[0] ? rt->dev : NULL);
	json_string(j, "type", rt->err || rt->type >= sizeof(types) / sizeof(*types) ? NULL :
			       types[rt->type]);
	json_string(j, "error", rt->err ? strerror(-rt->err) : NULL);
	json_object_end(j);
}


static void json_rule(struct json *j, const struct finding *f)
{
	char svc[SERVICE_STRLEN];

	json_string(j, "service", service_format(&f->rule, svc));
	json_string(j, "group", f->group);
}

static void json_rule_not_routed(struct json *j, const struct finding *f)
{
	json_rule(j, f);
	json_not_routed(j, f);
}

static void json_rule_shadowed(struct json *j, const struct finding *f)
{
	json_rule(j, f);
	json_object_begin(j, "shadowed_by");
	json_prefix(j, "prefix", &f->by.dst);
	json_u64(j, "line", f->by.line);
	json_object_end(j);
}

static void json_rejected(struct json *j, const struct finding *f)
{
	json_prefix(j, "destination", &f->dest);
	json_u64(j, "rejected_packets", f->rejected_packets);
	json_u64(j, "last_rejected", ui_epoch(f->last_rejected_ns));
	json_key(j, "owner", f->owner);
}

const char *const severity_names[SEVERITIES] = {
	[SEVERITY_INFO] = "info",
	[SEVERITY_WARNING] = "warning",
	[SEVERITY_ERROR] = "error",
};

const struct finding_kind finding_kinds[CHECK_KINDS] = {
	[CHECK_DUPLICATE_PREFIX] = { "duplicate-prefix", SEVERITY_WARNING, duplicate,
				     .advise = duplicate_advice, .json = json_duplicate },
	[CHECK_PEER_LEFT_EMPTY] = { "peer-left-empty", SEVERITY_ERROR, left_empty,
				    .advice = "give it a prefix that no other peer lists (its own "
					      "tunnel address), or remove its [Peer] section" },
	[CHECK_NO_ALLOWED_IPS] = { "no-allowed-ips", SEVERITY_WARNING, no_allowed_ips,
				   .advice = "add its tunnel address (a /32 or /128) to its "
					     "AllowedIPs, or remove the peer" },
	[CHECK_REPEATED_PEER] = { "repeated-peer", SEVERITY_WARNING, repeated,
				  .advice = "merge them into one [Peer] section",
				  .json = json_repeated },
	[CHECK_OWN_KEY] = { "own-key", SEVERITY_ERROR, own_key,
			    .advice = "put the other side's public key here, or the PrivateKey "
				      "of this interface in [Interface]" },
	[CHECK_NESTED_PREFIX] = { "nested-prefix", SEVERITY_WARNING, nested,
				  .advice = "make sure its peer should lose these parts: it can "
					    "neither send from nor receive for them; else remove "
					    "them from the other peers",
				  .json = json_nested },
	/* the same kind to scripts, of hosts behind a hub */
	[CHECK_NESTED_HOSTS] = { "nested-prefix", SEVERITY_INFO, nested,
				 .advice = "nothing to change if its peer is the hub these hosts "
					   "sit behind: each host's packets go to, and are taken "
					   "from, its own peer only",
				 .json = json_nested },
	[CHECK_CATCH_ALL] = { "catch-all", SEVERITY_WARNING, catch_all,
			      .advice = "give it only the prefixes behind it; a catch-all suits "
					"an interface whose one peer is the way out",
			      .json = json_catch_all },
	[CHECK_HOST_BITS] = { "host-bits", SEVERITY_WARNING, host_bits,
			      .advise = host_bits_advice, .json = json_host_bits },
	[CHECK_NOT_ROUTED] = { "not-routed", SEVERITY_WARNING, not_routed,
			       .advise = not_routed_advice, .json = json_not_routed },
	[CHECK_REJECTED_SOURCE] = { "rejected-source", SEVERITY_WARNING, rejected,
				    .advise = rejected_advice, .json = json_rejected },
	[CHECK_POLICY_INEFFECTIVE] = { "policy-ineffective", SEVERITY_WARNING, policy,
				       .advise = policy_advice, .policy_line = true },
	[CHECK_RULE_NOT_ROUTED] = { "rule-not-routed", SEVERITY_WARNING, rule_not_routed,
				    .advice = "route the prefix from this gateway, or remove the rule",
				    .json = json_rule_not_routed, .policy_line = true },
	[CHECK_RULE_SHADOWED] = { "rule-shadowed", SEVERITY_WARNING, rule_shadowed,
				  .advice = "remove the Allow rule, or narrow the AllowedDestinations "
					    "prefix so that the rule decides there",
				  .json = json_rule_shadowed, .policy_line = true },
};
