// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracer's life: loaded and pinned with the first interface
 * registered, removed with the last. Under <bpffs>/wgsf/tracer/: the link
 * that keeps the program attached, and its maps (see wgsf_tracer.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "sort.h"
#include "pins/bpffs.h"
#include "pins/lock.h"
#include "pins/tree.h"
#include "err.h"
#include "tables/stats.h"
#include "tracer.skel.h"
#include "tracer/tracer.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14; older libc headers lack it */
#endif

enum tracer_map { T_IFACES, T_REJECTED, T_ABI, T_RINGS, T_LEASES, T_QUAR, T_BUDGET, T_MAPS };

static const char *const tracer_map_names[T_MAPS] = {
	[T_IFACES] = "tracer_ifaces",
	[T_REJECTED] = "tracer_rejected",
	[T_ABI] = "tracer_abi",
	[T_RINGS] = "tracer_rings",
	[T_LEASES] = "tracer_leases",
	[T_QUAR] = "tracer_quarantine",
	[T_BUDGET] = "tracer_budget",
};

#define LINK_NAME "link"
#define MODULE_REFCNT "/sys/module/wireguard/refcnt"
/* How long the last disable waits for the module to be free to unload. */
#define RELEASE_WAIT_MS 2000
#define RELEASE_TICK_MS 5
/* A pin's path: the directory and a name of the tracer's. */
#define PIN_PATH_MAX (PATH_MAX + 32)

/* Per-CPU values come 8-byte aligned: with these sizes, back to back. */
_Static_assert(sizeof(struct wgsf_rejected) % 8 == 0, "per-CPU stride");
_Static_assert(sizeof(struct wgsf_rejected_total) % 8 == 0, "per-CPU stride");

/* One command's hold on the tracer: its lock, and the maps pinned. */
struct pins {
	char dir[PATH_MAX];
	int lock;
	int fd[T_MAPS]; /* -1: not pinned */
};

static void pin_path(const struct pins *t, const char *name, char path[PIN_PATH_MAX])
{
	snprintf(path, PIN_PATH_MAX, "%s/%s", t->dir, name);
}

static int tracer_dir(char dir[PATH_MAX])
{
	char root[PATH_MAX];
	int err = pin_root_dir(root);

	if (!err && snprintf(dir, PATH_MAX, "%s/tracer", root) >= PATH_MAX)
		err = -ENAMETOOLONG;
	return err;
}

/* The interface as the tracer knows it: this namespace's cookie, which no
 * later namespace reuses, and the ifindex in it. */
static int iface_key(int ifindex, struct wgsf_tracer_iface *key)
{
	socklen_t len = sizeof(key->netns_cookie);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	memset(key, 0, sizeof(*key));
	key->ifindex = ifindex;
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &key->netns_cookie, &len))
		err = -errno;
	close(fd);
	if (err)
		wgsf_set_error("this kernel cannot name network namespaces (SO_NETNS_COOKIE, "
			       "Linux 5.14)");
	return err;
}

static void tracer_close(struct pins *t)
{
	int i;

	for (i = 0; i < T_MAPS; i++) {
		if (t->fd[i] >= 0)
			close(t->fd[i]);
		t->fd[i] = -1;
	}
}

static int abi_check(const struct pins *t)
{
	struct wgsf_tracer_abi abi = {};
	uint32_t zero = 0;

	if (t->fd[T_ABI] < 0)
		return 0;
	if (bpf_map_lookup_elem(t->fd[T_ABI], &zero, &abi))
		return -errno;
	if (abi.version == WGSF_TRACER_ABI_VERSION)
		return 0;
	wgsf_set_error("the tracer in %s was loaded by an incompatible wgsf (tracer ABI %u, "
		       "this is %u)", t->dir, abi.version, WGSF_TRACER_ABI_VERSION);
	return -EPROTO;
}

static void pins_init(struct pins *t)
{
	int i;

	t->dir[0] = '\0';
	t->lock = -1;
	for (i = 0; i < T_MAPS; i++)
		t->fd[i] = -1;
}

/* Takes the tracer's flock, making its directory when create, then opens
 * the maps that are pinned. -ENOENT: no directory, so no tracer. */
static int tracer_open(struct pins *t, bool create)
{
	char path[PIN_PATH_MAX];
	int i, err = tracer_dir(t->dir);

	if (err)
		return err;
	t->lock = pin_lock(t->dir, create);
	if (t->lock < 0)
		return t->lock;
	for (i = 0; i < T_MAPS; i++) {
		pin_path(t, tracer_map_names[i], path);
		t->fd[i] = bpf_obj_get(path);
		if (t->fd[i] < 0 && errno != ENOENT)
			return -errno;
	}
	return abi_check(t);
}

