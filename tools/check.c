// SPDX-License-Identifier: GPL-2.0-only
/*
 * wgsf check IFACE|FILE: the findings, one line each and a line of advice,
 * or as JSON with each peer's allowed IPs as configured and as WireGuard
 * holds (or will hold) them. Exit status 0 when nothing at warning level or
 * above was found, 2 when something was, 1 when the check could not run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <sys/stat.h>

#include "attach/pin.h"
#include "check/file.h"
#include "check/live.h"
#include "check/route.h"
#include "subcommands.h"
#include "ui.h"

const char check_usage[] = "IFACE|FILE [--json]";

/* How many of a list a message names before "and N more". */
#define LIST_MAX 3

/* Everything a message says about a finding, with its report. */
struct words {
	FILE *m;
	const struct check_report *r;
	const struct finding *f;
	const char *source; /* r->source, escaped as other output is */
};

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

	fputs("peer ", w->m);
	key(w->m, f->key);
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
		fputs("peer ", w->m);
		key(w->m, f->key);
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

	fputs("peer ", w->m);
	key(w->m, f->key);
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

/* The finding in one line. */
static void message(const struct words *w)
{
	const struct finding *f = w->f;

	switch (f->kind) {
	case CHECK_DUPLICATE_PREFIX:
		return duplicate(w);
	case CHECK_PEER_LEFT_EMPTY:
		fputs("peer ", w->m);
		key(w->m, f->key);
		fputs(" is left with no allowed IPs: later peers list each prefix it lists, and "
		      "WireGuard gives a prefix to the last, so it can neither send nor receive",
		      w->m);
		return;
	case CHECK_NO_ALLOWED_IPS:
		fputs("peer ", w->m);
		key(w->m, f->key);
		fprintf(w->m, " %s no allowed IPs: it can neither send nor receive",
			w->r->live ? "has" : "lists");
		return;
	case CHECK_REPEATED_PEER:
		fputs("peer ", w->m);
		key(w->m, f->key);
		fprintf(w->m, " has %zu [Peer] sections (lines ", f->n_items);
		lines(w->m, f->items, f->n_items);
		fputs("): WireGuard keeps the AllowedIPs of the last one only", w->m);
		return;
	case CHECK_OWN_KEY:
		fputs("peer ", w->m);
		key(w->m, f->key);
		fputs(" is this interface itself, the public key of its PrivateKey: WireGuard "
		      "ignores this [Peer] section, AllowedIPs and all", w->m);
		return;
	case CHECK_NESTED_PREFIX:
		return nested(w);
	case CHECK_CATCH_ALL:
		return catch_all(w);
	case CHECK_HOST_BITS:
		prefix(w->m, &f->written);
		fputs(" has host bits set: WireGuard clears them without a word and holds ", w->m);
		prefix(w->m, &f->prefix);
		return;
	case CHECK_NOT_ROUTED:
		return not_routed(w);
	case CHECK_POLICY_INEFFECTIVE:
		return policy(w);
	case CHECK_REJECTED_SOURCE:
		return rejected(w);
	case CHECK_KINDS:
		return;
	}
}

/* What to change, where it says the same for every finding of a kind. */
static const char *const plain_advice[CHECK_KINDS] = {
	[CHECK_PEER_LEFT_EMPTY] = "give it a prefix that no other peer lists (its own tunnel "
				  "address), or remove its [Peer] section",
	[CHECK_NO_ALLOWED_IPS] = "add its tunnel address (a /32 or /128) to its AllowedIPs, or "
				 "remove the peer",
	[CHECK_REPEATED_PEER] = "merge them into one [Peer] section",
	[CHECK_OWN_KEY] = "put the other side's public key here, or the PrivateKey of this "
			  "interface in [Interface]",
	[CHECK_CATCH_ALL] = "give it only the prefixes behind it; a catch-all suits an interface "
			    "whose one peer is the way out",
};

