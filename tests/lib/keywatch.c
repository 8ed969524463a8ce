// SPDX-License-Identifier: GPL-2.0-only
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "keywatch.h"

/* Room above the frames under test, for keywatch_stack_holds()'s own. */
#define DEEP_PAD 4096
/* Any 8 bytes of a key in a row are key material; in a spelling, the
 * characters that carry as many bits. */
#define RUN_BYTES 8
#define RUN_B64 11
#define RUN_HEX 16
#define MAX_RUNS (KEYWATCH_MAX * (WG_KEY_LEN + WG_KEY_B64_LEN + 2 * WG_KEY_LEN))

void __real_free(void *p);
void __wrap_free(void *p);

struct keywatch_frees keywatch_frees;

struct spellings {
	uint8_t bytes[WG_KEY_LEN];
	char b64[WG_KEY_B64_LEN];
	char hex[2 * WG_KEY_LEN + 1];
};
static struct spellings watched[KEYWATCH_MAX];
static size_t n_watched;

/* Every run of every spelling of every key watched, grouped by its first
 * byte: those that start with b are runs[first[b]] up to runs[first[b + 1]]. */
struct run {
	const uint8_t *at;
	size_t len;
};
static struct run runs[MAX_RUNS];
static unsigned int first[257];

static const struct {
	size_t offset, len, run;
} spelling[] = {
	{ offsetof(struct spellings, bytes), WG_KEY_LEN, RUN_BYTES },
	{ offsetof(struct spellings, b64), WG_KEY_B64_LEN - 1, RUN_B64 },
	{ offsetof(struct spellings, hex), 2 * WG_KEY_LEN, RUN_HEX },
};

/* Collects the runs, then sorts them by first byte (counting). */
static void index_runs(void)
{
	static struct run all[MAX_RUNS];
	unsigned int count[257] = { 0 }, n = 0, i, b;
	size_t k, f, at;

	for (k = 0; k < n_watched; k++)
		for (f = 0; f < sizeof(spelling) / sizeof(spelling[0]); f++)
			for (at = 0; at + spelling[f].run <= spelling[f].len; at++) {
				all[n].at = (const uint8_t *)&watched[k] + spelling[f].offset + at;
				all[n].len = spelling[f].run;
				count[all[n++].at[0] + 1]++;
			}
	for (b = 0; b < 256; b++)
		count[b + 1] += count[b];
	memcpy(first, count, sizeof(first));
	for (i = 0; i < n; i++)
		runs[count[all[i].at[0]]++] = all[i];
}

bool keywatch_add(const uint8_t key[WG_KEY_LEN])
{
	struct spellings *w = &watched[n_watched];
	size_t i;

	if (n_watched == KEYWATCH_MAX)
		return false;
	memcpy(w->bytes, key, WG_KEY_LEN);
	key_to_base64(w->b64, key);
	for (i = 0; i < WG_KEY_LEN; i++)
		snprintf(w->hex + 2 * i, 3, "%02x", key[i]);
	n_watched++;
	index_runs();
	return true;
}

void keywatch_reset(void)
{
	keywatch_frees.freed = keywatch_frees.holding = 0;
}

/*
 * Whether n bytes at p hold a run of a watched key. Byte by byte through
 * volatile reads, unseen by ASan: the stack below the caller is no object
 * of C's, and the sanitizers' build of the tests looks at it too.
 */
__attribute__((no_sanitize_address)) static bool holds_at(const volatile uint8_t *p, size_t n)
{
	unsigned int r;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (r = first[p[i]]; r < first[p[i] + 1]; r++) {
			for (j = 0; j < runs[r].len && i + j < n && p[i + j] == runs[r].at[j]; j++)
				;
			if (j == runs[r].len)
				return true;
		}
	return false;
}

bool keywatch_holds(const void *p, size_t n)
{
	return holds_at(p, n);
}

void __wrap_free(void *p)
{
	if (p) {
		keywatch_frees.freed++;
		keywatch_frees.holding += keywatch_holds(p, malloc_usable_size(p));
	}
	__real_free(p);
}

__attribute__((noinline)) void keywatch_stack_clear(void)
{
	uint8_t pad[KEYWATCH_STACK + 4 * DEEP_PAD];

	explicit_bzero(pad, sizeof(pad));
}

__attribute__((noinline, no_sanitize_address)) bool keywatch_stack_holds(void)
{
	uintptr_t top = (uintptr_t)__builtin_frame_address(0);

	return holds_at((const volatile uint8_t *)(top - KEYWATCH_STACK), KEYWATCH_STACK);
}

__attribute__((noinline)) int keywatch_call_deep(int (*fn)(void *), void *arg)
{
	uint8_t pad[DEEP_PAD];
	int r = fn(arg);

	__asm__ volatile("" : : "r"(pad) : "memory"); /* the pad stays, above fn's frames */
	return r;
}
