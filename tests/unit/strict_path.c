// SPDX-License-Identifier: GPL-2.0-only
/* The path check of policy files (strict_path.h), on a tree made in a
 * temporary directory: each owner and mode that sshd's StrictModes would
 * refuse is refused with the object at fault named, a root-owned sticky
 * directory and the user's own files pass, links are checked and their
 * targets walked the same way. Needs root, to give files to other users. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "policy/policy.h"
#include "strict_path.h"
#include "tap.h"

#define NOBODY 65534

static char base[64];

/* BASE/name */
static const char *at(const char *name)
{
	static char path[2][256];
	static int i;

	i ^= 1;
	snprintf(path[i], sizeof(path[i]), "%s/%s", base, name);
	return path[i];
}

static void make(const char *name, mode_t mode, uid_t owner)
{
	const char *path = at(name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (fd < 0 || write(fd, "[Interface]\n", 12) != 12 || fchmod(fd, mode) ||
	    fchown(fd, owner, 0))
		abort();
	close(fd);
}

static void make_dir(const char *name, mode_t mode, uid_t owner)
{
	if (mkdir(at(name), 0700) || chmod(at(name), mode) || chown(at(name), owner, 0))
		abort();
}

static void make_link(const char *name, const char *target, uid_t owner)
{
	if (symlink(target, at(name)) || lchown(at(name), owner, 0))
		abort();
}

/* path, as uid user: accepted, a regular file read from the start. */
static void accepted(const char *path, uid_t user, const char *what)
{
	char why[512] = "", buf[12];
	int fd = strict_path_open(path, user, why, sizeof(why));

	ok(fd >= 0 && read(fd, buf, sizeof(buf)) == 12 && !memcmp(buf, "[Interface]\n", 12),
	   "%s: accepted", what);
	if (fd < 0)
		diag("  %s", why);
	else
		close(fd);
}

/* path, as uid user: refused with err, why "BASE/WANT" (or "WANT" when it
 * starts with '/'). */
static void refused(const char *path, uid_t user, int err, const char *want, const char *what)
{
	char why[512] = "", full[512];
	int fd = strict_path_open(path, user, why, sizeof(why));

	snprintf(full, sizeof(full), "%s%s%s", want[0] == '/' ? "" : base,
		 want[0] == '/' ? "" : "/", want);
	ok(fd == err && !strcmp(why, full), "%s: refused, '%s'", what, want);
	if (fd != err || strcmp(why, full))
		diag("  got %d '%s'", fd, why);
	if (fd >= 0)
		close(fd);
}

/* What the walk hands back for what is not a regular file: an fd that
 * fstat tells the kind of. */
static void kind_of(const char *path, mode_t type, const char *what)
{
	char why[512] = "";
	int fd = strict_path_open(path, 0, why, sizeof(why));
	struct stat st;

	ok(fd >= 0 && !fstat(fd, &st) && (st.st_mode & S_IFMT) == type,
	   "%s: its fd, to tell its kind", what);
	if (fd >= 0)
		close(fd);
}

static void owners_and_modes(void)
{
	make("good", 0600, 0);
	accepted(at("good"), 0, "a root file, 0600, in a root 0700 directory in /tmp");
	make("group-writable", 0620, 0);
	refused(at("group-writable"), 0, -EPERM, "group-writable: writable by group", "0620");
	make("world-writable", 0646, 0);
	refused(at("world-writable"), 0, -EPERM, "world-writable: writable by others", "0646");
	make("nobodys", 0600, NOBODY);
	refused(at("nobodys"), 0, -EPERM, "nobodys: owned by uid 65534, not root",
		"owned by nobody");
	accepted(at("nobodys"), NOBODY, "owned by the running user (uid 65534)");
	refused(at("nobodys"), 1000, -EPERM,
		"nobodys: owned by uid 65534, neither root nor uid 1000",
		"owned by another than the running user (uid 1000)");
	make("nobodys-writable", 0660, NOBODY);
	refused(at("nobodys-writable"), NOBODY, -EPERM, "nobodys-writable: writable by group",
		"the user's own, writable by group");
}

static void directories(void)
{
	make_dir("gw", 0770, 0);
	make("gw/p", 0600, 0);
	refused(at("gw/p"), 0, -EPERM, "gw: a directory writable by group",
		"a group-writable directory above");
	make_dir("nd", 0755, NOBODY);
	make("nd/p", 0600, 0);
	refused(at("nd/p"), 0, -EPERM, "nd: a directory owned by uid 65534, not root",
		"a directory above owned by nobody");
	make_dir("sticky", 01777, 0);
	make("sticky/p", 0600, 0);
	accepted(at("sticky/p"), 0, "under a root-owned sticky directory, as /tmp");
	make_dir("sticky-nobody", 01777, NOBODY);
	make("sticky-nobody/p", 0600, 0);
	refused(at("sticky-nobody/p"), 0, -EPERM,
		"sticky-nobody: a directory owned by uid 65534, not root",
		"under a sticky directory that nobody owns");
	make_dir("open", 0777, 0);
	make("open/p", 0600, 0);
	refused(at("open/p"), 0, -EPERM, "open: a directory writable by others",
		"under a root directory writable by all, not sticky");
	make_dir("sub", 0755, 0);
	accepted(at("sub/../good"), 0, "through '..' of a good directory");
	refused(at("gw/../good"), 0, -EPERM, "gw: a directory writable by group",
		"through '..' of a group-writable one, which the walk passes");
	refused(at("missing/p"), 0, -ENOENT, "missing: No such file or directory",
		"a missing directory, named");
	refused(at("good/p"), 0, -ENOTDIR, "good: Not a directory", "a file taken for a directory");
}

/* Each link made in order, then its path walked: accepted (err 0), or
 * refused with err and want. */
static const struct link_case {
	const char *name, *target, *walked;
	uid_t owner;
	int err;
	const char *want, *what;
} link_cases[] = {
	{ "nobodys-link", "good", "nobodys-link", NOBODY, -EPERM,
	  "nobodys-link: a symbolic link owned by uid 65534, not root",
	  "a link owned by nobody to a root file" },
	{ "link", "good", "link", 0, 0, NULL, "a root link to a root file, relative" },
	{ "absolute", NULL, "absolute", 0, 0, NULL, "a root link to a root file, absolute" },
	{ "chain", "link", "chain", 0, 0, NULL, "a link to a link to a root file" },
	{ "to-bad-dir", "gw/p", "to-bad-dir", 0, -EPERM, "gw: a directory writable by group",
	  "a root link into a group-writable directory: its target walked the same way" },
	{ "to-nobodys", "nobodys", "to-nobodys", 0, -EPERM, "nobodys: owned by uid 65534, not root",
	  "a root link to nobody's file" },
	{ "dir-link", "sub", "dir-link/../good", 0, 0, NULL,
	  "a link to a directory, then '..' of where it led" },
	{ "loop-a", "loop-b", NULL, 0, 0, NULL, NULL },
	{ "loop-b", "loop-a", "loop-a", 0, -ELOOP, "loop-a: Too many levels of symbolic links",
	  "a loop of links: the 41st link named" },
	{ "dangling", "nothing", "dangling", 0, -ENOENT, "nothing: No such file or directory",
	  "a link to nothing, its target named" },
	{ "etc-link", "/etc/shadow", "etc-link/x", 0, -ENOTDIR, "/etc/shadow: Not a directory",
	  "an absolute target is walked from the root, named as walked" },
};

static void links(void)
{
	char good[256];
	size_t i;

	snprintf(good, sizeof(good), "%s", at("good"));
	for (i = 0; i < sizeof(link_cases) / sizeof(*link_cases); i++) {
		const struct link_case *c = &link_cases[i];

		make_link(c->name, c->target ?: good, c->owner);
		if (c->walked && !c->err)
			accepted(at(c->walked), 0, c->what);
		else if (c->walked)
			refused(at(c->walked), 0, c->err, c->want, c->what);
	}
}

static void relative(void)
{
	char cwd[256];

	if (!getcwd(cwd, sizeof(cwd)) || chdir(base))
		abort();
	accepted("good", 0, "a relative path, from a good working directory");
	if (chdir("gw"))
		abort();
	refused("p", 0, -EPERM, "gw: a directory writable by group",
		"a relative path from a group-writable working directory");
	if (chdir(cwd))
		abort();
}

int main(void)
{
	char err[POLICY_ERR_LEN], full[POLICY_ERR_LEN];
	struct policy p;

	if (geteuid())
		skip_all("needs root, to give files to other users");
	snprintf(base, sizeof(base), "/tmp/wgsf-strict-XXXXXX");
	if (!mkdtemp(base))
		abort();
	owners_and_modes();
	directories();
	links();
	relative();
	if (mkfifo(at("fifo"), 0600))
		abort();
	kind_of(at("fifo"), S_IFIFO, "a FIFO, never opened for reading");
	kind_of("/dev/null", S_IFCHR, "/dev/null");
	kind_of(at("sub"), S_IFDIR, "a directory");
	kind_of("/", S_IFDIR, "/");
	snprintf(full, sizeof(full), "%s/world-writable: writable by others", base);
	ok(policy_read(at("world-writable"), &p, err) == -EPERM && !strcmp(err, full),
	   "policy_read() checks the path so: '%s'", full);
	ok(!policy_read(at("sticky/p"), &p, err) && p.mode == -1, "and reads what passes");
	policy_free(&p);
	snprintf(full, sizeof(full), "rm -rf -- '%s'", base);
	if (system(full))
		diag("could not remove %s", base);
	return done_testing();
}
