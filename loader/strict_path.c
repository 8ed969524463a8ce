// SPDX-License-Identifier: GPL-2.0-only
/* O_PATH */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "strict_path.h"

/* The kernel's own limit on the links of one lookup (MAXSYMLINKS). */
#define MAX_LINKS 40

struct walk {
	int dir;            /* the directory reached, checked (O_PATH) */
	char at[PATH_MAX];  /* its absolute path as walked, "" for /; for messages */
	char rest[PATH_MAX]; /* what is left to resolve */
	size_t pos;         /* where in rest */
	unsigned int links;
	uid_t user;
	char *why;
	size_t why_len;
};

__attribute__((format(printf, 4, 5))) static int fail(struct walk *w, const char *name, int err,
						      const char *fmt, ...)
{
	int n = snprintf(w->why, w->why_len, "%s/%s: ", w->at, name);
	va_list ap;

	if (!w->at[0] && !name[0])
		n = snprintf(w->why, w->why_len, "/: ");
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < w->why_len)
		vsnprintf(w->why + n, w->why_len - n, fmt, ap);
	va_end(ap);
	return err;
}

/* Owned by root or the user, and writable by neither group nor others;
 * what says what it is ("" for the file itself), for the message. */
static int check(struct walk *w, const char *name, const struct stat *st, const char *what)
{
	bool sticky = S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) && st->st_uid == 0;

	if (st->st_uid && st->st_uid != w->user && w->user)
		return fail(w, name, -EPERM, "%sowned by uid %u, neither root nor uid %u", what,
			    (unsigned int)st->st_uid, (unsigned int)w->user);
	if (st->st_uid && st->st_uid != w->user)
		return fail(w, name, -EPERM, "%sowned by uid %u, not root", what,
			    (unsigned int)st->st_uid);
	/* a link's mode is 0777 and means nothing: its owner and its
	 * directory say who may replace it */
	if (S_ISLNK(st->st_mode) || sticky || !(st->st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	return fail(w, name, -EPERM, "%swritable by %s", what,
		    st->st_mode & S_IWOTH ? "others" : "group");
}

/* Into the directory fd, checked; name "" is the root. */
static int enter(struct walk *w, int fd, const char *name, const struct stat *st)
{
	size_t len = strlen(w->at);
	int err = check(w, name, st, "a directory ");

	if (!err && !strcmp(name, "..")) {
		while (len && w->at[--len] != '/')
			;
		w->at[len] = '\0';
	} else if (!err && name[0] && len + 1 + strlen(name) >= sizeof(w->at)) {
		err = fail(w, name, -ENAMETOOLONG, "%s", strerror(ENAMETOOLONG));
	} else if (!err && name[0]) {
		snprintf(w->at + len, sizeof(w->at) - len, "/%s", name);
	}
	if (err) {
		close(fd);
		return err;
	}
	if (w->dir >= 0)
		close(w->dir);
	w->dir = fd;
	return 0;
}

static int enter_root(struct walk *w)
{
	int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	w->at[0] = '\0';
	if (fd < 0 || fstat(fd, &st)) {
		int err = -errno;

		if (fd >= 0)
			close(fd);
		return fail(w, "", err, "%s", strerror(-err));
	}
	return enter(w, fd, "", &st);
}

/* The next component of rest into name; 1 when none is left. */
static int next_name(struct walk *w, char name[NAME_MAX + 1], bool *last)
{
	const char *s = w->rest + w->pos;
	size_t len;

	s += strspn(s, "/");
	len = strcspn(s, "/");
	if (!len)
		return 1;
	if (len > NAME_MAX)
		return fail(w, "", -ENAMETOOLONG, "%s", strerror(ENAMETOOLONG));
	memcpy(name, s, len);
	name[len] = '\0';
	w->pos = s + len - w->rest;
	*last = !s[len + strspn(s + len, "/")];
	return 0;
}

/* A link's target in place of the link, in rest; walked from the root
 * when absolute, else from the link's directory. */
static int follow(struct walk *w, int fd, const char *name)
{
	char target[PATH_MAX], rest[PATH_MAX];
	ssize_t n = readlinkat(fd, "", target, sizeof(target));

	if (n < 0)
		return fail(w, name, -errno, "%s", strerror(errno));
	if (++w->links > MAX_LINKS || (size_t)n == sizeof(target))
		return fail(w, name, n == sizeof(target) ? -ENAMETOOLONG : -ELOOP, "%s",
			    strerror(n == sizeof(target) ? ENAMETOOLONG : ELOOP));
	target[n] = '\0';
	if (snprintf(rest, sizeof(rest), "%s/%s", target, w->rest + w->pos) >= (int)sizeof(rest))
		return fail(w, name, -ENAMETOOLONG, "%s", strerror(ENAMETOOLONG));
	memcpy(w->rest, rest, sizeof(rest));
	w->pos = 0;
	return target[0] == '/' ? enter_root(w) : 0;
}

/* The regular file name, checked as st, opened for reading: the same
 * file, or someone replaced it meanwhile. */
static int open_file(struct walk *w, const char *name, const struct stat *st)
{
	int err = check(w, name, st, ""), fd;
	struct stat now;

	if (err)
		return err;
	fd = openat(w->dir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail(w, name, -errno, "%s", strerror(errno));
	if (fstat(fd, &now) || now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
		close(fd);
		return fail(w, name, -EAGAIN, "replaced while it was opened");
	}
	return fd;
}

/* One component: a directory entered, a link followed, or the end of the
 * walk, whose fd goes to *out. */
static int step(struct walk *w, const char *name, bool last, int *out)
{
	int fd = openat(w->dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC), r = 0;
	struct stat st;

	if (fd < 0 || fstat(fd, &st)) {
		r = fail(w, name, -errno, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	if (S_ISDIR(st.st_mode))
		return enter(w, fd, name, &st);
	if (S_ISLNK(st.st_mode))
		r = check(w, name, &st, "a symbolic link ") ?: follow(w, fd, name);
	else if (!last)
		r = fail(w, name, -ENOTDIR, "%s", strerror(ENOTDIR));
	else if (S_ISREG(st.st_mode))
		r = *out = open_file(w, name, &st);
	else
		*out = fd;
	if (*out != fd)
		close(fd);
	return r < 0 ? r : 0;
}

int strict_path_open(const char *path, uid_t user, char *why, size_t why_len)
{
	struct walk w = { .dir = -1, .user = user, .why = why, .why_len = why_len };
	char name[NAME_MAX + 1], cwd[PATH_MAX];
	bool last = false;
	int r, fd = -1;

	if (path[0] != '/' && !getcwd(cwd, sizeof(cwd))) {
		r = -errno;
		snprintf(why, why_len, "%s: the working directory: %s", path, strerror(-r));
		return r;
	}
	if (snprintf(w.rest, sizeof(w.rest), "%s%s%s", path[0] == '/' ? "" : cwd,
		     path[0] == '/' ? "" : "/", path) >= (int)sizeof(w.rest)) {
		snprintf(why, why_len, "%s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	r = enter_root(&w);
	while (!r && fd < 0 && !(r = next_name(&w, name, &last)))
		r = strcmp(name, ".") ? step(&w, name, last, &fd) : 0;
	/* the path ended in a directory: its fd, for its kind to be told */
	if (r == 1) {
		fd = w.dir;
		w.dir = -1;
		r = 0;
	}
	if (w.dir >= 0)
		close(w.dir);
	return r ?: fd;
}
