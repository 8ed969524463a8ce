// SPDX-License-Identifier: GPL-2.0-only
/*
 * wgsf events [IFACE]: the datapath's record of each violation, and the
 * tracer's of each packet that kernel WireGuard itself rejected, a line
 * each as it comes, until a signal ends it; of every interface attached
 * in this namespace where none is named. Both write events only
 * while a reader holds a lease on them (wgsf.h), which this renews every
 * second: nobody reading costs nothing, and a reader that dies stops them
 * within the lease. Every second, too, it says how many events each peer's
 * budget suppressed and how many the ring buffer lost, from the counters:
 * every violation while it reads is an event or in one of those counts.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach/iface.h"
#include "events_flows.h"
#include "events_print.h"
#include "subcommands.h"
#include "tables/flowrec.h"
#include "tables/stats.h"
#include "tracer/tracer.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_opts.h"
#include "wait.h"

const char events_usage[] = "[IFACE] [--flow-idle SECONDS] [--json]";

#define ROUND_NS 1000000000ull

/* An interface read: its ring, its peers' keys, what its counters said. */
struct source {
	char name[IFNAMSIZ];
	uint32_t ring_id; /* the events map's id: attached anew, another map */
	int ring_fd, slots_fd;
	bool counted;          /* the counts below were read */
	uint64_t suppressed, lost; /* the interface's, at the last round */
	uint64_t flows_lost;       /* flows' ends the ring had no room for */
	int flowrec_fd;        /* where flow records are on, their table; else -1 */
	uint64_t next_sweep;   /* when to look for idle flows (CLOCK_MONOTONIC) */
	uint64_t *seen;        /* each slot's suppressed count, at the last round */
	uint32_t n_seen;
	uint64_t lease;        /* the last lease written */
	int reader_fd;
	bool present;          /* still attached at this round */
	/* the same of WireGuard's own rejections (the tracer's), by sender */
	bool t_counted;
	uint64_t t_suppressed, t_lost;
	struct tracer_peer *t_seen;
	size_t n_t_seen;
};

struct reader {
	const char *only; /* the interface named, or NULL: all */
	struct source **src; /* apart: the ring's callbacks hold them */
	size_t n;
	struct ring_buffer *rb;
	bool rebuild; /* a ring came or went */
	int64_t mono_to_real;
	uint64_t flow_idle_ns; /* --flow-idle */
};

static uint32_t map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

static struct reader *reading; /* for the ring's callback */

/* A flow's end, as the datapath wrote it: evicted. */
static void on_flow_end(const struct source *s, const void *data)
{
	char key[WG_KEY_B64_LEN];
	struct wgsf_flow_end e;

	memcpy(&e, data, sizeof(e));
	events_print_flow_end(s->name, events_slot_key(s->slots_fd, e.rec.slot, key), &e,
			      reading->mono_to_real);
}

/* A record of the ring: an event, or a flow's end, told apart by size. */
static int on_event(void *ctx, void *data, size_t size)
{
	const struct source *s = ctx;
	char key[WG_KEY_B64_LEN];
	const char *peer;
	struct wgsf_event e;

	if (size == sizeof(struct wgsf_flow_end))
		on_flow_end(s, data);
	if (size != sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	/* the tracer names the sender by its key, the datapath by its slot */
	if (e.reason == WGSF_EVENT_REJECTED) {
		key_to_base64(key, e.public_key);
		peer = key;
	} else {
		peer = events_slot_key(s->slots_fd, e.slot, key);
	}
	events_print_event(s->name, peer, &e, reading->mono_to_real);
	return 0;
}

static void source_free(struct source *s)
{
	if (s->ring_fd >= 0)
		close(s->ring_fd);
	if (s->slots_fd >= 0)
		close(s->slots_fd);
	if (s->flowrec_fd >= 0)
		close(s->flowrec_fd);
	if (s->reader_fd >= 0)
		close(s->reader_fd);
	free(s->seen);
	free(s->t_seen);
	free(s);
}

static struct source *source_find(struct reader *r, const char *name)
{
	struct source **v, *s;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->src[i]->name, name))
			return r->src[i];
	v = realloc(r->src, (r->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->src = v;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->ring_fd = s->slots_fd = s->reader_fd = s->flowrec_fd = -1;
	r->src[r->n++] = s;
	return s;
}

/* fd, duplicated into *keep in place of what it held. */
static int keep_fd(int fd, int *keep)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	if (d < 0)
		return -errno;
	if (*keep >= 0)
		close(*keep);
	*keep = d;
	return 0;
}

