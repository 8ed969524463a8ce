// SPDX-License-Identifier: GPL-2.0-only
/*
 * Destination rules of random states: AllowedDestinations and Allow lines
 * of peers and groups, and the groups themselves, each drawn into the
 * reference and written as its policy file's lines at once, so that the two
 * say the same thing; the reference never reads the text.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "randstate.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof(*(a)))

/* ICMP type names as wgsf.policy(5) lists them: the type in IPv4 and in
 * IPv6, -1 where the name means nothing in that family. */
static const struct {
	const char *name;
	int type[2];
} icmp_names[] = {
	{ "echo-reply", { 0, 129 } },       { "destination-unreachable", { 3, 1 } },
	{ "source-quench", { 4, -1 } },     { "redirect", { 5, 137 } },
	{ "echo-request", { 8, 128 } },     { "router-advertisement", { 9, 134 } },
	{ "router-solicitation", { 10, 133 } }, { "time-exceeded", { 11, 3 } },
	{ "parameter-problem", { 12, 4 } }, { "timestamp-request", { 13, -1 } },
	{ "timestamp-reply", { 14, -1 } },  { "packet-too-big", { -1, 2 } },
	{ "neighbor-solicitation", { -1, 135 } }, { "neighbor-advertisement", { -1, 136 } },
};

/* Ports that rules of different owners share, so that they overlap. */
static const uint16_t common_ports[] = { 1, 22, 53, 80, 443, 1024, 8080, 65535 };

/* Whose rules are drawn: a peer's (group < 0) or a group's. */
struct owner {
	struct rand_state *g;
	uint32_t slot;
	long group;
};

static char **owner_text(const struct owner *o)
{
	return o->group < 0 ? &o->g->text[o->slot] : &o->g->groups[o->group].text;
}

__attribute__((format(printf, 2, 3))) static void text_add(char **text, const char *fmt, ...)
{
	size_t had = *text ? strlen(*text) : 0;
	char *more;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&more, fmt, ap);
	va_end(ap);
	if (n < 0 || !(*text = realloc(*text, had + n + 1)))
		abort();
	memcpy(*text + had, more, n + 1);
	free(more);
}

static void add_rule(const struct owner *o, const struct ref_rule *rule)
{
	if (o->group < 0)
		ref_add_rule(&o->g->r, o->slot, rule);
	else
		ref_group_rule(&o->g->r, o->group, rule);
}

/* A prefix of the shared pool, one nested in it, a host of it, or now and
 * then anywhere: rules of one peer and of its groups hold one another. */
static struct prefix rule_prefix(struct rand_state *g)
{
	const struct prefix *p = &g->dst_pool[rand_below(RAND_DST_POOL)];
	unsigned int bits = prefix_bits(p->family);

	switch (rand_below(8)) {
	case 0:
		return rand_prefix(g);
	case 1:
	case 2:
		return rand_within(p, p->cidr + rand_below(bits - p->cidr + 1));
	case 3:
		return rand_host_in(p);
	default:
		return *p;
	}
}

/* The separator between list items: white space beside a comma is none. */
static const char *comma(void)
{
	static const char *const seps[] = { ",", ", ", ", ", " , " };

	return seps[rand_below(ARRAY_LEN(seps))];
}

/* AllowedDestinations of 1 to 3 prefixes, on one line or repeated. */
static void allowed_destinations(const struct owner *o)
{
	unsigned int i, n = 1 + rand_below(3);
	char buf[PREFIX_STRLEN];
	struct ref_rule rule = { .kind = REF_ANY_PROTO };

	for (i = 0; i < n; i++) {
		rule.dst = rand_below(8) ? rule_prefix(o->g) : rand_prefix(o->g);
		add_rule(o, &rule);
		if (i == 0 || rand_below(3) == 0)
			text_add(owner_text(o), "%sAllowedDestinations = ", i ? "\n" : "");
		else
			text_add(owner_text(o), "%s", comma());
		text_add(owner_text(o), "%s", prefix_format(&rule.dst, buf));
	}
	text_add(owner_text(o), "\n");
}

/* An Allow line's prefixes and what its services may name. */
struct line {
	struct prefix p[3];
	unsigned int n;
	bool family[2]; /* it has prefixes of IPv4, of IPv6 */
};

/* Adds one rule of service kind/proto, range lo-hi, per prefix of l; ICMP
 * types are each family's (types[family]); icmp gives proto 1 in IPv4 and
 * 58 in IPv6. */
static void line_rules(const struct owner *o, const struct line *l, uint8_t kind, int proto,
		       const int lo[2], const int hi[2])
{
	struct ref_rule rule = { .kind = kind };
	unsigned int i, v6;

	for (i = 0; i < l->n; i++) {
		v6 = l->p[i].family == AF_INET6;
		rule.dst = l->p[i];
		rule.proto = proto >= 0 ? proto : v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		rule.lo = lo ? lo[v6] : 0;
		rule.hi = hi ? hi[v6] : 0;
		add_rule(o, &rule);
	}
}

