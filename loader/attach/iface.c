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

#include "sort.h"
#include "attach/iface.h"
#include "ifname.h"
#include "pins/generation.h"
#include "pins/lock.h"
#include "pins/names.h"
#include "pins/tree.h"
#include "err.h"
#include "fault.h"
#include "tables/carry.h"
#include "tables/datapath.h"
#include "tables/flowrec.h"
#include "tables/policy_sync.h"
#include "tables/policy_text.h"

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

/* What the device and policy fill, and where pins are in force, what the
 * maps hold at the fullest while a sync moves them to that (sync_need). */
static int need_for(const struct session *s, struct capacity *need)
{
	size_t hosts[4] = {}, rules[4] = {}, i;
	struct capacity moving;
	int id, err;

	for (i = 0; i < s->dev->n_peers; i++)
		count_hosts(s->dev->peers[i].allowedips, s->dev->peers[i].n_allowedips, hosts);
	err = policy_hosts(s->dev, s->pol, rules);
	if (err)
		return err;
	*need = (struct capacity){ .peers = s->dev->n_peers, .hosts = max4(hosts),
				   .policy_hosts = max4(rules) };
	if (!s->attached)
		return 0;
	err = sync_need(&s->old, s->dev, s->pol, &moving);
	for (id = 0; !err && id < MAP_COUNT; id++)
		capacity_raise(need, id, capacity_get(&moving, id));
	return err;
}

/* The flow table a command leaves: the option's, else the one in force. */
static uint32_t flows_for(const struct session *s, long option)
{
	if (option)
		return option == IFACE_FLOWS_OFF ? 0 : option;
	return s->attached ? flowrec_table_size(&s->old) : 0;
}

static int capacity_for(const struct session *s, long flows, struct capacity *cap)
{
	struct capacity need;
	int err = need_for(s, &need);

	if (err)
		return err;
	/* the host-route index as large as the hosts need (index_buckets 0) */
	*cap = (struct capacity){ .flows = flows_for(s, flows) };
	/* Tries allocate per entry: a large limit costs nothing until used.
	 * Hashes allocate their buckets whole, and per-peer arrays are
	 * allocated whole, per CPU: size those from the need. */
	cap->peers = fit(need.peers, old_capacity(s, MAP_PEER_SLOTS), 256);
	/* more than that: sync makes room by removing the departed first */
	cap->peers = cap->peers < WGSF_MAX_PEERS ? cap->peers : WGSF_MAX_PEERS;
	cap->prefixes = fit(need.prefixes, old_capacity(s, MAP_ALLOWED_IPS4), WGSF_MAX_PREFIXES);
	cap->hosts = fit(need.hosts, old_capacity(s, MAP_HOST_IPS4), 256);
	cap->policy_prefixes = fit(need.policy_prefixes, old_capacity(s, MAP_SRC_POLICY4),
				   WGSF_MAX_PREFIXES);
	cap->policy_hosts = fit(need.policy_hosts, old_capacity(s, MAP_SRC_HOSTS4), 256);
	return 0;
}

/* Loads a new program on the maps in force, or on larger ones that get
 * what those hold (carry.h), counters included. */
static struct wgsf *load(struct session *s, const struct capacity *cap, struct maps *m)
{
	struct wgsf *skel = carry_load(cap, L3_OFFSET_NONE, s->attached ? &s->old : NULL, m);

	if (!skel)
		wgsf_set_error("cannot load the datapath: %s", strerror(errno));
	return skel;
}

/* From here until finish(), a kill leaves work for the next command: the
 * config says so (and its generation tells a watch that someone wrote). */
static int begin(int config_fd, const struct wgsf_config *base)
{
	struct wgsf_config c = *base;

	c.unfinished = 1;
	fault_point("mark the config unfinished");
	return config_write(config_fd, &c);
}


/* A new policy text goes beside the one in force, under the next id. */
static int write_text(const struct session *s, int text_fd)
{
	if (!s->text)
		return 0;
	fault_point("write the policy text");
	return policy_text_write(text_fd, s->cfg.policy_id + 1, s->text, s->text_len);
}

/* Puts the command's config in force, whole: mode, policy, hook, and no
 * longer unfinished; then the text it replaced goes. */
static int finish(const struct session *s, const struct maps *m, struct wgsf_config *want,
		  struct iface_result *res)
{
	int err;

	want->unfinished = 0;
	memcpy(want->policy, s->path, sizeof(want->policy));
	if (s->text) {
		want->policy_id = s->cfg.policy_id + 1;
		want->policy_len = s->text_len;
	}
	fault_point("write the config");
	err = config_write(m->fd[MAP_CONFIG], want);
	if (!err && s->text)
		err = policy_text_clear(m->fd[MAP_POLICY_TEXT], s->cfg.policy_id);
	return err ?: config_read(m->fd[MAP_CONFIG], &res->cfg);
}

