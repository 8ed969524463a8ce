// SPDX-License-Identifier: GPL-2.0-only
/*
 * udpcount ADDR PORT: what arrives, per source, for the tests that hold a
 * rate limit to what really crosses WireGuard. Binds ADDR PORT (either
 * family), says "ready", and counts the datagrams that arrive, by source
 * address, until SIGUSR1 or SIGTERM. Then it prints one line per source,
 * in the order they first came, "SOURCE datagrams N bytes B seconds S":
 * their UDP payload bytes, and the time from the first one's arrival to
 * the last one's as the kernel stamped them (SO_TIMESTAMPNS), not as this
 * process came to read them; and last "overflowed N", the datagrams that
 * the socket's full buffer lost (SO_RXQ_OVFL), which its buffer of 16 MiB
 * keeps at 0 but for a stall of many seconds. Exit 1 on an error.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define MAX_SOURCES 256
#define RCVBUF (16 << 20)

struct source {
	struct sockaddr_storage addr;
	unsigned long long datagrams, bytes;
	struct timespec first, last;
};

static struct source sources[MAX_SOURCES];
static size_t n_sources;
static uint32_t overflowed;
static volatile sig_atomic_t told_to_stop;

static void stop(int sig)
{
	(void)sig;
	told_to_stop = 1;
}

static socklen_t addr_of(const char *addr, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(atoi(port));
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(atoi(port));
		return sizeof(*a6);
	}
	return 0;
}

/* The socket, bound, stamping and counting what it loses; -1 on error. */
static int open_socket(const struct sockaddr_storage *ss, socklen_t len)
{
	struct timeval poll = { .tv_usec = 100000 }; /* to see a stop told between reads */
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0), one = 1, size = RCVBUF;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &poll, sizeof(poll)) ||
	    bind(fd, (const struct sockaddr *)ss, len))
		return -1;
	return fd;
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
}

/* The source's record, made on its first datagram; NULL past MAX_SOURCES. */
static struct source *source_of(const struct sockaddr_storage *from)
{
	size_t i;

	for (i = 0; i < n_sources; i++)
		if (same_addr(&sources[i].addr, from))
			return &sources[i];
	if (n_sources == MAX_SOURCES)
		return NULL;
	sources[n_sources].addr = *from;
	return &sources[n_sources++];
}

/* One datagram counted with its stamp and the socket's losses so far. */
static void count(const struct msghdr *m, const struct sockaddr_storage *from, ssize_t n)
{
	struct source *s = source_of(from);
	struct timespec at = {};
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR((struct msghdr *)m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS)
			memcpy(&at, CMSG_DATA(c), sizeof(at));
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL)
			memcpy(&overflowed, CMSG_DATA(c), sizeof(overflowed));
	}
	if (!s)
		return;
	if (!s->datagrams++)
		s->first = at;
	s->last = at;
	s->bytes += n;
}

static void report(void)
{
	char buf[INET6_ADDRSTRLEN];
	const struct source *s;
	size_t i;

	for (i = 0; i < n_sources; i++) {
		s = &sources[i];
		inet_ntop(s->addr.ss_family,
			  s->addr.ss_family == AF_INET
				  ? (const void *)&((const struct sockaddr_in *)&s->addr)->sin_addr
				  : (const void *)&((const struct sockaddr_in6 *)&s->addr)->sin6_addr,
			  buf, sizeof(buf));
		printf("%s datagrams %llu bytes %llu seconds %.6f\n", buf, s->datagrams, s->bytes,
		       (s->last.tv_sec - s->first.tv_sec) +
			       (s->last.tv_nsec - s->first.tv_nsec) / 1e9);
	}
	printf("overflowed %u\n", overflowed);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = stop }; /* no SA_RESTART: a read ends */
	char data[65536], control[256];
	struct sockaddr_storage ss, from;
	struct iovec iov = { data, sizeof(data) };
	struct msghdr m;
	socklen_t len;
	ssize_t n;
	int fd;

	if (argc != 3 || !(len = addr_of(argv[1], argv[2], &ss))) {
		fprintf(stderr, "usage: udpcount ADDR PORT\n");
		return 1;
	}
	fd = open_socket(&ss, len);
	if (fd < 0) {
		fprintf(stderr, "udpcount: Unable to listen on %s port %s: %s\n", argv[1], argv[2],
			strerror(errno));
		return 1;
	}
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	/* once told to stop, what the socket still holds, without waiting */
	for (;;) {
		m = (struct msghdr){ .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
				     .msg_iovlen = 1, .msg_control = control,
				     .msg_controllen = sizeof(control) };
		n = recvmsg(fd, &m, told_to_stop ? MSG_DONTWAIT : 0);
		if (n >= 0)
			count(&m, &from, n);
		else if (told_to_stop && errno == EAGAIN)
			break;
		else if (errno != EAGAIN && errno != EINTR)
			return fprintf(stderr, "udpcount: %s\n", strerror(errno)), 1;
	}
	report();
	return 0;
}
