// SPDX-License-Identifier: GPL-2.0-only
/*
 * setabi CONFIG ABI: writes map ABI ABI into the pinned config map CONFIG,
 * as a wgsf of that ABI would have, and nothing else of it; for the test
 * of pins that another wgsf left.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "tables/config.h"

int main(int argc, char **argv)
{
	struct wgsf_config cfg;
	uint32_t zero = 0;
	int fd = argc == 3 ? bpf_obj_get(argv[1]) : -1;

	if (argc != 3) {
		fprintf(stderr, "usage: setabi CONFIG ABI\n");
		return 2;
	}
	if (fd < 0 || config_read(fd, &cfg)) {
		fprintf(stderr, "setabi: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	cfg.abi_version = strtoul(argv[2], NULL, 10);
	if (bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY)) {
		fprintf(stderr, "setabi: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	return 0;
}
