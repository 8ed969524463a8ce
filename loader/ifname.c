// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>
#include <net/if.h>

#include "ifname.h"

int ifname_check(const char *name)
{
	size_t len = strnlen(name, IFNAMSIZ), i;
	unsigned char c;

	if (!len || len >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		c = name[i];
		/* the kernel's isspace(): ASCII's, and Latin-1's no-break space */
		if (c == '/' || c == ':' || c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0)
			return -EINVAL;
	}
	return 0;
}