static void tracer_end(struct pins *t)
{
	tracer_close(t);
	pin_unlock(t->lock);
}

static int pin_link(struct pins *t, struct tracer *skel)
{
	struct bpf_link *link = bpf_program__attach_trace(skel->progs.wgsf_rejected);
	char path[PIN_PATH_MAX];
	int err;

	if (!link)
		return -errno;
	pin_path(t, LINK_NAME, path);
	err = bpf_link__pin(link, path);
	/* pinned, it stays when our fd goes; unpinned, it goes with it */
	if (!err)
		bpf_link__disconnect(link);
	bpf_link__destroy(link);
	return err;
}

/* Whether the program is attached, with all of its maps pinned. */
static bool complete(const struct pins *t)
{
	char path[PIN_PATH_MAX];
	int i;

	for (i = 0; i < T_MAPS; i++)
		if (t->fd[i] < 0)
			return false;
	pin_path(t, LINK_NAME, path);
	return !access(path, F_OK);
}

/* Loads the program on the maps that are pinned, or on new ones that
 * libbpf pins, attaches it and pins the link. A program attached without
 * all of its maps (a command that died half way) makes way for it. */
static int tracer_load(struct pins *t)
{
	struct wgsf_tracer_abi abi = { .version = WGSF_TRACER_ABI_VERSION };
	struct tracer *skel = tracer__open();
	char path[PIN_PATH_MAX];
	uint32_t zero = 0;
	int i, err = skel ? 0 : -errno;
	struct bpf_map *map;

	pin_path(t, LINK_NAME, path);
	unlink(path);
	for (i = 0; !err && i < T_MAPS; i++) {
		map = bpf_object__find_map_by_name(skel->obj, tracer_map_names[i]);
		pin_path(t, tracer_map_names[i], path);
		err = bpf_map__set_pin_path(map, path);
	}
	err = err ?: tracer__load(skel);
	if (!err && bpf_map_update_elem(bpf_map__fd(skel->maps.tracer_abi), &zero, &abi, BPF_ANY))
		err = -errno;
	err = err ?: pin_link(t, skel);
	for (i = 0; !err && i < T_MAPS; i++) {
		map = bpf_object__find_map_by_name(skel->obj, tracer_map_names[i]);
		if (t->fd[i] < 0 && (t->fd[i] = dup(bpf_map__fd(map))) < 0)
			err = -errno;
	}
	if (err)
		wgsf_set_error("cannot load the tracer: %s", strerror(-err));
	tracer__destroy(skel);
	return err;
}

/* Registers the interface, with the datapath's maps: the ring its events
 * go to, its reader's lease and its quarantine map, replacing those of an
 * earlier attach; registered already, its counters stay. */
static int add_iface(const struct pins *t, const struct wgsf_tracer_iface *key,
		     const struct tracer_events *ev)
{
	int ncpus = libbpf_num_possible_cpus(), err = 0;
	void *zero;

	if (ncpus <= 0)
		return ncpus ?: -EINVAL;
	zero = calloc(ncpus, sizeof(struct wgsf_rejected_total));
	if (!zero)
		return -ENOMEM;
	if (bpf_map_update_elem(t->fd[T_RINGS], key, &ev->ring_fd, BPF_ANY) ||
	    bpf_map_update_elem(t->fd[T_LEASES], key, &ev->lease_fd, BPF_ANY) ||
	    bpf_map_update_elem(t->fd[T_QUAR], key, &ev->quarantine_fd, BPF_ANY) ||
	    (bpf_map_update_elem(t->fd[T_IFACES], key, zero, BPF_NOEXIST) && errno != EEXIST))
		err = -errno;
	free(zero);
	if (err == -E2BIG)
		wgsf_set_error("the tracer already serves %u interfaces", WGSF_TRACER_MAX_IFACES);
	return err;
}

/* The wireguard module's reference count; -1 where it has none (built in). */
static long module_refs(void)
{
	FILE *f = fopen(MODULE_REFCNT, "re");
	long n = -1;

	if (f && fscanf(f, "%ld", &n) != 1)
		n = -1;
	if (f)
		fclose(f);
	return n;
}

/*
 * The kernel may let go of the link, and of the module reference that it
 * holds, a while after its last pin is gone (an RCU callback, then maybe a
 * work item: 85 ms on PREEMPT_RT in qemu), and rmmod fails until then. So
 * wait, within bounds, for the module's count to drop below what it was.
 */
