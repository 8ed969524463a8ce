// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flow records pushed out, through the real program (tests/lib/world.h,
 * tests/lib/flowrecs.h), the flows numbered by their source port: a full
 * table takes each new flow in the place under the clock hand, evicting
 * the oldest, counted, each written whole to the events ring while a
 * reader holds the lease, in order, and none without one; a flow with a
 * packet since the hand last passed keeps its place for one more turn, at
 * most WGSF_FLOWREC_CHANCES - 1 in a row, place by place as worked out by
 * hand from bpf/flowrec.bpf.h; a place whose flow was deleted from
 * userspace, or placed anew elsewhere, is taken without an eviction; a
 * ring that overflows loses the flow ends it has no room for, counted.
 * Nothing here is random.
 */
#include <string.h>
#include <netinet/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flowrecs.h"
#include "tap.h"
#include "world.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof(*(a)))
#define PASS ((uint32_t)TC_ACT_UNSPEC)
#define NS 1000000000ull
#define SIZE 64                /* the table of the oldest's eviction */
#define SMALL WGSF_FLOWREC_MIN /* the others': 16 places */
#define BASE 10000             /* the first numbered flow's port */
#define UDP4_LEN 28            /* a numbered flow's packet: IPv4, UDP, nothing */
/* A flow end in the ring: rounded up to 8 bytes, behind the ring's header.
 * The kernel refuses a record that would make the ring's used bytes reach
 * its size, so an unread ring holds RING_ENDS. */
#define END_SIZE ((sizeof(struct wgsf_flow_end) + 7) / 8 * 8 + BPF_RINGBUF_HDR_SZ)
#define RING_ENDS ((WGSF_EVENT_RING - 1) / END_SIZE)
#define LOST 5

static const struct world_peer one[] = { { "192.0.2.0/26", NULL } };

/* What the ring held at the last drain. */
static struct {
	struct wgsf_flow_end e[RING_ENDS + 8];
	size_t n;
} ends;

/* A flow numbered by its port, its place (pos), its packets and its hit as
 * the table or the ring must have them. */
struct expect {
	uint16_t port;
	uint32_t pos;
	uint8_t packets, hit;
};

static struct flow_spec numbered(uint16_t port)
{
	return (struct flow_spec){ "192.0.2.10", "198.51.100.53", IPPROTO_UDP, port, 53, false };
}

static struct wgsf_flowrec_key key_of(uint16_t port)
{
	struct flow_spec f = numbered(port);

	return flow_key(&f);
}

/* x's record, of the one peer of w */
static struct wgsf_flowrec rec_of(const struct world *w, struct expect x)
{
	return (struct wgsf_flowrec){ .packets = x.packets, .bytes = x.packets * UDP4_LEN,
				      .pos = x.pos, .hit = x.hit, .slot = world_slot(w, 0) };
}

/* One packet of each flow numbered from first to last; how many were not
 * passed. */
static unsigned int send_range(const struct world *w, uint16_t first, uint16_t last)
{
	unsigned int wrong = 0;
	struct flow_spec f;
	uint32_t port;

	for (port = first; port <= last; port++) {
		f = numbered(port);
		wrong += flow_send(w->in, &f, 1, PASS);
	}
	return wrong;
}

/* A reader for 10 s, its ring soiled first (world_ring_soil): the flow
 * ends compared whole land on ones. */
static bool reader(const struct world *w)
{
	return world_ring_soil(w) && !world_reader(w, world_now_ns() + 10 * NS);
}

/* Reads every record the ring holds into ends; how many, or -1. */
static long drain(const struct world *w)
{
	long n = world_records(w, ends.e, sizeof(*ends.e), ARRAY_SIZE(ends.e));

	ends.n = n < 0 ? 0 : (size_t)n;
	return n;
}

/* Whether w's table holds the n flows of x, and no other. */
static bool table_is(const struct world *w, const struct expect *x, size_t n,
		     const struct span *t)
{
	struct wgsf_flowrec_key k;
	size_t i, bad = 0, in = flows_in(w, UINT32_MAX, NULL, NULL);

	for (i = 0; i < n; i++) {
		k = key_of(x[i].port);
		bad += !flow_is(w, &k, rec_of(w, x[i]), t);
	}
	if (in != n)
		diag("  the table holds %zu flows, not %zu", in, n);
	return !bad && in == n;
}

/* Whether the ring held the n evictions of x, in order, and nothing else;
 * it is drained. */
static bool ends_are(const struct world *w, const struct expect *x, size_t n,
		     const struct span *t)
{
	struct wgsf_flowrec_key k;
	long got = drain(w);
	size_t i, bad = 0;

	for (i = 0; i < n && i < ends.n; i++) {
		k = key_of(x[i].port);
		if (!flow_end_is(&ends.e[i], &k, rec_of(w, x[i]), t) && !bad++)
			diag("  record %zu is not flow %u's eviction", i, x[i].port);
	}
	if (got != (long)n)
		diag("  the ring held %ld records, not %zu", got, n);
	return !bad && got == (long)n;
}

/* The hand's place for flow i, of one packet: SIZE places, each new flow
 * evicting the oldest. */
