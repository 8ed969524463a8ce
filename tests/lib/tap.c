// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "tap.h"

static unsigned int run, failed;

static bool vreport(bool cond, const char *fmt, va_list ap)
{
	printf("%sok %u - ", cond ? "" : "not ", ++run);
	vprintf(fmt, ap);
	putchar('\n');
	if (!cond)
		failed++;
	fflush(stdout);
	return cond;
}

bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(cond, fmt, ap);
	va_end(ap);
	return cond;
}

bool is_u64(uint64_t got, uint64_t want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		diag("  got %llu, want %llu", (unsigned long long)got,
		     (unsigned long long)want);
	return got == want;
}

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int done_testing(void)
{
	printf("1..%u\n", run);
	return failed || !run ? 1 : 0;
}

void skip_all(const char *fmt, ...)
{
	const char *ci = getenv("CI");
	bool in_ci = ci && !strcmp(ci, "true");
	va_list ap;

	if (in_ci)
		printf("not ok %u - skipped, and CI=true allows no skip: ", ++run);
	else if (run)
		printf("ok %u # SKIP ", ++run);
	else
		printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (in_ci || run)
		printf("1..%u\n", run);
	exit(in_ci ? 1 : 0);
}

void require_root_bpf(void)
{
	int fd;

	if (geteuid() != 0)
		skip_all("needs root for BPF");
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);
	if (fd < 0)
		skip_all("bpf(2) is not available here");
	close(fd);
}

unsigned int test_seed(void)
{
	const char *env = getenv("WGSF_SEED");
	unsigned int seed;

	if (env && *env)
		seed = strtoul(env, NULL, 0);
	else
		seed = (unsigned int)time(NULL) ^ ((unsigned int)getpid() << 16);
	diag("seed %u (set WGSF_SEED=%u to repeat)", seed, seed);
	return seed;
}
