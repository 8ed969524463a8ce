/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-peer policy, stricter than allowed IPs, read from a file in
 * WireGuard's own config style:
 *
 *     [Interface]
 *     Mode = enforce                       # or monitor
 *     [Peer]
 *     PublicKey = <base64>
 *     AllowedSources = 192.0.2.10/32       # default: the peer's allowed IPs
 *     AllowedDestinations = 198.51.100.0/24   # default: anywhere
 *     Block = true                         # quarantine
 */
#ifndef WGSF_POLICY_H
#define WGSF_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/model.h"

struct prefix_list {
	struct prefix *v;
	unsigned int *lines; /* where each is in its file, 0 when not from one */
	size_t n, cap;
};

struct peer_rules {
	uint8_t public_key[WG_KEY_LEN];
	unsigned int line; /* of its [Peer] section, for messages */
	bool blocked, has_sources, has_destinations;
	struct prefix_list sources, destinations;
};

struct policy {
	int mode; /* enum wgsf_mode, or -1 when the file does not say */
	unsigned int mode_line; /* of the Mode that counts (the last), for messages */
	struct peer_rules *peers;
	size_t n_peers, cap_peers;
};

#define POLICY_ERR_LEN 512

/* Reads a whole policy file; on error, fills err with "FILE:LINE: what"
 * (or "FILE: what") and returns -EINVAL or -errno, with *out empty. */
int policy_read(const char *path, struct policy *out, char err[POLICY_ERR_LEN]);
/* Whether the file path names, as named, may hold a policy: the check of
 * strict_path.h, which policy_load() makes too, on the path before its
 * links are resolved. 0, or -errno with "PATH: why" in err. */
int policy_check_path(const char *path, char err[POLICY_ERR_LEN]);
/* policy_read() in two steps: the file's text (*text the caller's to free;
 * -EFBIG past what the pins hold), then the text, named name in messages. */
int policy_load(const char *path, char **text, size_t *size, char err[POLICY_ERR_LEN]);
int policy_parse(const char *name, const char *text, size_t size, struct policy *out,
		 char err[POLICY_ERR_LEN]);
void policy_free(struct policy *p);
/* A deep copy of src into dst (empty before). */
int policy_copy(struct policy *dst, const struct policy *src);
const struct peer_rules *policy_find(const struct policy *p, const uint8_t key[WG_KEY_LEN]);
int prefix_list_add(struct prefix_list *l, const struct prefix *p);
/* Calls fn for each rule of pol that cannot take effect on dev: src NULL
 * for a peer that dev lacks (line: its [Peer]'s), else an allowed source
 * that no allowed IP of the peer overlaps, which WireGuard drops before
 * wgsf could see it (line: the source's). */
void policy_ineffective(const struct policy *pol, const struct wg_device *dev,
			void (*fn)(const struct peer_rules *r, const struct prefix *src,
				   unsigned int line, void *ctx),
			void *ctx);

#endif