/* The mode a command leaves: the option's, else a new policy text's, else
 * the one in force. */
static uint32_t mode_for(const struct session *s, int option, uint32_t now)
{
	if (option >= 0)
		return option;
	if (s->mode_line)
		return s->pol->mode;
	return now;
}

/* Writes each new attachment to the config before it is made (see
 * hook_recorder), still unfinished. */
struct recorder {
	int config_fd;
	struct wgsf_config cfg;
};

static int record(void *ctx, const struct wgsf_attachment *st)
{
	struct recorder *r = ctx;

	r->cfg.attachment = *st;
	fault_point("record the attachment");
	return config_write(r->config_fd, &r->cfg);
}

/*
 * On the same interface, tc's programs are replaced in place. On an
 * interface re-created, the old attachment goes first, then tc is attached
 * anew. The new generation gen holds the links, the old one's too.
 */
static int hook(const struct session *s, const char *gen, const struct hook_progs *progs,
		enum hook_mech force, bool replace, struct recorder *r)
{
	const struct hook_recorder rec = { record, r };
	struct wgsf_attachment old = s->cfg.attachment, *st = &r->cfg.attachment;

	*st = old;
	if (!replace) {
		if (s->attached && old.mech)
			hook_detach(gen, &old);
		*st = (struct wgsf_attachment){ .ifindex = s->dev->ifindex };
	}
	return hook_attach_recorded(progs, force, gen, st, &rec);
}

/*
 * A growth of peer_stats leaves the counters in force to the program in
 * force (carry.h): exact where that is the generation's own. Where an older
 * one runs still (a command was killed between its commit and its hook
 * switch, and the older one may count into the maps of the generation
 * before), the switch is made first.
 */
static int switch_before_growth(struct session *s, const struct capacity *cap,
				enum hook_state found)
{
	struct recorder r = { s->old.fd[MAP_CONFIG], s->cfg };
	struct hook_progs progs;
	int err;

	if (found != HOOK_STALE || cap->peers <= old_capacity(s, MAP_PEER_SLOTS))
		return 0;
	err = hook_progs_open(s->gen, &progs);
	if (err)
		return err;
	r.cfg.unfinished = 1;
	err = hook(s, s->gen, &progs, MECH_NONE, true, &r);
	hook_progs_close(&progs);
	s->cfg.attachment = r.cfg.attachment;
	return err;
}

/*
 * Loads a new program and puts it in force with a new generation of pins:
 * the maps it shares with the old one or grew, synced, then committed, then
 * hooked in. A kill before the commit leaves the old generation in force
 * (marked unfinished where the tables changed); after it, the new one, whose
 * hook the next command checks.
 */
static int attach_locked(struct session *s, const struct iface_opts *o, struct iface_result *res)
{
	struct hook_progs progs;
	struct wgsf_config want;
	struct recorder r;
	char gen[PATH_MAX];
	struct capacity cap;
	struct wgsf *skel;
	bool replace;
	struct maps m;
	int err = capacity_for(s, o->flows, &cap) ?: switch_before_growth(s, &cap, res->found);

	skel = err ? NULL : load(s, &cap, &m);
	if (!skel)
		return err ?: -errno;
	want = s->cfg;
	if (!s->attached)
		want.attachment = (struct wgsf_attachment){ .kind = HOOK_TC };
	want.mode = mode_for(s, o->mode, s->attached ? s->cfg.mode : WGSF_MODE_MONITOR);
	progs = hook_progs_of(skel);
	replace = s->attached && s->cfg.attachment.mech && s->cfg.attachment.kind == HOOK_TC &&
		  s->cfg.attachment.ifindex == (uint32_t)s->dev->ifindex;
	/* A new program must be in the right mode from its first packet; one
	 * in force shares this map, and changes mode only at the end. */
	r = (struct recorder){ m.fd[MAP_CONFIG], s->attached ? s->cfg : want };
	r.cfg.unfinished = 1;
	err = begin(m.fd[MAP_CONFIG], &r.cfg) ?: write_text(s, m.fd[MAP_POLICY_TEXT]) ?:
	      sync_device(&m, s->dev, s->pol, &res->sync);
	if (err == -E2BIG || err == -ENOSPC)
		wgsf_set_error("%s has more peers or allowed IPs than wgsf can hold", s->ifname);
	/* here, in the interface's namespace, and before the commit: every
	 * generation in force tells whether its devices still exist */
	err = err ?: sentinel_write(&m, s->dev->ifindex) ?: pin_generation(s->dir, gen) ?:
		      maps_pin(&m, gen) ?:
		      hook_pin(gen, &progs, s->attached ? s->gen : NULL) ?: pin_commit(s->dir, gen) ?:
		      hook(s, gen, &progs, o->force_mech, replace, &r);
	want.attachment = r.cfg.attachment;
	err = err ?: finish(s, &m, &want, res);
	res->flows = flowrec_table_size(&m);
	if (!err) {
		hook_sweep(s->dev->ifindex, gen);
		pin_sweep(s->dir);
	}
	wgsf__destroy(skel);
	return err;
}