static struct expect in_turn(uint16_t i)
{
	return (struct expect){ BASE + i, i % SIZE, 1, 0 };
}

/* SIZE x 4 new flows of one packet each: the newest SIZE stay, in their
 * places; the first 3 x SIZE are evicted in order, counted, and written to
 * the ring where a reader holds the lease. */
static void oldest_out(bool lease)
{
	static struct expect stay[SIZE], gone[3 * SIZE];
	const char *who = lease ? "a reader" : "no reader";
	struct wgsf_dev_stats d;
	unsigned int wrong;
	struct world w;
	struct span t;
	uint16_t i;

	if (!ok(flows_load(&w, SIZE, one, 1) && (!lease || reader(&w)),
		"oldest, %s: load a table of %d places", who, SIZE))
		goto out;
	span_open(&t);
	wrong = send_range(&w, BASE, BASE + 4 * SIZE - 1);
	span_close(&t);
	for (i = 0; i < 3 * SIZE; i++)
		gone[i] = in_turn(i);
	for (i = 0; i < SIZE; i++)
		stay[i] = in_turn(3 * SIZE + i);
	ok(!wrong && table_is(&w, stay, SIZE, &t),
	   "oldest, %s: of %d flows the newest %d stay, each in its place", who, 4 * SIZE, SIZE);
	d = world_dev_stats(&w);
	ok(d.flowrec_evicted == 3 * SIZE && !d.flowrec_untracked && !d.flowrec_end_lost,
	   "oldest, %s: %d evicted, none untracked, none lost", who, 3 * SIZE);
	if (lease)
		ok(ends_are(&w, gone, 3 * SIZE, &t),
		   "oldest, a reader: %d flow ends in the ring, the oldest flows' in order, whole",
		   3 * SIZE);
	else
		is_u64(drain(&w), 0, "oldest, no reader: nothing in the ring");
out:
	world_destroy(&w);
}

#define F(i) (1000 + (i)) /* the first turn's flows */
#define N(i) (2000 + (i)) /* the new ones */
#define M(i) (3000 + (i))

/*
 * A table of SMALL places, F(0) to F(15), with a second packet (a hit) for
 * F(3), F(5) and F(8) to F(11). New flows N(0) to N(10) take, place by
 * place: 0, 1, 2 evicting F(0) to F(2); at 3 the hand clears F(3)'s hit and
 * goes on to 4 (F(4) out), so too at 5; at 8 it clears F(8), F(9), F(10),
 * and takes 11, its fourth look, F(11) out whatever its hit; then 12 to 15.
 */
static const struct expect first_out[] = {
	{ F(0), 0, 1, 0 },    { F(1), 1, 1, 0 },    { F(2), 2, 1, 0 },    { F(4), 4, 1, 0 },
	{ F(6), 6, 1, 0 },    { F(7), 7, 1, 0 },    { F(11), 11, 2, 1 },  { F(12), 12, 1, 0 },
	{ F(13), 13, 1, 0 },  { F(14), 14, 1, 0 },  { F(15), 15, 1, 0 },
};
static const struct expect first_stay[] = {
	{ F(3), 3, 2, 0 },    { F(5), 5, 2, 0 },    { F(8), 8, 2, 0 },    { F(9), 9, 2, 0 },
	{ F(10), 10, 2, 0 },  { N(0), 0, 1, 0 },    { N(1), 1, 1, 0 },    { N(2), 2, 1, 0 },
	{ N(3), 4, 1, 0 },    { N(4), 6, 1, 0 },    { N(5), 7, 1, 0 },    { N(6), 11, 1, 0 },
	{ N(7), 12, 1, 0 },   { N(8), 13, 1, 0 },   { N(9), 14, 1, 0 },   { N(10), 15, 1, 0 },
};
/* The next turn, N(11) to N(14): F(3) had its chance, and goes. */
static const struct expect second_out[] = {
	{ N(0), 0, 1, 0 },  { N(1), 1, 1, 0 },  { N(2), 2, 1, 0 },  { F(3), 3, 2, 0 },
};
/* N(3), at 4, and F(5), at 5, deleted from userspace; F(5) again, new,
 * takes 4 (its flow gone), M(0) takes 5 (its flow now at 4), M(1) 6,
 * N(4) out. */
static const struct expect third_out[] = { { N(4), 6, 1, 0 } };
static const struct expect third_stay[] = {
	{ N(11), 0, 1, 0 },   { N(12), 1, 1, 0 },   { N(13), 2, 1, 0 },   { N(14), 3, 1, 0 },
	{ F(5), 4, 1, 0 },    { M(0), 5, 1, 0 },    { M(1), 6, 1, 0 },    { N(5), 7, 1, 0 },
	{ F(8), 8, 2, 0 },    { F(9), 9, 2, 0 },    { F(10), 10, 2, 0 },  { N(6), 11, 1, 0 },
	{ N(7), 12, 1, 0 },   { N(8), 13, 1, 0 },   { N(9), 14, 1, 0 },   { N(10), 15, 1, 0 },
};

