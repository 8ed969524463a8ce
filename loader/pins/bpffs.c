// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "err.h"
#include "pins/bpffs.h"

#define BPFFS "/sys/fs/bpf"
/* `ip netns exec` remounts /sys in a private mount namespace that dies with
 * the command, and any bpffs mounted there dies with it, taking the pins,
 * and so the attachment, along. The init namespace's bpffs is reachable
 * through PID 1's root and outlives the command. */
#define INIT_BPFFS "/proc/1/root/sys/fs/bpf"

static int is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

/*
 * Whether a bpffs mounted now would outlive this command: so in PID 1's
 * mount namespace, or, where PID 1 is out of sight, in our parent's. Under
 * `ip netns exec` it is neither: that command's private mount namespace,
 * and whatever is mounted in it, ends with the command.
 */
static bool mount_ns_lasts(void)
{
	struct stat self, other;
	char path[64];

	if (stat("/proc/self/ns/mnt", &self))
		return true;
	if (!stat("/proc/1/ns/mnt", &other))
		return self.st_ino == other.st_ino;
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)getppid());
	return stat(path, &other) || self.st_ino == other.st_ino;
}

static const char *bpffs_root(void)
{
	if (is_bpffs(BPFFS))
		return BPFFS;
	if (is_bpffs(INIT_BPFFS))
		return INIT_BPFFS;
	if (!mount_ns_lasts()) {
		wgsf_set_error("no bpffs at " BPFFS " in this mount namespace, and one mounted "
			       "now would vanish with this command ('ip netns exec'?); run wgsf through "
			       "'nsenter --net=/var/run/netns/NAME' instead");
		return NULL;
	}
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700")) {
		wgsf_set_error("cannot mount bpffs on " BPFFS ": %s", strerror(errno));
		return NULL;
	}
	return BPFFS;
}

int pin_root_dir(char out[PATH_MAX])
{
	const char *root = bpffs_root();

	if (!root)
		return -ENOTSUP;
	snprintf(out, PATH_MAX, "%s/wgsf", root);
	return 0;
}
