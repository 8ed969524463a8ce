// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "policy/policy.h"
#include "policy_text.h"
#include "tap.h"

void policy_refused(const char *what, const char *body, const char *want)
{
	char err[POLICY_ERR_LEN] = "";
	struct policy p;
	int r = policy_parse("p", body, strlen(body), &p, err);

	if (!ok(r == -EINVAL && !strcmp(err, want) && !p.n_peers && !p.n_groups, "%s: refused",
		what))
		diag("  got %d '%s'\n#  want '%s'", r, err, want);
	if (!r)
		policy_free(&p);
}
