/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A WireGuard config file as `wg setconf` reads it (and `wg showconf`
 * writes it), or a wg-quick one: wg-quick's own [Interface] keys (Address,
 * DNS, MTU, Table, PreUp, PostUp, PreDown, PostDown, SaveConfig) are
 * accepted, and what of them bears on allowed IPs is kept. The rest reads
 * as `wg` reads it: section names and keys in any case, '#' starts a
 * comment, white space anywhere in a line is ignored, a key without a value
 * is an error, AllowedIPs may repeat and append, and each [Peer] section is
 * kept apart, as WireGuard applies them one after the other.
 */
#ifndef WGSF_WGCONF_H
#define WGSF_WGCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "device/model.h"

/* One prefix of an AllowedIPs line. */
struct conf_ip {
	struct prefix written; /* host bits as the file sets them */
	unsigned int line;
	size_t section; /* its [Peer] section's index */
};

struct conf_section {
	uint8_t public_key[WG_KEY_LEN];
	unsigned int line;
};

struct wg_conf {
	struct conf_section *sections; /* [Peer] sections, in file order */
	size_t n_sections, cap_sections;
	struct conf_ip *ips; /* every section's, in file order */
	size_t n_ips, cap_ips;
	struct prefix *addresses; /* wg-quick's Address, host bits cleared */
	size_t n_addresses, cap_addresses;
	bool has_private_key;
	/* The public key of the PrivateKey, which no peer may have: the private
	 * key itself is wiped once this is derived. */
	uint8_t own_key[WG_KEY_LEN];
	bool table_off; /* Table = off: wg-quick adds no routes */
	bool post_up;   /* PostUp commands, which may add routes instead */
};

#define WGCONF_ERR_LEN 512
/* The largest config read: some 100,000 peers */
#define WGCONF_MAX (size_t)(64 << 20)

/* Reads the file at path; on error, fills err with "FILE:LINE: what" (or
 * "FILE: what") and returns -EINVAL or -errno, with *out empty. */
int wgconf_read(const char *path, struct wg_conf *out, char err[WGCONF_ERR_LEN]);
/* The same from size bytes of text, named name in messages. */
int wgconf_parse(const char *name, const char *text, size_t size, struct wg_conf *out,
		 char err[WGCONF_ERR_LEN]);
void wgconf_free(struct wg_conf *c);

#endif
