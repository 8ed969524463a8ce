// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <bpf/bpf.h>

#include "fault.h"
#include "tables/rate.h"

#define PS_PER_SEC 1000000000000ull
#define PS_PER_NS 1000u

bool rate_limited(const struct rate_limit *r)
{
	return r->bits_per_sec || r->packets_per_sec;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

/* What n units of ps each are worth, in ns, rounded down; saturated where
 * that does not fit (the parser's bounds keep it from happening). */
static uint64_t worth_ns(uint64_t n, uint64_t ps)
{
	unsigned __int128 ns = (unsigned __int128)n * ps / PS_PER_NS;

	return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

void rate_limit_of(const struct rate_limit *r, struct wgsf_rate_limit *out)
{
	*out = (struct wgsf_rate_limit){ .bits_per_sec = r->bits_per_sec,
					 .burst_bytes = r->burst_bytes,
					 .packets_per_sec = r->packets_per_sec,
					 .burst_packets = r->burst_packets };
}

static bool limit_is_zero(const struct wgsf_rate_limit *l)
{
	static const struct wgsf_rate_limit none;

	return !memcmp(l, &none, sizeof(none));
}

/* Slot s's wanted limit into the plan where the map's (have) differs. */
static void plan_slot(struct rate_plan *p, uint32_t s, const struct wgsf_rate_limit *want,
		      const struct wgsf_rate_limit *have)
{
	if (!memcmp(want, have, sizeof(*want)))
		return;
	if (limit_is_zero(want)) {
		p->unset[p->n_unset++] = s;
		return;
	}
	p->set[p->n_set] = s;
	p->limit[p->n_set++] = *want;
}

/* The plan against have, the map's cap limits by slot. */
static int plan_against(const struct wg_device *dev, const uint32_t *slot_of,
			const struct rules_index *ix, const struct wgsf_rate_limit *have,
			uint32_t cap, struct rate_plan *p)
{
	static const struct wgsf_rate_limit none;
	struct wgsf_rate_limit want;
	const struct peer_rules *r;
	uint8_t *held = calloc(cap + 1, 1);
	uint32_t s;
	size_t i;

	if (!held)
		return -ENOMEM;
	for (i = 0; i < dev->n_peers; i++) {
		s = slot_of[i];
		if (s >= cap)
			continue; /* none yet: a plan that finds the maps too small */
		r = rules_find(ix, dev->peers[i].public_key);
		rate_limit_of(r ? &r->rate : &(struct rate_limit){}, &want);
		held[s] = 1;
		plan_slot(p, s, &want, &have[s]);
	}
	/* the slots of departed peers, and any that a killed sync left */
	for (s = 0; s < cap; s++)
		if (!held[s])
			plan_slot(p, s, &none, &have[s]);
	free(held);
	return 0;
}

int rate_plan(const struct maps *m, const struct wg_device *dev, const uint32_t *slot_of,
	      const struct rules_index *ix, struct rate_plan *p)
{
	uint32_t cap = map_capacity(m->fd[MAP_RATE_LIMIT]);
	struct wgsf_rate_limit *have = NULL;
	int err;

	*p = (struct rate_plan){};
	p->set = malloc((dev->n_peers + 1) * sizeof(*p->set));
	p->limit = malloc((dev->n_peers + 1) * sizeof(*p->limit));
	p->unset = malloc(((size_t)cap + 1) * sizeof(*p->unset));
	err = p->set && p->limit && p->unset ? 0 : -ENOMEM;
	err = err ?: map_read_array(m->fd[MAP_RATE_LIMIT], cap, (void **)&have);
	err = err ?: plan_against(dev, slot_of, ix, have, cap, p);
	free(have);
	if (err)
		rate_plan_free(p);
	return err;
}

/* The elements of n slots of an array map zeroed, in one batch. */
static int zero_slots(int fd, uint32_t *slots, size_t n, size_t value_size)
{
	void *zero = calloc(n + 1, value_size);
	int err = zero ? 0 : -ENOMEM;

	err = err ?: map_update_many(fd, slots, sizeof(*slots), zero, value_size, n);
	free(zero);
	return err;
}

uint64_t rate_tick_ns(void)
{
	struct timespec res;

	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res))
		return UINT64_MAX; /* no coarse clock to speak of: the precise one */
	return (uint64_t)res.tv_sec * 1000000000u + (uint64_t)res.tv_nsec;
}