/* What a command found in force, for what it reports. */
static void note_found(const struct session *s, struct iface_result *res)
{
	res->completed = s->cfg.unfinished;
	res->was = s->cfg;
	res->was_attached = s->attached;
	res->was_flows = res->flows = s->attached ? flowrec_table_size(&s->old) : 0;
}

/* The tracer follows the interface where it can see WireGuard's own
 * rejections; res says why not where it cannot. A re-created interface
 * leaves the old one's registration behind, which goes. */
static void trace(const struct session *s, struct iface_result *res)
{
	uint32_t old = s->attached ? s->cfg.attachment.ifindex : 0;
	char gen[PATH_MAX];
	struct maps m;
	int err;

	if (old && old != (uint32_t)s->dev->ifindex)
		tracer_disable(old);
	/* the maps in force now, which an attach may have made anew */
	err = pin_current(s->dir, gen) ?: maps_open_pinned(gen, &m);
	if (!err) {
		err = tracer_enable(s->ifname, s->dev->ifindex,
				    &(struct tracer_events){ m.fd[MAP_EVENTS],
							     m.fd[MAP_EVENT_READER],
							     m.fd[MAP_QUARANTINE] });
		maps_close(&m);
	}
	res->rejected_visible = !err;
	if (err)
		snprintf(res->rejected_why, sizeof(res->rejected_why), "%s", wgsf_error(err));
	wgsf_clear_error();
}

int iface_attach(const char *ifname, const struct iface_opts *o, struct iface_result *res)
{
	enum policy_source src = POLICY_FILE;
	struct session s;
	int err;

	wgsf_clear_error();
	memset(res, 0, sizeof(*res));
	if (o->policy)
		src = strcmp(o->policy, "none") ? POLICY_PATH : POLICY_NONE;
	err = session_begin(&s, ifname, SESSION_CREATE | SESSION_READ_WG) ?:
	      session_policy(&s, src, o->policy, o->warn, NULL);
	if (!err) {
		note_found(&s, res);
		/* a first attach finds nothing to report */
		res->found = s.attached ? hook_state(ifname, s.gen, &s.cfg.attachment) : HOOK_LIVE;
		res->mode_line = o->mode < 0 ? s.mode_line : 0;
		err = attach_locked(&s, o, res);
	}
	if (!err)
		trace(&s, res);
	/* A first attach that failed leaves nothing behind; one that could not
	 * open what is in force (out of fds, memory) leaves it as it was. */
	if (err && !s.attached && s.leftovers && s.lock >= 0) {
		if (s.dev)
			hook_sweep(s.dev->ifindex, NULL);
		pin_remove_tree(s.dir);
		pin_dir_remove(s.dir);
	}
	session_end(&s);
	return err;
}

/* The tables brought in line with WireGuard and the policy, in place. */
static int sync_in_place(struct session *s, struct sync_cache *cache, struct iface_result *res)
{
	struct wgsf_config want = s->cfg, now;
	const struct maps *m = &s->old;
	bool cached;
	int err;

	/* the entries' bits come from the policy: another one, another table */
	if (cache && (s->text || cache->policy_id != s->cfg.policy_id))
		sync_cache_free(cache);
	cached = cache && cache->dev && cache->generation == s->cfg.generation;
	want.mode = mode_for(s, -1, s->cfg.mode);
	err = begin(m->fd[MAP_CONFIG], &s->cfg) ?: config_read(m->fd[MAP_CONFIG], &now);
	/* its own write: the cache still knows what the tables hold */
	if (!err && cached)
		cache->generation = now.generation;
	err = err ?: write_text(s, m->fd[MAP_POLICY_TEXT]);
	if (!err)
		err = cache ? sync_device_cached(m, s->dev, s->pol, cache, &res->sync)
			    : sync_device(m, s->dev, s->pol, &res->sync);
	err = err ?: finish(s, m, &want, res);
	if (!err && cache && cache->dev) {
		cache->generation = res->cfg.generation;
		cache->policy_id = res->cfg.policy_id;
	}
	return err;
}

