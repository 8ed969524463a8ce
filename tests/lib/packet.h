/* SPDX-License-Identifier: GPL-2.0-only */
/* Building test packets and running them through BPF_PROG_TEST_RUN. */
#ifndef WGSF_TEST_PACKET_H
#define WGSF_TEST_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "datapath.h"
#include "maps.h"
#include "prefix.h"

#define PACKET_MAX 128

struct packet {
	uint8_t data[PACKET_MAX];
	uint32_t len;
};

/* An IP header of src's family (no payload bytes: the IP length field
 * says ip_len), preceded by an Ethernet header when l3 is ETH_HLEN. */
void packet_ip(struct packet *pkt, uint32_t l3, const struct prefix *src,
	       const struct prefix *dst, uint16_t ip_len);
/* Raw bytes, behind an Ethernet header of ethertype when l3 is ETH_HLEN. */
void packet_raw(struct packet *pkt, uint32_t l3, uint16_t ethertype, const void *bytes,
		size_t len);

/* The datapath loaded for one hook, as the tests use it. */
struct hook_under_test {
	const char *name;  /* "tc" or "xdp" */
	uint32_t l3;       /* what BPF_PROG_TEST_RUN hands that hook */
	uint32_t pass, drop; /* its return codes */
	struct wgsf *skel;
	struct maps maps;
	int prog_fd;
};

/* Loads both hooks' programs with cap; 0 or -errno. */
int hooks_load(struct hook_under_test hooks[2], const struct capacity *cap);
void hooks_destroy(struct hook_under_test hooks[2]);
/* Runs one packet; returns the program's return code, or -errno. */
int64_t hook_run(const struct hook_under_test *h, const struct packet *pkt);
/* Runs the ip bytes as the hook would see them on a WireGuard device (tc:
 * behind an Ethernet header whose ethertype follows the version nibble). */
int64_t hook_run_ip(const struct hook_under_test *h, const void *ip, size_t len);

#endif
