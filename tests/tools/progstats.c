// SPDX-License-Identifier: GPL-2.0-only
/*
 * progstats NAME: how often the BPF programs of that name ran and how long
 * they took in all, as the kernel counts while kernel.bpf_stats_enabled is
 * 1, summed over every loaded program of the name: "RUNS NANOSECONDS", or
 * "0 0" when none is loaded. For the benchmark of the tracer's cost.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

int main(int argc, char **argv)
{
	unsigned long long runs = 0, ns = 0;
	__u32 id = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: progstats NAME\n");
		return 1;
	}
	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && !strcmp(info.name, argv[1])) {
			runs += info.run_cnt;
			ns += info.run_time_ns;
		}
		close(fd);
	}
	printf("%llu %llu\n", runs, ns);
	return 0;
}