static int sync_with(const char *ifname, enum policy_source src, void (*warn)(const char *msg),
		     struct sync_cache *cache, struct policy_memo *memo,
		     const struct iface_write *w, struct iface_result *res)
{
	struct iface_opts keep = { .mode = -1 };
	struct session s;
	int err;

	wgsf_clear_error();
	memset(res, 0, sizeof(*res));
	err = session_begin(&s, ifname, SESSION_READ_WG) ?:
	      session_policy(&s, src, NULL, warn, memo);
	if (!err && w)
		err = w->write(&s.old, s.dev, w->arg);
	if (!err) {
		note_found(&s, res);
		res->found = hook_state(ifname, s.gen, &s.cfg.attachment);
		res->mode_line = s.mode_line;
		/* Not in force, or left unfinished: a full attach mends both. */
		if (res->found != HOOK_LIVE || s.cfg.unfinished) {
			err = attach_locked(&s, &keep, res);
		} else {
			err = sync_in_place(&s, cache, res);
			res->grown = err == -ENOSPC;
			if (err == -ENOSPC)
				err = attach_locked(&s, &keep, res);
		}
	}
	if (!err)
		trace(&s, res);
	if (cache && cache->dev == s.dev)
		s.dev = NULL; /* the cache's now */
	session_end(&s);
	return err;
}

int iface_sync(const char *ifname, enum policy_source src, void (*warn)(const char *msg),
	       struct sync_cache *cache, struct policy_memo *memo, struct iface_result *res)
{
	return sync_with(ifname, src, warn, cache, memo, NULL, res);
}

int iface_sync_after(const char *ifname, const struct iface_write *w,
		     void (*warn)(const char *msg), struct iface_result *res)
{
	return sync_with(ifname, POLICY_FILE, warn, NULL, NULL, w, res);
}

int iface_detach(const char *ifname)
{
	struct session s;
	unsigned int ifindex = if_nametoindex(ifname), traced;
	int err;

	wgsf_clear_error();
	err = session_begin(&s, ifname, SESSION_ANY);
	if (!err && s.attached)
		err = hook_detach(s.gen, &s.cfg.attachment);
	/* another map ABI's pins cannot say which device they registered with
	 * the tracer: the interface of this name */
	traced = s.attached ? s.cfg.attachment.ifindex : s.foreign_abi ? ifindex : 0;
	if (!err && traced)
		err = tracer_disable(traced);
	/* what no pins of ours record (an interrupted command's, another map
	 * ABI's) is known by its programs' names */
	if (!err && ifindex)
		hook_sweep(ifindex, NULL);
	if (!err) {
		err = pin_remove_tree(s.dir);
		pin_dir_remove(s.dir);
	}
	if (!err && !s.attached)
		err = s.foreign_abi ? 2 : 1;
	session_end(&s);
	return err;
}

int iface_open(const char *ifname, struct iface_pins *p)
{
	char dir[PATH_MAX], gen[PATH_MAX];
	int err;

	wgsf_clear_error();
	memset(p, 0, sizeof(*p));
	p->lock = -1;
	if (ifname_check(ifname)) {
		wgsf_set_error("invalid interface name");
		return -EINVAL;
	}
	err = pin_iface_dir(ifname, dir);
	if (!err) {
		p->lock = pin_lock(dir, PIN_LOCK_SHARED);
		err = p->lock < 0 ? p->lock : pin_current(dir, gen) ?: maps_open_pinned(gen, &p->maps);
	}
	if (err == -ENOENT) {
		pin_unlock(p->lock);
		wgsf_set_error("%s is not attached (see 'wgsf show')", ifname);
		return err;
	}
	err = err ?: config_read(p->maps.fd[MAP_CONFIG], &p->cfg);
	if (!err && p->cfg.abi_version != WGSF_ABI_VERSION) {
		wgsf_set_error("%s was attached by an incompatible wgsf (map ABI %u, this is %u): "
			       "detach it first", ifname, p->cfg.abi_version, WGSF_ABI_VERSION);
		err = -EPROTO;
	}
	if (err) {
		iface_close(p);
		return err;
	}
	p->hook = hook_state(ifname, gen, &p->cfg.attachment);
	return 0;
}

void iface_close(struct iface_pins *p)
{
	maps_close(&p->maps);
	pin_unlock(p->lock);
	p->lock = -1;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

int iface_list(char (**names)[IFNAMSIZ], size_t *n)
{
	char dir[PATH_MAX], path[PATH_MAX], gen[PATH_MAX], name[IFNAMSIZ];
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
		if (e->d_type != DT_DIR || pin_dir_ifname(e->d_name, name) ||
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
		    pin_current(path, gen))
			continue; /* nothing in force: an attach killed before its commit */
		if (*n == cap) {
			void *nv = realloc(*names, (cap = cap ? cap * 2 : 8) * IFNAMSIZ);

			if (!nv) {
				err = -ENOMEM;
				break;
			}
			*names = nv;
		}
		memcpy((*names)[(*n)++], name, IFNAMSIZ);
	}
	closedir(d);
	sort_array(*names, *n, IFNAMSIZ, name_cmp);
	return err;
}
