// SPDX-License-Identifier: GPL-2.0-only
/*
 * onhook IFACE: the names of the BPF programs on IFACE's tcx ingress, its tcx
 * egress and its XDP hook, one per line ("tcx NAME", "tcx-egress NAME", "xdp
 * NAME"), whoever attached them; for the shell tests, where Debian's
 * bpftool predates tcx.
 */
#include <stdio.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

/* BPF_TCX_INGRESS and _EGRESS, which these headers predate */
#define TCX_INGRESS 46
#define TCX_EGRESS 47

static void print_prog(const char *hook, __u32 id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
		printf("%s %s\n", hook, info.name);
	if (fd >= 0)
		close(fd);
}

static void print_tcx(const char *hook, unsigned int ifindex, int type)
{
	__u32 ids[64], n = 64, flags = 0, i;

	if (!bpf_prog_query(ifindex, type, 0, &flags, ids, &n))
		for (i = 0; i < n; i++)
			print_prog(hook, ids[i]);
}

int main(int argc, char **argv)
{
	unsigned int ifindex = argc == 2 ? if_nametoindex(argv[1]) : 0;
	__u32 id = 0;

	if (!ifindex) {
		fprintf(stderr, "usage: onhook IFACE (an existing interface)\n");
		return 1;
	}
	print_tcx("tcx", ifindex, TCX_INGRESS);
	print_tcx("tcx-egress", ifindex, TCX_EGRESS);
	if (!bpf_xdp_query_id(ifindex, XDP_FLAGS_SKB_MODE, &id) && id)
		print_prog("xdp", id);
	return 0;
}
