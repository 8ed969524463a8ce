// SPDX-License-Identifier: GPL-2.0-only
/* A RateLimit's value in tc's units, read exactly, in whole numbers: no
 * floating point, so 1.1mbit is 1,100,000 bits and a number past 64 bits
 * is too large, never what is left of it. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/rate.h"

enum rate_kind { RATE_BITS, RATE_PACKETS };

struct unit {
	const char *name;
	uint64_t mul; /* the bits, packets or bytes of one */
};

/* tc's rate units, each list ended by a NULL name */
static const struct unit bit_units[] = {
	{ "", 1 },
	{ "bit", 1 },
	{ "kbit", 1000ULL },
	{ "mbit", 1000000ULL },
	{ "gbit", 1000000000ULL },
	{ "tbit", 1000000000000ULL },
	{ "kibit", 1ULL << 10 },
	{ "mibit", 1ULL << 20 },
	{ "gibit", 1ULL << 30 },
	{ "tibit", 1ULL << 40 },
	{ NULL, 0 },
};
static const struct unit packet_units[] = { { "pps", 1 }, { "kpps", 1000 }, { NULL, 0 } };
/* tc's size units, but kbit, mbit and gbit count 1000s of bits, as in a
 * rate on the same line, where tc's sizes count 1024s */
static const struct unit byte_units[] = {
	{ "", 1 },
	{ "b", 1 },
	{ "k", 1ULL << 10 },
	{ "kb", 1ULL << 10 },
	{ "m", 1ULL << 20 },
	{ "mb", 1ULL << 20 },
	{ "g", 1ULL << 30 },
	{ "gb", 1ULL << 30 },
	{ "kbit", 1000ULL / 8 },
	{ "mbit", 1000000ULL / 8 },
	{ "gbit", 1000000000ULL / 8 },
	{ NULL, 0 },
};

/* tc's byte rates: "20mbps" is 160 megabits a second to tc, and most
 * likely 20 megabits to whoever wrote it, so neither is guessed. */
static const struct {
	const char *name, *bits, *word;
} byte_rates[] = {
	{ "bps", "bit", "bits" },
	{ "kbps", "kbit", "kilobits" },
	{ "mbps", "mbit", "megabits" },
	{ "gbps", "gbit", "gigabits" },
	{ "tbps", "tbit", "terabits" },
	{ "kibps", "kibit", "kibibits" },
	{ "mibps", "mibit", "mebibits" },
	{ "gibps", "gibit", "gibibits" },
	{ "tibps", "tibit", "tebibits" },
};

/* Each kind's bounds and default burst, as its messages say them. The
 * default is 250 ms at the rate: through wireguard-go a TCP stream under a
 * limit got 97 % of 2mbit and 99 % of 8mbit with it, about half with
 * 100 ms, since TCP takes each drop as congestion. */
static const struct bounds {
	uint64_t min, max, burst_min, burst_max;
	uint64_t per_250ms; /* the rate over this is the burst of 250 ms */
	const char *min_s, *max_s, *burst_min_s, *burst_max_s;
} bounds[] = {
	[RATE_BITS] = { RATE_BITS_MIN, RATE_BITS_MAX, RATE_BURST_BYTES_MIN, RATE_BURST_BYTES_MAX,
			32, "1kbit", "1tbit", "one full-size packet, 1,500 bytes", "1 GiB" },
	[RATE_PACKETS] = { 1, RATE_PACKETS_MAX, 1, RATE_BURST_PACKETS_MAX, 4, "1pps",
			   "1000000000pps", "one packet", "1000000 packets" },
};

/* One kind of a line as written: its tokens (NULL: not given), their values. */
struct written {
	const char *rate, *burst;
	uint64_t per_sec, burst_v;
};

#define WHITE " \t\r\n\v\f"

/* The length of the number that starts s: digits, then maybe a point and
 * digits; 0 where s starts with none. */
static size_t number_len(const char *s)
{
	size_t n = strspn(s, "0123456789");

	if (n && s[n] == '.' && isdigit((unsigned char)s[n + 1]))
		n += 1 + strspn(s + n + 1, "0123456789");
	return n;
}

/* The number s of number_len() len as *n / 10^*k, the zeros that end its
 * fraction dropped: -ERANGE where its whole part is past 64 bits, -E2BIG
 * where the rest is (more than 19 significant digits or decimals). */
static int decimal_read(const char *s, size_t len, uint64_t *n, unsigned int *k)
{
	size_t whole = strspn(s, "0123456789"), end = len, i;

	while (end > whole && (s[end - 1] == '0' || s[end - 1] == '.'))
		end--;
	*n = 0;
	*k = end > whole ? end - whole - 1 : 0;
	if (*k > 19)
		return -E2BIG;
	for (i = 0; i < end; i++) {
		if (i == whole)
			continue; /* the point */
		if (__builtin_mul_overflow(*n, 10, n) || __builtin_add_overflow(*n, s[i] - '0', n))
			return i < whole ? -ERANGE : -E2BIG;
	}
	return 0;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t r = a % b;

		a = b;
		b = r;
	}
	return a;
}

