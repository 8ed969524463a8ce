// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer: the reply of a userspace WireGuard to get=1, as its UAPI
 * socket would give it. */
#include <stdio.h>
#include <stdint.h>

#include "device/wireguard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_device *dev = device_new("wg0");
	FILE *f = size ? fmemopen((void *)data, size, "r") : NULL;

	if (dev && f)
		uapi_parse(f, dev);
	if (f)
		fclose(f);
	device_free(dev);
	return 0;
}