static void wait_module_released(long before)
{
	struct timespec tick = { .tv_nsec = RELEASE_TICK_MS * 1000000 };
	int i;

	for (i = 0; before > 0 && i < RELEASE_WAIT_MS / RELEASE_TICK_MS; i++) {
		if (module_refs() < before)
			return;
		nanosleep(&tick, NULL);
	}
}

/* The link's pin is its last reference: unlinked, the program goes. */
static void unpin_all(struct pins *t)
{
	char path[PIN_PATH_MAX];
	long refs = module_refs();
	int i;

	pin_path(t, LINK_NAME, path);
	if (!unlink(path))
		wait_module_released(refs);
	tracer_close(t);
	for (i = 0; i < T_MAPS; i++) {
		pin_path(t, tracer_map_names[i], path);
		unlink(path);
	}
	pin_dir_remove(t->dir);
}

static bool no_ifaces(const struct pins *t)
{
	struct wgsf_tracer_iface key;

	return t->fd[T_IFACES] < 0 || bpf_map_get_next_key(t->fd[T_IFACES], NULL, &key);
}

int tracer_enable(const char *ifname, int ifindex, const struct tracer_events *ev)
{
	char why[TRACER_WHY_LEN];
	struct wgsf_tracer_iface key;
	struct pins t;
	int err;

	wgsf_clear_error();
	pins_init(&t);
	err = tracer_status(ifname, ifindex, why);
	if (err > 0) {
		wgsf_set_error("%s", why);
		return -EOPNOTSUPP;
	}
	err = err ?: iface_key(ifindex, &key) ?: tracer_open(&t, true);
	if (!err && !complete(&t))
		err = tracer_load(&t);
	err = err ?: add_iface(&t, &key, ev);
	/* With nothing registered, nothing is left behind. */
	if (err && t.lock >= 0 && no_ifaces(&t))
		unpin_all(&t);
	tracer_end(&t);
	return err;
}

/* The keys of a map that begin with the len bytes at head (both maps' keys
 * begin with an interface, whose first member is its namespace's cookie),
 * in an array: deleting keys during the walk would lose its place. */
static int keys_beginning(int fd, size_t size, const void *head, size_t len, void **keys,
			  size_t *n)
{
	char cur[sizeof(struct wgsf_rejected_key)], next[sizeof(cur)];
	size_t cap = 0;
	bool first = true;
	void *grown;

	*keys = NULL;
	*n = 0;
	for (; !bpf_map_get_next_key(fd, first ? NULL : cur, next); first = false) {
		memcpy(cur, next, size);
		if (memcmp(cur, head, len))
			continue;
		if (*n == cap) {
			grown = realloc(*keys, (cap = cap ? 2 * cap : 16) * size);
			if (!grown)
				return -ENOMEM;
			*keys = grown;
		}
		memcpy((char *)*keys + (*n)++ * size, cur, size);
	}
	return errno == ENOENT ? 0 : -errno;
}

/* Deletes every entry of a map keyed by a sender that is of the interface. */
static int forget_senders(int fd, const struct wgsf_tracer_iface *key)
{
	struct wgsf_rejected_key *keys = NULL;
	size_t n = 0, i;
	int err = fd < 0 ? 0 : keys_beginning(fd, sizeof(*keys), key, sizeof(*key),
					      (void **)&keys, &n);

	for (i = 0; !err && i < n; i++)
		if (bpf_map_delete_elem(fd, &keys[i]) && errno != ENOENT)
			err = -errno;
	free(keys);
	return err;
}

static int forget_iface(const struct pins *t, const struct wgsf_tracer_iface *key)
{
	static const enum tracer_map by_iface[] = { T_RINGS, T_LEASES, T_QUAR, T_IFACES };
	int err = forget_senders(t->fd[T_REJECTED], key) ?: forget_senders(t->fd[T_BUDGET], key);
	size_t i;

	/* the interface's own entry last: it says the interface is registered,
	 * so that a detach killed before it is done again. The tracer counts
	 * on until it goes: the senders it added meanwhile go after it. */
	for (i = 0; !err && i < sizeof(by_iface) / sizeof(*by_iface); i++)
		if (t->fd[by_iface[i]] >= 0 && bpf_map_delete_elem(t->fd[by_iface[i]], key) &&
		    errno != ENOENT)
			err = -errno;
	return err ?: forget_senders(t->fd[T_REJECTED], key) ?:
		      forget_senders(t->fd[T_BUDGET], key);
}

