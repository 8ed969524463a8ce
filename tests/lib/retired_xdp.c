// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "attach/hook.h"
#include "retired_xdp.h"

/* At the ingress side's link (link) or program pin (!link) in dir, where
 * an earlier wgsf pinned them too. */
static int pin_at(int fd, const char *dir, bool link)
{
	char path[HOOK_PATH_MAX];

	if (link)
		hook_link_path(dir, WGSF_INGRESS, path);
	else
		hook_prog_path(dir, WGSF_INGRESS, path);
	unlink(path);
	return bpf_obj_pin(fd, path) ? -errno : 0;
}

int xdp_pass_load(const char *name)
{
	const struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, name, "GPL", pass, 2, NULL);

	return fd < 0 ? -errno : fd;
}

int retired_xdp_attach(uint32_t ifindex, const char *dir, int prog_pin,
		       struct wgsf_attachment *st)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = XDP_FLAGS_SKB_MODE);
	int prog = xdp_pass_load("wgsf_xdp"), link = -1;
	int err = prog < 0 ? prog : 0;

	if (!err) {
		link = bpf_link_create(prog, ifindex, BPF_XDP, &opts);
		err = link < 0 ? -errno : 0;
	}
	err = err ?: pin_at(link, dir, true) ?: prog_pin ? pin_at(prog, dir, false) : 0;
	if (!err)
		*st = (struct wgsf_attachment){ .kind = HOOK_XDP, .mech = MECH_XDP_GENERIC,
						.ifindex = ifindex };
	if (link >= 0)
		close(link);
	if (prog >= 0)
		close(prog);
	return err;
}
