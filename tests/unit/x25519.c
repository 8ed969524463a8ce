// SPDX-License-Identifier: GPL-2.0-only
/* The public key of a private key, as `wg pubkey` gives it, for pairs made
 * by `wg genkey | wg pubkey`. No privileges needed. (check-wireguard.t
 * holds it to WireGuard with a random key each run.) */
#include <string.h>

#include "check/x25519.h"
#include "device/model.h"
#include "tap.h"

static void pair(const char *priv_b64, const char *want)
{
	uint8_t priv[WG_KEY_LEN], pub[WG_KEY_LEN];
	char got[WG_KEY_B64_LEN];

	if (!ok(!key_from_base64(priv, priv_b64), "%s parses", priv_b64))
		return;
	x25519_public(pub, priv);
	key_to_base64(got, pub);
	ok(!strcmp(got, want), "the public key of %s is %s (got %s)", priv_b64, want, got);
}

int main(void)
{
	pair("kMfKeJfn34ubtC7QvJb7YgYKQstDva/3o2gWaVDSg0s=",
	     "mQzSks5HvFazlVwt5pM+NjfKzArjCSsQgTRGgh4OiSA=");
	pair("yB5emDhcrggU23ZPeVaV1mZqwJj++3Pzb4z03soOz1c=",
	     "wmXTM1wKvwADJ+CeI5ZImmyapcD/df4huFL25lu+wgw=");
	pair("WCqBR/A2sZaaUlV/nu4B/zGCKBbFTaY3HBco9r1450M=",
	     "0rzi4GoJbuh3g7R+tR4SixiDvRk06h7Hwj4gx9YxQSE=");
	pair("MG0JEZw9+UgnqXOEIRt+EkpDP4LxgAkx2zJKxYWojUs=",
	     "zJx35FSLMoMSNvkpBDHrA2Bopuus1KifYPgqvjdLLHw=");
	pair("CKoJp9Jf8e/yZDFxirMUFOm/WD1kjwZ7hASkmzmT2V8=",
	     "/s1Blc5OIs/stN+9c667BBb0aHv9yRPqxJ4namD26jY=");
	return done_testing();
}
