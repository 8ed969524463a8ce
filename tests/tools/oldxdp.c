// SPDX-License-Identifier: GPL-2.0-only
/*
 * oldxdp IFACE ABI: puts IFACE, attached by this wgsf, on the XDP hook as
 * an earlier wgsf of map ABI version ABI attached it (tests/lib/retired_xdp.h):
 * tc's attachment goes, the XDP one is pinned and recorded in the pinned
 * config in its place, with that ABI. For the tests that hold wgsf to
 * detaching such an interface.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "attach/hook.h"
#include "pins/generation.h"
#include "pins/lock.h"
#include "pins/names.h"
#include "retired_xdp.h"
#include "tables/config.h"
#include "tables/maps.h"

/* config_write() writes this wgsf's ABI version; another goes in raw. */
static int write_abi(int config_fd, uint32_t abi)
{
	struct wgsf_config cfg;
	uint32_t zero = 0;
	int err = config_read(config_fd, &cfg);

	cfg.abi_version = abi;
	return err ?: bpf_map_update_elem(config_fd, &zero, &cfg, BPF_ANY) ? -errno : 0;
}

static int make_old(const char *ifname, long abi)
{
	char dir[PATH_MAX], gen[PATH_MAX];
	struct wgsf_config cfg;
	struct maps m;
	int lock, err = pin_iface_dir(ifname, dir);

	lock = err ? err : pin_lock(dir, 0);
	if (lock < 0)
		return lock;
	err = pin_current(dir, gen) ?: maps_open_pinned(gen, &m);
	if (!err) {
		err = config_read(m.fd[MAP_CONFIG], &cfg) ?: hook_detach(gen, &cfg.attachment) ?:
		      retired_xdp_attach(cfg.attachment.ifindex, gen, 1, &cfg.attachment) ?:
		      config_write(m.fd[MAP_CONFIG], &cfg);
		if (!err)
			err = write_abi(m.fd[MAP_CONFIG], abi);
		maps_close(&m);
	}
	pin_unlock(lock);
	return err;
}

int main(int argc, char **argv)
{
	long abi = argc == 3 ? strtol(argv[2], NULL, 10) : 0;
	int err;

	if (argc != 3 || abi <= 0 || abi == WGSF_ABI_VERSION) {
		fprintf(stderr, "usage: oldxdp IFACE ABI (another than this wgsf's)\n");
		return 1;
	}
	err = make_old(argv[1], abi);
	if (err)
		fprintf(stderr, "oldxdp: %s: %s\n", argv[1], strerror(-err));
	return !!err;
}