static uint16_t draw_port(void)
{
	return rand_below(2) ? common_ports[rand_below(ARRAY_LEN(common_ports))]
			     : 1 + rand_below(65535);
}

/* tcp/, udp/ or sctp/ and 1 to 3 ports and ranges. */
static void ports_service(const struct owner *o, const struct line *l, char **text)
{
	static const char *const names[] = { "tcp", "udp", "sctp", "TCP", "Udp" };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_TCP,
					  IPPROTO_UDP };
	unsigned int i, n = 1 + rand_below(3), which = rand_below(ARRAY_LEN(names));
	static const unsigned int widths[] = { 0, 1, 10, 1000, 65535 };
	int lo[2], hi[2];

	text_add(text, " %s/", names[which]);
	for (i = 0; i < n; i++) {
		lo[0] = lo[1] = draw_port();
		hi[0] = hi[1] = lo[0] + widths[rand_below(ARRAY_LEN(widths))];
		if (hi[0] > 65535)
			hi[0] = hi[1] = 65535;
		text_add(text, "%s%d", i ? "," : "", lo[0]);
		if (hi[0] != lo[0] || rand_below(8) == 0)
			text_add(text, "-%d", hi[0]);
		line_rules(o, l, REF_RANGE, protos[which], lo, hi);
	}
}

/* A type by name, where the name has a meaning in each family of l. */
static bool icmp_name(const struct line *l, const char **name, int type[2])
{
	unsigned int i = rand_below(ARRAY_LEN(icmp_names));

	if ((l->family[0] && icmp_names[i].type[0] < 0) ||
	    (l->family[1] && icmp_names[i].type[1] < 0))
		return false;
	*name = icmp_names[i].name;
	memcpy(type, icmp_names[i].type, sizeof(icmp_names[i].type));
	return true;
}

/* icmp or icmpv6 (an IPv6 line only), with no type or 1 to 3, by number or
 * name. */
static void icmp_service(const struct owner *o, const struct line *l, char **text)
{
	bool v6 = !l->family[0] && rand_below(2);
	unsigned int i, n = rand_below(4);
	const char *name;
	int type[2];

	text_add(text, " %s", v6 ? "icmpv6" : rand_below(8) ? "icmp" : "ICMP");
	if (!n)
		line_rules(o, l, REF_EVERY_PORT, -1, NULL, NULL);
	for (i = 0; i < n; i++) {
		text_add(text, "%s", i ? "," : "/");
		if (rand_below(2) && icmp_name(l, &name, type)) {
			text_add(text, "%s", name);
		} else {
			type[0] = type[1] = rand_below(4) ? rand_below(16) : rand_below(256);
			if (rand_below(4) == 0)
				type[0] = type[1] = 128 + rand_below(10);
			text_add(text, "%d", type[0]);
		}
		line_rules(o, l, REF_RANGE, -1, type, type);
	}
}

/* proto/N: every port of N, a protocol with ports now and then. */
static void proto_service(const struct owner *o, const struct line *l, char **text)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP,
					  IPPROTO_ICMPV6, IPPROTO_GRE, 0, 255 };
	uint8_t proto = rand_below(2) ? protos[rand_below(ARRAY_LEN(protos))] : rand_below(256);

	text_add(text, " proto/%u", proto);
	line_rules(o, l, REF_EVERY_PORT, proto, NULL, NULL);
}

/* Allow = PREFIX[, PREFIX...] SERVICE [SERVICE...]: prefixes of either
 * family or both, 1 to 3 services of every kind. */
static void allow_line(const struct owner *o)
{
	char **text = owner_text(o), buf[PREFIX_STRLEN];
	unsigned int i, services = 1 + rand_below(3);
	struct line l = { .n = 1 + (rand_below(3) ? 0 : rand_below(3)) };

	text_add(text, "Allow = ");
	for (i = 0; i < l.n; i++) {
		l.p[i] = rule_prefix(o->g);
		l.family[l.p[i].family == AF_INET6] = true;
		text_add(text, "%s%s", i ? comma() : "", prefix_format(&l.p[i], buf));
	}
	for (i = 0; i < services; i++) {
		switch (rand_below(8)) {
		case 0:
		case 1:
			icmp_service(o, &l, text);
			break;
		case 2:
			proto_service(o, &l, text);
			break;
		default:
			ports_service(o, &l, text);
		}
	}
	text_add(text, "\n");
}

/* Allow lines mostly, so that services decide; AllowedDestinations with
 * them now and then, or alone. */
static void destination_rules(const struct owner *o)
{
	unsigned int i, n = rand_below(4) ? 1 + rand_below(3) : 0;

	if (!n || rand_below(6) == 0)
		allowed_destinations(o);
	for (i = 0; i < n; i++)
		allow_line(o);
}

