// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach/iface.h"
#include "attach/pin.h"
#include "device/wireguard.h"
#include "err.h"
#include "policy/policy.h"
#include "tables/datapath.h"

/* One command's hold on an interface: its lock, what WireGuard says, and
 * what is pinned already. */
struct session {
	const char *ifname;
	char dir[PATH_MAX];
	int lock;
	struct wg_device *dev;
	bool attached;
	struct maps old;
	struct wgsf_config cfg;
	struct policy pol; /* empty when none is in force */
};

static int not_attached(const char *ifname)
{
	wgsf_set_error("%s is not attached (see 'wgsf show')", ifname);
	return -ENOENT;
}

static int read_device(struct session *s)
{
	int err = wg_read_device(s->ifname, &s->dev);

	if (err)
		wgsf_set_error("%s", wg_strerror(err));
	return err;
}

static int session_begin(struct session *s, const char *ifname, bool create, bool read_wg)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->ifname = ifname;
	s->lock = -1;
	s->pol.mode = -1;
	if (ifname_check(ifname)) {
		wgsf_set_error("invalid interface name");
		return -EINVAL;
	}
	err = (read_wg ? read_device(s) : 0) ?: pin_iface_dir(ifname, s->dir);
	if (err)
		return err;
	s->lock = pin_lock(s->dir, create);
	if (s->lock == -ENOENT)
		return not_attached(ifname);
	if (s->lock < 0)
		return s->lock;
	err = maps_open_pinned(s->dir, &s->old);
	if (err == -ENOENT)
		return create ? 0 : not_attached(ifname);
	err = err ?: config_read(s->old.fd[MAP_CONFIG], &s->cfg);
	if (err)
		return err;
	s->attached = true;
	if (s->cfg.abi_version != WGSF_ABI_VERSION) {
		wgsf_set_error("%s was attached by an incompatible wgsf (map ABI %u, this is %u): "
			       "detach it first", ifname, s->cfg.abi_version, WGSF_ABI_VERSION);
		return -EPROTO;
	}
	return 0;
}

/* Rules that cannot take effect: for a key that is no peer here, or for a
 * source WireGuard itself drops before wgsf could see it. */
static void policy_warnings(const struct session *s, const char *path, void (*warn)(const char *))
{
	char msg[512], key[WG_KEY_B64_LEN], buf[PREFIX_STRLEN];
	const struct wg_peer *peer;
	size_t i, j, k;

	for (i = 0; warn && i < s->pol.n_peers; i++) {
		const struct peer_rules *r = &s->pol.peers[i];

		key_to_base64(key, r->public_key);
		peer = device_find_peer(s->dev, r->public_key);
		if (!peer) {
			snprintf(msg, sizeof(msg), "%s:%u: peer %s is not a peer of %s", path,
				 r->line, key, s->ifname);
			warn(msg);
			continue;
		}
		for (j = 0; j < r->sources.n; j++) {
			for (k = 0; k < peer->n_allowedips; k++)
				if (prefix_contains(&peer->allowedips[k], &r->sources.v[j]))
					break;
			if (k < peer->n_allowedips)
				continue;
			snprintf(msg, sizeof(msg), "%s:%u: peer %s: allowed source %s lies outside "
				 "its allowed IPs, so WireGuard drops it before wgsf sees it", path,
				 r->line, key, prefix_format(&r->sources.v[j], buf));
			warn(msg);
		}
	}
}

/* The policy in force: path, or the one the pins remember, or none. */
static int read_policy(struct session *s, const char *path, void (*warn)(const char *))
{
	char err[POLICY_ERR_LEN], abs[PATH_MAX];
	int r;

	policy_free(&s->pol);
	if (path) {
		if (!realpath(path, abs)) {
			wgsf_set_error("%s: %s", path, strerror(errno));
			return -errno;
		}
		if (strlen(abs) >= sizeof(s->cfg.policy)) {
			wgsf_set_error("%s: path longer than %d bytes", abs, WGSF_POLICY_PATH_MAX - 1);
			return -ENAMETOOLONG;
		}
		snprintf(s->cfg.policy, sizeof(s->cfg.policy), "%s", abs);
	}
	if (!s->cfg.policy[0])
		return 0;
	r = policy_read(s->cfg.policy, &s->pol, err);
	if (r) {
		wgsf_set_error("%s", err);
		return r;
	}
	policy_warnings(s, s->cfg.policy, warn);
	return 0;
}

