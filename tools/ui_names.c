// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attach/hook.h"
#include "tables/services.h"
#include "ui_names.h"

const char *ui_reason_name(uint32_t reason)
{
	static const char *const names[WGSF_REASON_COUNT] = {
		[WGSF_REASON_SOURCE] = "source",
		[WGSF_REASON_DESTINATION] = "destination",
		[WGSF_REASON_BLOCKED] = "blocked",
		[WGSF_REASON_SERVICE] = "service",
		[WGSF_REASON_RATE] = "rate",
		[WGSF_REASON_QUARANTINED] = "quarantined",
	};

	return reason < WGSF_REASON_COUNT ? names[reason] : "unknown";
}

const char *ui_policy_name(const struct wgsf_config *c)
{
	return c->policy[0] ? c->policy : "none";
}

const char *ui_hook(const struct wgsf_attachment *a, char buf[32])
{
	snprintf(buf, 32, "tc (%s)", hook_mech_name(a->mech));
	return buf;
}

const char *ui_mode(uint32_t mode)
{
	return mode == WGSF_MODE_ENFORCE ? "enforce" : "monitor";
}

const char *ui_addr(const struct wgsf_addr *a, char buf[PREFIX_STRLEN])
{
	struct prefix p = { .family = a->version == 4 ? AF_INET : AF_INET6 };

	if (!a->version)
		return NULL;
	memcpy(p.addr, a->addr, a->version == 4 ? 4 : 16);
	return addr_format(&p, buf);
}

const char *ui_bytes(uint64_t b, char buf[32])
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = b;
	int u = -1;

	if (b < 1024) {
		snprintf(buf, 32, "%llu B", (unsigned long long)b);
		return buf;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, 32, "%.2f %s", v, units[u]);
	return buf;
}

const char *ui_bit_rate(uint64_t bps, char buf[32])
{
	static const struct {
		uint64_t factor;
		const char *unit;
	} units[] = {
		{ 1000000000000ull, "Tbit/s" }, { 1ull << 40, "Tibit/s" },
		{ 1000000000ull, "Gbit/s" },    { 1ull << 30, "Gibit/s" },
		{ 1000000ull, "Mbit/s" },       { 1ull << 20, "Mibit/s" },
		{ 1000ull, "kbit/s" },          { 1ull << 10, "Kibit/s" },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(*units); i++)
		if (bps && bps % units[i].factor == 0) {
			snprintf(buf, 32, "%llu %s", (unsigned long long)(bps / units[i].factor),
				 units[i].unit);
			return buf;
		}
	snprintf(buf, 32, "%llu bit/s", (unsigned long long)bps);
	return buf;
}

uint64_t ui_clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t ui_epoch(uint64_t mono_ns)
{
	uint64_t mono = ui_clock_ns(CLOCK_MONOTONIC), real = ui_clock_ns(CLOCK_REALTIME);

	if (!mono_ns)
		return 0;
	/* a stamp to come (a quarantine's end) as well as one past */
	if (mono_ns > mono)
		return (real + (mono_ns - mono)) / 1000000000ull;
	return (real - (mono - mono_ns)) / 1000000000ull;
}

/* As `wg show` words a span: "1 hour, 2 minutes, 3 seconds", between
 * prefix and suffix. */
static const char *span(uint64_t secs, const char *prefix, const char *suffix, char buf[64])
{
	static const struct { uint64_t secs; const char *name; } parts[] = {
		{ 86400 * 365, "year" }, { 86400, "day" }, { 3600, "hour" },
		{ 60, "minute" },        { 1, "second" },
	};
	size_t i, n;

	if (!secs)
		return strcpy(buf, "now");
	n = snprintf(buf, 64, "%s", prefix);
	for (i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		uint64_t k = secs / parts[i].secs;

		if (!k)
			continue;
		secs %= parts[i].secs;
		n += snprintf(buf + n, 64 - n, "%s%llu %s%s", n > strlen(prefix) ? ", " : "",
			      (unsigned long long)k, parts[i].name, k == 1 ? "" : "s");
	}
	snprintf(buf + n, 64 - n, "%s", suffix);
	return buf;
}

const char *ui_ago(uint64_t mono_ns, char buf[64])
{
	uint64_t now = ui_clock_ns(CLOCK_MONOTONIC);

	if (!mono_ns)
		return strcpy(buf, "never");
	return span(now > mono_ns ? (now - mono_ns) / 1000000000ull : 0, "", " ago", buf);
}

const char *ui_in(uint64_t mono_ns, char buf[64])
{
	uint64_t now = ui_clock_ns(CLOCK_MONOTONIC);

	/* rounded up: what is left of a second is still to come */
	return span(mono_ns > now ? (mono_ns - now + 999999999ull) / 1000000000ull : 0, "in ", "",
		    buf);
}

const char *ui_local_time(uint64_t epoch, char buf[32])
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, 32, "@%llu", (unsigned long long)epoch);
	return buf;
}

int ui_l4_kind(uint8_t version, uint8_t proto, uint8_t l4_flags)
{
	if (l4_flags & (WGSF_L4_FRAGMENT | WGSF_L4_SHORT | WGSF_L4_UNWALKED))
		return UI_L4_NONE;
	if ((proto == IPPROTO_ICMP && version == 4) || (proto == IPPROTO_ICMPV6 && version == 6))
		return UI_L4_TYPE;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP)
		return UI_L4_PORT;
	return UI_L4_NONE;
}

int ui_last_l4(const struct wgsf_peer_stats *s, unsigned int *value)
{
	int kind = ui_l4_kind(s->last_violation_dst.version, s->last_violation_proto,
			      s->last_violation_l4);

	*value = kind == UI_L4_TYPE ? s->last_violation_port >> 8 : s->last_violation_port;
	return kind;
}

const char *ui_service(const struct wgsf_peer_stats *s, char buf[32])
{
	const char *name = svc_proto_name(s->last_violation_proto);
	unsigned int value;

	if (ui_last_l4(s, &value) != UI_L4_NONE)
		snprintf(buf, 32, "%s/%u", name, value);
	else if (name)
		snprintf(buf, 32, "%s", name);
	else
		snprintf(buf, 32, "proto/%u", s->last_violation_proto);
	return buf;
}