void rand_peer_rules(struct rand_state *g, uint32_t slot)
{
	destination_rules(&(struct owner){ g, slot, -1 });
}

/* Now and then a RateLimit of 1 packet/s, with a burst of 1 to 4: for a
 * group every other time, so that its members' packets meet it. */
static void rate_limit(const struct owner *o)
{
	uint32_t burst = 1 + rand_below(4);

	if (rand_below(o->group < 0 ? 4 : 2))
		return;
	if (o->group < 0)
		o->g->r.peers[o->slot].rate_burst = burst;
	else
		o->g->r.groups[o->group].rate_burst = burst;
	text_add(owner_text(o), "RateLimit = 1pps burst %u\n", burst);
}

/* A period or duration in any unit, from an hour to a year: longer than
 * a test's run by far (see struct ref_quar). */
static uint64_t quar_time(const struct owner *o, const char *before)
{
	static const struct {
		char unit;
		uint64_t ns;
		unsigned int min, max;
	} units[] = {
		{ 's', 1000000000ull, 3600, 365 * 86400 }, { 'm', 60000000000ull, 60, 365 * 1440 },
		{ 'h', 3600000000000ull, 1, 365 * 24 },    { 'd', 86400000000000ull, 1, 365 },
	};
	unsigned int u = rand_below(ARRAY_LEN(units)), n;

	/* short mostly, as rules are written */
	n = units[u].min + (rand_below(4) ? rand_below(units[u].min + 1)
					  : rand_below(units[u].max - units[u].min + 1));
	text_add(owner_text(o), "%s%u%c", before, n, units[u].unit);
	return n * units[u].ns;
}

/* Now and then a Quarantine of 1 to 3 violations mostly, that a peer's
 * packets reach; for a group every other time. */
static void quarantine_rule(const struct owner *o)
{
	struct ref_quar_rule q = { .violations = 1 + rand_below(3) };

	if (rand_below(o->group < 0 ? 4 : 2))
		return;
	if (rand_below(8) == 0)
		q.violations = 1 + rand_below(1000000);
	text_add(owner_text(o), "Quarantine = %u/", q.violations);
	q.period_ns = quar_time(o, "");
	q.duration_ns = quar_time(o, " for ");
	text_add(owner_text(o), "\n");
	if (o->group < 0)
		o->g->r.peers[o->slot].quar_rule = q;
	else
		o->g->r.groups[o->group].quar_rule = q;
}

void rand_peer_limits(struct rand_state *g, uint32_t slot)
{
	rate_limit(&(struct owner){ g, slot, -1 });
	quarantine_rule(&(struct owner){ g, slot, -1 });
}

/* A group of the state, its name unique by its index; Block now and then
 * (rarely for [Group *], which blocks every peer), and rules mostly. */
static void draw_group(struct rand_state *g, bool every, bool blocked)
{
	static const char *const names[] = { "contractors", "ops", "dev.team", "a", "B-2", "x_y" };
	size_t i = ref_add_group(&g->r, every);
	struct rand_group *rg = &g->groups[i];

	if (every)
		strcpy(rg->name, "*");
	else
		snprintf(rg->name, sizeof(rg->name), "%s%zu", names[rand_below(ARRAY_LEN(names))],
			 i);
	g->r.groups[i].blocked = blocked || rand_below(every ? 60 : 12) == 0;
	if (g->r.groups[i].blocked || rand_below(4) == 0)
		text_add(&rg->text, "Block = %s\n", g->r.groups[i].blocked ? "true" : "false");
	if (rand_below(8))
		destination_rules(&(struct owner){ g, 0, i });
	rate_limit(&(struct owner){ g, 0, i });
	quarantine_rule(&(struct owner){ g, 0, i });
}

/* One to four groups, the first blocked every third state, and [Group *]
 * every other state and now and then: a test over a few states meets them
 * all. */
void rand_groups(struct rand_state *g)
{
	unsigned int i, n = 1 + rand_below(4);

	for (i = 0; i < n; i++)
		draw_group(g, false, i == 0 && g->states % 3 == 0);
	if (g->states % 2 || rand_below(4) == 0)
		draw_group(g, true, false);
}

/* Group = lines of peer slot (a member of none of the state's groups
 * yet): each named group with chance 1 in 3, named twice now and then. */
void rand_join(struct rand_state *g, uint32_t slot)
{
	bool first = true;
	size_t i;

	for (i = 0; i < g->r.n_groups; i++) {
		if (g->r.groups[i].every || rand_below(3))
			continue;
		ref_join(&g->r, slot, i);
		text_add(&g->text[slot], "%s%s",
			 first ? "Group = " : rand_below(4) ? comma() : "\nGroup = ",
			 g->groups[i].name);
		if (rand_below(16) == 0)
			text_add(&g->text[slot], "%s%s", comma(), g->groups[i].name);
		first = false;
	}
	if (!first)
		text_add(&g->text[slot], "\n");
}
