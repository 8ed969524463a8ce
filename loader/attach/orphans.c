// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <bpf/bpf.h>

#include "sort.h"
#include "attach/orphans.h"
#include "attach/pin.h"
#include "err.h"
#include "tables/maps.h"
#include "tracer/tracer.h"

/*
 * How pin.c names a namespace's directory: its cookie, or "ino<inode>".
 * Only a name exactly as pin.c prints it counts; any other is not wgsf's
 * to judge.
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

/* Numbers by the dozen (namespaces, maps): a linear search will do. */
struct u64s {
	uint64_t *v;
	size_t n;
};

static bool u64s_has(const struct u64s *s, uint64_t x)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i] == x)
			return true;
	return false;
}

static int u64s_add(struct u64s *s, uint64_t x)
{
	uint64_t *v = realloc(s->v, (s->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	s->v = v;
	s->v[s->n++] = x;
	return 0;
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

/* The network namespaces that something on the host reaches, through /proc. */
struct scan {
	int home;        /* our own, to come back to */
	dev_t nsfs;      /* the device of every namespace file */
	const char *pid; /* the process looked at */
	const struct orphans *candidates;
	/* Per live namespace, at one index: its inode, its cookie (0 where the
	 * kernel has none), and the inode of its /proc/net/dev, which tells it
	 * apart where the kernel hides the namespace itself. */
	struct u64s ino, cookie, procnet;
	struct u64s mnt; /* mount namespaces whose mounts are read */
	/* What the kernel hid, which must turn up another way by the end: the
	 * /proc/net/dev of tasks, the namespaces of mounts. */
	struct u64s hidden_procnet, hidden_ns;
	size_t hidden_fds; /* processes whose open files are hidden */
};

/* An LSM may hide another process's namespaces and files even from root. */
static bool hidden(int err)
{
	return err == EACCES || err == EPERM;
}

/* A process, or a file of it, that went away while we looked is no error. */
static int vanished_ok(const struct scan *s, int err, const char *what)
{
	if (err == ENOENT || err == ESRCH)
		return 0;
	wgsf_set_error("cannot read /proc/%s/%s: %s", s->pid, what, strerror(err));
	return -err;
}

/* The namespace file at at/path, opened for setns, or -ENOENT when the path
 * leads elsewhere now (a file descriptor reused, a mount gone): through
 * O_PATH first, so that no other kind of file is ever opened. */
static int open_ns(int at, const char *path)
{
	int p = openat(at, path, O_PATH | O_CLOEXEC), fd = -ENOENT;
	char self[32];
	struct statfs st;

	if (p < 0)
		return -errno;
	if (!fstatfs(p, &st) && st.f_type == NSFS_MAGIC) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", p);
		fd = open(self, O_RDONLY | O_CLOEXEC);
		fd = fd < 0 ? -errno : fd;
	}
	close(p);
	return fd;
}

/* Enters fd's namespace for just as long as reading its name and its
 * /proc/net/dev takes. */
static int visit_ns(const struct scan *s, int fd, char name[32], struct stat *procnet)
{
	int err;

	if (setns(fd, CLONE_NEWNET))
		return -errno;
	err = pin_netns_name(name, 32);
	if (!err && stat("/proc/thread-self/net/dev", procnet))
		err = -errno;
	/* Going on from the wrong namespace would act on the wrong interfaces. */
	if (setns(s->home, CLONE_NEWNET))
		abort();
	return err;
}

/* Records the network namespace fd refers to, if new, and closes fd. */
static int ns_record(struct scan *s, int fd)
{
	struct stat ns, procnet;
	uint64_t cookie;
	char name[32];
	int err = 0;

	if (ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET || fstat(fd, &ns) ||
	    u64s_has(&s->ino, ns.st_ino)) {
		close(fd);
		return 0;
	}
	err = visit_ns(s, fd, name, &procnet);
	close(fd);
	if (err) {
		wgsf_set_error("cannot read the cookie of network namespace net:[%lu], which process "
			       "%s reaches: %s", (unsigned long)ns.st_ino, s->pid, strerror(-err));
		return err;
	}
	if (ns_form(name, &cookie) != NS_COOKIE)
		cookie = 0;
	return u64s_add(&s->ino, ns.st_ino) ?: u64s_add(&s->cookie, cookie) ?:
		u64s_add(&s->procnet, procnet.st_ino);
}

static int scan_task(void *ctx, int tasks, const char *tid)
{
	struct scan *s = ctx;
	char path[NAME_MAX + 16];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/ns/net", tid);
	if (!fstatat(tasks, path, &st, 0)) {
		if (u64s_has(&s->ino, st.st_ino))
			return 0;
		fd = open_ns(tasks, path);
		return fd < 0 ? vanished_ok(s, -fd, "task") : ns_record(s, fd);
	}
	if (!hidden(errno))
		return vanished_ok(s, errno, "task");
	/* its namespace is hidden, its /proc/net is not */
	snprintf(path, sizeof(path), "%s/net/dev", tid);
	if (fstatat(tasks, path, &st, 0))
		return vanished_ok(s, errno, "task");
	return u64s_add(&s->hidden_procnet, st.st_ino);
}

/*
 * An open file of a namespace shows in the fd's link as "net:[inode]", or
 * as the path it was opened by (a mount, which may be gone since), so tell
 * it by its device, nsfs's. Without syncing: a file on a stuck network
 * filesystem must not stop the scan.
 */
static int scan_fd(void *ctx, int fds, const char *fd)
{
	struct scan *s = ctx;
	struct statx st;
	int ns = 0;

	if (statx(fds, fd, AT_STATX_DONT_SYNC, STATX_INO, &st))
		ns = -errno;
	else if (makedev(st.stx_dev_major, st.stx_dev_minor) != s->nsfs ||
		 u64s_has(&s->ino, st.stx_ino))
		return 0;
	else
		ns = open_ns(fds, fd);
	if (ns >= 0)
		return ns_record(s, ns);
	if (!hidden(-ns))
		return vanished_ok(s, -ns, "fd");
	s->hidden_fds++;
	return 1; /* and so are all its others */
}

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; d++) {
		if (s[0] == '\\' && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
		    isdigit((unsigned char)s[3])) {
			*d = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
			s += 4;
		} else {
			*d = *s++;
		}
	}
	*d = '\0';
}

