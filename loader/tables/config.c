// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <bpf/bpf.h>

#include "tables/config.h"

int config_read(int config_fd, struct wgsf_config *cfg)
{
	uint32_t zero = 0;

	return bpf_map_lookup_elem(config_fd, &zero, cfg) ? -errno : 0;
}

int config_write(int config_fd, const struct wgsf_config *cfg)
{
	struct wgsf_config c = *cfg, now;
	uint32_t zero = 0;

	c.abi_version = WGSF_ABI_VERSION;
	/* cfg may be older than the map, which owns these two: the
	 * generation only ever goes up, and policied follows the flags */
	if (config_read(config_fd, &now))
		now = *cfg;
	c.generation = now.generation + 1;
	c.policied = now.policied;
	return bpf_map_update_elem(config_fd, &zero, &c, BPF_ANY) ? -errno : 0;
}

int datapath_set_mode(int config_fd, enum wgsf_mode mode)
{
	struct wgsf_config cfg;
	int err = config_read(config_fd, &cfg);

	if (err)
		return err;
	cfg.mode = mode;
	return config_write(config_fd, &cfg);
}

int config_set_policied(int config_fd, bool on)
{
	struct wgsf_config cfg;
	uint32_t zero = 0;
	int err = config_read(config_fd, &cfg);

	if (err || !cfg.policied == !on)
		return err;
	cfg.policied = on;
	cfg.generation++;
	return bpf_map_update_elem(config_fd, &zero, &cfg, BPF_ANY) ? -errno : 0;
}

int generation_bump(int config_fd)
{
	struct wgsf_config cfg;

	/* config_write() raises it */
	return config_read(config_fd, &cfg) ?: config_write(config_fd, &cfg);
}