/* What to change, in one line. */
static void advice(const struct words *w)
{
	const struct finding *f = w->f;
	const char *ifname = w->source;
	char a[PREFIX_STRLEN], p[PREFIX_STRLEN];
	struct prefix mid;

	prefix_format(&f->prefix, p);
	if (f->kind == CHECK_DUPLICATE_PREFIX)
		fprintf(w->m, "list %s for one peer only: the one that sends from it", p);
	else if (f->kind == CHECK_NESTED_PREFIX && f->severity == CHECK_INFO)
		fputs("nothing to change if its peer is the hub these hosts sit behind: each "
		      "host's packets go to, and are taken from, its own peer only", w->m);
	else if (f->kind == CHECK_NESTED_PREFIX)
		fputs("make sure its peer should lose these parts: it can neither send from nor "
		      "receive for them; else remove them from the other peers", w->m);
	else if (f->kind == CHECK_HOST_BITS)
		fprintf(w->m, "write %s, or %s/%u if the one host was meant", p,
			addr_format(&f->written, a), prefix_bits(f->written.family));
	else if (f->kind == CHECK_NOT_ROUTED && f->routed)
		fprintf(w->m, "route it through %s ('ip route add %s dev %s'), or remove it from "
			"the peer's AllowedIPs", ifname, p, ifname);
	else if (f->kind == CHECK_NOT_ROUTED) {
		check_route_addr(&f->prefix, &mid);
		fprintf(w->m, "check by hand that it is routed through the interface (PostUp, or "
			"the system's routes): 'ip route get %s'", addr_format(&mid, a));
	}
	else if (f->kind == CHECK_REJECTED_SOURCE)
		fprintf(w->m, "add %s to this peer's AllowedIPs on this side, or change the "
			"client's address", p);
	else if (f->kind == CHECK_POLICY_INEFFECTIVE && f->prefix.family)
		fprintf(w->m, "add %s to the peer's AllowedIPs, or remove it from its "
			"AllowedSources", p);
	else if (f->kind == CHECK_POLICY_INEFFECTIVE)
		fprintf(w->m, "remove its [Peer] section from the policy, or add the peer to %s",
			ifname);
	else if (plain_advice[f->kind])
		fputs(plain_advice[f->kind], w->m);
}

/* fn's words as a string, the caller's to free. */
static char *say(void (*fn)(const struct words *), const struct check_report *r,
		 const struct finding *f)
{
	char shown[4096];
	struct words w = { .r = r, .f = f, .source = ui_text(r->source, shown, sizeof(shown)) };
	char *s = NULL;
	size_t len;

	w.m = open_memstream(&s, &len);
	if (!w.m)
		return strdup("");
	fn(&w);
	fclose(w.m);
	return s;
}

/* The file a finding's line is in: the config, or the attached policy. */
static const char *file_of(const struct check_report *r, const struct finding *f)
{
	if (f->kind == CHECK_POLICY_INEFFECTIVE)
		return r->policy_file;
	return r->live ? NULL : r->source;
}

static const char *const severity_colors[CHECK_SEVERITIES] = {
	[CHECK_INFO] = UI_GREEN, [CHECK_WARNING] = UI_YELLOW, [CHECK_ERROR] = UI_RED
};

static void human_finding(const struct check_report *r, const struct finding *f)
{
	char *msg = say(message, r, f), *adv = say(advice, r, f);
	const char *file = file_of(r, f);

	ui_print_text(stdout, file && f->line ? file : r->source);
	if (file && f->line)
		printf(":%u", f->line);
	fputs(": ", stdout);
	printf("%s%s%s: %s [%s]\n  advice: %s\n", ui_color(severity_colors[f->severity]),
	       check_severity_names[f->severity], ui_color(UI_RESET), msg,
	       check_kind_names[f->kind], adv);
	free(msg);
	free(adv);
}