static void session_end(struct session *s)
{
	if (s->attached)
		maps_close(&s->old);
	pin_unlock(s->lock);
	device_free(s->dev);
	policy_free(&s->pol);
}

/* Room for need with headroom, or what is there when that is enough. */
static uint32_t fit(size_t need, uint32_t have, uint32_t floor)
{
	uint32_t n = floor;

	if (have && have >= need)
		return have;
	while (n < need + need / 4 + 16 && n < (1u << 30))
		n <<= 1;
	return n;
}

static bool is_host(const struct prefix *p)
{
	return p->cidr == (p->family == AF_INET ? 32 : 128);
}

/* Host prefixes of the list, per family; n[1] counts IPv4. */
static void count_hosts(const struct prefix *v, size_t len, size_t n[2])
{
	size_t i;

	for (i = 0; i < len; i++)
		n[v[i].family == AF_INET] += is_host(&v[i]);
}

static size_t max4(const size_t n[4])
{
	size_t m = 0, i;

	for (i = 0; i < 4; i++)
		m = n[i] > m ? n[i] : m;
	return m;
}

static uint32_t old_capacity(const struct session *s, enum map_id id)
{
	return s->attached ? map_capacity(s->old.fd[id]) : 0;
}

static struct capacity capacity_for(const struct session *s)
{
	size_t hosts[4] = {}, rules[4] = {}, i;
	struct capacity cap;

	for (i = 0; i < s->dev->n_peers; i++)
		count_hosts(s->dev->peers[i].allowedips, s->dev->peers[i].n_allowedips, hosts);
	for (i = 0; i < s->pol.n_peers; i++) {
		count_hosts(s->pol.peers[i].sources.v, s->pol.peers[i].sources.n, rules);
		count_hosts(s->pol.peers[i].destinations.v, s->pol.peers[i].destinations.n,
			    rules + 2);
	}
	/* Tries allocate per entry: a large limit costs nothing until used.
	 * Hashes allocate their buckets whole, and per-peer arrays are
	 * allocated whole, per CPU: size those from the device. */
	cap.peers = fit(s->dev->n_peers, old_capacity(s, MAP_PEER_STATS), 256);
	/* more peers than that: sync says -ENOSPC */
	cap.peers = cap.peers < WGSF_MAX_PEERS ? cap.peers : WGSF_MAX_PEERS;
	cap.prefixes = WGSF_MAX_PREFIXES;
	cap.hosts = fit(max4(hosts), old_capacity(s, MAP_HOST_IPS4), 256);
	cap.policy_prefixes = WGSF_MAX_PREFIXES;
	cap.policy_hosts = fit(max4(rules), old_capacity(s, MAP_SRC_HOSTS4), 256);
	return cap;
}

/* Loads a new program on the pinned maps, or on copies of those that must
 * grow, so that counters survive both. */
static struct wgsf *load(struct session *s, const struct capacity *cap, struct maps *m)
{
	bool reused[MAP_COUNT] = {};
	struct wgsf *skel = datapath_open(cap, L3_OFFSET_NONE);
	struct bpf_map *map;
	int i, err = skel ? 0 : -errno;

