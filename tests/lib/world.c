// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/if_ether.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "packet.h"
#include "policy/policy.h"
#include "ring_probe.skel.h"
#include "tables/config.h"
#include "tables/stats.h"
#include "tables/sync.h"
#include "tap.h"
#include "world.h"

void world_key(size_t i, uint8_t key[WG_KEY_LEN])
{
	memset(key, 0, WG_KEY_LEN);
	key[0] = 1 + i;
}

/* Adds peer i with its allowed IPs to d; 0 or -errno. */
static int peer_add(struct wg_device *d, size_t i, const char *allowed_ips)
{
	uint8_t key[WG_KEY_LEN];
	char buf[512], *tok, *save;
	struct wg_peer *peer;
	struct prefix p;

	world_key(i, key);
	peer = device_peer(d, key);
	if (!peer)
		return -ENOMEM;
	snprintf(buf, sizeof(buf), "%s", allowed_ips);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (prefix_parse(tok, &p) || peer_add_allowedip(peer, &p))
			return -EINVAL;
	return 0;
}

static struct wg_device *device_of(const struct world_peer *peers, size_t n)
{
	struct wg_device *d = device_new("t");
	size_t i;

	for (i = 0; d && i < n; i++)
		if (peers[i].allowed_ips && peer_add(d, i, peers[i].allowed_ips)) {
			device_free(d);
			return NULL;
		}
	return d;
}

/* The policy text of the peers, in enforce mode, read by the parser. */
static int policy_of(const struct world_peer *peers, size_t n, struct policy *pol)
{
	char b64[WG_KEY_B64_LEN], err[POLICY_ERR_LEN];
	uint8_t key[WG_KEY_LEN];
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);
	int r;

	if (!f)
		return -errno;
	fputs("[Interface]\nMode = enforce\n", f);
	for (i = 0; i < n; i++) {
		if (!peers[i].allowed_ips || !peers[i].rules)
			continue;
		world_key(i, key);
		key_to_base64(b64, key);
		fprintf(f, "[Peer]\nPublicKey = %s\n%s", b64, peers[i].rules);
	}
	r = fclose(f) ? -ENOMEM : 0;
	if (!r && policy_parse("world.policy", text, len, pol, err)) {
		diag("%s", err);
		r = -EINVAL;
	}
	free(text);
	return r;
}

int world_load(struct world *w, const struct world_peer *peers, size_t n,
	       uint64_t flow_timeout_ns)
{
	return world_load_with(w, peers, n, &(struct world_opts){ .flow_timeout_ns =
									flow_timeout_ns });
}

int world_load_with(struct world *w, const struct world_peer *peers, size_t n,
		    const struct world_opts *o)
{
	struct capacity cap = { .peers = WORLD_PEERS, .prefixes = 128, .hosts = 128,
				.policy_prefixes = 128, .policy_hosts = 128, .flows = o->flows };
	int i, err;

	w->skel = datapath_open(&cap, L3_OFFSET_ETHERNET);
	for (i = 0; w->skel && o->flow_timeout_ns && i < WGSF_FLOW_STATES; i++)
		w->skel->rodata->flow_timeout_ns[i] = o->flow_timeout_ns;
	err = w->skel ? wgsf__load(w->skel) : -errno;
	if (err)
		return err;
	maps_from_skel(w->skel, &w->maps);
	w->in = bpf_program__fd(w->skel->progs.wgsf_tc);
	w->out = bpf_program__fd(w->skel->progs.wgsf_egress);
	return world_sync(w, peers, n);
}

int world_sync(const struct world *w, const struct world_peer *peers, size_t n)
{
	struct wg_device *d = device_of(peers, n);
	struct policy pol = { .mode = -1 };
	struct sync_result res;
	int err = d ? policy_of(peers, n, &pol) : -ENOMEM;

	err = err ?: sync_device(&w->maps, d, &pol, &res) ?:
		     datapath_set_mode(w->maps.fd[MAP_CONFIG], WGSF_MODE_ENFORCE);
	policy_free(&pol);
	device_free(d);
	return err;
}

int world_sync_cached(const struct world *w, const struct world_peer *peers, size_t n,
		      struct sync_cache *cache, struct sync_result *res)
{
	struct wg_device *d = device_of(peers, n);
	struct policy pol = { .mode = -1 };
	int err = d ? policy_of(peers, n, &pol) : -ENOMEM;

