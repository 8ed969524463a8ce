// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "sort.h"
#include "attach/hook.h"
#include "attach/orphans.h"
#include "pins/bpffs.h"
#include "pins/generation.h"
#include "pins/lock.h"
#include "pins/names.h"
#include "pins/tree.h"
#include "err.h"
#include "tables/maps.h"
#include "tracer/tracer.h"

/*
 * How pins/names.c names a namespace's directory: its cookie, or
 * "ino<inode>". Only a name exactly as pins/names.c prints it counts; any
 * other is not wgsf's to judge.
 */
enum ns_form { NS_OTHER, NS_COOKIE, NS_INODE };

static enum ns_form ns_form(const char *name, uint64_t *n)
{
	const char *digits = strncmp(name, "ino", 3) ? name : name + 3;
	char again[32];
	char *end;

	if (!isdigit((unsigned char)*digits))
		return NS_OTHER;
	errno = 0;
	*n = strtoull(digits, &end, 10);
	snprintf(again, sizeof(again), "%" PRIu64, *n);
	if (*end || errno || strcmp(again, digits))
		return NS_OTHER;
	return digits == name ? NS_COOKIE : NS_INODE;
}

/*
 * Calls fn for each entry of the directory at/name but . and .., and stops
 * at fn's first nonzero return; above 0 means stop without error. A
 * symlink in name's place is not followed.
 */
static int dir_each(int at, const char *name, int (*fn)(void *ctx, int dir, const char *entry),
		    void *ctx)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), err = 0;
	struct dirent *e;
	DIR *d;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	for (errno = 0; !err && (e = readdir(d)); errno = 0)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			err = fn(ctx, fd, e->d_name);
	if (!err && errno)
		err = -errno;
	closedir(d);
	return err > 0 ? 0 : err;
}

static bool is_dir(int at, const char *name)
{
	struct stat st;

	return !fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode);
}

/* What the sentinel of the generation gen and the link beside it say. */
static int judge_generation(const char *gen, enum pins_state *state)
{
	bool present[WGSF_SENTINEL_KEYS];
	char path[PATH_MAX + 16];
	uint32_t ifindex;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", gen, map_names[MAP_SENTINEL]);
	fd = bpf_obj_get(path);
	err = fd < 0 ? (errno == ENOENT ? -EPROTO : -errno) : sentinel_read(fd, present);
	if (fd >= 0)
		close(fd);
	if (err == -EPROTO) {
		*state = PINS_NO_SENTINEL;
		return 0;
	}
	if (err)
		return err;
	/* the loopback device leaves only with its namespace */
	if (present[WGSF_SENTINEL_IFACE] || present[WGSF_SENTINEL_LOOPBACK]) {
		*state = PINS_LIVE;
		return 0;
	}
	err = hook_link_ifindex(gen, &ifindex);
	*state = ifindex ? PINS_ELSEWHERE : PINS_ORPHANED;
	return err;
}

/* The state of the interface pins in dir. Without a lock: a commit may
 * replace the generation while we look, and then the new one is judged. */
static int judge(const char *dir, enum pins_state *state)
{
	char gen[PATH_MAX], again[PATH_MAX];
	int tries, err;

	for (tries = 0; tries < 10; tries++) {
		if (pin_current(dir, gen)) {
			*state = PINS_UNCOMMITTED;
			return 0;
		}
		err = judge_generation(gen, state);
		if (!pin_current(dir, again) && !strcmp(gen, again))
			return err;
	}
	return -EAGAIN;
}

/* Map ids, by the dozen: a linear search will do. */
struct ids {
	uint32_t *v;
	size_t n;
};

static bool ids_has(const struct ids *s, uint32_t id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return true;
	return false;
}

/* The kernel memory of the maps pinned below at/name, each map once. */
struct memlock {
	struct ids maps;
	uint64_t bytes;
};

static int count_map(struct memlock *m, int dir, const char *name)
{
	char path[64 + NAME_MAX];
	uint64_t bytes;
	uint32_t id;
	void *v;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	bytes = map_memlock(fd, &id);
	close(fd);
	if (!id || ids_has(&m->maps, id))
		return 0;
	v = realloc(m->maps.v, (m->maps.n + 1) * sizeof(*m->maps.v));
	if (!v)
		return -ENOMEM;
	m->maps.v = v;
	m->maps.v[m->maps.n++] = id;
	m->bytes += bytes;
	return 0;
}

/* Everything below at/name, never following a symlink. */
static int count_memlock(void *ctx, int at, const char *name)
{
	struct stat st;
	int err;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISREG(st.st_mode))
		return count_map(ctx, at, name);
	if (!S_ISDIR(st.st_mode))
		return 0;
	err = dir_each(at, name, count_memlock, ctx);
	return err == -ENOENT ? 0 : err;
}