static void human(const struct check_report *r)
{
	static const char *const names[CHECK_SEVERITIES][2] = {
		[CHECK_INFO] = { "info", "info" },
		[CHECK_WARNING] = { "warning", "warnings" },
		[CHECK_ERROR] = { "error", "errors" },
	};
	const char *sep = "";
	size_t i;
	int s;

	for (i = 0; i < r->n_findings; i++)
		human_finding(r, &r->findings[i]);
	ui_print_text(stdout, r->source);
	printf(": %zu peer%s, %zu allowed IP%s: ", r->dev->n_peers,
	       r->dev->n_peers == 1 ? "" : "s", r->n_table, r->n_table == 1 ? "" : "s");
	for (s = CHECK_ERROR; s >= CHECK_INFO; s--) {
		if (!r->count[s])
			continue;
		printf("%s%zu %s", sep, r->count[s], names[s][r->count[s] != 1]);
		sep = ", ";
	}
	printf("%s\n", r->n_findings ? "" : "no findings");
}

static void json_key(struct json *j, const char *name, const uint8_t *k)
{
	char b[WG_KEY_B64_LEN];

	if (k)
		key_to_base64(b, k);
	json_string(j, name, k ? b : NULL);
}

static void json_prefix(struct json *j, const char *name, const struct prefix *p)
{
	char b[PREFIX_STRLEN];

	json_string(j, name, p->family ? prefix_format(p, b) : NULL);
}

static void json_route(struct json *j, const struct finding *f)
{
	static const char *const types[] = {
		[RTN_UNICAST] = "unicast",     [RTN_LOCAL] = "local",
		[RTN_BROADCAST] = "broadcast", [RTN_ANYCAST] = "anycast",
		[RTN_MULTICAST] = "multicast", [RTN_BLACKHOLE] = "blackhole",
		[RTN_UNREACHABLE] = "unreachable", [RTN_PROHIBIT] = "prohibit",
	};
	const struct check_route *rt = &f->route;
	char a[PREFIX_STRLEN];

	json_string(j, "address", addr_format(&rt->addr, a));
	json_object_begin(j, "route");
	json_string(j, "device", !rt->err && rt->dev[0] ? rt->dev : NULL);
	json_string(j, "type", rt->err || rt->type >= sizeof(types) / sizeof(*types) ? NULL :
			       types[rt->type]);
	json_string(j, "error", rt->err ? strerror(-rt->err) : NULL);
	json_object_end(j);
}

/* What only some kinds have. */
static void json_kind(struct json *j, const struct finding *f)
{
	size_t i;

	switch (f->kind) {
	case CHECK_REJECTED_SOURCE:
		json_prefix(j, "destination", &f->dest);
		json_u64(j, "rejected_packets", f->rejected_packets);
		json_u64(j, "last_rejected", ui_epoch(f->last_rejected_ns));
		if (f->owner)
			json_key(j, "owner", f->owner);
		else
			json_string(j, "owner", NULL);
		break;
	case CHECK_DUPLICATE_PREFIX:
		json_key(j, "holder", f->key);
		json_array_begin(j, "listed");
		for (i = 0; i < f->n_items; i++) {
			json_object_begin(j, NULL);
			json_key(j, "peer", f->items[i].key);
			json_u64(j, "line", f->items[i].line);
			json_object_end(j);
		}
		json_array_end(j);
		break;
	case CHECK_NESTED_PREFIX:
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
		break;
	case CHECK_REPEATED_PEER:
		json_array_begin(j, "lines");
		for (i = 0; i < f->n_items; i++)
			json_u64(j, NULL, f->items[i].line);
		json_array_end(j);
		break;
	case CHECK_CATCH_ALL:
		json_array_begin(j, "prefixes");
		for (i = 0; i < f->n_items; i++)
			json_prefix(j, NULL, &f->items[i].prefix);
		json_array_end(j);
		break;
	case CHECK_HOST_BITS:
		json_prefix(j, "written", &f->written);
		break;
	case CHECK_NOT_ROUTED:
		if (f->routed)
			json_route(j, f);
		break;
	default:
		break;
	}
}

