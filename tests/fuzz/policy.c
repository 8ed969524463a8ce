// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer: the policy file parser, on any bytes. */
#include <stdint.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[POLICY_ERR_LEN];
	struct policy p;

	if (!policy_parse("fuzz.policy", (const char *)data, size, &p, err))
		policy_free(&p);
	return 0;
}