	for (i = 0; !err && s->attached && i < MAP_COUNT; i++) {
		map = maps_obj_map(skel->obj, i);
		if (map_capacity(s->old.fd[i]) < bpf_map__max_entries(map))
			continue;
		err = bpf_map__reuse_fd(map, s->old.fd[i]);
		reused[i] = true;
	}
	err = err ?: wgsf__load(skel);
	if (!err)
		maps_from_skel(skel, m);
	for (i = 0; !err && s->attached && i < MAP_COUNT; i++)
		if (!reused[i])
			err = map_copy(s->old.fd[i], m->fd[i]);
	if (err && skel) {
		wgsf_set_error("cannot load the datapath: %s", strerror(-err));
		wgsf__destroy(skel);
	}
	errno = -err;
	return err ? NULL : skel;
}

/*
 * The same hook on the same interface: its program is replaced in place.
 * Another hook (or the interface was re-created): the old attachment goes
 * first, and comes back if the new one cannot be made.
 */
static int hook(struct session *s, int prog_fd, enum hook_kind kind, enum hook_mech force)
{
	struct wgsf_attachment old = s->cfg.attachment, *st = &s->cfg.attachment;
	bool replace = s->attached && old.kind == kind && old.ifindex == (uint32_t)s->dev->ifindex;
	int err;

	if (!replace) {
		if (s->attached)
			hook_detach(s->dir, &old);
		*st = (struct wgsf_attachment){ .ifindex = s->dev->ifindex };
	}
	err = hook_attach(prog_fd, kind, force, s->dir, st);
	if (err == -EBUSY && kind == HOOK_XDP)
		wgsf_set_error("XDP is already in use on %s by another program", s->ifname);
	if (err && s->attached && !replace && old.ifindex == st->ifindex) {
		/* put back what was there, with the new program */
		*st = (struct wgsf_attachment){ .ifindex = old.ifindex };
		hook_attach(prog_fd, old.kind, MECH_NONE, s->dir, st);
	}
	return err;
}

/* The program is pinned beside the maps; sized past PATH_MAX as the dir is. */
#define PROG_PATH_MAX (PATH_MAX + 8)

static void prog_path(const struct session *s, char path[PROG_PATH_MAX])
{
	snprintf(path, PROG_PATH_MAX, "%s/prog", s->dir);
}

static int pin_prog(const struct session *s, int prog_fd)
{
	char path[PROG_PATH_MAX];

	prog_path(s, path);
	if (unlink(path) && errno != ENOENT)
		return -errno;
	return bpf_obj_pin(prog_fd, path) ? -errno : 0;
}

static int attach_locked(struct session *s, const struct iface_opts *o, struct sync_result *res)
{
	struct capacity cap = capacity_for(s);
	struct wgsf_config before = s->cfg;
	enum hook_kind kind;
	struct wgsf *skel;
	struct maps m;
	int prog, err;

	skel = load(s, &cap, &m);
	if (!skel)
		return -errno;
	if (!s->attached) {
		s->cfg.mode = WGSF_MODE_MONITOR;
		s->cfg.attachment = (struct wgsf_attachment){ .kind = HOOK_TC };
	}
	if (o->mode >= 0 || s->pol.mode >= 0)
		s->cfg.mode = o->mode >= 0 ? o->mode : s->pol.mode;
	kind = o->hook >= 0 ? (enum hook_kind)o->hook : (enum hook_kind)s->cfg.attachment.kind;
	prog = bpf_program__fd(kind == HOOK_XDP ? skel->progs.wgsf_xdp : skel->progs.wgsf_tc);
	/* A new program must be in the right mode from its first packet; an
	 * attached one shares this map and changes mode only on success. */
	err = s->attached ? 0 : config_write(m.fd[MAP_CONFIG], &s->cfg);
	err = err ?: sync_device(&m, s->dev, &s->pol, res);
	if (err == -ENOSPC)
		wgsf_set_error("%s has more peers or allowed IPs than wgsf can hold", s->ifname);
	err = err ?: hook(s, prog, kind, o->force_mech);
	if (err && s->attached) {
		/* what is attached now, in the options it had */
		before.attachment = s->cfg.attachment;
		config_write(m.fd[MAP_CONFIG], &before);
	}
	/* The hook state is known only now; pins make it all outlive us. */
	err = err ?: config_write(m.fd[MAP_CONFIG], &s->cfg) ?: maps_pin(&m, s->dir) ?:
		      pin_prog(s, prog);
	wgsf__destroy(skel);
	return err;
}

