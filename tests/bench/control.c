// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control plane's cost, for `make bench`: load and sync N peers with a
 * /32 and a /128 each, the maps' memory as the kernel accounts it, a sync
 * with one peer changed, and a first sync with every peer in one group of
 * Allow rules. One JSON object per size on stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tables/datapath.h"
#include "tables/sync.h"

#define RUNS 7

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "control: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* n peers, peer i with a /32 and a /128; peer `changed` with other ones. */
static struct wg_device *gateway(size_t n, size_t changed)
{
	struct wg_device *d = device_new("bench");
	uint8_t key[WG_KEY_LEN] = {};
	struct prefix p4 = { .family = AF_INET, .cidr = 32 };
	struct prefix p6 = { .family = AF_INET6, .cidr = 128 };
	struct wg_peer *p;
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t a = htonl(0x0a000000u + i + (i == changed ? n : 0));

		memcpy(key, &(uint32_t){ i + 1 }, 4);
		memcpy(p4.addr, &a, 4);
		memcpy(p6.addr, "\x20\x01\x0d\xb8", 4);
		memcpy(p6.addr + 12, &a, 4);
		p = device_peer(d, key);
		if (!p || peer_add_allowedip(p, &p4) || peer_add_allowedip(p, &p6))
			die("device", ENOMEM);
	}
	return d;
}

/* The allowed-IPs tables: the tries, the host-route hashes and their index. */
static bool allowedips_table(int id)
{
	return id == MAP_HOST_IPS4 || id == MAP_HOST_IPS6 || id == MAP_ALLOWED_IPS4 ||
	       id == MAP_ALLOWED_IPS6 || id == MAP_HOST_INDEX4 || id == MAP_HOST_INDEX6;
}

/* Sums the kernel's account of the allowed-IPs tables and of all maps. */
static void memory(const struct maps *m, unsigned long long *tables, unsigned long long *all)
{
	unsigned long long bytes;
	int i;

	*tables = *all = 0;
	for (i = 0; i < MAP_COUNT; i++) {
		bytes = map_memlock(m->fd[i], NULL);
		*all += bytes;
		if (allowedips_table(i))
			*tables += bytes;
	}
}

/* Seconds a sync takes that must change exactly one peer's two prefixes. */
static double one_change(const struct maps *m, struct wg_device *d, struct sync_cache *c)
{
	struct sync_result r;
	double t0 = now_s();
	int err = c ? sync_device_cached(m, d, NULL, c, &r) : sync_device(m, d, NULL, &r);

	if (err || r.prefixes_changed + r.prefixes_added + r.prefixes_removed != 4 ||
	    (c && !r.from_cache))
		die("sync one change", err ?: EINVAL);
	return now_s() - t0;
}

/*
 * Load, a full sync of n peers, and syncs of one changed peer: reading the
 * tables back (`wgsf sync`), and from what the last sync wrote (`wgsf
 * watch`). Reading the device from WireGuard is not part of these.
 */
/* watch's rounds, each changing one peer back or forth: the median. The
 * cache takes each device. */
static double cached_rounds(const struct maps *m, struct sync_cache *c, size_t n)
{
	double t[RUNS];
	int i;

	for (i = 0; i < RUNS; i++)
		t[i] = one_change(m, gateway(n, i % 2 ? n : n / 2), c);
	qsort(t, RUNS, sizeof(*t), cmp_double);
	return t[RUNS / 2];
}

/* Every peer of d a member of one group of Allow rules. */
static void group_policy(const struct wg_device *d, struct policy *pol)
{
	static const char text[] = "[Group staff]\n"
				   "Allow = 198.51.100.0/24 tcp/22,443,8000-8999 udp/53\n"
				   "Allow = 2001:db8:5::/64 tcp/443 icmp/echo-request\n";
	char err[POLICY_ERR_LEN];
	size_t i;

	if (policy_parse("bench", text, sizeof(text) - 1, pol, err))
		die(err, EINVAL);
	pol->peers = calloc(d->n_peers + 1, sizeof(*pol->peers));
	if (!pol->peers)
		die("policy", ENOMEM);
	pol->n_peers = pol->cap_peers = d->n_peers;
	for (i = 0; i < d->n_peers; i++) {
		memcpy(pol->peers[i].public_key, d->peers[i].public_key, WG_KEY_LEN);
		pol->peers[i].groups = calloc(1, sizeof(*pol->peers[i].groups));
		if (!pol->peers[i].groups)
			die("policy", ENOMEM);
		pol->peers[i].n_groups = 1;
	}
}

