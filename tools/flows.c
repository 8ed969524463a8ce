// SPDX-License-Identifier: GPL-2.0-only
/*
 * wgsf flows IFACE: the flow records (wgsf attach --flows) of an
 * interface, biggest first: what each peer sent, flow by flow, as the
 * table holds it now. A table for people, or JSON lines (wgsf(8)), the
 * same objects as wgsf events' flow ends, without their time and end.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attach/iface.h"
#include "events_print.h"
#include "sort.h"
#include "subcommands.h"
#include "tables/flowrec.h"
#include "tables/services.h"
#include "tables/stats.h"
#include "tables/sync.h"
#include "ui_error.h"
#include "ui_names.h"
#include "ui_opts.h"
#include "ui_text.h"

const char flows_usage[] = "IFACE [--peer KEY] [--top N] [--json]";

struct flow {
	struct wgsf_flowrec_key k;
	struct wgsf_flowrec r;
};

/* What was asked, and what was read. */
struct listing {
	const char *ifname;
	uint8_t key[WG_KEY_LEN];
	bool one_peer;  /* --peer */
	long top;       /* --top, or 0: all */
	struct wgsf_slot *slots;
	uint32_t n_slots;
	struct flow *v;
	size_t n;
};

/* Bytes, then packets, biggest first; then by key, so that the order
 * holds from one listing to the next. */
static int by_size(const void *a, const void *b)
{
	const struct flow *x = a, *y = b;

	if (x->r.bytes != y->r.bytes)
		return x->r.bytes < y->r.bytes ? 1 : -1;
	if (x->r.packets != y->r.packets)
		return x->r.packets < y->r.packets ? 1 : -1;
	return memcmp(&x->k, &y->k, sizeof(x->k));
}

static const char *peer_of(const struct listing *l, uint32_t slot, char buf[WG_KEY_B64_LEN])
{
	if (slot >= l->n_slots || !l->slots[slot].in_use)
		return NULL;
	key_to_base64(buf, l->slots[slot].public_key);
	return buf;
}

static bool wanted(const struct listing *l, uint32_t slot)
{
	return !l->one_peer || (slot < l->n_slots && l->slots[slot].in_use &&
				!memcmp(l->slots[slot].public_key, l->key, WG_KEY_LEN));
}

/* The table's flows (of the peer asked for), sorted. */
static int flows_read(const struct maps *m, struct listing *l)
{
	struct map_entries e;
	size_t i;
	int err = map_read_all(m->fd[MAP_FLOWREC], &e);

	if (err)
		return err;
	l->v = calloc(e.n ?: 1, sizeof(*l->v));
	for (i = 0; l->v && i < e.n; i++) {
		memcpy(&l->v[l->n].k, (char *)e.keys + i * sizeof(l->v->k), sizeof(l->v->k));
		memcpy(&l->v[l->n].r, (char *)e.values + i * sizeof(l->v->r), sizeof(l->v->r));
		l->n += wanted(l, l->v[l->n].r.slot);
	}
	map_entries_free(&e);
	if (!l->v)
		return -ENOMEM;
	sort_array(l->v, l->n, sizeof(*l->v), by_size);
	if (l->top && (size_t)l->top < l->n)
		l->n = l->top;
	return 0;
}

/* "192.0.2.1:53", "[2001:db8::1]:53", or the address alone where the
 * flow has no ports. */
static const char *endpoint(const struct wgsf_flowrec_key *k, const uint8_t *a, uint16_t port,
			    char buf[PREFIX_STRLEN + 8])
{
	bool ports = ui_l4_kind(k->version, k->proto, k->l4_flags) == UI_L4_PORT;
	struct wgsf_addr w = { .version = k->version };
	char addr[PREFIX_STRLEN];

	memcpy(w.addr, a, k->version == 4 ? 4 : 16);
	ui_addr(&w, addr);
	if (!ports)
		snprintf(buf, PREFIX_STRLEN + 8, "%s", addr);
	else
		snprintf(buf, PREFIX_STRLEN + 8, k->version == 4 ? "%s:%u" : "[%s]:%u", addr, port);
	return buf;
}

/* "udp", "icmp 8/0" (type/code), "proto 47"; a fragment's or a header cut
 * short's, which have no ports, said. */
static const char *protocol(const struct wgsf_flowrec_key *k, char buf[40])
{
	const char *name = svc_proto_name(k->proto);
	bool icmp = ui_l4_kind(k->version, k->proto, k->l4_flags) == UI_L4_TYPE;
	int n = name ? snprintf(buf, 40, "%s", name) : snprintf(buf, 40, "proto %u", k->proto);

	if (k->l4_flags & WGSF_L4_FRAGMENT)
		snprintf(buf + n, 40 - n, " (fragments)");
	else if (k->l4_flags)
		snprintf(buf + n, 40 - n, " (cut short)");
	if (icmp)
		snprintf(buf + n, 40 - n, " %u/%u", k->icmp_type, k->icmp_code);
	return buf;
}

