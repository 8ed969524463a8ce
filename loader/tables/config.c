// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
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
	c.dst_rules = now.dst_rules;
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

/* Sets or clears the config's field at offset (policied, dst_rules). */
static int config_set_flag(int config_fd, size_t offset, bool on)
{
	struct wgsf_config cfg;
	uint32_t zero = 0, *flag = (uint32_t *)((char *)&cfg + offset);
	int err = config_read(config_fd, &cfg);

	if (err || !*flag == !on)
		return err;
	*flag = on;
	cfg.generation++;
	return bpf_map_update_elem(config_fd, &zero, &cfg, BPF_ANY) ? -errno : 0;
}

int config_set_policied(int config_fd, bool on)
{
	return config_set_flag(config_fd, offsetof(struct wgsf_config, policied), on);
}

int config_set_dst_rules(int config_fd, bool on)
{
	return config_set_flag(config_fd, offsetof(struct wgsf_config, dst_rules), on);
}

int generation_bump(int config_fd)
{
	struct wgsf_config cfg;

	/* config_write() raises it */
	return config_read(config_fd, &cfg) ?: config_write(config_fd, &cfg);
}