static int iface_dir(const struct orphans *o, const struct orphan *ns, const char *name,
		     char out[PATH_MAX])
{
	int n = snprintf(out, PATH_MAX, "%s/%s/%s", o->root, ns->name, name);

	return n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Judges one interface directory of a namespace directory. */
struct ns_walk {
	const struct orphans *o;
	struct orphan *ns;
};

static int add_iface(void *ctx, int nsdir, const char *name)
{
	struct ns_walk *w = ctx;
	struct pinned_iface p = {};
	struct memlock m = {};
	char dir[PATH_MAX];
	void *v;
	int err;

	if (!is_dir(nsdir, name) || pin_dir_ifname(name, p.name))
		return 0;
	memcpy(p.dir, name, strlen(name) + 1);
	err = iface_dir(w->o, w->ns, name, dir) ?: judge(dir, &p.state);
	if (err || p.state == PINS_LIVE)
		return err;
	if (p.state == PINS_ORPHANED)
		err = count_memlock(&m, nsdir, name);
	free(m.maps.v);
	p.memlock = m.bytes;
	v = err ? NULL : realloc(w->ns->ifaces, (w->ns->n_ifaces + 1) * sizeof(p));
	if (!v)
		return err ?: -ENOMEM;
	w->ns->ifaces = v;
	w->ns->ifaces[w->ns->n_ifaces++] = p;
	w->ns->deleted |= p.state == PINS_ORPHANED || p.state == PINS_ELSEWHERE;
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Every namespace directory but ours whose name wgsf could have made. */
struct root_walk {
	struct orphans *o;
	char own[32];
};

/* Keeps ns when any of its interfaces is not live. */
static int keep_namespace(struct orphans *o, struct orphan *ns)
{
	bool orphaned = false;
	void *v = realloc(o->v, (o->n + 1) * sizeof(*ns));
	size_t i;

	if (!v)
		return -ENOMEM;
	sort_array(ns->ifaces, ns->n_ifaces, sizeof(*ns->ifaces), name_cmp);
	for (i = 0; i < ns->n_ifaces; i++) {
		o->memlock += ns->ifaces[i].memlock;
		orphaned |= ns->ifaces[i].state == PINS_ORPHANED;
	}
	o->n_orphaned += orphaned;
	o->v = v;
	o->v[o->n++] = *ns;
	return 0;
}

static int add_namespace(void *ctx, int root, const char *name)
{
	struct root_walk *r = ctx;
	struct orphan ns = {};
	struct ns_walk w = { r->o, &ns };
	uint64_t n;
	int err;

	if (ns_form(name, &n) == NS_OTHER || !strcmp(name, r->own) ||
	    strlen(name) >= sizeof(ns.name) || !is_dir(root, name))
		return 0;
	memcpy(ns.name, name, strlen(name) + 1);
	err = dir_each(root, name, add_iface, &w);
	if (!err && ns.n_ifaces)
		err = keep_namespace(r->o, &ns);
	if (err || !ns.n_ifaces)
		free(ns.ifaces);
	/* ENOENT: another wgsf removed it meanwhile */
	return err == -ENOENT ? 0 : err;
}

/* Cookies and inodes grow with each namespace made. */
static int made_order(const void *a, const void *b)
{
	return strverscmp(((const struct orphan *)a)->name, ((const struct orphan *)b)->name);
}

int orphans_find(struct orphans *o)
{
	struct root_walk r = { .o = o };
	int err;

	memset(o, 0, sizeof(*o));
	wgsf_clear_error();
	err = pin_root_dir(o->root) ?: pin_netns_name(r.own, sizeof(r.own));
	if (!err)
		err = dir_each(AT_FDCWD, o->root, add_namespace, &r);
	if (err == -ENOENT)
		err = 0; /* nothing was ever pinned */
	if (err)
		orphans_free(o);
	else
		sort_array(o->v, o->n, sizeof(*o->v), made_order);
	return err;
}

/* Removes p's pins if, under their lock, they are still orphaned; the
 * namespace's registrations with the tracer go first, once. */
static int remove_iface(const struct orphans *o, const struct orphan *ns,
			struct pinned_iface *p, bool *forgotten)
{
	char dir[PATH_MAX];
	uint64_t cookie;
	int lock, err;

	lock = iface_dir(o, ns, p->dir, dir) ?: pin_lock(dir, 0);
	if (lock == -ENOENT) {
		p->removed = true; /* by another wgsf, meanwhile */
		return 0;
	}
	if (lock < 0)
		return lock;
	err = judge(dir, &p->state);
	/* They would keep the tracer, and with it the wireguard module,
	 * forever: the namespace is gone, and with it all its interfaces. */
	if (!err && p->state == PINS_ORPHANED && !*forgotten) {
		if (ns_form(ns->name, &cookie) == NS_COOKIE)
			err = tracer_forget_netns(cookie);
		*forgotten = !err;
	}
	if (!err && p->state == PINS_ORPHANED) {
		err = pin_remove_tree(dir);
		p->removed = !err;
	}
	pin_unlock(lock);
	if (p->removed)
		pin_dir_remove(dir); /* the namespace's directory, once empty */
	return err;
}

int orphans_remove(struct orphans *o, size_t i)
{
	struct orphan *ns = &o->v[i];
	bool forgotten = false;
	size_t k;
	int err = 0;

	for (k = 0; !err && k < ns->n_ifaces; k++)
		if (ns->ifaces[k].state == PINS_ORPHANED)
			err = remove_iface(o, ns, &ns->ifaces[k], &forgotten);
	return err;
}

void orphans_free(struct orphans *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->v[i].ifaces);
	free(o->v);
	memset(o, 0, sizeof(*o));
}
