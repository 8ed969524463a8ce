// SPDX-License-Identifier: GPL-2.0-only
/*
 * tracer [-v] COMMAND [IFACE]: drives loader/tracer for the shell tests,
 * on IFACE of the current network namespace. -v: libbpf's own output.
 *   status [IFACE]  "visible", or "not visible: REASON"
 *   enable IFACE    registers it, loading the tracer if need be
 *   disable IFACE   unregisters it, removing the tracer with the last one
 *   read IFACE      "total PACKETS BYTES", then per sender
 *                   "peer KEY PACKETS BYTES SRC DST OWNER AGE", tab-separated:
 *                   the last rejected packet, the owner of its source (a
 *                   public key, or "none") and how many seconds ago
 * An error is one line on stderr, and exit status 1.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <bpf/libbpf.h>

#include "device/model.h"
#include "err.h"
#include "tracer/tracer.h"

static bool verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static const char *addr_str(const struct wgsf_addr *a, char buf[INET6_ADDRSTRLEN])
{
	return inet_ntop(a->version == 4 ? AF_INET : AF_INET6, a->addr, buf, INET6_ADDRSTRLEN);
}

static void print_peer(const struct tracer_peer *p, uint64_t now_ns)
{
	const struct wgsf_rejected *r = &p->rejected;
	char key[WG_KEY_B64_LEN], owner[WG_KEY_B64_LEN], src[INET6_ADDRSTRLEN],
		dst[INET6_ADDRSTRLEN];

	key_to_base64(key, p->public_key);
	if (r->last_has_owner)
		key_to_base64(owner, r->last_owner);
	else
		snprintf(owner, sizeof(owner), "none");
	printf("peer\t%s\t%llu\t%llu\t%s\t%s\t%s\t%llu\n", key, (unsigned long long)r->packets,
	       (unsigned long long)r->bytes, addr_str(&r->last_src, src),
	       addr_str(&r->last_dst, dst), owner,
	       (unsigned long long)((now_ns - r->last_ns) / 1000000000));
}

static int show(int ifindex)
{
	struct tracer_view v;
	struct timespec now;
	size_t i;
	int err = tracer_read(ifindex, &v);

	if (err)
		return err;
	clock_gettime(CLOCK_MONOTONIC, &now);
	printf("total\t%llu\t%llu\n", (unsigned long long)v.total.packets,
	       (unsigned long long)v.total.bytes);
	for (i = 0; i < v.n_peers; i++)
		print_peer(&v.peers[i], now.tv_sec * 1000000000ull + now.tv_nsec);
	tracer_view_free(&v);
	return 0;
}

static int status(const char *ifname, int ifindex)
{
	char why[TRACER_WHY_LEN];
	int r = tracer_status(ifname, ifindex, why);

	if (r < 0)
		return r;
	if (r == TRACER_VISIBLE)
		printf("visible\n");
	else
		printf("not visible: %s\n", why);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd, *ifname;
	int ifindex = 0, err;

	libbpf_set_print(libbpf_print);
	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = true;
		argc--;
		argv++;
	}
	cmd = argc > 1 ? argv[1] : "";
	ifname = argc > 2 ? argv[2] : NULL;
	if (ifname && !(ifindex = if_nametoindex(ifname))) {
		fprintf(stderr, "tracer: no interface '%s'\n", ifname);
		return 1;
	}
	if (!strcmp(cmd, "status") && argc <= 3)
		err = status(ifname, ifindex);
	else if (!strcmp(cmd, "enable") && argc == 3)
		err = tracer_enable(ifname, ifindex);
	else if (!strcmp(cmd, "disable") && argc == 3)
		err = tracer_disable(ifindex);
	else if (!strcmp(cmd, "read") && argc == 3)
		err = show(ifindex);
	else {
		fprintf(stderr, "usage: tracer [-v] status [IFACE] | enable IFACE | "
				"disable IFACE | read IFACE\n");
		return 1;
	}
	if (err)
		fprintf(stderr, "tracer: %s\n", wgsf_error(err));
	return err ? 1 : 0;
}
