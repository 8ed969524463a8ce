// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "vec.h"
#include "policy/service.h"

/* nftables' names of ICMP and ICMPv6 types, each family's value (-1: the
 * name has no meaning there). */
static const struct {
	const char *name;
	int v4, v6;
} icmp_types[] = {
	{ "echo-reply", 0, 129 },
	{ "destination-unreachable", 3, 1 },
	{ "source-quench", 4, -1 },
	{ "redirect", 5, 137 },
	{ "echo-request", 8, 128 },
	{ "router-advertisement", 9, 134 },
	{ "router-solicitation", 10, 133 },
	{ "time-exceeded", 11, 3 },
	{ "parameter-problem", 12, 4 },
	{ "timestamp-request", 13, -1 },
	{ "timestamp-reply", 14, -1 },
	{ "packet-too-big", -1, 2 },
	{ "neighbor-solicitation", -1, 135 },
	{ "neighbor-advertisement", -1, 136 },
};

static const struct {
	const char *name;
	int kind;
	uint8_t proto;
} protocols[] = {
	{ "tcp", SERVICE_PORTS, 6 },   { "udp", SERVICE_PORTS, 17 },
	{ "sctp", SERVICE_PORTS, 132 }, { "icmp", SERVICE_ICMP, 1 },
	{ "icmpv6", SERVICE_ICMPV6, 58 }, { "proto", SERVICE_PROTO, 0 },
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof(*(a)))

