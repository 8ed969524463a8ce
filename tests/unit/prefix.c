// SPDX-License-Identifier: GPL-2.0-only
/* Prefix parsing, normalisation (host bits cleared, as WireGuard stores
 * allowed IPs), formatting, containment and order. No privileges needed. */
#include <errno.h>
#include <string.h>

#include "prefix.h"
#include "tap.h"

static void parses_as(const char *in, const char *want)
{
	char buf[PREFIX_STRLEN];
	struct prefix p;

	if (ok(!prefix_parse(in, &p), "'%s' parses", in))
		ok(!strcmp(prefix_format(&p, buf), want), "'%s' is %s (got %s)", in, want, buf);
}

static void rejects(const char *in)
{
	struct prefix p;

	ok(prefix_parse(in, &p) == -EINVAL, "'%s' is rejected", in);
}

static bool contains(const char *outer, const char *inner)
{
	struct prefix a, b;

	return !prefix_parse(outer, &a) && !prefix_parse(inner, &b) && prefix_contains(&a, &b);
}

static int cmp(const char *x, const char *y)
{
	struct prefix a, b;

	prefix_parse(x, &a);
	prefix_parse(y, &b);
	return prefix_cmp(&a, &b);
}

int main(void)
{
	char overlong[128];
	struct prefix p;

	parses_as("192.0.2.1/32", "192.0.2.1/32");
	parses_as("192.0.2.77/24", "192.0.2.0/24");
	parses_as("192.0.2.255/25", "192.0.2.128/25");
	parses_as("198.51.100.7", "198.51.100.7/32");
	parses_as("203.0.113.9/0", "0.0.0.0/0");
	parses_as("203.0.113.9/31", "203.0.113.8/31");
	parses_as("2001:db8::1", "2001:db8::1/128");
	parses_as("2001:db8:1:2:3:4:5:6/64", "2001:db8:1:2::/64");
	parses_as("2001:db8:ffff::/33", "2001:db8:8000::/33");
	parses_as("2001:db8::1/0", "::/0");
	parses_as("::ffff:192.0.2.1/128", "::ffff:192.0.2.1/128");

	rejects("");
	rejects("192.0.2.1/33");
	rejects("2001:db8::/129");
	rejects("/8");
	rejects("192.0.2.1/");
	rejects("192.0.2.1/+8");
	rejects("192.0.2.1/-1");
	rejects("192.0.2.1/08");
	rejects("192.0.2.1/ 8");
	rejects(" 192.0.2.1");
	rejects("192.0.2.1 ");
	rejects("192.0.2.1/24x");
	rejects("192.0.2");
	rejects("192.0.2.256");
	rejects("2001:db8:::1");
	rejects("wg0");
	memset(overlong, '1', sizeof(overlong) - 1);
	overlong[sizeof(overlong) - 1] = '\0';
	rejects(overlong);

	ok(!addr_parse("192.0.2.7", &p) && p.cidr == 32 && p.family == AF_INET,
	   "an address is its host route");
	ok(addr_parse("192.0.2.0/24", &p) == -EINVAL, "an address takes no length");

	ok(contains("192.0.2.0/24", "192.0.2.200/32"), "/24 holds an address inside it");
	ok(!contains("192.0.2.0/24", "192.0.3.1/32"), "/24 does not hold one outside");
	ok(contains("192.0.2.0/25", "192.0.2.0/26"), "/25 holds its lower /26");
	ok(!contains("192.0.2.0/26", "192.0.2.0/25"), "/26 does not hold its /25");
	ok(contains("0.0.0.0/0", "203.0.113.1/32"), "/0 holds every IPv4 address");
	ok(!contains("0.0.0.0/0", "2001:db8::1/128"), "an IPv4 prefix holds no IPv6 address");
	ok(contains("2001:db8::/32", "2001:db8:ffff::1/128"), "IPv6 containment");
	ok(!contains("2001:db8:8000::/33", "2001:db8:7fff::1/128"), "IPv6 odd-length boundary");
	ok(contains("192.0.2.1/32", "192.0.2.1/32"), "a prefix holds itself");

	ok(cmp("192.0.2.0/24", "192.0.2.0/24") == 0, "equal prefixes compare equal");
	ok(cmp("192.0.2.0/24", "192.0.2.0/25") < 0, "shorter first at the same address");
	ok(cmp("192.0.2.0/24", "198.51.100.0/24") < 0, "ordered by address");
	ok(cmp("198.51.100.0/24", "2001:db8::/32") < 0, "IPv4 before IPv6");
	ok(cmp("2001:db8::/32", "192.0.2.0/24") > 0, "and the other way round");
	return done_testing();
}
