// SPDX-License-Identifier: GPL-2.0-only
/* The UAPI reply parser on text in memory: wireguard-go's replies, large
 * ones, the reply's own errno, and every kind of malformed reply, which
 * must be refused whole. No privileges needed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "device/wireguard.h"

#define K1 "49cd4e3f755100734d8912428a4c8025dea3168f588bfee921540d84bca36a1c"
#define K2 "3d677fedc4c7f9712e4d3a71d0818e4a8ebbcfca21812f7929295bb10896561d"
#define K1_63 "49cd4e3f755100734d8912428a4c8025dea3168f588bfee921540d84bca36a1"
#define K3 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

/* As wireguard-go 0.0.20220316 answers get=1, a third peer added. */
static const char reply[] =
	"private_key=4065f5d9056732577f677b77489b24088c1d969be5e81e36ff68d85779eab47f\n"
	"listen_port=51999\n"
	"fwmark=7\n"
	"public_key=" K1 "\n"
	"preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
	"protocol_version=1\n"
	"endpoint=[2001:db8::9]:5000\n"
	"last_handshake_time_sec=0\n"
	"last_handshake_time_nsec=0\n"
	"tx_bytes=0\n"
	"rx_bytes=0\n"
	"persistent_keepalive_interval=25\n"
	"allowed_ip=192.0.2.0/24\n"
	"allowed_ip=2001:db8::/32\n"
	"allowed_ip=198.51.100.7/32\n"
	"allowed_ip=2001:db8:1:2::/64\n"
	"allowed_ip=203.0.113.77/30\n"
	"allowed_ip=2001:db8:ffff::1/128\n"
	"public_key=" K2 "\n"
	"preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
	"protocol_version=1\n"
	"last_handshake_time_sec=0\n"
	"last_handshake_time_nsec=0\n"
	"tx_bytes=0\n"
	"rx_bytes=0\n"
	"persistent_keepalive_interval=0\n"
	"public_key=" K3 "\n"
	"allowed_ip=0.0.0.0/0\n"
	"allowed_ip=::/0\n"
	"errno=0\n"
	"\n";

static int parse_into(const char *text, size_t len, struct wg_device *dev)
{
	FILE *f = fmemopen((void *)text, len, "r");
	int err;

	if (!f)
		return -errno;
	err = uapi_parse(f, dev);
	fclose(f);
	return err;
}

static int parse_len(const char *text, size_t len)
{
	struct wg_device *dev = device_new("wg0");
	int err = parse_into(text, len, dev);

	device_free(dev);
	return err;
}

static int parse(const char *text)
{
	return parse_len(text, strlen(text));
}

static bool has_aips(const struct wg_device *dev, const char *hex, const char *want)
{
	char buf[PREFIX_STRLEN], got[512] = "";
	uint8_t key[WG_KEY_LEN];
	struct wg_peer *p;
	size_t i;

	if (key_from_hex(key, hex) || !(p = device_find_peer(dev, key)))
		return false;
	for (i = 0; i < p->n_allowedips; i++) {
		strcat(got, i ? "," : "");
		strcat(got, prefix_format(&p->allowedips[i], buf));
	}
	if (strcmp(got, want))
		diag("got %s", got);
	return !strcmp(got, want);
}

static void reply_tests(void)
{
	struct wg_device *dev = device_new("wg0");

	ok(!parse_into(reply, strlen(reply), dev), "wireguard-go's reply parses");
	is_u64(dev->n_peers, 3, "three peers");
	ok(has_aips(dev, K1, "192.0.2.0/24,2001:db8::/32,198.51.100.7/32,2001:db8:1:2::/64,"
			     "203.0.113.76/30,2001:db8:ffff::1/128"),
	   "the first with its six allowed IPs, host bits cleared");
	ok(has_aips(dev, K2, ""), "the second with none");
	ok(has_aips(dev, K3, "0.0.0.0/0,::/0"), "the third with both default routes");
	device_free(dev);

	ok(!parse("errno=0\n\n"), "a device without peers");
	ok(!parse("errno=0\n\nanything after the blank line is the next reply's"),
	   "the reply ends at its blank line");
	is_u64(-parse("errno=19\n\n"), 19, "errno=19: -19");
	is_u64(-parse("public_key=" K1 "\nallowed_ip=192.0.2.0/24\nerrno=22\n\n"), 22,
	       "errno=22 after peers: -22");
}

