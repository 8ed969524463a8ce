// SPDX-License-Identifier: GPL-2.0-only
/* How an attachment stands on the live interface, and sweeping up programs
 * of ours that nothing records. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach/hook.h"
#include "attach/tc_filters.h"
#include "fault.h"

/* The names the kernel knows SEC("tc") wgsf_tc by, and the XDP program of
 * an earlier wgsf, which may still run where one attached it. */
#define TC_PROG_NAME "wgsf_tc"
#define XDP_PROG_NAME "wgsf_xdp"
/* BPF_LINK_TYPE_TCX (Linux 6.6), which Debian's 6.1 headers predate; its
 * link info starts with the ifindex, as an XDP link's does. */
#define WGSF_LINK_TYPE_TCX 11

/* The kernel's account of the object pinned at path, a link's or a
 * program's by info's size; -ENOENT when nothing is pinned there. */
static int pinned_info(const char *path, void *info, __u32 len)
{
	int fd = bpf_obj_get(path), err = 0;

	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		err = -errno;
	close(fd);
	return err;
}

/* The program id of a pinned object (a program, or a link when link is
 * not NULL, filled then); 0 when none. */
static uint32_t pinned_prog_id(const char *path, struct bpf_link_info *link)
{
	struct bpf_prog_info prog = {};

	if (link)
		return pinned_info(path, link, sizeof(*link)) ? 0 : link->prog_id;
	return pinned_info(path, &prog, sizeof(prog)) ? 0 : prog.id;
}

uint32_t hook_prog_id(const char *dir)
{
	char path[HOOK_PATH_MAX];

	hook_path(dir, "prog", path);
	return pinned_prog_id(path, NULL);
}

int hook_link_ifindex(const char *dir, uint32_t *ifindex)
{
	struct bpf_link_info link = {};
	char path[HOOK_PATH_MAX];
	int err;

	hook_path(dir, "link", path);
	err = pinned_info(path, &link, sizeof(link));
	/* a tcx link's ifindex lies where an XDP link's does */
	*ifindex = err ? 0 : link.xdp.ifindex;
	return err == -ENOENT ? 0 : err;
}

static bool denied(int err)
{
	return err == -EPERM || err == -EACCES;
}

/* 1 when the program of this id is a wgsf datapath program, 0 when not,
 * -EPERM when this process may not look. */
static int is_wgsf_prog(uint32_t id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id), ours = 0;

	if (fd < 0)
		return denied(-errno) ? -EPERM : 0;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		ours = !strcmp(info.name, TC_PROG_NAME) || !strcmp(info.name, XDP_PROG_NAME);
	close(fd);
	return ours;
}

/* The program that runs where st says ours does; 0 when none. */
static uint32_t running_prog_id(const char *dir, const struct wgsf_attachment *st, bool *unread)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = st->tc_handle, .priority = st->tc_prio);
	struct bpf_link_info link = {};
	char path[HOOK_PATH_MAX];
	int err;

	if (st->mech == MECH_CLSACT) {
		err = bpf_tc_query(&hook, &opts);
		*unread = denied(err);
		return err ? 0 : opts.prog_id;
	}
	hook_path(dir, "link", path);
	/* a link whose device is gone is defunct: its ifindex reads 0 */
	if (!pinned_prog_id(path, &link) || link.xdp.ifindex != st->ifindex)
		return 0;
	return link.prog_id;
}

enum hook_state hook_state(const char *ifname, const char *dir, const struct wgsf_attachment *st)
{
	uint32_t now = if_nametoindex(ifname), running;
	bool unread = false;
	int ours;

	if (!now)
		return HOOK_GONE;
	if (st->ifindex && now != st->ifindex)
		return HOOK_RECREATED;
	if (!st->mech)
		return HOOK_NONE;
	running = running_prog_id(dir, st, &unread);
	/* the program pinned here is ours: no privilege needed to know that
	 * (the metrics unit has CAP_BPF alone) */
	if (running && running == hook_prog_id(dir))
		return HOOK_LIVE;
	ours = running ? is_wgsf_prog(running) : 0;
	if (unread || ours < 0)
		return HOOK_UNKNOWN;
	/* another tool's filter may have taken our filter's numbers since */
	if (!ours)
		return HOOK_NONE;
	return HOOK_STALE;
}

const char *hook_state_name(enum hook_state state)
{
	static const char *const names[] = {
		[HOOK_LIVE] = "attached",
		[HOOK_NONE] = "detached",
		[HOOK_STALE] = "stale",
		[HOOK_RECREATED] = "interface-recreated",
		[HOOK_GONE] = "interface-gone",
		[HOOK_UNKNOWN] = "unknown",
	};

	return names[state];
}

/* The programs attached to ifindex's ingress by tcx and XDP (an earlier
 * wgsf's): the device of this network namespace, which a link's ifindex
 * alone does not tell. */
static size_t device_progs(uint32_t ifindex, uint32_t ids[64])
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	__u32 n = 63;

	/* the kernel takes a tcx query's target as an ifindex */
	if (bpf_prog_query(ifindex, WGSF_TCX_INGRESS, 0, NULL, ids, &n))
		n = 0;
	if (!bpf_xdp_query(ifindex, 0, &q) && q.skb_prog_id)
		ids[n++] = q.skb_prog_id;
	return n;
}

static bool among(uint32_t id, const uint32_t *ids, size_t n)
{
	while (n--)
		if (ids[n] == id)
			return true;
	return false;
}

/* Detaches every XDP or tcx link on ifindex that runs a wgsf program other
 * than keep, wherever it is pinned or held. */
static void sweep_links(uint32_t ifindex, uint32_t keep)
{
	uint32_t ids[64], id = 0;
	size_t n = device_progs(ifindex, ids);
	struct bpf_link_info info;
	__u32 len;
	int fd;

	while (n && !bpf_link_get_next_id(id, &id)) {
		fd = bpf_link_get_fd_by_id(id);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    (info.type == BPF_LINK_TYPE_XDP || info.type == WGSF_LINK_TYPE_TCX) &&
		    info.xdp.ifindex == ifindex && info.prog_id != keep &&
		    among(info.prog_id, ids, n) && is_wgsf_prog(info.prog_id)) {
			fault_point("detach a leftover link");
			bpf_link_detach(fd);
		}
		close(fd);
	}
}

void hook_sweep(uint32_t ifindex, uint32_t keep)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	struct tc_filters fs;
	size_t i;

	sweep_links(ifindex, keep);
	if (tc_filters_read(ifindex, false, &fs))
		return;
	for (i = 0; i < fs.n; i++) {
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = fs.v[i].handle,
			    .priority = fs.v[i].prio);

		if (fs.v[i].prog_id == keep || !is_wgsf_prog(fs.v[i].prog_id))
			continue;
		fault_point("detach a leftover filter");
		bpf_tc_detach(&hook, &opts);
	}
	free(fs.v);
}