__attribute__((format(printf, 2, 3))) static int fail(char why[SERVICE_WHY_LEN],
							 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, SERVICE_WHY_LEN, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A decimal number of at most max, all of s; -1 when s is not one. */
static long number(const char *s, long max)
{
	char *end;
	long v;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	/* leading zeros are the number's as strtol() reads it */
	if (strlen(s + strspn(s, "0")) > 6)
		return -2;
	v = strtol(s, &end, 10);
	return v <= max ? v : -2;
}

static int push(struct service *svc, const struct service_range *r)
{
	int err = vec_room(&svc->v, svc->n, &svc->cap, sizeof(*r));

	if (!err)
		svc->v[svc->n++] = *r;
	return err;
}

/* N or N-M, of the service written as s. */
static int port_range(struct service *svc, char *item, const char *s, char why[SERVICE_WHY_LEN])
{
	char *dash = strchr(item, '-');
	long lo, hi;

	if (dash)
		*dash = '\0';
	lo = number(item, 65535);
	hi = dash ? number(dash + 1, 65535) : lo;
	if (dash)
		*dash = '-';
	if (lo == -1 || hi == -1)
		return fail(why, "invalid port '%s' in '%s'", item, s);
	if (lo <= 0 || hi <= 0)
		return fail(why, "port '%s' in '%s' is out of range (1 to 65535)", item, s);
	if (lo > hi)
		return fail(why, "port range '%s' in '%s' is written backwards", item, s);
	return push(svc, &(struct service_range){ { lo, lo }, { hi, hi }, NULL });
}

static int icmp_type(struct service *svc, const char *item, const char *s,
		     char why[SERVICE_WHY_LEN])
{
	long n = number(item, 255);
	size_t i;

	if (n >= 0)
		return push(svc, &(struct service_range){ { n, n }, { n, n }, NULL });
	if (n == -2)
		return fail(why, "ICMP type '%s' in '%s' is out of range (0 to 255)", item, s);
	for (i = 0; i < ARRAY_LEN(icmp_types); i++)
		if (!strcasecmp(item, icmp_types[i].name))
			return push(svc, &(struct service_range){
						 { icmp_types[i].v4, icmp_types[i].v6 },
						 { icmp_types[i].v4, icmp_types[i].v6 },
						 icmp_types[i].name });
	return fail(why, "unknown ICMP type '%s' in '%s'", item, s);
}

/* The comma list after "NAME/" of the service written as s. */
static int items(struct service *svc, char *list, const char *s, char why[SERVICE_WHY_LEN])
{
	char *item, *next;
	long n;
	int err = 0;

	if (svc->kind == SERVICE_PROTO) {
		n = number(list, 255);
		if (n == -1)
			return fail(why, "invalid protocol number in '%s'", s);
		if (n < 0)
			return fail(why, "protocol number in '%s' is out of range (0 to 255)", s);
		svc->proto = n;
		return 0;
	}
	for (item = list; item && !err; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		if (!*item)
			return fail(why, "an empty item in '%s'", s);
		err = svc->kind == SERVICE_PORTS ? port_range(svc, item, s, why)
						 : icmp_type(svc, item, s, why);
	}
	return err;
}

int service_parse(const char *s, struct service *out, char why[SERVICE_WHY_LEN])
{
	char *copy = strdup(s), *slash;
	size_t i;
	int err;

	*out = (struct service){};
	if (!copy)
		return -ENOMEM;
	slash = strchr(copy, '/');
	if (slash)
		*slash = '\0';
	for (i = 0; i < ARRAY_LEN(protocols) && strcasecmp(copy, protocols[i].name); i++)
		;
	if (i == ARRAY_LEN(protocols))
		err = fail(why, "unknown protocol '%s' (tcp, udp, sctp, icmp, icmpv6 or proto)",
			   copy);
	else if (!slash && protocols[i].kind != SERVICE_ICMP && protocols[i].kind != SERVICE_ICMPV6)
		err = fail(why, "'%s' needs a %s after a '/'", s,
			   protocols[i].kind == SERVICE_PROTO ? "protocol number" : "port");
	else if (slash && !slash[1])
		err = fail(why, "an empty list after '%s'", s);
	else
		err = 0;
	if (!err) {
		out->kind = protocols[i].kind;
		out->proto = protocols[i].proto;
		err = slash ? items(out, slash + 1, s, why) : 0;
	}
	free(copy);
	if (err)
		service_free(out);
	return err;
}

void service_free(struct service *svc)
{
	free(svc->v);
	*svc = (struct service){};
}

/* The protocol svc has in family f (0: IPv4, 1: IPv6), and its widest range. */
static uint8_t proto_in(const struct service *svc, int f, uint16_t *all)
{
	*all = svc->kind == SERVICE_ICMP || svc->kind == SERVICE_ICMPV6 ? 255 : 65535;
	if (svc->kind == SERVICE_ICMP)
		return f ? 58 : 1;
	return svc->proto;
}

int service_rules(const struct service *svc, const struct prefix *p, unsigned int line,
		  struct rule_list *l, char why[SERVICE_WHY_LEN])
{
	int f = p->family == AF_INET6;
	struct rule r = { .dst = *p, .line = line };
	char buf[PREFIX_STRLEN];
	size_t i;
	int err = 0;

	if (svc->kind == SERVICE_ICMPV6 && !f)
		return fail(why, "icmpv6 with the IPv4 prefix %s", prefix_format(p, buf));
	r.proto = proto_in(svc, f, &r.hi);
	if (!svc->n)
		return rule_list_add(l, &r);
	for (i = 0; i < svc->n && !err; i++) {
		if (svc->v[i].lo[f] < 0)
			return fail(why, "ICMP type '%s' has no meaning in %s, and the line has "
				    "an address of it", svc->v[i].name, f ? "IPv6" : "IPv4");
		r.lo = svc->v[i].lo[f];
		r.hi = svc->v[i].hi[f];
		err = rule_list_add(l, &r);
	}
	return err;
}

int service_lookup(const char *s, int family, uint8_t *proto, int *value,
		   char why[SERVICE_WHY_LEN])
{
	int f = family == AF_INET6;
	struct service svc;
	uint16_t all;
	int err = service_parse(s, &svc, why);

	if (err)
		return err;
	if (svc.n > 1 || (svc.n && svc.v[0].lo[0] != svc.v[0].hi[0]))
		err = fail(why, "'%s' names more than one %s", s,
			   svc.kind == SERVICE_PORTS ? "port" : "type");
	else if (svc.kind == SERVICE_ICMPV6 && !f)
		err = fail(why, "icmpv6 with an IPv4 destination");
	else if (svc.n && svc.v[0].lo[f] < 0)
		err = fail(why, "ICMP type '%s' has no meaning in %s", svc.v[0].name,
			   f ? "IPv6" : "IPv4");
	if (!err) {
		*proto = proto_in(&svc, f, &all);
		*value = svc.n ? svc.v[0].lo[f] : -1;
	}
	service_free(&svc);
	return err;
}

const char *service_format(const struct rule *r, char buf[SERVICE_STRLEN])
{
	const char *name = NULL;
	size_t i;
	int n;

	if (r->any_proto)
		return strcpy(buf, "any");
	for (i = 0; i < ARRAY_LEN(protocols) && !name; i++)
		if (protocols[i].proto == r->proto && protocols[i].kind != SERVICE_PROTO)
			name = protocols[i].name;
	/* proto/1 and proto/58 admit what has no type too: not icmp/0 */
	if ((r->proto == 1 || r->proto == 58) && r->hi != 65535) {
		if (r->lo == 0 && r->hi == 255)
			return strcpy(buf, name);
		n = snprintf(buf, SERVICE_STRLEN, "%s/%u", name, r->lo);
	} else if (!name || (r->lo == 0 && r->hi == 65535)) {
		n = snprintf(buf, SERVICE_STRLEN, "proto/%u", r->proto);
	} else {
		n = snprintf(buf, SERVICE_STRLEN, "%s/%u", name, r->lo);
	}
	if (r->hi != r->lo && !(r->lo == 0 && r->hi == 65535))
		snprintf(buf + n, SERVICE_STRLEN - n, "-%u", r->hi);
	return buf;
}

bool rule_admits(const struct rule *r, int proto, int value)
{
	uint16_t all = proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6 ? 255 : 65535;

	if (r->any_proto)
		return true;
	if (r->proto != proto)
		return false;
	if (value < 0)
		return r->lo == 0 && r->hi >= all;
	return r->lo <= value && value <= r->hi;
}

const struct rule *rule_admitting(const struct rule_list *l, const struct prefix *dst,
				  int proto, int value, bool *held)
{
	const struct rule *best = NULL;
	size_t i;

	*held = false;
	for (i = 0; i < l->n; i++) {
		const struct rule *r = &l->v[i];

		if (!prefix_contains(&r->dst, dst))
			continue;
		*held = true;
		if (!rule_admits(r, proto, value))
			continue;
		if (!best || r->dst.cidr > best->dst.cidr ||
		    (r->dst.cidr == best->dst.cidr && r->line < best->line))
			best = r;
	}
	return best;
}