/* A large reply, and the model it must give, built side by side. */
static void large_reply_test(unsigned int seed)
{
	struct wg_device *want = device_new("wg0"), *got = device_new("wg0");
	char *text = NULL, hex[2 * WG_KEY_LEN + 1], buf[PREFIX_STRLEN];
	FILE *f = open_memstream(&text, &(size_t){ 0 });
	uint8_t key[WG_KEY_LEN];
	unsigned int i, j, k;
	struct prefix p;

	fputs("private_key=" K3 "\nlisten_port=51820\n", f);
	for (i = 0; i < 1000; i++) {
		for (k = 0; k < WG_KEY_LEN; k++)
			key[k] = rand_r(&seed);
		for (k = 0; k < WG_KEY_LEN; k++)
			sprintf(hex + 2 * k, "%02x", key[k]);
		fprintf(f, "public_key=%s\nprotocol_version=1\ntx_bytes=%u\n", hex, i);
		for (j = 0; j < 12; j++) {
			if (j % 2)
				sprintf(buf, "2001:db8:%x:%x::/64", i, j);
			else
				sprintf(buf, "%u.%u.%u.0/24", 10 + j, i >> 8, i & 255);
			fprintf(f, "allowed_ip=%s\n", buf);
			prefix_parse(buf, &p);
			peer_add_allowedip(device_peer(want, key), &p);
		}
	}
	fputs("errno=0\n\n", f);
	fclose(f);
	ok(!parse_into(text, strlen(text), got), "a reply of 1000 peers, 12 allowed IPs each");
	device_canonicalise(want);
	device_canonicalise(got);
	ok(got->n_peers == 1000 && !device_cmp(got, want), "holds exactly the peers written");
	free(text);
	device_free(want);
	device_free(got);
}

#define PEER "public_key=" K1 "\n"
#define END "errno=0\n\n"

static void malformed_tests(void)
{
	static const struct {
		const char *why, *text;
	} bad[] = {
		{ "a key that is not hex", "public_key=zz" K1 "\n" END },
		{ "a key of 63 digits", "public_key=" K1_63 "\n" END },
		{ "a key of 65 digits", "public_key=" K1 "0\n" END },
		{ "allowed_ip before any peer", "allowed_ip=192.0.2.0/24\n" END },
		{ "a length past 32", PEER "allowed_ip=192.0.2.0/33\n" END },
		{ "a length past 128", PEER "allowed_ip=2001:db8::/129\n" END },
		{ "an address without length", PEER "allowed_ip=192.0.2.1\n" END },
		{ "an allowed IP that is no address", PEER "allowed_ip=wg0/8\n" END },
		{ "an empty allowed IP", PEER "allowed_ip=\n" END },
		{ "a line without '='", "listen_port 51820\n" END },
		{ "an empty key", "=51820\n" END },
		{ "a key in capitals", "Public_key=" K1 "\n" END },
		{ "a key with a space", "public key=" K1 "\n" END },
		{ "no errno= line", PEER "\n" },
		{ "a negative errno", "errno=-1\n\n" },
		{ "an errno that is no number", "errno=ENODEV\n\n" },
		{ "an empty errno", "errno=\n\n" },
		{ "an errno out of range", "errno=99999\n\n" },
		{ "an errno with a sign", "errno=+0\n\n" },
		{ "a line between errno= and the end", "errno=0\nlisten_port=1\n\n" },
		{ "two errno= lines", "errno=0\n" END },
		{ "no blank line at the end", PEER "errno=0\n" },
		{ "cut off in a line", PEER "allowed_ip=192.0" },
		{ "a blank line first", "\n" END },
		{ "CRLF line ends", "errno=0\r\n\r\n" },
		{ "binary garbage", "\x01\x7f\xff\xfe=\x80\x81\n" END },
		{ "bytes past 0x7f in a key", "list\xe9n_port=1\n" END },
		{ "nothing at all", "" },
	};
	char overlong[400];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = parse(bad[i].text);

		if (!ok(err == -EBADMSG, "refused: %s", bad[i].why))
			diag("got %d", err);
	}
	snprintf(overlong, sizeof(overlong), "endpoint=%0300d\nerrno=0\n\n", 0);
	ok(parse(overlong) == -EBADMSG, "refused: a line of 309 characters");
	ok(parse_len("listen_port=1\0\nerrno=0\n\n", 24) == -EBADMSG,
	   "refused: a NUL in a line");
}

/* Every reply cut short, and random bytes: refused, never a crash. */
static void cut_and_noise_tests(unsigned int seed)
{
	size_t len = strlen(reply), cut, n, i, at, wrong = 0;
	char noise[512], copy[sizeof(reply)];
	int err;

	for (cut = 1; cut < len; cut++)
		if (parse_len(reply, cut) != -EBADMSG)
			wrong++;
	is_u64(wrong, 0, "all %zu replies cut short are refused", len - 1);

	wrong = 0;
	for (i = 0; i < 2000; i++) {
		n = 1 + rand_r(&seed) % sizeof(noise);
		for (cut = 0; cut < n; cut++)
			noise[cut] = rand_r(&seed) % 4 ? rand_r(&seed) : "=\n_a"[rand_r(&seed) % 4];
		if (parse_len(noise, n) != -EBADMSG)
			wrong++;
	}
	is_u64(wrong, 0, "2000 replies of random bytes are refused");

	wrong = 0;
	for (i = 0; i < 2000; i++) {
		memcpy(copy, reply, sizeof(reply));
		do /* all but the errno's digit, which may well become another */
			at = rand_r(&seed) % len;
		while (at == len - 3);
		copy[at] = rand_r(&seed);
		err = parse_len(copy, len);
		if (err && err != -EBADMSG)
			wrong++;
	}
	is_u64(wrong, 0, "2000 replies with one byte changed: parsed or refused, nothing else");
}

int main(void)
{
	unsigned int seed = test_seed();

	reply_tests();
	large_reply_test(seed);
	malformed_tests();
	cut_and_noise_tests(seed);
	return done_testing();
}
