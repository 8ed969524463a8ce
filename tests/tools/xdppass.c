// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdppass IFACE: attaches someone else's XDP program, xdppass, which passes
 * every packet, to IFACE in generic mode through netlink, where it stays
 * without a process; for the tests that hold wgsf to leaving it alone.
 * `ip link set dev IFACE xdpgeneric off` removes it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "retired_xdp.h"

int main(int argc, char **argv)
{
	unsigned int ifindex = argc == 2 ? if_nametoindex(argv[1]) : 0;
	int fd, err;

	if (!ifindex) {
		fprintf(stderr, "usage: xdppass IFACE (an existing interface)\n");
		return 1;
	}
	fd = xdp_pass_load("xdppass");
	err = fd < 0 ? fd : bpf_xdp_attach(ifindex, fd, XDP_FLAGS_SKB_MODE, NULL);
	if (err)
		fprintf(stderr, "xdppass: %s: %s\n", argv[1], strerror(-err));
	if (fd >= 0)
		close(fd);
	return !!err;
}
