// SPDX-License-Identifier: GPL-2.0-only
/* The interface's own public key, as a config's PrivateKey gives it to the
 * own-key check (libsodium's X25519): RFC 7748's vectors (section 6.1),
 * pairs made by `wg genkey | wg pubkey`, and private keys that are not
 * clamped, which `wg pubkey` takes as any 32 bytes, with the public keys it
 * gave. Then random keys: each gives the public key of its clamped form.
 * The private key is not kept. No privileges needed. (check/own-key.t holds
 * it to `wg pubkey` with random keys each run.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/wgconf.h"
#include "tap.h"

#define RANDOM_KEYS 1000

/* The own key of a config with this PrivateKey; false if refused. */
static bool own_key(const char *priv_b64, uint8_t pub[WG_KEY_LEN])
{
	char text[128], err[WGCONF_ERR_LEN];
	struct wg_conf c;

	snprintf(text, sizeof(text), "[Interface]\nPrivateKey = %s\n", priv_b64);
	if (wgconf_parse("own.conf", text, strlen(text), &c, err)) {
		diag("%s", err);
		return false;
	}
	memcpy(pub, c.own_key, WG_KEY_LEN);
	wgconf_free(&c);
	return true;
}

static void pair(const char *priv_b64, const char *want, const char *what)
{
	uint8_t pub[WG_KEY_LEN];
	char got[WG_KEY_B64_LEN] = "(refused)";

	if (own_key(priv_b64, pub))
		key_to_base64(got, pub);
	ok(!strcmp(got, want), "%s: the public key of %s is %s (got %s)", what, priv_b64, want, got);
}

/* RFC 7748, 6.1: Alice's and Bob's keys, there in hex. */
static void rfc7748(void)
{
	pair("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=", /* 77076d0a...1db92c2a */
	     "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", /* 8520f009...aa9b4e6a */
	     "RFC 7748 Alice");
	pair("XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os=", /* 5dab087e...ff88e0eb */
	     "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08=", /* de9edb7d...6f882b4f */
	     "RFC 7748 Bob");
}

static void from_wg(void)
{
	pair("kMfKeJfn34ubtC7QvJb7YgYKQstDva/3o2gWaVDSg0s=",
	     "mQzSks5HvFazlVwt5pM+NjfKzArjCSsQgTRGgh4OiSA=", "wg genkey");
	pair("yB5emDhcrggU23ZPeVaV1mZqwJj++3Pzb4z03soOz1c=",
	     "wmXTM1wKvwADJ+CeI5ZImmyapcD/df4huFL25lu+wgw=", "wg genkey");
	pair("WCqBR/A2sZaaUlV/nu4B/zGCKBbFTaY3HBco9r1450M=",
	     "0rzi4GoJbuh3g7R+tR4SixiDvRk06h7Hwj4gx9YxQSE=", "wg genkey");
	pair("MG0JEZw9+UgnqXOEIRt+EkpDP4LxgAkx2zJKxYWojUs=",
	     "zJx35FSLMoMSNvkpBDHrA2Bopuus1KifYPgqvjdLLHw=", "wg genkey");
	pair("CKoJp9Jf8e/yZDFxirMUFOm/WD1kjwZ7hASkmzmT2V8=",
	     "/s1Blc5OIs/stN+9c667BBb0aHv9yRPqxJ4namD26jY=", "wg genkey");
	/* low bits of the first byte set, the top bit of the last: not clamped */
	pair("VurAttEXoBDl0JMo1tvXDquIQU+ABVXIiCH/1CFUcKg=",
	     "Up6lcKgikgPcffM1QvVIbo3KZeT4TD8xDyMrZDuxZCs=", "not clamped");
	pair("PJ04ofBAXjI5C6tuX/3n9wXYm32dbTycLf4ByruY24c=",
	     "hR/nwQ0oWfMdX2Q5x44Kt03QNg/btjXgGL6NxdhWeEQ=", "not clamped");
	pair("092Bh6xIgOzg/9rRhMrmoCMJJ70qFOk/Wjgs9JJnAug=",
	     "3Z0PNm+UkB/XMld0AQMVJKY4WiAxyAUx4Dy4Tw3U+ls=", "not clamped");
	pair("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	     "L+V9o0fNYkMVKNqsX7spBzD/9oSvxM/C7ZCZX1jLO3Q=", "all zeros");
	pair("//////////////////////////////////////////8=",
	     "hHwNLDdSNPNl5mCVUYejc1oPdhPRYJ06ak2MU66qWiI=", "all ones");
}

/* As WireGuard clamps: a multiple of 8, below 2^255, with bit 254 set. */
static void clamp(uint8_t k[WG_KEY_LEN])
{
	k[0] &= 248;
	k[31] = (k[31] & 127) | 64;
}

static void clamped(unsigned int seed)
{
	uint8_t key[WG_KEY_LEN], pub[WG_KEY_LEN], pub_clamped[WG_KEY_LEN];
	char b64[WG_KEY_B64_LEN];
	unsigned int i, j, differ = 0, refused = 0;

	for (i = 0; i < RANDOM_KEYS; i++) {
		for (j = 0; j < WG_KEY_LEN; j++)
			key[j] = rand_r(&seed);
		key[0] |= 7; /* never clamped, so that each try tries it */
		key[31] |= 128;
		key_to_base64(b64, key);
		refused += !own_key(b64, pub);
		clamp(key);
		key_to_base64(b64, key);
		refused += !own_key(b64, pub_clamped);
		differ += !!memcmp(pub, pub_clamped, WG_KEY_LEN);
	}
	is_u64(refused, 0, "%d random private keys, clamped and not, are taken", RANDOM_KEYS);
	is_u64(differ, 0, "each gives the public key of its clamped form");
}

int main(void)
{
	rfc7748();
	from_wg();
	clamped(test_seed());
	return done_testing();
}
