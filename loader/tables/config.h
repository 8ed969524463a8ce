/* SPDX-License-Identifier: GPL-2.0-only */
/* The config map's one entry: mode, attachment, policy, generation. */
#ifndef WGSF_CONFIG_H
#define WGSF_CONFIG_H

#include <stdbool.h>

#include "wgsf.h"

int config_read(int config_fd, struct wgsf_config *cfg);
int config_write(int config_fd, const struct wgsf_config *cfg);
/* Sets or clears the config's policied (see wgsf.h). */
int config_set_policied(int config_fd, bool on);
/* Sets or clears the config's dst_rules (see wgsf.h). */
int config_set_dst_rules(int config_fd, bool on);
/* Raises the config's generation after a write of the tables. */
int generation_bump(int config_fd);
/* Changes the mode only, keeping the rest of the config. */
int datapath_set_mode(int config_fd, enum wgsf_mode mode);

#endif