/* The number s of number_len() len times mul into *v, UINT64_MAX past
 * 64 bits; -EDOM where it is not whole, -E2BIG as decimal_read(). */
static int scaled(const char *s, size_t len, uint64_t mul, uint64_t *v)
{
	uint64_t n, den = 1, g;
	unsigned int k, i;
	int err = decimal_read(s, len, &n, &k);

	*v = UINT64_MAX;
	if (err)
		return err == -ERANGE ? 0 : err;
	for (i = 0; i < k; i++)
		den *= 10;
	g = gcd(mul, den);
	if (n % (den / g))
		return -EDOM;
	if (__builtin_mul_overflow(n / (den / g), mul / g, v))
		*v = UINT64_MAX;
	return 0;
}

/* scaled(), with its errors said: what, the things the number counts. */
static int read_number(struct file_pos *pos, const char *t, size_t len, uint64_t mul,
		       const char *what, uint64_t *v)
{
	int err = scaled(t, len, mul, v);

	if (err == -EDOM)
		return pos_fail(pos, "'%s' is not a whole number of %s", t, what);
	if (err)
		return pos_fail(pos, "'%s' has too many digits", t);
	return 0;
}

static const struct unit *unit_find(const struct unit *units, const char *name)
{
	for (; units->name; units++)
		if (!strcasecmp(units->name, name))
			return units;
	return NULL;
}

/* The number num of len chars times 8 into out (len + 2 bytes), written
 * as one would write it: "1.5" gives "12". */
static void times_eight(const char *num, size_t len, char *out)
{
	unsigned int carry = 0;
	size_t i = len, o = len + 1, lead = 0;
	char *end;

	out[o] = '\0';
	while (i--) {
		if (num[i] == '.') {
			out[--o] = '.';
			continue;
		}
		carry += (num[i] - '0') * 8;
		out[--o] = '0' + carry % 10;
		carry /= 10;
	}
	out[0] = '0' + carry;
	while (out[lead] == '0' && isdigit((unsigned char)out[lead + 1]))
		lead++;
	memmove(out, out + lead, len + 2 - lead);
	if (!strchr(out, '.'))
		return;
	end = out + strlen(out);
	while (end[-1] == '0')
		*--end = '\0';
	if (end[-1] == '.')
		end[-1] = '\0';
}

/* A rate in one of tc's byte units (byte_rates[i]): refused, with both
 * readings. */
static int byte_rate(struct file_pos *pos, const char *t, size_t len, size_t i)
{
	char *bits = malloc(len + 2);
	int err;

	if (!bits)
		return -ENOMEM;
	times_eight(t, len, bits);
	err = pos_fail(pos, "'%s': tc reads \"bps\" as bytes per second; write %s%s (or %.*s%s, "
		       "if %s were meant)", t, bits, byte_rates[i].bits, (int)len, t,
		       byte_rates[i].bits, byte_rates[i].word);
	free(bits);
	return err;
}

/* A RATE: its kind and value (UINT64_MAX past 64 bits). */
static int read_rate(struct file_pos *pos, const char *t, enum rate_kind *kind, uint64_t *v)
{
	size_t len = number_len(t), i;
	const struct unit *u;

	if (!len)
		return pos_fail(pos, "invalid rate '%s' (a number and its unit, with no space: "
				"20mbit, 2000pps)", t);
	for (i = 0; i < sizeof(byte_rates) / sizeof(*byte_rates); i++)
		if (!strcasecmp(t + len, byte_rates[i].name))
			return byte_rate(pos, t, len, i);
	*kind = RATE_BITS;
	u = unit_find(bit_units, t + len);
	if (!u) {
		*kind = RATE_PACKETS;
		u = unit_find(packet_units, t + len);
	}
	if (!u)
		return pos_fail(pos, "unknown unit in rate '%s' (bit, kbit, mbit, gbit, tbit, kibit, "
				"mibit, gibit, tibit; pps, kpps)", t);
	return read_number(pos, t, len, u->mul, *kind == RATE_BITS ? "bits" : "packets", v);
}

/* The SIZE of a burst of a rate of kind: bytes, or a number of packets. */
static int read_size(struct file_pos *pos, const char *t, enum rate_kind kind, uint64_t *v)
{
	size_t len = number_len(t);
	const struct unit *u;

	if (kind == RATE_PACKETS) {
		if (!len || t[len] || strchr(t, '.'))
			return pos_fail(pos, "a packet rate's burst is a whole number of packets, "
					"not '%s'", t);
		return read_number(pos, t, len, 1, "packets", v);
	}
	if (!len)
		return pos_fail(pos, "invalid burst '%s' (a number and its unit, with no space: "
				"256kb)", t);
	u = unit_find(byte_units, t + len);
	if (!u)
		return pos_fail(pos, "unknown unit in burst '%s' (b, k, kb, m, mb, g, gb; kbit, "
				"mbit, gbit)", t);
	return read_number(pos, t, len, u->mul, "bytes", v);
}

