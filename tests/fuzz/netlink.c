// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer: a WG_CMD_GET_DEVICE dump from kernel WireGuard, the bytes a
 * sequence of netlink messages that libmnl walks as the reader's does,
 * each given to the reader's parser. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "device/wireguard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libmnl trusts the kernel's framing: a length past INT_MAX passes its
 * bounds check as a negative int. A socket gives whole messages, each its
 * length long: other inputs are passed over. */
static bool framed(const uint8_t *data, size_t size)
{
	struct nlmsghdr h;
	size_t off = 0;

	while (size - off >= sizeof(h)) {
		memcpy(&h, data + off, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > size - off)
			return false;
		off += MNL_ALIGN(h.nlmsg_len);
		if (off >= size)
			break;
	}
	return true;
}

static int message(const struct nlmsghdr *nlh, void *dev)
{
	return netlink_parse_message(nlh, dev) ? MNL_CB_ERROR : MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wg_device *dev;
	void *buf;

	if (!framed(data, size))
		return 0;
	dev = device_new("wg0");
	/* an exact copy, for ASan to see a read past its end */
	buf = malloc(size ?: 1);
	if (dev && buf) {
		if (size)
			memcpy(buf, data, size);
		mnl_cb_run(buf, size, 0, 0, message, dev);
	}
	free(buf);
	device_free(dev);
	return 0;
}
