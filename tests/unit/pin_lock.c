// SPDX-License-Identifier: GPL-2.0-only
/* pin_lock() with PIN_LOCK_CREATE while another command removes the
 * directories above (pins/lock.h): two processes each take the lock of an
 * interface of one namespace and then remove their directory, the
 * namespace's and the root's where empty, as detach does; the other's
 * lock must never fail because the namespace's directory went between its
 * mkdir and its own. On a temporary directory: no privileges needed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "pins/lock.h"
#include "pins/tree.h"
#include "tap.h"

#define ROUNDS 2000

/* The rounds in which the lock of BASE/wgsf/ns/name failed. */
static int rounds(const char *base, const char *name, int *first_err)
{
	char dir[256];
	int i, fd, failed = 0;

	snprintf(dir, sizeof(dir), "%s/wgsf/ns/%s", base, name);
	for (i = 0; i < ROUNDS; i++) {
		fd = pin_lock(dir, PIN_LOCK_CREATE);
		if (fd < 0 && !failed++)
			*first_err = -fd;
		pin_unlock(fd);
		pin_dir_remove(dir);
	}
	return failed;
}

int main(void)
{
	char base[] = "/tmp/wgsf-pin-lock.XXXXXX";
	int failed, err = 0, status = 0;
	pid_t child;

	if (!ok(mkdtemp(base) != NULL, "a temporary directory"))
		return done_testing();
	child = fork();
	if (child == 0)
		_exit(rounds(base, "b", &err) ? 1 : 0);
	failed = rounds(base, "a", &err);
	if (child < 0 || waitpid(child, &status, 0) != child)
		status = -1;
	if (!ok(!failed, "%d locks taken while the other removed its directories", ROUNDS))
		diag("  %d failed, the first with %s", failed, strerror(err));
	ok(WIFEXITED(status) && !WEXITSTATUS(status), "and the other's %d too", ROUNDS);
	rmdir(base);
	return done_testing();
}
