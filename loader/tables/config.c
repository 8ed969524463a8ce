// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/bpf.h>

#include "tables/config.h"
#include "tables/maps.h"

/* The line the datapath reads (see wgsf.h), in 32-bit words. */
#define LINE 64u
#define LINE_WORDS (LINE / sizeof(uint32_t))

_Static_assert(offsetof(struct wgsf_config, abi_version) == 0, "any wgsf finds the ABI there");
_Static_assert(offsetof(struct wgsf_config, dst_rules) < LINE, "the datapath's fields in a line");
_Static_assert(offsetof(struct wgsf_config, generation) == LINE, "nothing else in that line");

/* Writes the words of the line that differ from want: a line that does not
 * change stays in the caches of the CPUs that read it. */
static void line_write(uint32_t *line, const struct wgsf_config *want)
{
	uint32_t w[LINE_WORDS];
	size_t i;

	memcpy(w, want, LINE);
	for (i = 0; i < LINE_WORDS; i++)
		if (__atomic_load_n(&line[i], __ATOMIC_RELAXED) != w[i])
			__atomic_store_n(&line[i], w[i], __ATOMIC_RELEASE);
}

/* Writes cfg whole through a mapping of the map: its line first, where it
 * changes, then the rest, the generation last. A command killed in between
 * leaves its config unfinished (cleared in the rest), and whoever sees the
 * generation raised sees what it stands for. The config of an older map ABI
 * cannot be mapped (not MMAPABLE): it is updated in one write, as always. */
static int config_store(int config_fd, const struct wgsf_config *cfg)
{
	const size_t after = offsetof(struct wgsf_config, generation) + sizeof(cfg->generation);
	uint32_t zero = 0;
	size_t len;
	uint8_t *mem = map_mmap(config_fd, &len, NULL);

	if (!mem && errno != EINVAL && errno != EPERM)
		return -errno;
	if (!mem)
		return bpf_map_update_elem(config_fd, &zero, cfg, BPF_ANY) ? -errno : 0;
	line_write((uint32_t *)mem, cfg);
	memcpy(mem + after, (const uint8_t *)cfg + after, sizeof(*cfg) - after);
	__atomic_store_n((uint64_t *)(mem + LINE), cfg->generation, __ATOMIC_RELEASE);
	munmap(mem, len);
	return 0;
}

int config_read(int config_fd, struct wgsf_config *cfg)
{
	uint32_t zero = 0;

	return bpf_map_lookup_elem(config_fd, &zero, cfg) ? -errno : 0;
}

int config_write(int config_fd, const struct wgsf_config *cfg)
{
	struct wgsf_config c = *cfg, now;

	c.abi_version = WGSF_ABI_VERSION;
	/* cfg may be older than the map, which owns these two: the
	 * generation only ever goes up, and policied follows the flags */
	if (config_read(config_fd, &now))
		now = *cfg;
	c.generation = now.generation + 1;
	c.policied = now.policied;
	c.dst_rules = now.dst_rules;
	return config_store(config_fd, &c);
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
	uint32_t *flag = (uint32_t *)((char *)&cfg + offset);
	int err = config_read(config_fd, &cfg);

	if (err || !*flag == !on)
		return err;
	*flag = on;
	cfg.generation++;
	return config_store(config_fd, &cfg);
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
