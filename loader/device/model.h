/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One device model, filled by every WireGuard reader (netlink, UAPI) and
 * consumed by sync and the printers: nothing downstream knows its source.
 */
#ifndef WGSF_MODEL_H
#define WGSF_MODEL_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "device/prefix.h"

#define WG_KEY_LEN 32
#define WG_KEY_B64_LEN 45 /* 44 characters plus NUL */

struct wg_peer {
	uint8_t public_key[WG_KEY_LEN];
	struct prefix *allowedips;
	size_t n_allowedips, cap_allowedips;
};

struct wg_device {
	char name[IFNAMSIZ];
	int ifindex;
	struct wg_peer *peers;
	size_t n_peers, cap_peers;
	/* Open-addressing index over peers by key (position + 1, 0 = empty):
	 * readers find a peer split across messages, and sync matches slots,
	 * in time linear in the number of peers. */
	size_t *index;
	size_t cap_index;
};

struct wg_device *device_new(const char *name);
void device_free(struct wg_device *dev);
/* Returns the peer with this key, adding it when absent; NULL on ENOMEM. */
struct wg_peer *device_peer(struct wg_device *dev, const uint8_t key[WG_KEY_LEN]);
struct wg_peer *device_find_peer(const struct wg_device *dev,
				 const uint8_t key[WG_KEY_LEN]);
int peer_add_allowedip(struct wg_peer *peer, const struct prefix *p);
/* Canonical form: peers sorted by key, each peer's allowed IPs sorted and
 * unique. Two devices read from the same state compare equal after this. */
void device_canonicalise(struct wg_device *dev);
int device_cmp(const struct wg_device *a, const struct wg_device *b);

void key_to_base64(char out[WG_KEY_B64_LEN], const uint8_t key[WG_KEY_LEN]);
/* -EINVAL, with key zeroed, for what `wg` refuses too; the time taken does
 * not depend on which characters a key has. */
int key_from_base64(uint8_t key[WG_KEY_LEN], const char *s);
int key_from_hex(uint8_t key[WG_KEY_LEN], const char *s);

#endif
