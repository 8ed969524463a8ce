/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Random packets for differential tests, drawn to meet a random state's
 * rules (randstate.h): from its peers' addresses mostly, to the prefixes of
 * the sender's destination rules, of their protocols, to the edges of
 * their port ranges and to their ICMP types; with IPv4 options and
 * fragments, IPv6 extension header chains (long, cut short, fragment
 * headers), L4 headers cut short, lengths that claim more or less than
 * there is, and headers broken now and then. random() draws everything.
 */
#ifndef WGSF_TEST_RANDPACKET_H
#define WGSF_TEST_RANDPACKET_H

#include <stddef.h>
#include <stdint.h>

#include "randstate.h"

/* A packet's IP bytes into ip, which holds PACKET_MAX - ETH_HLEN; their
 * length. */
size_t rand_packet(const struct rand_state *g, uint8_t *ip);

#endif