static void json_finding(struct json *j, const struct check_report *r, const struct finding *f)
{
	char *msg = say(message, r, f), *adv = say(advice, r, f);
	const char *file = file_of(r, f);
	size_t i;

	json_object_begin(j, NULL);
	json_string(j, "severity", check_severity_names[f->severity]);
	json_string(j, "kind", check_kind_names[f->kind]);
	json_array_begin(j, "peers");
	if (f->key)
		json_key(j, NULL, f->key);
	for (i = 0; i < f->n_others; i++)
		json_key(j, NULL, f->others[i]);
	json_array_end(j);
	json_prefix(j, "prefix", &f->prefix);
	json_string(j, "file", f->line ? file : NULL);
	if (f->line)
		json_u64(j, "line", f->line);
	else
		json_string(j, "line", NULL);
	json_string(j, "message", msg);
	json_string(j, "advice", adv);
	json_kind(j, f);
	json_object_end(j);
	free(msg);
	free(adv);
}

static void json_peer(struct json *j, const struct check_report *r, size_t p)
{
	const struct wg_peer *peer = &r->dev->peers[p];
	size_t i;

	json_object_begin(j, NULL);
	json_key(j, "public_key", peer->public_key);
	json_array_begin(j, "allowed_ips");
	if (r->live)
		for (i = 0; i < peer->n_allowedips; i++)
			json_prefix(j, NULL, &peer->allowedips[i]);
	else
		for (i = r->listed_at[p]; i < r->listed_at[p + 1]; i++)
			json_prefix(j, NULL, &r->conf.ips[r->listed[i]].written);
	json_array_end(j);
	json_array_begin(j, "effective_allowed_ips");
	for (i = 0; i < peer->n_allowedips; i++)
		json_prefix(j, NULL, &peer->allowedips[i]);
	json_array_end(j);
	json_object_end(j);
}

static void json(const struct check_report *r)
{
	struct json j = { .f = stdout };
	size_t i;

	json_object_begin(&j, NULL);
	json_string(&j, "source", r->source);
	json_string(&j, "type", r->live ? "interface" : "file");
	json_u64(&j, "errors", r->count[CHECK_ERROR]);
	json_u64(&j, "warnings", r->count[CHECK_WARNING]);
	json_u64(&j, "info", r->count[CHECK_INFO]);
	json_array_begin(&j, "findings");
	for (i = 0; i < r->n_findings; i++)
		json_finding(&j, r, &r->findings[i]);
	json_array_end(&j);
	json_array_begin(&j, "peers");
	for (i = 0; i < r->dev->n_peers; i++)
		json_peer(&j, r, i);
	json_array_end(&j);
	json_object_end(&j);
}

/* A name of an interface here is the interface; anything else, a file
 * (write ./wg0 for a file that shares an interface's name). */
static int run(const char *target, struct check_report *r)
{
	char err[WGCONF_ERR_LEN];
	struct stat st;
	int e;

	if (!ifname_check(target) && if_nametoindex(target)) {
		if (ui_need_root())
			return 1;
		e = check_iface(target, r);
		return e ? ui_error("Unable to check %s: %s", target, ui_reason(e)) : 0;
	}
	if (stat(target, &st) && !strchr(target, '/') && !ifname_check(target))
		return ui_error("Unable to check %s: no such interface or file", target);
	if (check_file(target, r, err))
		return ui_error("Unable to check %s", err);
	return 0;
}

int check_main(int argc, const char *argv[])
{
	const char *json_opt = NULL, *target;
	const struct ui_opt opts[] = { { "--json", false, &json_opt } };
	struct check_report r;
	int status;

	if (ui_parse(argc, argv, opts, 1, &target, 1, 1, "check", check_usage))
		return 1;
	ui_json = json_opt;
	if (run(target, &r))
		return 1;
	if (json_opt)
		json(&r);
	else
		human(&r);
	status = r.count[CHECK_ERROR] || r.count[CHECK_WARNING] ? 2 : 0;
	check_report_free(&r);
	return status;
}
