// SPDX-License-Identifier: GPL-2.0-only
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fault.h"
#include "pins/generation.h"
#include "pins/tree.h"

#define CURRENT "current"
#define NEXT "next" /* the symlink a commit renames over CURRENT */

/* The number of the generation in force, 0 when none. */
static unsigned long current_number(const char *dir)
{
	char path[PATH_MAX], target[32];
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/" CURRENT, dir) >= (int)sizeof(path))
		return 0;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 1 || target[0] != 'g')
		return 0;
	target[n] = '\0';
	return strtoul(target + 1, NULL, 10);
}

static int generation_path(const char *dir, unsigned long n, char out[PATH_MAX])
{
	return snprintf(out, PATH_MAX, "%s/g%lu", dir, n) >= PATH_MAX ? -ENAMETOOLONG : 0;
}

int pin_current(const char *dir, char out[PATH_MAX])
{
	unsigned long n = current_number(dir);
	struct stat st;
	int err;

	if (!n)
		return -ENOENT;
	err = generation_path(dir, n, out);
	if (!err && stat(out, &st))
		err = -ENOENT;
	return err;
}

int pin_generation(const char *dir, char out[PATH_MAX])
{
	int err = generation_path(dir, current_number(dir) + 1, out);

	/* a generation of a command killed before its commit */
	err = err ?: pin_remove_tree(out);
	if (!err && mkdir(out, 0700))
		err = -errno;
	return err;
}

int pin_commit(const char *dir, const char *gen)
{
	const char *name = strrchr(gen, '/');
	char next[PATH_MAX], current[PATH_MAX];

	if (!name || snprintf(next, sizeof(next), "%s/" NEXT, dir) >= (int)sizeof(next) ||
	    snprintf(current, sizeof(current), "%s/" CURRENT, dir) >= (int)sizeof(current))
		return -ENAMETOOLONG;
	if (unlink(next) && errno != ENOENT)
		return -errno;
	if (symlink(name + 1, next))
		return -errno;
	fault_point("commit a generation");
	return rename(next, current) ? -errno : 0;
}

void pin_sweep(const char *dir)
{
	unsigned long keep = current_number(dir);
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	while (d && (e = readdir(d))) {
		if (e->d_name[0] != 'g' || strtoul(e->d_name + 1, NULL, 10) == keep ||
		    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		pin_remove_tree(path);
	}
	if (d)
		closedir(d);
	if (snprintf(path, sizeof(path), "%s/" NEXT, dir) < (int)sizeof(path))
		unlink(path);
}
