// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer: `wgsf check FILE` on any bytes: the WireGuard and wg-quick
 * config parser, and the checks on what it read. */
#include <stdint.h>

#include "check/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[WGCONF_ERR_LEN];
	struct check_report r;

	if (!check_text("fuzz.conf", (const char *)data, size, &r, err))
		check_report_free(&r);
	return 0;
}
