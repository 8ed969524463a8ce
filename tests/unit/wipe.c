// SPDX-License-Identifier: GPL-2.0-only
/* Key material is wiped before it is freed: while a config is checked
 * from its file (the file's text, its lines, the decoded keys) or from
 * text, and when it is refused after its keys were read, no block that
 * wgsf frees still holds its PrivateKey or PresharedKey, in base64, hex or
 * as bytes. free() is wrapped (--wrap=free at the link, tests/lib/keywatch.c)
 * to look into each block before it goes. No privileges needed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/file.h"
#include "keywatch.h"
#include "tap.h"

/* RFC 7748's Alice and Bob: a PrivateKey and a PresharedKey. */
#define PRIVATE_B64 "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define PRESHARED_B64 "XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os="

/* through a pointer, as the compiler drops stores just before a plain free */
static void (*volatile release)(void *) = free;

static const char conf[] = "[Interface]\n"
			   "ListenPort = 51820\n"
			   "PrivateKey = " PRIVATE_B64 "\n"
			   "[Peer]\n"
			   "PublicKey = mQzSks5HvFazlVwt5pM+NjfKzArjCSsQgTRGgh4OiSA=\n"
			   "AllowedIPs = 192.0.2.1/32\n"
			   "PresharedKey = " PRESHARED_B64 "\n";

/* The same, refused at its last line, after the keys were read. */
static const char bad_conf[] = "[Interface]\n"
			       "PrivateKey = " PRIVATE_B64 "\n"
			       "[Peer]\n"
			       "PublicKey = mQzSks5HvFazlVwt5pM+NjfKzArjCSsQgTRGgh4OiSA=\n"
			       "PresharedKey = " PRESHARED_B64 "\n"
			       "AllowedIPs = 192.0.2.1/33\n";

/* The checks of text, from a file when path is set. */
static int check(const char *path, const char *text)
{
	char err[WGCONF_ERR_LEN];
	struct check_report r;
	int e = path ? check_file(path, &r, err) : check_text("wipe.conf", text, strlen(text), &r, err);

	if (!e)
		check_report_free(&r);
	return e;
}

static void from(const char *what, const char *path, const char *text, bool good)
{
	int e;

	keywatch_reset();
	e = check(path, text);
	ok(good ? !e : e == -EINVAL, "%s: %s", what, good ? "checked" : "refused");
	ok(keywatch_frees.freed > 0, "%s: blocks were freed (%u)", what, keywatch_frees.freed);
	is_u64(keywatch_frees.holding, 0, "%s: none of them held a key", what);
}

static int write_file(char *path, const char *text)
{
	int fd = mkstemp(path);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

int main(void)
{
	char path[] = "/tmp/wgsf-wipe-XXXXXX", bad_path[] = "/tmp/wgsf-wipe-XXXXXX";
	uint8_t key[2][WG_KEY_LEN];
	/* mapped for itself, and unmapped when freed: no later block gets
	 * what is planted in it */
	char *block = malloc(1 << 20);

	if (key_from_base64(key[0], PRIVATE_B64) || key_from_base64(key[1], PRESHARED_B64) ||
	    !keywatch_add(key[0]) || !keywatch_add(key[1]) || !block || write_file(path, conf) ||
	    write_file(bad_path, bad_conf)) {
		ok(false, "set up: %m");
		return done_testing();
	}
	/* the wrapper sees what it looks for */
	keywatch_reset();
	memcpy(block, PRESHARED_B64, sizeof(PRESHARED_B64));
	release(block);
	ok(keywatch_frees.freed == 1 && keywatch_frees.holding == 1,
	   "a block with a key, freed, is seen");

	from("a config file", path, NULL, true);
	from("a config as text", NULL, conf, true);
	from("a config file refused", bad_path, NULL, false);
	from("a config as text refused", NULL, bad_conf, false);
	unlink(path);
	unlink(bad_path);
	return done_testing();
}