static uint64_t evicted(const struct world *w)
{
	return world_dev_stats(w).flowrec_evicted;
}

/* Deletes flow port from w's table, as a reader that finds it idle does. */
static bool delete_flow(const struct world *w, uint16_t port)
{
	struct wgsf_flowrec_key k = key_of(port);

	return !bpf_map_delete_elem(w->maps.fd[MAP_FLOWREC], &k);
}

/* F(0) to F(15), the hits, N(0) to N(14): two turns of the hand. */
static void hand_turns(const struct world *w, struct span *t)
{
	static const uint16_t hits[] = { F(3), F(5), F(8), F(9), F(10), F(11) };
	unsigned int wrong;
	size_t i;

	wrong = send_range(w, F(0), F(SMALL - 1));
	for (i = 0; i < ARRAY_SIZE(hits); i++)
		wrong += send_range(w, hits[i], hits[i]);
	wrong += send_range(w, N(0), N(10));
	span_close(t);
	ok(!wrong && table_is(w, first_stay, ARRAY_SIZE(first_stay), t),
	   "second chance: the flows hit kept their places, but the fourth in a row, their hits "
	   "cleared");
	ok(ends_are(w, first_out, ARRAY_SIZE(first_out), t) &&
		   evicted(w) == ARRAY_SIZE(first_out),
	   "second chance: %zu evicted, in the hand's order, F(11) with its hit",
	   ARRAY_SIZE(first_out));
	wrong = send_range(w, N(11), N(14));
	span_close(t);
	ok(!wrong && ends_are(w, second_out, ARRAY_SIZE(second_out), t) &&
		   evicted(w) == ARRAY_SIZE(first_out) + ARRAY_SIZE(second_out),
	   "second chance: one turn on, the flow hit then goes, unhit since");
}

/* Then the deletions, F(5) again, M(0) and M(1). */
static void deletions(const struct world *w, struct span *t)
{
	const uint64_t before = evicted(w);
	unsigned int wrong;

	wrong = !delete_flow(w, N(3)) + !delete_flow(w, F(5)) + send_range(w, F(5), F(5)) +
		send_range(w, M(0), M(0));
	ok(!wrong && evicted(w) == before && drain(w) == 0,
	   "deleted: the places of a flow deleted and of one placed anew taken, no eviction");
	wrong = send_range(w, M(1), M(1));
	span_close(t);
	ok(!wrong && ends_are(w, third_out, ARRAY_SIZE(third_out), t) &&
		   table_is(w, third_stay, ARRAY_SIZE(third_stay), t),
	   "deleted: the next place's flow evicted, the table as worked out");
	is_u64(evicted(w), before + 1, "deleted: that eviction counted, no more");
}

static void second_chance(void)
{
	struct world w;
	struct span t;

	if (ok(flows_load(&w, SMALL, one, 1) && reader(&w),
	       "second chance: load a table of %u places, and a reader", SMALL)) {
		span_open(&t);
		hand_turns(&w, &t);
		deletions(&w, &t);
	}
	world_destroy(&w);
}

/* SMALL + RING_ENDS + LOST new flows into a ring nobody reads: it takes
 * the first RING_ENDS flow ends, in order, and loses LOST, counted. Read,
 * it has room again: the next eviction is written whole. */
static void ring_full(void)
{
	static struct expect first[RING_ENDS];
	const uint16_t last = BASE + SMALL + RING_ENDS + LOST - 1;
	/* the flow the one after last evicts */
	const struct expect next = { BASE + RING_ENDS + LOST, (RING_ENDS + LOST) % SMALL, 1, 0 };
	struct wgsf_dev_stats d;
	unsigned int wrong;
	struct world w;
	struct span t;
	uint16_t i;

	if (!ok(flows_load(&w, SMALL, one, 1) && reader(&w),
		"ring full: load a table of %u places, and a reader", SMALL))
		goto out;
	span_open(&t);
	wrong = send_range(&w, BASE, last);
	span_close(&t);
	for (i = 0; i < RING_ENDS; i++)
		first[i] = (struct expect){ BASE + i, i % SMALL, 1, 0 };
	ok(!wrong && ends_are(&w, first, RING_ENDS, &t),
	   "ring full: %zu flow ends (of %zu B) read, the oldest flows' in order",
	   (size_t)RING_ENDS, (size_t)END_SIZE);
	d = world_dev_stats(&w);
	ok(d.flowrec_evicted == RING_ENDS + LOST && d.flowrec_end_lost == LOST,
	   "ring full: %llu evicted, %llu lost", (unsigned long long)d.flowrec_evicted,
	   (unsigned long long)d.flowrec_end_lost);
	wrong = send_range(&w, last + 1, last + 1);
	span_close(&t);
	ok(!wrong && ends_are(&w, &next, 1, &t) && world_dev_stats(&w).flowrec_end_lost == LOST,
	   "ring full: read, the next flow end is written whole, no more lost");
out:
	world_destroy(&w);
}

int main(void)
{
	require_root_bpf();
	libbpf_set_print(NULL);
	oldest_out(false);
	oldest_out(true);
	second_chance();
	ring_full();
	return done_testing();
}