static void remove_pins(const struct session *s)
{
	char path[PROG_PATH_MAX];

	prog_path(s, path);
	unlink(path);
	maps_unpin(s->dir);
	pin_dir_remove(s->dir);
}

int iface_attach(const char *ifname, const struct iface_opts *o, struct sync_result *res)
{
	struct session s;
	int err;

	wgsf_clear_error();
	err = session_begin(&s, ifname, true, true) ?: read_policy(&s, o->policy, o->warn);
	if (!err)
		err = attach_locked(&s, o, res);
	/* A first attach that failed leaves nothing behind. */
	if (err && !s.attached && s.lock >= 0) {
		if (s.cfg.attachment.mech)
			hook_detach(s.dir, &s.cfg.attachment);
		remove_pins(&s);
	}
	session_end(&s);
	return err;
}

int iface_sync(const char *ifname, const struct policy *pol, void (*warn)(const char *msg),
	       struct sync_cache *cache, struct sync_result *res)
{
	struct iface_opts keep = { .hook = -1, .mode = -1 };
	struct session s;
	int err;

	wgsf_clear_error();
	err = session_begin(&s, ifname, false, true);
	if (!err && pol)
		err = policy_copy(&s.pol, pol);
	else if (!err)
		err = read_policy(&s, NULL, warn);
	if (!err)
		err = cache ? sync_device_cached(&s.old, s.dev, &s.pol, cache, res)
			    : sync_device(&s.old, s.dev, &s.pol, res);
	if (!err && s.pol.mode >= 0 && (uint32_t)s.pol.mode != s.cfg.mode)
		err = datapath_set_mode(s.old.fd[MAP_CONFIG], s.pol.mode);
	/* Outgrown, or the interface was re-created: a full attach mends both. */
	if (err == -ENOSPC ||
	    (!err && s.cfg.attachment.ifindex != (uint32_t)s.dev->ifindex))
		err = attach_locked(&s, &keep, res);
	if (cache && cache->dev == s.dev)
		s.dev = NULL; /* the cache's now */
	session_end(&s);
	return err;
}

int iface_detach(const char *ifname)
{
	struct session s;
	int err;

	wgsf_clear_error();
	err = session_begin(&s, ifname, false, false);
	if (!err)
		err = hook_detach(s.dir, &s.cfg.attachment);
	if (!err)
		remove_pins(&s);
	session_end(&s);
	return err;
}

int iface_open(const char *ifname, struct maps *m, struct wgsf_config *cfg)
{
	char dir[PATH_MAX];
	int err;

	wgsf_clear_error();
	if (ifname_check(ifname)) {
		wgsf_set_error("invalid interface name");
		return -EINVAL;
	}
	err = pin_iface_dir(ifname, dir) ?: maps_open_pinned(dir, m);
	if (err == -ENOENT)
		return not_attached(ifname);
	if (err)
		return err;
	err = config_read(m->fd[MAP_CONFIG], cfg);
	if (err)
		maps_close(m);
	return err;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int iface_list(char (**names)[IFNAMSIZ], size_t *n)
{
	char dir[PATH_MAX];
	struct dirent *e;
	size_t cap = 0;
	DIR *d;
	int err = pin_ns_dir(dir);

	*names = NULL;
	*n = 0;
	if (err)
		return err;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || ifname_check(e->d_name))
			continue;
		if (*n == cap) {
			void *nv = realloc(*names, (cap = cap ? cap * 2 : 8) * IFNAMSIZ);

			if (!nv) {
				err = -ENOMEM;
				break;
			}
			*names = nv;
		}
		memcpy((*names)[(*n)++], e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	qsort(*names, *n, IFNAMSIZ, name_cmp);
	return err;
}