/* One line of mountinfo: an nsfs mount of a network namespace holds it. */
static int scan_mount(struct scan *s, int dir, char *line)
{
	const char *fstype = strstr(line, " - ");
	char path[PATH_MAX + 8];
	int point = 0, fd;
	uint64_t ino;

	/* mount id, parent id, device, root ("net:[inode]"), mount point */
	if (!fstype || strncmp(fstype + 3, "nsfs ", 5) ||
	    sscanf(line, "%*s %*s %*s net:[%" SCNu64 "] %n", &ino, &point) != 1 || !point ||
	    u64s_has(&s->ino, ino))
		return 0;
	line[point + strcspn(line + point, " ")] = '\0';
	unescape(line + point);
	/* as the process sees it */
	snprintf(path, sizeof(path), "root%s", line + point);
	fd = open_ns(dir, path);
	if (fd >= 0)
		return ns_record(s, fd);
	return hidden(-fd) ? u64s_add(&s->hidden_ns, ino) : vanished_ok(s, -fd, path);
}

/* A chrooted process's mountinfo leaves out every mount outside its root;
 * at its mount namespace's root, ".." leads nowhere. */
static bool at_ns_root(int dir)
{
	struct stat root, up;

	return !fstatat(dir, "root", &root, 0) && !fstatat(dir, "root/..", &up, 0) &&
	       root.st_dev == up.st_dev && root.st_ino == up.st_ino;
}

/* The nsfs mounts of the process's mount namespace, once per namespace. */
static int scan_mounts(struct scan *s, int dir)
{
	struct stat mnt;
	bool known = !fstatat(dir, "ns/mnt", &mnt, 0);
	char *line = NULL;
	size_t len = 0;
	int fd, err = 0;
	FILE *f;

	if (!known && !hidden(errno))
		return vanished_ok(s, errno, "ns/mnt");
	if (known && u64s_has(&s->mnt, mnt.st_ino))
		return 0;
	fd = openat(dir, "mountinfo", O_RDONLY | O_CLOEXEC);
	f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f) {
		if (fd >= 0)
			close(fd);
		return vanished_ok(s, errno, "mountinfo");
	}
	while (!err && getline(&line, &len, f) > 0)
		err = scan_mount(s, dir, line);
	fclose(f);
	free(line);
	return err ?: (known && at_ns_root(dir) ? u64s_add(&s->mnt, mnt.st_ino) : 0);
}