/* "12s", "5m", "3h", "2d" since a coarse stamp. */
static const char *age(uint64_t mono_ns, uint64_t now, char buf[24])
{
	uint64_t s = now > mono_ns ? (now - mono_ns) / 1000000000ull : 0;

	if (s < 120)
		snprintf(buf, 24, "%llus", (unsigned long long)s);
	else if (s < 7200)
		snprintf(buf, 24, "%llum", (unsigned long long)s / 60);
	else if (s < 172800)
		snprintf(buf, 24, "%lluh", (unsigned long long)s / 3600);
	else
		snprintf(buf, 24, "%llud", (unsigned long long)s / 86400);
	return buf;
}

static void print_table(const struct listing *l, uint32_t size, uint64_t evicted)
{
	char name[UI_IFNAME_LEN], key[WG_KEY_B64_LEN], src[PREFIX_STRLEN + 8];
	char dst[PREFIX_STRLEN + 8], proto[40], b[32], first[24], last[24];
	uint64_t now = ui_clock_ns(CLOCK_MONOTONIC);
	const char *peer;
	size_t i;

	printf("%s: %zu flow%s shown (a table of %u), %llu evicted\n",
	       ui_text(l->ifname, name, sizeof(name)), l->n, l->n == 1 ? "" : "s", size,
	       (unsigned long long)evicted);
	if (!l->n)
		return;
	printf("%-44s  %-16s  %-41s  %-41s  %10s  %10s  %5s  %5s\n", "PEER", "PROTOCOL", "SOURCE",
	       "DESTINATION", "PACKETS", "BYTES", "FIRST", "LAST");
	for (i = 0; i < l->n; i++) {
		const struct flow *f = &l->v[i];

		peer = peer_of(l, f->r.slot, key);
		printf("%-44s  %-16s  %-41s  %-41s  %10llu  %10s  %5s  %5s\n", peer ?: "(gone)",
		       protocol(&f->k, proto), endpoint(&f->k, f->k.src, f->k.sport, src),
		       endpoint(&f->k, f->k.dst, f->k.dport, dst), (unsigned long long)f->r.packets,
		       ui_bytes(f->r.bytes, b), age(f->r.first_ns, now, first),
		       age(f->r.last_ns, now, last));
	}
}

static void print_json(const struct listing *l)
{
	int64_t mono_to_real = ui_clock_ns(CLOCK_REALTIME) - ui_clock_ns(CLOCK_MONOTONIC);
	char key[WG_KEY_B64_LEN];
	size_t i;

	for (i = 0; i < l->n; i++)
		events_print_flow(l->ifname, peer_of(l, l->v[i].r.slot, key), &l->v[i].k,
				  &l->v[i].r, mono_to_real);
}

/* --peer and --top: 0, or the usage error printed. */
static int parse_filters(const char *peer, const char *top, struct listing *l)
{
	if (peer && key_from_base64(l->key, peer))
		return ui_usage_error("Invalid key: '%s' (a WireGuard public key, in base64)", peer);
	l->one_peer = peer;
	if (!top)
		return 0;
	if (!ui_whole_number(top, 1, LONG_MAX, &l->top))
		return ui_usage_error("Invalid count: '%s' (--top takes a number from 1)", top);
	return 0;
}

static int list(struct listing *l, const struct iface_pins *p)
{
	uint32_t size = flowrec_table_size(&p->maps);
	struct wgsf_dev_stats d;
	int err;

	if (!size)
		return ui_error("Unable to list the flows of %s: flow records are off (wgsf attach %s "
				"--flows)", l->ifname, l->ifname);
	l->n_slots = map_capacity(p->maps.fd[MAP_PEER_SLOTS]);
	err = slots_read(p->maps.fd[MAP_PEER_SLOTS], l->n_slots, &l->slots) ?:
	      stats_read_dev(p->maps.fd[MAP_DEV_STATS], &d) ?: flows_read(&p->maps, l);
	if (err)
		return ui_error("Unable to list the flows of %s: %s", l->ifname, ui_reason(err));
	if (ui_json)
		print_json(l);
	else
		print_table(l, size, d.flowrec_evicted);
	return 0;
}

int flows_main(int argc, const char *argv[])
{
	const char *peer = NULL, *top = NULL;
	const struct ui_opt opts[] = { { "--peer", UI_VALUE, &peer }, { "--top", UI_VALUE, &top } };
	const struct ui_command c = { "flows", flows_usage, opts, 2, 1, 1, UI_NEEDS_BPF };
	struct listing l = {};
	struct iface_pins p;
	int err = ui_iface_command(&c, argc, argv, &l.ifname) ?: parse_filters(peer, top, &l) ?:
		  ui_need_privileges(c.name, c.needs);

	if (err)
		return err;
	err = iface_open(l.ifname, &p);
	if (err)
		return ui_fail(ui_status(err, true), "Unable to list the flows of %s: %s", l.ifname,
			       ui_reason(err));
	err = list(&l, &p);
	iface_close(&p);
	free(l.slots);
	free(l.v);
	return err;
}