/* The clock for s's limit: see rate_state_of(). */
static enum wgsf_rate_clock rate_clock(const struct wgsf_rate_state *s, uint64_t tick_ns)
{
	uint64_t least;
	bool coarse = (s->byte_ps || s->packet_ps) &&
		      !__builtin_mul_overflow(tick_ns, WGSF_RATE_COARSE_TICKS, &least) &&
		      (!s->byte_ps || s->byte_tau_ns >= least) &&
		      (!s->packet_ps || s->packet_tau_ns >= least);

	return coarse ? WGSF_RATE_COARSE : WGSF_RATE_PRECISE;
}

void rate_state_of(const struct wgsf_rate_limit *l, uint64_t tick_ns, struct wgsf_rate_state *out)
{
	*out = (struct wgsf_rate_state){};
	if (l->bits_per_sec) {
		out->byte_ps = div_up(8 * PS_PER_SEC, l->bits_per_sec);
		out->byte_tau_ns = worth_ns(l->burst_bytes, out->byte_ps);
	}
	if (l->packets_per_sec) {
		/* a whole ns: B packets are then worth B times one, exactly */
		out->packet_ps = div_up(PS_PER_SEC, l->packets_per_sec * PS_PER_NS) * PS_PER_NS;
		out->packet_tau_ns = worth_ns(l->burst_packets, out->packet_ps);
	}
	out->clock = rate_clock(out, tick_ns);
}

int rate_write(const struct maps *m, const struct rate_plan *p)
{
	struct wgsf_rate_state *lines = calloc(p->n_set + 1, sizeof(*lines));
	uint64_t tick = rate_tick_ns();
	size_t i;
	int err;

	if (!lines)
		return -ENOMEM;
	for (i = 0; i < p->n_set; i++)
		rate_state_of(&p->limit[i], tick, &lines[i]);
	/* The datapath's lines, with empty buckets, then the limits that the
	 * next sync compares with its own: a sync that dies in between leaves
	 * the old limits there, which the next one then finds changed and
	 * writes again, both. The other way round it found them written and
	 * left the lines empty: a limit shown, and never metered. */
	err = map_update_many(m->fd[MAP_RATE_STATE], p->set, sizeof(*p->set), lines,
			      sizeof(*lines), p->n_set);
	if (!err && p->n_set)
		fault_point("write the rate limits as set");
	err = err ?: map_update_many(m->fd[MAP_RATE_LIMIT], p->set, sizeof(*p->set), p->limit,
				     sizeof(*p->limit), p->n_set);
	free(lines);
	return err;
}

int rate_unset(const struct maps *m, const struct rate_plan *p)
{
	return zero_slots(m->fd[MAP_RATE_LIMIT], p->unset, p->n_unset,
			  sizeof(struct wgsf_rate_limit)) ?:
	       zero_slots(m->fd[MAP_RATE_STATE], p->unset, p->n_unset,
			  sizeof(struct wgsf_rate_state));
}

void rate_plan_free(struct rate_plan *p)
{
	free(p->set);
	free(p->limit);
	free(p->unset);
	*p = (struct rate_plan){};
}

/* Only the buckets: the limit beside them may be the one the slot's new
 * peer has too, which no sync then writes again. */
int rate_states_clear(const struct maps *m, uint32_t *slots, size_t n)
{
	struct bpf_map_info info;
	struct wgsf_rate_state *lines;
	size_t len, i;

	if (!n)
		return 0;
	lines = map_mmap(m->fd[MAP_RATE_STATE], &len, &info);
	if (!lines)
		return -errno;
	for (i = 0; i < n; i++) {
		if (slots[i] >= info.max_entries)
			continue;
		__atomic_store_n(&lines[slots[i]].byte_tat, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&lines[slots[i]].packet_tat, 0, __ATOMIC_RELAXED);
	}
	munmap(lines, len);
	return 0;
}
