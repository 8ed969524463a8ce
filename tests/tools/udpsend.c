// SPDX-License-Identifier: GPL-2.0-only
/*
 * udpsend SOURCE DESTINATION COUNT RATE [PAYLOAD]: exactly COUNT UDP
 * datagrams of PAYLOAD bytes, 100 unless given (an IPv4 packet of 128
 * bytes, an IPv6 one of 148; PAYLOAD + 28 and + 48 in general), from SOURCE
 * to DESTINATION's discard port, RATE a second, for the shell
 * tests that need a stream of known length under way while something else
 * happens. Each datagram has its own deadline on an absolute clock, so that
 * one sent late does not delay the rest. Prints "sent N"; exit 1 when a
 * datagram could not be sent. SIGUSR1 stops it early, as told: then it
 * prints what it sent and exits 0, for a stream as long as something else
 * takes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define UDPSEND_PAYLOAD 100
#define MAX_PAYLOAD 1400 /* what a WireGuard MTU of 1420 carries in IPv4 and IPv6 */
#define DISCARD_PORT 9

static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(DISCARD_PORT);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(DISCARD_PORT);
		*len = sizeof(*a6);
		return 0;
	}
	return -1;
}

/* A socket bound to src (its port the kernel's choice), or -1. */
static int bound_socket(const struct sockaddr_storage *src, socklen_t len)
{
	struct sockaddr_storage a = *src;
	int fd = socket(a.ss_family, SOCK_DGRAM, 0);

	if (a.ss_family == AF_INET)
		((struct sockaddr_in *)&a)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&a)->sin6_port = 0;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

static volatile sig_atomic_t told_to_stop;

static void stop(int sig)
{
	(void)sig;
	told_to_stop = 1;
}

/* The deadline of datagram i: start + i / rate seconds. */
static struct timespec deadline(const struct timespec *start, unsigned long i, unsigned long rate)
{
	unsigned long long ns = start->tv_nsec + (unsigned long long)i * 1000000000ull / rate;
	struct timespec t = { start->tv_sec + ns / 1000000000ull, ns % 1000000000ull };

	return t;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage src, dst;
	static char payload[MAX_PAYLOAD] = "wgsf";
	unsigned long count, rate, size = UDPSEND_PAYLOAD, i;
	socklen_t slen, dlen;
	struct timespec start, t;
	int fd;

	if (argc == 6)
		size = strtoul(argv[5], NULL, 10);
	if (argc < 5 || argc > 6 || parse_addr(argv[1], &src, &slen) ||
	    parse_addr(argv[2], &dst, &dlen) || src.ss_family != dst.ss_family ||
	    !(count = strtoul(argv[3], NULL, 10)) || !(rate = strtoul(argv[4], NULL, 10)) ||
	    !size || size > MAX_PAYLOAD) {
		fprintf(stderr, "usage: udpsend SOURCE DESTINATION COUNT RATE [PAYLOAD]\n");
		return 1;
	}
	fd = bound_socket(&src, slen);
	if (fd < 0) {
		fprintf(stderr, "udpsend: Unable to bind %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	signal(SIGUSR1, stop);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < count && !told_to_stop; i++) {
		t = deadline(&start, i, rate);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR &&
		       !told_to_stop)
			;
		if (told_to_stop)
			break;
		if (sendto(fd, payload, size, 0, (struct sockaddr *)&dst, dlen) < 0) {
			fprintf(stderr, "udpsend: Unable to send datagram %lu: %s\n", i + 1,
				strerror(errno));
			break;
		}
	}
	printf("sent %lu\n", i);
	close(fd);
	return i == count || told_to_stop ? 0 : 1;
}