int tracer_disable(int ifindex)
{
	struct wgsf_tracer_iface key;
	struct pins t;
	int err;

	wgsf_clear_error();
	pins_init(&t);
	err = iface_key(ifindex, &key) ?: tracer_open(&t, false);
	if (err == -ENOENT) /* no tracer: nothing to undo */
		return 0;
	err = err ?: forget_iface(&t, &key);
	if (!err && no_ifaces(&t))
		unpin_all(&t);
	tracer_end(&t);
	return err;
}

int tracer_forget_netns(uint64_t cookie)
{
	struct wgsf_tracer_iface *keys = NULL;
	struct pins t;
	size_t n = 0, i;
	int err;

	wgsf_clear_error();
	pins_init(&t);
	err = tracer_open(&t, false);
	if (err == -ENOENT)
		return 0;
	err = err ?: t.fd[T_IFACES] < 0 ? 0 : keys_beginning(t.fd[T_IFACES], sizeof(*keys), &cookie,
							     sizeof(cookie), (void **)&keys, &n);
	for (i = 0; !err && i < n; i++)
		err = forget_iface(&t, &keys[i]);
	if (!err && no_ifaces(&t))
		unpin_all(&t);
	free(keys);
	tracer_end(&t);
	return err;
}

/* The per-CPU copies of a sender's counters as one. */
static int read_peer(int fd, const struct wgsf_rejected_key *key, struct tracer_peer *p)
{
	struct wgsf_rejected *c, *sum = &p->rejected;
	char *buf;
	int n, i;

	buf = percpu_lookup(fd, key, sizeof(*c), &n);
	if (!buf)
		return -errno;
	memcpy(p->public_key, key->public_key, sizeof(p->public_key));
	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < n; i++) {
		c = (struct wgsf_rejected *)buf + i;
		sum->packets += c->packets;
		sum->bytes += c->bytes;
		sum->event_suppressed += c->event_suppressed;
		if (c->last_ns > sum->last_ns) {
			sum->last_ns = c->last_ns;
			sum->last_src = c->last_src;
			sum->last_dst = c->last_dst;
			memcpy(sum->last_owner, c->last_owner, sizeof(sum->last_owner));
			sum->last_has_owner = c->last_has_owner;
		}
	}
	free(buf);
	return 0;
}

static int read_total(int fd, const struct wgsf_tracer_iface *key, struct wgsf_rejected_total *sum)
{
	struct wgsf_rejected_total *c;
	char *buf;
	int n, i;

	buf = percpu_lookup(fd, key, sizeof(*c), &n);
	if (!buf)
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < n; i++) {
		c = (struct wgsf_rejected_total *)buf + i;
		sum->packets += c->packets;
		sum->bytes += c->bytes;
		sum->event_suppressed += c->event_suppressed;
		sum->event_lost += c->event_lost;
	}
	free(buf);
	return 0;
}

static int by_key(const void *a, const void *b)
{
	const struct tracer_peer *x = a, *y = b;

	return memcmp(x->public_key, y->public_key, sizeof(x->public_key));
}

static int read_view(const struct pins *t, const struct wgsf_tracer_iface *key,
		     struct tracer_view *v)
{
	struct wgsf_rejected_key *keys = NULL;
	size_t n = 0, i;
	int err = read_total(t->fd[T_IFACES], key, &v->total);

	err = err ?: keys_beginning(t->fd[T_REJECTED], sizeof(*keys), key, sizeof(*key),
				   (void **)&keys, &n);
	if (!err && n && !(v->peers = calloc(n, sizeof(*v->peers))))
		err = -ENOMEM;
	for (i = 0; !err && i < n; i++)
		err = read_peer(t->fd[T_REJECTED], &keys[i], &v->peers[i]);
	free(keys);
	if (err)
		return err;
	v->n_peers = n;
	sort_array(v->peers, n, sizeof(*v->peers), by_key);
	return 0;
}

int tracer_read(int ifindex, struct tracer_view *v)
{
	struct wgsf_tracer_iface key;
	struct pins t;
	int err;

	wgsf_clear_error();
	pins_init(&t);
	memset(v, 0, sizeof(*v));
	err = iface_key(ifindex, &key) ?: tracer_open(&t, false);
	if (!err && (t.fd[T_IFACES] < 0 || t.fd[T_REJECTED] < 0))
		err = -ENOENT;
	err = err ?: read_view(&t, &key, v);
	if (err == -ENOENT)
		wgsf_set_error("the interface is not registered with the tracer");
	if (err)
		tracer_view_free(v);
	tracer_end(&t);
	return err;
}

void tracer_view_free(struct tracer_view *v)
{
	free(v->peers);
	memset(v, 0, sizeof(*v));
}
