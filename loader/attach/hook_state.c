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
#include "attach/hook_side.h"
#include "attach/tc_filters.h"
#include "fault.h"

/* The name of an earlier wgsf's XDP program, which may still run where
 * one attached it. */
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

uint32_t hook_prog_id(const char *dir, enum wgsf_side side)
{
	char path[HOOK_PATH_MAX];

	hook_prog_path(dir, side, path);
	return pinned_prog_id(path, NULL);
}

int hook_link_ifindex(const char *dir, uint32_t *ifindex)
{
	struct bpf_link_info link = {};
	char path[HOOK_PATH_MAX];
	int err;

	hook_link_path(dir, WGSF_INGRESS, path);
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
		ours = !strcmp(info.name, hook_side[WGSF_INGRESS].prog_name) ||
		       !strcmp(info.name, hook_side[WGSF_EGRESS].prog_name) ||
		       !strcmp(info.name, XDP_PROG_NAME);
	close(fd);
	return ours;
}

/* The program that runs where st says ours does on side; 0 when none. */
static uint32_t running_prog_id(const char *dir, const struct wgsf_attachment *st,
				enum wgsf_side side, bool *unread)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = st->ifindex,
		    .attach_point = hook_side[side].tc_point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = st->filter[side].handle,
		    .priority = st->filter[side].prio);
	struct bpf_link_info link = {};
	char path[HOOK_PATH_MAX];
	int err;

	if (st->mech == MECH_CLSACT) {
		if (!st->filter[side].prio)
			return 0; /* not made yet */
		err = bpf_tc_query(&hook, &opts);
		*unread = *unread || denied(err);
		return err ? 0 : opts.prog_id;
	}
	hook_link_path(dir, side, path);
	/* a link whose device is gone is defunct: its ifindex reads 0 */
	if (!pinned_prog_id(path, &link) || link.xdp.ifindex != st->ifindex)
		return 0;
	return link.prog_id;
}

/* How one side stands: HOOK_LIVE, _NONE, _STALE or _UNKNOWN. */
static enum hook_state side_state(const char *dir, const struct wgsf_attachment *st,
				  enum wgsf_side side)
{
	bool unread = false;
	uint32_t running = running_prog_id(dir, st, side, &unread);
	int ours;

	/* the program pinned here is ours: no privilege needed to know that
	 * (the metrics unit has CAP_BPF alone) */
	if (running && running == hook_prog_id(dir, side))
		return HOOK_LIVE;
	ours = running ? is_wgsf_prog(running) : 0;
	if (unread || ours < 0)
		return HOOK_UNKNOWN;
	/* another tool's filter may have taken our filter's numbers since */
	return ours ? HOOK_STALE : HOOK_NONE;
}

enum hook_state hook_state(const char *ifname, const char *dir, const struct wgsf_attachment *st)
{
	uint32_t now = if_nametoindex(ifname);
	enum hook_state in, out;

	if (!now)
		return HOOK_GONE;
	if (st->ifindex && now != st->ifindex)
		return HOOK_RECREATED;
	if (!st->mech)
		return HOOK_NONE;
	in = side_state(dir, st, WGSF_INGRESS);
	out = side_state(dir, st, WGSF_EGRESS);
	if (in == HOOK_UNKNOWN || out == HOOK_UNKNOWN)
		return HOOK_UNKNOWN;
	if (in == out)
		return in;
	if (out == HOOK_NONE)
		return HOOK_INGRESS_ONLY;
	if (in == HOOK_NONE)
		return HOOK_EGRESS_ONLY;
	return HOOK_STALE; /* one side live, the other an older program */
}

bool hook_judges(enum hook_state state)
{
	return state == HOOK_LIVE || state == HOOK_STALE || state == HOOK_INGRESS_ONLY;
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
		[HOOK_INGRESS_ONLY] = "ingress-only",
		[HOOK_EGRESS_ONLY] = "egress-only",
	};

	return names[state];
}

/* The programs attached to ifindex by tcx, on both sides, and by XDP (an
 * earlier wgsf's): the device of this network namespace, which a link's
 * ifindex alone does not tell. */
static size_t device_progs(uint32_t ifindex, uint32_t ids[128])
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	__u32 n = 0, got;
	int side;

	/* the kernel takes a tcx query's target as an ifindex */
	for (side = 0; side < WGSF_SIDES; side++) {
		got = 63;
		if (!bpf_prog_query(ifindex, hook_side[side].tcx_type, 0, NULL, ids + n, &got))
			n += got;
	}
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
 * than those of keep, wherever it is pinned or held. */
static void sweep_links(uint32_t ifindex, const uint32_t keep[WGSF_SIDES])
{
	uint32_t ids[128], id = 0;
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
		    info.xdp.ifindex == ifindex && !among(info.prog_id, keep, WGSF_SIDES) &&
		    among(info.prog_id, ids, n) && is_wgsf_prog(info.prog_id)) {
			fault_point("detach a leftover link");
			bpf_link_detach(fd);
		}
		close(fd);
	}
}

void hook_sweep(uint32_t ifindex, const char *keep_dir)
{
	uint32_t keep[WGSF_SIDES] = {};
	struct tc_filters fs;
	size_t i;
	int side;

	for (side = 0; keep_dir && side < WGSF_SIDES; side++)
		keep[side] = hook_prog_id(keep_dir, side);
	sweep_links(ifindex, keep);
	if (tc_filters_read(ifindex, true, &fs))
		return;
	for (i = 0; i < fs.n; i++) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = fs.v[i].egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = fs.v[i].handle,
			    .priority = fs.v[i].prio);

		if (!fs.v[i].prog_id || among(fs.v[i].prog_id, keep, WGSF_SIDES) ||
		    !is_wgsf_prog(fs.v[i].prog_id))
			continue;
		fault_point("detach a leftover filter");
		bpf_tc_detach(&hook, &opts);
	}
	free(fs.v);
}
