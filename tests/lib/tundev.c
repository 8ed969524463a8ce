// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>

#include "tables/datapath.h"
#include "tables/maps.h"
#include "attach/hook.h"
#include "pins/lock.h"
#include "pins/names.h"
#include "pins/tree.h"
#include "tundev.h"

static char pin_dir[PATH_MAX];

static void cleanup(void)
{
	char path[HOOK_PATH_MAX];
	int side;

	for (side = 0; side < WGSF_SIDES; side++) {
		hook_link_path(pin_dir, side, path);
		unlink(path);
		hook_prog_path(pin_dir, side, path);
		unlink(path);
	}
	pin_dir_remove(pin_dir);
}

struct wgsf *tundev_datapath(uint32_t slot)
{
	struct capacity cap = { .peers = 8, .prefixes = 8, .hosts = 8,
				.policy_prefixes = 8, .policy_hosts = 8 };
	struct wgsf *skel = datapath_load(&cap, L3_OFFSET_NONE);
	struct prefix p4, p6;
	struct maps m;

	if (!skel)
		return NULL;
	maps_from_skel(skel, &m);
	prefix_parse("192.0.2.0/24", &p4);
	prefix_parse("2001:db8::/64", &p6);
	if (allowedip_write(&m, &p4, slot) || allowedip_write(&m, &p6, slot)) {
		wgsf__destroy(skel);
		return NULL;
	}
	return skel;
}

int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

int output_lines(const char *cmd, const char *needle)
{
	char full[1024], line[512];
	FILE *f;
	int n = 0;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	f = popen(full, "r");
	while (f && fgets(line, sizeof(line), f))
		n += !!strstr(line, needle);
	if (f)
		pclose(f);
	return n;
}

static const char *why(const char *fmt, ...)
{
	static char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

const char *tundev_setup(struct tundev *t, const char *name_prefix, short tun_flags)
{
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI | tun_flags };

	if (unshare(CLONE_NEWNET))
		return why("cannot create a network namespace: %s", strerror(errno));
	t->fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (t->fd < 0)
		return why("no /dev/net/tun: %s", strerror(errno));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s%d", name_prefix, getpid() % 1000000);
	if (ioctl(t->fd, TUNSETIFF, &ifr))
		return why("cannot create a TUN device: %s", strerror(errno));
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifr.ifr_name);
	t->ifindex = if_nametoindex(t->ifname);
	if (sh("ip link set lo up && ip link set %s up && ip addr add 192.0.2.1/24 dev %s && "
	       "ip addr add 2001:db8::1/64 dev %s nodad", t->ifname, t->ifname, t->ifname))
		return why("cannot configure %s", t->ifname);
	if (pin_iface_dir(t->ifname, t->dir) || pin_lock(t->dir, 1) < 0)
		return "no bpffs to pin in";
	snprintf(pin_dir, sizeof(pin_dir), "%s", t->dir);
	atexit(cleanup);
	return NULL;
}
