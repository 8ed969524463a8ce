// SPDX-License-Identifier: GPL-2.0-only
#include <unistd.h>

#include "ui_error.h"
#include "ui_privilege.h"

int ui_need_root(void)
{
	if (geteuid() == 0)
		return 0;
	return ui_error("%s needs root: loading BPF and attaching to an interface take "
			"CAP_BPF and CAP_NET_ADMIN", PROG_NAME);
}
