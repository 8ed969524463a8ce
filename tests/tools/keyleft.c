// SPDX-License-Identifier: GPL-2.0-only
/*
 * keyleft IFACE KEY...: reads IFACE as wgsf reads it (wg_read_device: the
 * UAPI reply or the netlink dump, both of which carry the interface's
 * private key and its peers' preshared keys) and says where the reader left
 * any of the KEYs (base64, as wg prints them) behind:
 *   freed: N blocks, H holding a key   the blocks it freed, and the device
 *                                      model's (free() wrapped)
 *   reused: B bytes, R holding a key   memory freed by anyone, the C
 *                                      library's own buffers too, as the
 *                                      next allocations get it back (not
 *                                      under ASan, which holds it back)
 *   stack: S bytes, K holding a key    the stack it ran on
 * First it shows that each look would see a key left there:
 *   planted: freed 1, reused 1, stack 1   ("reused -" under ASan)
 */
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device/wireguard.h"
#include "keywatch.h"

#define MAX_KEYS 4
/* What the reused-memory look allocates: blocks of the sizes a read frees
 * (lines, the C library's stream buffer, the dump buffer), under malloc's
 * mmap threshold so that they come from the heap the read used. */
#define REUSE_BLOCK (32 * 1024)
#define REUSE_BLOCKS 64
/* ASan holds freed memory back from reuse, and fills what it hands out. */
#if defined(__SANITIZE_ADDRESS__)
#define REUSE_SEEN false
#elif defined(__has_feature)
#define REUSE_SEEN !__has_feature(address_sanitizer)
#else
#define REUSE_SEEN true
#endif

static uint8_t keys[MAX_KEYS][WG_KEY_LEN];

/* Allocates REUSE_BLOCKS blocks without writing to them, and counts those
 * that hold a key into *holding, and their bytes into *bytes; all are
 * wiped and freed again, unseen by the free() count, so that what one look
 * finds the next does not. */
static void reused(unsigned int *holding, size_t *bytes)
{
	static void *block[REUSE_BLOCKS];
	struct keywatch_frees before = keywatch_frees;
	size_t n;
	int i;

	*holding = *bytes = 0;
	for (i = 0; i < REUSE_BLOCKS; i++) {
		block[i] = malloc(REUSE_BLOCK >> (i % 6));
		n = block[i] ? malloc_usable_size(block[i]) : 0;
		*holding += keywatch_holds(block[i], n);
		*bytes += n;
	}
	for (i = 0; i < REUSE_BLOCKS; i++) {
		if (block[i])
			explicit_bzero(block[i], malloc_usable_size(block[i]));
		free(block[i]);
	}
	keywatch_frees = before;
}

static int plant_on_stack(void *key)
{
	uint8_t copy[WG_KEY_LEN];

	memcpy(copy, key, WG_KEY_LEN);
	__asm__ volatile("" : : "r"(copy) : "memory"); /* the copy is made */
	return 0;
}

/* The three looks, each given a key left where it looks; a freed block
 * keeps its first bytes for malloc's own use. */
static void plant(void)
{
	static void (*volatile release)(void *) = free; /* not a dead store */
	char *block = malloc(REUSE_BLOCK);
	unsigned int freed, reuse;
	size_t bytes;

	keywatch_reset();
	if (block)
		memcpy(block + 64, keys[0], WG_KEY_LEN);
	release(block);
	freed = keywatch_frees.holding;
	reused(&reuse, &bytes);
	keywatch_stack_clear();
	keywatch_call_deep(plant_on_stack, keys[0]);
	printf("planted: freed %u, reused %s, stack %d\n", freed,
	       REUSE_SEEN ? (reuse ? "1" : "0") : "-", keywatch_stack_holds());
}

static int read_device(void *ifname)
{
	struct wg_device *dev;
	int err = wg_read_device(ifname, &dev);

	if (err)
		return err;
	printf("read: %zu peers\n", dev->n_peers);
	device_free(dev);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int reuse;
	size_t bytes;
	int i, err;

	if (argc < 3 || argc - 2 > MAX_KEYS) {
		fprintf(stderr, "usage: keyleft IFACE KEY... (1 to %d keys)\n", MAX_KEYS);
		return 1;
	}
	for (i = 2; i < argc; i++)
		if (key_from_base64(keys[i - 2], argv[i]) || !keywatch_add(keys[i - 2])) {
			fprintf(stderr, "keyleft: Unable to watch '%s': not a key\n", argv[i]);
			return 1;
		}
	plant();
	keywatch_stack_clear();
	keywatch_reset();
	err = keywatch_call_deep(read_device, argv[1]);
	if (err) {
		fprintf(stderr, "keyleft: Unable to read %s: %s\n", argv[1], wg_strerror(err));
		return 1;
	}
	printf("freed: %u blocks, %u holding a key\n", keywatch_frees.freed, keywatch_frees.holding);
	reused(&reuse, &bytes);
	if (REUSE_SEEN)
		printf("reused: %zu bytes, %u holding a key\n", bytes, reuse);
	else
		printf("reused: not looked at under ASan\n");
	printf("stack: %u bytes, %d holding a key\n", KEYWATCH_STACK, keywatch_stack_holds());
	return 0;
}
