// SPDX-License-Identifier: GPL-2.0-only
/* Interface names taken exactly as the kernel's dev_valid_name() takes
 * them (bytes past ASCII and control characters too), and the pin
 * directory of a name with '.', which bpffs refuses, read back as that
 * name. No privileges. */
#include <errno.h>
#include <string.h>
#include <net/if.h>

#include "ifname.h"
#include "pins/names.h"
#include "tap.h"

static void accepted(const char *name, const char *what)
{
	char back[IFNAMSIZ];

	ok(!ifname_check(name), "accepted: %s", what);
	ok(!pin_dir_ifname(name, back) && !strcmp(back, name), "its pin directory reads back: %s",
	   what);
}

int main(void)
{
	char back[IFNAMSIZ];

	accepted("wg0", "wg0");
	accepted("\xc3\xa9", "e-acute, two bytes past ASCII");
	accepted("\xff\xfe", "bytes of no UTF-8 character");
	accepted("a\x01" "b", "a control character the kernel takes");
	accepted("0123456789abcde", "15 bytes");
	ok(!ifname_check("wg.1"), "accepted: a name with a dot, wg.1");
	ok(!pin_dir_ifname("wg:1", back) && !strcmp(back, "wg.1"),
	   "the pin directory wg:1 (bpffs refuses dots) is wg.1's");
	ok(ifname_check("") == -EINVAL, "refused: empty");
	ok(ifname_check("0123456789abcdef") == -EINVAL, "refused: 16 bytes");
	ok(ifname_check(".") == -EINVAL && ifname_check("..") == -EINVAL, "refused: . and ..");
	ok(ifname_check("a/b") == -EINVAL && ifname_check("a:b") == -EINVAL, "refused: '/', ':'");
	ok(ifname_check("a b") == -EINVAL && ifname_check("a\tb") == -EINVAL &&
		   ifname_check("a\nb") == -EINVAL && ifname_check("a\rb") == -EINVAL &&
		   ifname_check("a\vb") == -EINVAL && ifname_check("a\fb") == -EINVAL,
	   "refused: ASCII white space");
	ok(ifname_check("a\xa0" "b") == -EINVAL, "refused: 0xa0, white space to the kernel");
	return done_testing();
}
