// SPDX-License-Identifier: GPL-2.0-only
/*
 * check WGSF SIZE[,SIZE...]: how long `wgsf check FILE` takes on a gateway's
 * wg-quick config of SIZE peers, and the most memory it holds, for `make
 * bench`; one JSON object per size on stdout. Each peer has a /32 and a
 * /128; a hub peer holds the ranges they lie in (a nested-prefix finding
 * with a part per peer), and one peer in a thousand also lists its
 * neighbour's /32 (a duplicate). The command runs as a user would run it,
 * human output and --json, each to /dev/null.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "device/model.h"

static void die(const char *what)
{
	fprintf(stderr, "check: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void peer(FILE *f, size_t i, const char *allowed)
{
	uint8_t key[WG_KEY_LEN] = { 1 };
	char b64[WG_KEY_B64_LEN];

	memcpy(key + 1, &i, sizeof(i));
	key_to_base64(b64, key);
	fprintf(f, "\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\n", b64, allowed);
}

/* n peers in 10.0.0.0/8 and 2001:db8::/32, and their hub; returns the
 * number of allowed IPs listed. */
static size_t config(const char *path, size_t n)
{
	FILE *f = fopen(path, "w");
	char allowed[128];
	size_t i, listed = 2;

	if (!f)
		die(path);
	fprintf(f, "[Interface]\nPrivateKey = %s\nAddress = 10.0.0.1/8, 2001:db8::1/32\n"
		   "ListenPort = 51820\n", "CKoJp9Jf8e/yZDFxirMUFOm/WD1kjwZ7hASkmzmT2V8=");
	peer(f, n, "10.0.0.0/8, 2001:db8::/32");
	for (i = 0; i < n; i++) {
		unsigned int a = i + 2, b = i + 1;
		int len = snprintf(allowed, sizeof(allowed), "10.%u.%u.%u/32, 2001:db8::%x:%x/128",
				   a >> 16 & 255, a >> 8 & 255, a & 255, a >> 16, a & 0xffff);

		listed += 2;
		if (i % 1000 == 999) {
			snprintf(allowed + len, sizeof(allowed) - len, ", 10.%u.%u.%u/32",
				 b >> 16 & 255, b >> 8 & 255, b & 255);
			listed++;
		}
		peer(f, i, allowed);
	}
	if (fclose(f))
		die(path);
	return listed;
}

/* One run of `wgsf check path [--json]`: its seconds, and its peak memory. */
static double run(const char *wgsf, const char *path, bool json, long *max_rss_kib)
{
	double t0 = now_s();
	struct rusage ru;
	int status, fd;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid) {
		fd = open("/dev/null", O_WRONLY);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(127);
		execl(wgsf, wgsf, "check", path, json ? "--json" : NULL, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		die("wait4");
	/* 2: it found something, as it should */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 2) {
		fprintf(stderr, "check: wgsf check %s exited with status %d\n", path, status);
		exit(1);
	}
	*max_rss_kib = ru.ru_maxrss;
	return now_s() - t0;
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/wgsf-bench-check-XXXXXX";
	long rss_human, rss_json;
	double human, json;
	size_t n, listed;
	const char *s;
	char *end;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: check WGSF SIZE[,SIZE...]\n");
		return 1;
	}
	fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp");
	close(fd);
	for (s = argv[2]; *s; s = *end ? end + 1 : end) {
		n = strtoull(s, &end, 10);
		if (end == s || (*end && *end != ',') || !n) {
			fprintf(stderr, "check: bad size list '%s'\n", argv[2]);
			unlink(path);
			return 1;
		}
		listed = config(path, n);
		human = run(argv[1], path, false, &rss_human);
		json = run(argv[1], path, true, &rss_json);
		printf("{\"bench\":\"check\",\"peers\":%zu,\"prefixes\":%zu,\"check_s\":%.4f,"
		       "\"check_json_s\":%.4f,\"max_rss_bytes\":%ld}\n", n + 1, listed, human, json,
		       (rss_human > rss_json ? rss_human : rss_json) * 1024);
		fflush(stdout);
	}
	unlink(path);
	return 0;
}