static bool alive(const struct scan *s, const char *name)
{
	uint64_t n;
	enum ns_form form = ns_form(name, &n);

	return u64s_has(form == NS_COOKIE ? &s->cookie : &s->ino, n);
}

/* Then there is nothing left to learn. */
static bool all_alive(const struct scan *s)
{
	size_t i;

	for (i = 0; i < s->candidates->n; i++)
		if (!alive(s, s->candidates->v[i].name))
			return false;
	return true;
}

static int scan_process(void *ctx, int proc, const char *pid)
{
	struct scan *s = ctx;
	int dir, err;

	if (all_alive(s))
		return 1;
	if (!isdigit((unsigned char)*pid))
		return 0;
	s->pid = pid;
	dir = openat(proc, pid, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return vanished_ok(s, errno, "");
	err = dir_each(dir, "task", scan_task, s) ?: dir_each(dir, "fd", scan_fd, s);
	if (hidden(-err)) {
		s->hidden_fds++; /* not even their numbers */
		err = 0;
	}
	err = err ?: scan_mounts(s, dir);
	close(dir);
	/* the process ended while we looked */
	return err == -ENOENT || err == -ESRCH ? 0 : err;
}

/* kthreadd is PID 2 on every Linux: a /proc without it shows one PID
 * namespace's processes, and a namespace held outside would seem gone. */
static int see_every_process(void)
{
	FILE *f = fopen("/proc/2/comm", "re");
	char comm[32];
	bool seen = f && fgets(comm, sizeof(comm), f) && !strcmp(comm, "kthreadd\n");

	if (f)
		fclose(f);
	if (seen)
		return 0;
	wgsf_set_error("this /proc does not show every process of the host (a PID namespace?), "
		       "so wgsf cannot tell which network namespaces are gone");
	return -EPERM;
}

static bool all_in(const struct u64s *a, const struct u64s *b)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (!u64s_has(b, a->v[i]))
			return false;
	return true;
}

static int scan_host(struct scan *s, const struct orphans *candidates)
{
	struct stat home;
	int err;

	memset(s, 0, sizeof(*s));
	s->candidates = candidates;
	s->home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (s->home < 0 || fstat(s->home, &home))
		return -errno;
	s->nsfs = home.st_dev;
	err = see_every_process() ?: dir_each(AT_FDCWD, "/proc", scan_process, s);
	if (!err && !all_alive(s) &&
	    !(all_in(&s->hidden_procnet, &s->procnet) && all_in(&s->hidden_ns, &s->ino))) {
		wgsf_set_error("the kernel hides a live network namespace from wgsf (a security "
			       "module?), so wgsf cannot tell which are gone");
		err = -EACCES;
	}
	return err;
}

static void scan_free(struct scan *s)
{
	struct u64s *sets[] = { &s->ino, &s->cookie, &s->procnet, &s->mnt, &s->hidden_procnet,
				&s->hidden_ns };
	size_t i;

	for (i = 0; i < sizeof(sets) / sizeof(*sets); i++)
		free(sets[i]->v);
	if (s->home >= 0)
		close(s->home);
}

struct walk {
	int (*visit)(struct walk *w, int dir, const char *name, const struct stat *st);
	struct u64s maps; /* the maps counted */
	uint64_t memlock;
};

/* Visits at/name and everything below it, children first, never following
 * a symlink; visit sees every entry, directories last. */
static int walk(void *w, int at, const char *name)
{
	struct stat st;
	int err;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode)) {
		err = dir_each(at, name, walk, w);
		if (err && err != -ENOENT)
			return err;
	}
	return ((struct walk *)w)->visit(w, at, name, &st);
}

/* Each map once, however many times it is pinned. */
static int count_memlock(struct walk *w, int dir, const char *name, const struct stat *st)
{
	char path[64 + NAME_MAX];
	uint64_t bytes;
	uint32_t id;
	int fd;

	if (!S_ISREG(st->st_mode))
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	bytes = map_memlock(fd, &id);
	close(fd);
	if (!id || u64s_has(&w->maps, id))
		return 0;
	w->memlock += bytes;
	return u64s_add(&w->maps, id);
}