/* Each peer whose suppressed count grew since the last round, a line at
 * real_ns; the first round only takes the counts. */
static int peers_round(struct source *s, const struct maps *m, uint64_t real_ns)
{
	uint32_t cap = map_capacity(m->fd[MAP_PEER_SLOTS]), i;
	struct wgsf_peer_stats *st = calloc(cap ?: 1, sizeof(*st));
	char key[WG_KEY_B64_LEN];
	uint64_t *seen;
	int err = st ? stats_read_peers(m, cap, st) : -ENOMEM;

	if (!err && cap > s->n_seen) {
		seen = realloc(s->seen, cap * sizeof(*seen));
		err = seen ? 0 : -ENOMEM;
		if (seen) {
			memset(seen + s->n_seen, 0, (cap - s->n_seen) * sizeof(*seen));
			s->seen = seen;
			s->n_seen = cap;
		}
	}
	for (i = 0; !err && i < cap; i++) {
		/* a count that went back is a slot given anew, from 0 */
		if (s->counted && st[i].event_suppressed > s->seen[i])
			events_print_suppressed(s->name, events_slot_key(s->slots_fd, i, key),
						st[i].event_suppressed - s->seen[i], real_ns);
		s->seen[i] = st[i].event_suppressed;
	}
	free(st);
	return err;
}

/* What the interface's counters say since the last round; the peers'
 * only where the interface's total of them moved. */
static int counts_round(struct source *s, const struct maps *m)
{
	uint64_t real_ns = ui_clock_ns(CLOCK_REALTIME);
	struct wgsf_dev_stats d;
	int err = stats_read_dev(m->fd[MAP_DEV_STATS], &d);

	if (!err && (!s->counted || d.event_suppressed != s->suppressed))
		err = peers_round(s, m, real_ns);
	if (err)
		return err;
	if (s->counted && d.event_lost > s->lost)
		events_print_lost(s->name, "lost", d.event_lost - s->lost, real_ns);
	if (s->counted && d.flowrec_end_lost > s->flows_lost)
		events_print_lost(s->name, "flow_records_lost", d.flowrec_end_lost - s->flows_lost,
				  real_ns);
	s->suppressed = d.event_suppressed;
	s->lost = d.event_lost;
	s->flows_lost = d.flowrec_end_lost;
	s->counted = true;
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return memcmp(((const struct tracer_peer *)a)->public_key,
		      ((const struct tracer_peer *)b)->public_key, WG_KEY_LEN);
}

/* Each sender whose rejections' events were suppressed since the last
 * round, a line; then v's senders are the ones to compare with. */
static void senders_round(struct source *s, struct tracer_view *v, uint64_t real_ns)
{
	const struct tracer_peer *was;
	char key[WG_KEY_B64_LEN];
	uint64_t before;
	size_t i;

	for (i = 0; s->t_counted && i < v->n_peers; i++) {
		was = bsearch(&v->peers[i], s->t_seen, s->n_t_seen, sizeof(*was), by_key);
		before = was ? was->rejected.event_suppressed : 0;
		if (v->peers[i].rejected.event_suppressed <= before)
			continue;
		key_to_base64(key, v->peers[i].public_key);
		events_print_suppressed(s->name, key, v->peers[i].rejected.event_suppressed - before,
					real_ns);
	}
	free(s->t_seen);
	s->t_seen = v->peers; /* sorted by key, as tracer_read() gives them */
	s->n_t_seen = v->n_peers;
	v->peers = NULL;
}

/* The same as counts_round() of what the tracer counts, where it traces
 * the interface (ifindex); where it does not, nothing. */
