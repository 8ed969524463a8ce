/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WGSF_X25519_H
#define WGSF_X25519_H

#include <stdint.h>

/* The public key of a WireGuard private key, as `wg pubkey` gives it. */
void x25519_public(uint8_t pub[32], const uint8_t priv[32]);

#endif
