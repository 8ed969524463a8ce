// SPDX-License-Identifier: GPL-2.0-only
/*
 * Many entries written at once (map_update_many, loader/tables/maps.c): in
 * one batch where the kernel has batch updates for the map's type, and key
 * by key where it has none (a DEVMAP, whose values are interfaces: the
 * loopback's, 1), every entry written either way, none skipped.
 */
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tables/maps.h"
#include "tap.h"

#define N 8

static void written(enum bpf_map_type type, const char *what)
{
	uint32_t keys[N], values[N], got;
	int fd = bpf_map_create(type, NULL, sizeof(*keys), sizeof(*values), N, NULL);
	unsigned int i, right = 0;
	int err;

	for (i = 0; i < N; i++) {
		keys[i] = i;
		values[i] = 1;
	}
	err = fd < 0 ? -errno : map_update_many(fd, keys, sizeof(*keys), values, sizeof(*values), N);
	for (i = 0; !err && i < N; i++)
		right += !bpf_map_lookup_elem(fd, &keys[i], &got) && got == 1;
	if (!ok(!err && right == N, "%s: all %d entries written", what, N))
		diag("  error %d, %u of %d right", err, right, N);
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	require_root_bpf();
	libbpf_set_print(NULL);
	written(BPF_MAP_TYPE_HASH, "a HASH, in one batch");
	written(BPF_MAP_TYPE_DEVMAP, "a DEVMAP, which has no batch update: key by key");
	return done_testing();
}