static void tracer_round(struct source *s, uint32_t ifindex)
{
	uint64_t real_ns = ui_clock_ns(CLOCK_REALTIME);
	struct tracer_view v;

	if (!ifindex || tracer_read(ifindex, &v))
		return;
	if (!s->t_counted || v.total.event_suppressed != s->t_suppressed)
		senders_round(s, &v, real_ns);
	if (s->t_counted && v.total.event_lost > s->t_lost)
		events_print_lost(s->name, "lost", v.total.event_lost - s->t_lost, real_ns);
	s->t_suppressed = v.total.event_suppressed;
	s->t_lost = v.total.event_lost;
	s->t_counted = true;
	tracer_view_free(&v);
}

/* Writes the lease, until; last, gives it up (0) only where no other
 * reader has renewed it since. */
static int lease_write(struct source *s, uint64_t until, bool last)
{
	uint32_t zero = 0;
	uint64_t held;

	if (last && (bpf_map_lookup_elem(s->reader_fd, &zero, &held) || held != s->lease))
		return 0;
	if (bpf_map_update_elem(s->reader_fd, &zero, &until, BPF_ANY))
		return -errno;
	s->lease = until;
	return 0;
}

/* Where flow records are on, ends the idle flows: every round where the
 * timeout is short, else a few times in each timeout, so that a flow ends
 * at most a quarter of it late. */
static int flows_round(const struct reader *r, struct source *s, const struct maps *m)
{
	uint64_t now = ui_clock_ns(CLOCK_MONOTONIC), every = r->flow_idle_ns / 4;
	int err;

	if (!flowrec_table_size(m)) {
		if (s->flowrec_fd >= 0)
			close(s->flowrec_fd);
		s->flowrec_fd = -1;
		return 0;
	}
	err = keep_fd(m->fd[MAP_FLOWREC], &s->flowrec_fd);
	if (err || now < s->next_sweep)
		return err;
	s->next_sweep = now + (every > ROUND_NS ? every : 0);
	return events_flows_sweep(s->name, s->flowrec_fd, s->slots_fd, r->flow_idle_ns,
				  r->mono_to_real);
}

/*
 * Renews the lease (or, last, gives it up where it is still ours: another
 * reader's stays), takes the maps as the pins have them now (attached
 * anew, grown), reads the counts, and ends idle flows.
 */
static int source_round(struct reader *r, struct source *s, uint64_t lease, bool last)
{
	struct iface_pins p;
	uint32_t id;
	int err = iface_open(s->name, &p);

	if (err)
		return err;
	id = map_id(p.maps.fd[MAP_EVENTS]);
	if (id != s->ring_id) {
		err = keep_fd(p.maps.fd[MAP_EVENTS], &s->ring_fd);
		s->ring_id = id;
		r->rebuild = true;
	}
	err = err ?: keep_fd(p.maps.fd[MAP_PEER_SLOTS], &s->slots_fd) ?:
		     keep_fd(p.maps.fd[MAP_EVENT_READER], &s->reader_fd);
	err = err ?: lease_write(s, last ? 0 : lease, last);
	if (last && r->rb)
		ring_buffer__consume(r->rb);
	err = err ?: counts_round(s, &p.maps) ?: flows_round(r, s, &p.maps);
	if (!err)
		tracer_round(s, p.cfg.attachment.ifindex);
	iface_close(&p);
	s->present = !err;
	return err;
}

/* One ring buffer over every interface's ring, made anew when they change. */
static int ring_rebuild(struct reader *r)
{
	size_t i;
	int err = 0;

	ring_buffer__free(r->rb);
	r->rb = NULL;
	for (i = 0; i < r->n && !err; i++) {
		if (!r->rb)
			r->rb = ring_buffer__new(r->src[i]->ring_fd, on_event, r->src[i], NULL);
		else
			err = ring_buffer__add(r->rb, r->src[i]->ring_fd, on_event, r->src[i]);
		if (!r->rb)
			err = -errno;
	}
	r->rebuild = false;
	return err;
}

/* The interfaces read: the one named, or those attached now. */
static int names_of(const struct reader *r, char (**names)[IFNAMSIZ], size_t *n)
{
	if (!r->only)
		return iface_list(names, n);
	*names = calloc(1, IFNAMSIZ);
	if (!*names)
		return -ENOMEM;
	snprintf((*names)[0], IFNAMSIZ, "%s", r->only);
	*n = 1;
	return 0;
}