/* Seconds that a first sync of d takes with every peer in one group of
 * Allow rules (attach is a load and this), and the destination entries it
 * writes: a group's rules are stored once. */
static double group_sync(const struct wg_device *d, const struct capacity *cap,
			 size_t *entries)
{
	struct wgsf *skel = datapath_load(cap, L3_OFFSET_NONE);
	struct sync_result r;
	struct policy pol;
	struct maps m;
	double t0;

	if (!skel)
		die("load", errno);
	maps_from_skel(skel, &m);
	group_policy(d, &pol);
	t0 = now_s();
	if (sync_device(&m, d, &pol, &r))
		die("sync with a group", errno);
	t0 = now_s() - t0;
	*entries = r.rules_added;
	policy_free(&pol);
	wgsf__destroy(skel);
	return t0;
}

static void control_case(size_t n)
{
	struct wg_device *d = gateway(n, n), *d2 = gateway(n, n / 2), *d3 = gateway(n, n);
	struct wg_device *d4 = gateway(n, n);
	struct capacity cap = { .peers = n + n / 4 + 16, .prefixes = WGSF_MAX_PREFIXES,
				.hosts = n + n / 4 + 16, .policy_prefixes = WGSF_MAX_PREFIXES,
				.policy_hosts = 256 };
	double t0 = now_s(), t_load, t_sync, t_read, t_cached, t_group;
	size_t group_entries;
	unsigned long long tables, all;
	struct sync_cache cache = {};
	struct sync_result r;
	struct wgsf *skel = datapath_load(&cap, L3_OFFSET_NONE);
	struct maps m;

	if (!skel)
		die("load", errno);
	t_load = now_s() - t0;
	maps_from_skel(skel, &m);
	t0 = now_s();
	if (sync_device_cached(&m, d, NULL, &cache, &r))
		die("sync", errno);
	t_sync = now_s() - t0;
	memory(&m, &tables, &all);
	t_read = one_change(&m, d2, NULL);
	device_free(d2);
	/* d2's sync was someone else's to the cache: this one reads back, and
	 * the next finds nothing changed, as most of watch's rounds do */
	if (sync_device_cached(&m, d3, NULL, &cache, &r) ||
	    sync_device_cached(&m, d4, NULL, &cache, &r) || !r.from_cache)
		die("sync", errno ?: EINVAL);
	t_cached = cached_rounds(&m, &cache, n);
	d2 = gateway(n, n);
	t_group = group_sync(d2, &cap, &group_entries);
	device_free(d2);
	printf("{\"bench\":\"control\",\"peers\":%zu,\"prefixes\":%zu,\"load_s\":%.4f,"
	       "\"sync_s\":%.4f,\"sync_one_changed_s\":%.4f,\"sync_one_changed_cached_s\":%.5f,"
	       "\"table_bytes\":%llu,\"all_maps_bytes\":%llu,\"cpus\":%d,"
	       "\"sync_group_s\":%.4f,\"group_rule_entries\":%zu}\n",
	       n, 2 * n, t_load, t_sync, t_read, t_cached, tables, all,
	       libbpf_num_possible_cpus(), t_group, group_entries);
	fflush(stdout);
	sync_cache_free(&cache); /* and with it the device of the last round */
	wgsf__destroy(skel);
}

int main(int argc, char **argv)
{
	const char *s;
	char *end;
	size_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: control SIZE[,SIZE...]\n");
		return 1;
	}
	libbpf_set_print(NULL);
	for (s = argv[1]; *s; s = *end ? end + 1 : end) {
		n = strtoull(s, &end, 10);
		if (end == s || (*end && *end != ',') || !n || n > WGSF_MAX_PREFIXES)
			die("bad size list", EINVAL);
		control_case(n);
	}
	return 0;
}
