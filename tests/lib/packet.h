/* SPDX-License-Identifier: GPL-2.0-only */
/* Building test packets and running them through BPF_PROG_TEST_RUN. */
#ifndef WGSF_TEST_PACKET_H
#define WGSF_TEST_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tables/datapath.h"
#include "attach/hook.h"
#include "tables/maps.h"
#include "device/prefix.h"

#define PACKET_MAX 256
#define IPV4_HLEN 20
#define IPV6_HLEN 40

struct packet {
	uint8_t data[PACKET_MAX];
	uint32_t len;
};

/*
 * Writes an IP header of src's family at ip and returns its length: IPv4
 * with ihl 32-bit words (options zero: end of list), or IPv6 (ihl unused).
 * Its length field says ip_len bytes (IPv6: 40 + payload length), whatever
 * follows it.
 */
size_t ip_header(uint8_t *ip, const struct prefix *src, const struct prefix *dst,
		 uint32_t ip_len, unsigned int ihl);
/*
 * The same for a packet of proto, followed by proto's header: TCP with a
 * data offset of doff words (ports 0), or UDP with its length field; other
 * protocols get none. ip must hold the IP header and 20 bytes more; the
 * caller decides how many of them are sent. Returns the IP header's length.
 */
size_t ip_l4_header(uint8_t *ip, const struct prefix *src, const struct prefix *dst,
		    uint32_t ip_len, unsigned int ihl, uint8_t proto, unsigned int doff);
/* A bare IP header (no payload bytes), behind an Ethernet header when l3 is
 * ETH_HLEN. */
void packet_ip(struct packet *pkt, uint32_t l3, const struct prefix *src,
	       const struct prefix *dst, uint32_t ip_len);
/* Raw bytes, behind an Ethernet header of ethertype when l3 is ETH_HLEN. */
void packet_raw(struct packet *pkt, uint32_t l3, uint16_t ethertype, const void *bytes,
		size_t len);
/* One line for a diagnostic: family, addresses and length fields, or the
 * first bytes of what is too short or not IP. */
const char *packet_describe(char *buf, size_t size, const uint8_t *ip, size_t len);

/* The datapath loaded for one hook, as the tests use it. */
struct hook_under_test {
	const char *name;    /* "tc" */
	uint32_t l3;         /* what BPF_PROG_TEST_RUN hands that hook */
	uint32_t pass, drop; /* its return codes */
	struct wgsf *skel;
	struct maps maps;
	int prog_fd;
};

#define HOOKS 1 /* tc, the one hook there is (XDP is retired) */

/* Loads the tc program with maps of cap; 0 or -errno. */
int hook_load(struct hook_under_test *h, const struct capacity *cap);
void hook_destroy(struct hook_under_test *h);
/* Every hook, each with maps of its own. */
int hooks_load(struct hook_under_test hooks[HOOKS], const struct capacity *cap);
void hooks_destroy(struct hook_under_test hooks[HOOKS]);
/* Runs one frame as built for h (packet_ip, packet_raw); returns the
 * program's return code, or -errno. */
int64_t hook_run(const struct hook_under_test *h, const struct packet *pkt);
/* Runs len bytes of IP as h sees them on a WireGuard device, behind an
 * Ethernet header (which BPF_PROG_TEST_RUN on tc wants). */
int64_t hook_run_ip(const struct hook_under_test *h, const void *ip, size_t len);
/* Whether BPF_PROG_TEST_RUN hands tc len bytes of IP at all (see packet.c). */
bool hook_takes(size_t len);

#endif