/* Forgets the interfaces not attached any more. */
static void sources_prune(struct reader *r)
{
	size_t i, k = 0;

	for (i = 0; i < r->n; i++) {
		if (r->src[i]->present) {
			r->src[k++] = r->src[i];
			continue;
		}
		source_free(r->src[i]);
		r->rebuild = true;
	}
	r->n = k;
}

/* A round: 0, or the exit status of an error, printed. Where every
 * interface is read, one detached meanwhile is only left. */
static int round_all(struct reader *r, bool last)
{
	uint64_t lease = ui_clock_ns(CLOCK_MONOTONIC) + WGSF_EVENT_LEASE_NS;
	char (*names)[IFNAMSIZ] = NULL;
	struct source *s;
	size_t n = 0, i;
	int err;

	r->mono_to_real = ui_clock_ns(CLOCK_REALTIME) - ui_clock_ns(CLOCK_MONOTONIC);
	err = names_of(r, &names, &n);
	if (err) {
		free(names);
		return ui_error("Unable to list the interfaces: %s", ui_reason(err));
	}
	for (i = 0; i < r->n; i++)
		r->src[i]->present = false;
	for (i = 0; i < n; i++) {
		s = source_find(r, names[i]);
		err = s ? source_round(r, s, lease, last) : -ENOMEM;
		if (err && (r->only || err == -ENOMEM))
			break;
		err = 0;
	}
	free(names);
	if (err)
		return ui_fail(ui_status(err, true), "Unable to read the events of %s: %s",
			       r->only ?: "the interfaces", ui_reason(err));
	/* what the rings hold now, each record with its interface: pruned, an
	 * interface's source is freed while the ring buffer still calls back
	 * with it until it is made anew */
	if (r->rb)
		ring_buffer__consume(r->rb);
	sources_prune(r);
	err = r->rebuild ? ring_rebuild(r) : 0;
	return err ? ui_error("Unable to read the events: %s", strerror(-err)) : 0;
}

/* Rounds, and the events between them, until a signal. */
static int run(struct reader *r, struct waiter *w)
{
	uint64_t next = wait_now() + ROUND_NS;
	int what, err = round_all(r, false);

	while (!err) {
		what = wait_until(w, r->rb ? ring_buffer__epoll_fd(r->rb) : -1, next);
		if (what > 0)
			return round_all(r, true);
		if (r->rb)
			ring_buffer__consume(r->rb);
		if (wait_now() < next)
			continue;
		err = round_all(r, false);
		/* rounds missed (a machine suspended) are skipped */
		next = next + ROUND_NS > wait_now() ? next + ROUND_NS : wait_now() + ROUND_NS;
	}
	return err;
}

/* --flow-idle SECONDS: whole seconds, 1 to a day. */
static int parse_idle(const char *v, uint64_t *ns)
{
	long secs;

	if (!v)
		return 0;
	if (!ui_whole_number(v, 1, 86400, &secs))
		return ui_usage_error("Invalid flow idle time: '%s' (1 to 86400 seconds)", v);
	*ns = secs * 1000000000ull;
	return 0;
}

int events_main(int argc, const char *argv[])
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
	const char *idle = NULL;
	const struct ui_opt opts[] = { { "--flow-idle", UI_VALUE, &idle } };
	const struct ui_command c = { "events", events_usage, opts, 1, 0, 1, UI_NEEDS_BPF };
	struct reader r = { .flow_idle_ns = EVENTS_FLOW_IDLE_S * 1000000000ull };
	struct waiter w;
	size_t i;
	int err = ui_parse(&c, argc, argv, &r.only) ?:
		  (r.only ? ui_check_ifname(r.only) : 0) ?: parse_idle(idle, &r.flow_idle_ns) ?:
		  ui_need_privileges(c.name, c.needs);

	if (err)
		return err;
	err = wait_open(&w, signals, sizeof(signals) / sizeof(*signals));
	if (err)
		return ui_error("Unable to read the events: %s", strerror(-err));
	/* a log is read as it is written */
	setvbuf(stdout, NULL, _IOLBF, 0);
	reading = &r;
	err = run(&r, &w);
	ring_buffer__free(r.rb);
	for (i = 0; i < r.n; i++)
		source_free(r.src[i]);
	free(r.src);
	wait_close(&w);
	return err;
}
