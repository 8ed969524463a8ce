// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config on the real datapath: its value at the start of its page, the
 * line the datapath reads left as it is by syncs and generation bumps while
 * the generation rises, the mode and policied written there acted on by the
 * program, and the write of a config that cannot be mapped.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "packet.h"
#include "tables/sync.h"
#include "tap.h"

#define LINE 64
#define BLOCKED_SLOT 3

/* The config's value as the kernel holds it, read through a mapping. */
static const struct wgsf_config *view;

static uint64_t generation(void)
{
	return __atomic_load_n(&view->generation, __ATOMIC_ACQUIRE);
}

/* The mapping's offset 0 is the value's first byte: the value starts a page,
 * so its first 64 bytes are one line. */
static void test_page(int config_fd)
{
	struct wgsf_config c;

	ok(!datapath_set_mode(config_fd, WGSF_MODE_ENFORCE) && !config_read(config_fd, &c) &&
		   c.mode == WGSF_MODE_ENFORCE && !memcmp(view, &c, sizeof(c)),
	   "the config's value starts its page: what the mapping's offset 0 holds is what a "
	   "lookup reads");
}

/* The first line and the generation, before a write. */
struct line_state {
	uint8_t bytes[LINE];
	uint64_t generation;
};

static struct line_state line_now(void)
{
	struct line_state s = { .generation = generation() };

	memcpy(s.bytes, view, LINE);
	return s;
}

/* Whether a write (err its result) left the first line's bytes as they were
 * and raised the generation by one. */
static void line_kept(const struct line_state *before, int err, const char *what)
{
	ok(!err, "%s", what);
	ok(!memcmp(before->bytes, view, LINE), "%s: the first line unchanged", what);
	is_u64(generation(), before->generation + 1, "%s: the generation raised", what);
}

/* Syncs that write the tables but neither the mode nor the flags. */
static void test_sync(const struct maps *m)
{
	struct wg_device *d = device_new("wgsf-test");
	uint8_t key[WG_KEY_LEN] = { 1 };
	struct wg_peer *p = device_peer(d, key);
	struct line_state s;
	struct sync_result r;
	struct prefix pfx;

	prefix_parse("198.51.100.0/24", &pfx);
	peer_add_allowedip(p, &pfx);
	s = line_now();
	line_kept(&s, sync_device(m, d, NULL, &r), "a sync");
	prefix_parse("198.51.100.77/32", &pfx);
	peer_add_allowedip(p, &pfx);
	s = line_now();
	line_kept(&s, sync_device(m, d, NULL, &r), "a sync that adds a host route");
	s = line_now();
	line_kept(&s, generation_bump(m->fd[MAP_CONFIG]), "a generation bump");
	device_free(d);
}

/* Whether h drops a packet from the blocked peer, or passes it, as wanted. */
static void expect(const struct hook_under_test *h, bool dropped, const char *what)
{
	struct prefix src, dst;
	struct packet pkt;

	addr_parse("192.0.2.1", &src);
	addr_parse("203.0.113.1", &dst);
	packet_ip(&pkt, h->l3, &src, &dst, 60);
	is_u64(hook_run(h, &pkt), dropped ? h->drop : h->pass, "%s: the blocked peer's packet %s",
	       what, dropped ? "dropped" : "passed");
}

/* The mode and policied, each written through config.c, and the program's
 * verdict on a blocked peer's packet after each. */
static void test_acted_on(const struct hook_under_test *h)
{
	const struct maps *m = &h->maps;
	int fd = m->fd[MAP_CONFIG];
	struct prefix pfx;

	prefix_parse("192.0.2.0/24", &pfx);
	ok(!allowedip_write(m, &pfx, BLOCKED_SLOT) &&
		   !policy_flags_write(m, BLOCKED_SLOT, WGSF_PEER_BLOCKED, 1) &&
		   view->policied == 1,
	   "a blocked peer: policied set in the first line");
	expect(h, true, "enforce");
	ok(!datapath_set_mode(fd, WGSF_MODE_MONITOR) && view->mode == WGSF_MODE_MONITOR,
	   "monitor mode set");
	expect(h, false, "monitor");
	ok(!datapath_set_mode(fd, WGSF_MODE_ENFORCE), "enforce mode set again");
	expect(h, true, "enforce again");
	ok(!config_set_policied(fd, false) && view->policied == 0, "policied cleared");
	expect(h, false, "enforce without policied");
	ok(!config_set_policied(fd, true), "policied set again");
	expect(h, true, "enforce with policied");
	ok(!config_set_dst_rules(fd, true) && view->dst_rules == 1,
	   "dst_rules set in the first line");
	ok(!config_set_dst_rules(fd, false) && view->dst_rules == 0, "and cleared");
}

/* An older ABI's config, a plain ARRAY: written with an update instead. */
static void test_unmapped(void)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "config", sizeof(uint32_t),
				sizeof(struct wgsf_config), 1, NULL);
	struct wgsf_config c;

	if (!ok(fd >= 0, "a config that cannot be mapped"))
		return;
	ok(!datapath_set_mode(fd, WGSF_MODE_ENFORCE) && !config_set_policied(fd, true) &&
		   !generation_bump(fd),
	   "unmapped: the mode, policied and a generation bump written");
	ok(!config_read(fd, &c) && c.abi_version == WGSF_ABI_VERSION &&
		   c.mode == WGSF_MODE_ENFORCE && c.policied == 1 && c.generation == 3,
	   "unmapped: read back, the generation raised by each write");
	close(fd);
}

int main(void)
{
	struct capacity cap = { .peers = 16, .prefixes = 16, .hosts = 16,
				.policy_prefixes = 16, .policy_hosts = 16 };
	long page = sysconf(_SC_PAGESIZE);
	struct hook_under_test h;
	void *mem;

	require_root_bpf();
	libbpf_set_print(NULL);
	if (!ok(!hook_load(&h, &cap), "load the datapath"))
		return done_testing();
	mem = mmap(NULL, page, PROT_READ, MAP_SHARED, h.maps.fd[MAP_CONFIG], 0);
	if (ok(mem != MAP_FAILED, "the config maps")) {
		view = mem;
		test_page(h.maps.fd[MAP_CONFIG]);
		test_sync(&h.maps);
		test_acted_on(&h);
		munmap(mem, page);
	}
	hook_destroy(&h);
	test_unmapped();
	return done_testing();
}
