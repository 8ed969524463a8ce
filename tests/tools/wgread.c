// SPDX-License-Identifier: GPL-2.0-only
/*
 * wgread IFACE: the device model as wgsf's readers fill it, one
 * "KEY PREFIX" line per allowed IP ("KEY" for a peer without any), for the
 * shell tests to hold against `wg show IFACE dump`.
 */
#include <stdio.h>

#include "device/wireguard.h"

int main(int argc, char **argv)
{
	char key[WG_KEY_B64_LEN], buf[PREFIX_STRLEN];
	struct wg_device *dev;
	size_t i, j;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: wgread IFACE\n");
		return 1;
	}
	err = wg_read_device(argv[1], &dev);
	if (err) {
		fprintf(stderr, "wgread: Unable to read %s: %s\n", argv[1], wg_strerror(err));
		return 1;
	}
	device_canonicalise(dev);
	for (i = 0; i < dev->n_peers; i++) {
		key_to_base64(key, dev->peers[i].public_key);
		if (!dev->peers[i].n_allowedips)
			printf("%s\n", key);
		for (j = 0; j < dev->peers[i].n_allowedips; j++)
			printf("%s %s\n", key, prefix_format(&dev->peers[i].allowedips[j], buf));
	}
	device_free(dev);
	return 0;
}
