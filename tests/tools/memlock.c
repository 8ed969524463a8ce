// SPDX-License-Identifier: GPL-2.0-only
/*
 * memlock PIN...: the bytes of kernel memory (the kernel's memlock account)
 * that the maps pinned at the PINs hold, each map once however often it is
 * pinned; other objects count nothing. For the shell tests, where Debian's
 * bpftool is not at hand (the kernel lane).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "tables/maps.h"

#define MAX_MAPS 1024

int main(int argc, char **argv)
{
	unsigned long long sum = 0, bytes;
	uint32_t ids[MAX_MAPS], id;
	int i, n = 0, seen, fd;

	for (i = 1; i < argc; i++) {
		fd = bpf_obj_get(argv[i]);
		if (fd < 0) {
			fprintf(stderr, "memlock: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		bytes = map_memlock(fd, &id);
		close(fd);
		for (seen = 0; seen < n && ids[seen] != id; seen++)
			;
		if (!id || seen < n)
			continue;
		if (n == MAX_MAPS) {
			fprintf(stderr, "memlock: more than %d maps\n", MAX_MAPS);
			return 1;
		}
		ids[n++] = id;
		sum += bytes;
	}
	printf("%llu\n", sum);
	return 0;
}