static int add_iface(void *ctx, int dir, const char *name)
{
	struct orphan *o = ctx;
	char ifname[IFNAMSIZ];
	struct stat st;
	void *v;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode) ||
	    pin_dir_ifname(name, ifname))
		return 0;
	v = realloc(o->ifaces, (o->n_ifaces + 1) * sizeof(*o->ifaces));
	if (!v)
		return -ENOMEM;
	o->ifaces = v;
	memcpy(o->ifaces[o->n_ifaces++], ifname, IFNAMSIZ);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int describe(int root, struct orphan *o)
{
	struct walk w = { .visit = count_memlock };
	int err = dir_each(root, o->name, add_iface, o) ?: walk(&w, root, o->name);

	sort_array(o->ifaces, o->n_ifaces, sizeof(*o->ifaces), name_cmp);
	o->memlock = w.memlock;
	free(w.maps.v);
	return err;
}

/* The other namespaces' directories that wgsf could have made: only they
 * are worth a look at every process. */
struct candidates {
	struct orphans *o;
	char own[32];
	bool cookies; /* the kernel has them: cookie names can be judged */
};

static int add_candidate(void *ctx, int root, const char *name)
{
	struct candidates *c = ctx;
	enum ns_form form;
	struct stat st;
	uint64_t n;
	void *v;

	form = ns_form(name, &n);
	if (form == NS_OTHER || (form == NS_COOKIE && !c->cookies) || !strcmp(name, c->own) ||
	    strlen(name) >= sizeof(c->o->v->name) ||
	    fstatat(root, name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode))
		return 0;
	v = realloc(c->o->v, (c->o->n + 1) * sizeof(*c->o->v));
	if (!v)
		return -ENOMEM;
	c->o->v = v;
	c->o->v[c->o->n++] = (struct orphan){};
	memcpy(c->o->v[c->o->n - 1].name, name, strlen(name) + 1);
	return 0;
}

/* Cookies and inodes grow with each namespace made. */
static int made_order(const void *a, const void *b)
{
	return strverscmp(((const struct orphan *)a)->name, ((const struct orphan *)b)->name);
}

/* Keeps the candidates no live namespace owns, and describes them. */
static int keep_orphans(int root, const struct scan *s, struct orphans *o)
{
	size_t i, kept = 0;
	int err = 0;

	for (i = 0; i < o->n && !err; i++) {
		if (alive(s, o->v[i].name))
			continue;
		o->v[kept] = o->v[i];
		err = describe(root, &o->v[kept]);
		if (err == -ENOENT) {
			/* another wgsf removed it meanwhile */
			free(o->v[kept].ifaces);
			err = 0;
			continue;
		}
		o->memlock += o->v[kept++].memlock;
	}
	o->n = kept;
	sort_array(o->v, o->n, sizeof(*o->v), made_order);
	return err;
}

int orphans_find(struct orphans *o)
{
	struct candidates c = { .o = o };
	struct scan s = { .home = -1 };
	uint64_t n;
	int root, err;

	memset(o, 0, sizeof(*o));
	wgsf_clear_error();
	err = pin_root_dir(o->root) ?: pin_netns_name(c.own, sizeof(c.own));
	if (err)
		return err;
	c.cookies = ns_form(c.own, &n) == NS_COOKIE;
	root = open(o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return errno == ENOENT ? 0 : -errno;
	err = dir_each(root, ".", add_candidate, &c);
	if (!err && o->n)
		err = scan_host(&s, o) ?: keep_orphans(root, &s, o);
	o->hidden = s.hidden_fds;
	scan_free(&s);
	close(root);
	if (err)
		orphans_free(o);
	return err;
}

int orphans_remove(const struct orphans *o, size_t i)
{
	char path[PATH_MAX];
	uint64_t cookie;
	int err = 0;

	if (snprintf(path, sizeof(path), "%s/%s", o->root, o->v[i].name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	/* its interfaces' registrations would keep the tracer, and with it
	 * the wireguard module, forever */
	if (ns_form(o->v[i].name, &cookie) == NS_COOKIE)
		err = tracer_forget_netns(cookie);
	return err ?: pin_remove_tree(path);
}

void orphans_free(struct orphans *o)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		free(o->v[i].ifaces);
	free(o->v);
	memset(o, 0, sizeof(*o));
}