	err = err ?: sync_device_cached(&w->maps, d, &pol, cache, res);
	if (err)
		device_free(d); /* else the cache's */
	policy_free(&pol);
	return err;
}

void world_destroy(struct world *w)
{
	wgsf__destroy(w->skel);
	w->skel = NULL;
}

uint32_t world_slot(const struct world *w, size_t i)
{
	uint8_t key[WG_KEY_LEN];
	struct wgsf_slot slot;
	uint32_t s;

	world_key(i, key);
	for (s = 0; s < WORLD_PEERS; s++)
		if (!bpf_map_lookup_elem(w->maps.fd[MAP_PEER_SLOTS], &s, &slot) && slot.in_use &&
		    !memcmp(slot.public_key, key, WG_KEY_LEN))
			return s;
	return UINT32_MAX;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

uint64_t world_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t world_coarse_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

void world_sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, ms % 1000 * 1000000 };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

struct wgsf_peer_stats world_peer_stats(const struct world *w, uint32_t slot)
{
	struct wgsf_peer_stats st;

	if (stats_read_peer(w->maps.fd[MAP_PEER_STATS], slot, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

struct wgsf_dev_stats world_dev_stats(const struct world *w)
{
	struct wgsf_dev_stats d;

	if (stats_read_dev(w->maps.fd[MAP_DEV_STATS], &d))
		memset(&d, 0xff, sizeof(d));
	return d;
}

int world_reader(const struct world *w, uint64_t until)
{
	uint32_t zero = 0;

	if (bpf_map_update_elem(w->maps.fd[MAP_EVENT_READER], &zero, &until, BPF_ANY))
		return -errno;
	return 0;
}

struct capture {
	uint8_t *rec;
	size_t size, max, n;
};

static int record_copy(void *ctx, void *data, size_t size)
{
	struct capture *c = ctx;

	if (c->n < c->max && size == c->size)
		memcpy(c->rec + c->n * c->size, data, size);
	else if (c->n < c->max)
		memset(c->rec + c->n * c->size, 0xff, c->size);
	c->n++;
	return 0;
}

long world_records(const struct world *w, void *rec, size_t size, size_t max)
{
	struct capture c = { rec, size, max, 0 };
	struct ring_buffer *rb = ring_buffer__new(w->maps.fd[MAP_EVENTS], record_copy, &c, NULL);
	int n = rb ? ring_buffer__consume(rb) : -1;

	ring_buffer__free(rb);
	return n < 0 ? -1 : (long)c.n;
}

long world_events(const struct world *w, struct wgsf_event *ev, size_t max)
{
	return world_records(w, ev, sizeof(*ev), max);
}

bool world_ring_soil(const struct world *w)
{
	struct ring_probe *p = ring_probe__open();
	uint8_t frame[ETH_HLEN] = {}; /* what tc takes at the least */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = sizeof(frame),
		    .repeat = 2 * WGSF_EVENT_RING / 2048);
	bool good = p && !bpf_map__reuse_fd(p->maps.events, w->maps.fd[MAP_EVENTS]) &&
		    !ring_probe__load(p);
	int i;

	for (i = 0; good && i < 2; i++) {
		p->bss->fill_written = p->bss->fill_refused = 0;
		good = !bpf_prog_test_run_opts(bpf_program__fd(p->progs.ring_fill), &opts) &&
		       p->bss->fill_written && p->bss->fill_refused &&
		       world_records(w, NULL, 0, 0) == (long)p->bss->fill_written;
	}
	ring_probe__destroy(p);
	return good;
}

int64_t world_run_ip(int prog, const uint8_t *ip, size_t len, const struct __sk_buff *ctx)
{
	struct packet pkt;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx, .ctx_size_in = ctx ? sizeof(*ctx) : 0,
		    .repeat = 1);

	if (!len || len > PACKET_MAX - ETH_HLEN)
		return -EMSGSIZE;
	packet_raw(&pkt, ETH_HLEN, ip[0] >> 4 == 4 ? ETH_P_IP : ETH_P_IPV6, ip, len);
	opts.data_in = pkt.data;
	opts.data_size_in = pkt.len;
	if (bpf_prog_test_run_opts(prog, &opts))
		return -errno;
	return opts.retval;
}

int64_t world_run(int prog, const struct l4_spec *s, const struct __sk_buff *ctx)
{
	uint8_t ip[PACKET_MAX];

	return world_run_ip(prog, ip, l4_packet(ip, PACKET_MAX - ETH_HLEN, s), ctx);
}