static int add_rate(struct file_pos *pos, struct written w[2], const char *t, int *last)
{
	enum rate_kind kind = RATE_BITS;
	uint64_t v;
	int err = read_rate(pos, t, &kind, &v);

	if (err)
		return err;
	if (w[kind].rate)
		return pos_fail(pos, "two %s rates in one RateLimit ('%s' and '%s')",
				kind == RATE_BITS ? "bit" : "packet", w[kind].rate, t);
	w[kind] = (struct written){ .rate = t, .per_sec = v };
	*last = kind;
	return 0;
}

/* "burst SIZE", for the rate right before it (last; -1: none). */
static int add_burst(struct file_pos *pos, struct written w[2], int last, const char *size)
{
	if (last < 0)
		return pos_fail(pos, "'burst' with no rate before it");
	if (w[last].burst)
		return pos_fail(pos, "a second burst for '%s'", w[last].rate);
	if (!size)
		return pos_fail(pos, "'burst' with no size after it");
	w[last].burst = size;
	return read_size(pos, size, last, &w[last].burst_v);
}

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* One kind of *w within its bounds b into *per_sec and *burst, the burst
 * its default where w has none. */
static int in_bounds(struct file_pos *pos, const struct written *w, const struct bounds *b,
		     uint64_t *per_sec, uint64_t *burst)
{
	if (!w->rate)
		return 0;
	if (!w->per_sec)
		return pos_fail(pos, "rate '%s' is 0 (at least %s)", w->rate, b->min_s);
	if (w->per_sec < b->min)
		return pos_fail(pos, "rate '%s' is below %s", w->rate, b->min_s);
	if (w->per_sec > b->max)
		return pos_fail(pos, "rate '%s' is above %s", w->rate, b->max_s);
	if (w->burst && w->burst_v < b->burst_min)
		return pos_fail(pos, "burst '%s' is smaller than %s", w->burst, b->burst_min_s);
	if (w->burst && w->burst_v > b->burst_max)
		return pos_fail(pos, "burst '%s' is above %s", w->burst, b->burst_max_s);
	*per_sec = w->per_sec;
	*burst = w->burst ? w->burst_v :
			    clamp(w->per_sec / b->per_250ms, b->burst_min, b->burst_max);
	return 0;
}

int rate_parse(struct file_pos *pos, char *value, struct rate_limit *out)
{
	struct rate_limit l = { .line = pos->line };
	struct written w[2] = {};
	char *t, *save = NULL;
	int last = -1, err = 0;

	for (t = strtok_r(value, WHITE, &save); t && !err; t = strtok_r(NULL, WHITE, &save)) {
		if (!strcasecmp(t, "burst"))
			err = add_burst(pos, w, last, strtok_r(NULL, WHITE, &save));
		else
			err = add_rate(pos, w, t, &last);
	}
	if (!err && last < 0)
		err = pos_fail(pos, "an empty RateLimit (RateLimit = RATE [burst SIZE] [RATE "
			       "[burst SIZE]])");
	err = err ?: in_bounds(pos, &w[RATE_BITS], &bounds[RATE_BITS], &l.bits_per_sec,
			       &l.burst_bytes) ?:
		     in_bounds(pos, &w[RATE_PACKETS], &bounds[RATE_PACKETS], &l.packets_per_sec,
			       &l.burst_packets);
	if (!err)
		*out = l;
	return err;
}

/* Whether a rate and its burst are tighter than a limit's (rate 0: none). */
static bool tighter(uint64_t rate, uint64_t burst, uint64_t than_rate, uint64_t than_burst)
{
	return !than_rate || rate < than_rate || (rate == than_rate && burst < than_burst);
}

void rate_tighten(struct rate_limit *out, const struct rate_limit *own,
		  const struct rate_limit *g)
{
	if (g->bits_per_sec && !own->bits_per_sec &&
	    tighter(g->bits_per_sec, g->burst_bytes, out->bits_per_sec, out->burst_bytes)) {
		out->bits_per_sec = g->bits_per_sec;
		out->burst_bytes = g->burst_bytes;
		out->line = g->line;
	}
	if (g->packets_per_sec && !own->packets_per_sec &&
	    tighter(g->packets_per_sec, g->burst_packets, out->packets_per_sec,
		    out->burst_packets)) {
		out->packets_per_sec = g->packets_per_sec;
		out->burst_packets = g->burst_packets;
		if (!out->bits_per_sec)
			out->line = g->line;
	}
}
