// SPDX-License-Identifier: GPL-2.0-only
/*
 * A TCP bulk stream whose packets are known exactly, for the test that
 * holds wgsf's counts to what WireGuard decrypted.
 *
 * tcpbulk receive ADDR PORT: accepts one connection on ADDR (IPv4), reads
 * it to its end, closes it, and prints the bytes it read.
 *
 * tcpbulk send ADDR PORT BYTES SOURCE: connects from SOURCE, sends BYTES,
 * closes its side, reads to the peer's close, and then prints what the
 * kernel's TCP_INFO says this side sent, every segment of it: "segments N
 * ip_bytes N retransmitted N". The IP bytes are exact only where every
 * segment's header size is known: the sender refuses to print them when
 * timestamps, SACK or window scaling were agreed (turn them off in the
 * sender's network namespace). Then each segment is a 20-byte IPv4 header,
 * a 20-byte TCP header and its data, and the SYN's header has 4 bytes more,
 * its MSS option: segments x 40 + data bytes sent (retransmissions
 * included, as in the segments) + 4.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/tcp.h>

#define CHUNK 65536
#define CONNECT_TRIES 100 /* 10 s for the receiver to listen */
#define TIMEOUT_S 120
#define HEADERS 40     /* IPv4 and TCP, without options */
#define SYN_OPTIONS 4  /* MSS */

static int fail(const char *what)
{
	fprintf(stderr, "tcpbulk: %s: %s\n", what, strerror(errno));
	return 1;
}

static int tcp_socket(const char *addr, const char *port, struct sockaddr_in *sin)
{
	struct timeval tv = { .tv_sec = TIMEOUT_S };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	*sin = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	if (fd < 0 || inet_pton(AF_INET, addr, &sin->sin_addr) != 1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Reads fd to its end; the bytes read, or -1. */
static long long drain(int fd)
{
	static char buf[CHUNK];
	long long total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	return n < 0 ? -1 : total;
}

static int receive(const char *addr, const char *port)
{
	struct sockaddr_in sin;
	int one = 1, fd = tcp_socket(addr, port, &sin), conn;
	long long n;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 1))
		return fail("listen");
	conn = accept(fd, NULL, NULL);
	if (conn < 0)
		return fail("accept");
	n = drain(conn);
	if (n < 0)
		return fail("read");
	close(conn);
	printf("%lld\n", n);
	return 0;
}

static int connect_from(int fd, const char *source, const struct sockaddr_in *to)
{
	struct sockaddr_in from = { .sin_family = AF_INET };
	struct timespec wait = { .tv_nsec = 100000000 };
	int i;

	if (inet_pton(AF_INET, source, &from.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&from, sizeof(from)))
		return -1;
	for (i = 0; i < CONNECT_TRIES; i++) {
		if (!connect(fd, (const struct sockaddr *)to, sizeof(*to)))
			return 0;
		if (errno != ECONNREFUSED)
			return -1;
		nanosleep(&wait, NULL);
	}
	return -1;
}

static int send_all(int fd, long long bytes)
{
	static char buf[CHUNK];
	ssize_t n;

	memset(buf, 'w', sizeof(buf));
	while (bytes > 0) {
		n = write(fd, buf, bytes < CHUNK ? bytes : CHUNK);
		if (n <= 0)
			return -1;
		bytes -= n;
	}
	return 0;
}

static int report(int fd)
{
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return fail("TCP_INFO");
	if (ti.tcpi_options & (TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE)) {
		fprintf(stderr, "tcpbulk: timestamps, SACK or window scaling were agreed (options "
			"%#x): the headers' sizes are not known\n", ti.tcpi_options);
		return 1;
	}
	printf("segments %u ip_bytes %llu retransmitted %u\n", ti.tcpi_segs_out,
	       (unsigned long long)ti.tcpi_segs_out * HEADERS + ti.tcpi_bytes_sent + SYN_OPTIONS,
	       ti.tcpi_total_retrans);
	return 0;
}

static int send_stream(const char *addr, const char *port, const char *bytes, const char *source)
{
	struct sockaddr_in to;
	int fd = tcp_socket(addr, port, &to);
	long long n = atoll(bytes);

	if (fd < 0 || connect_from(fd, source, &to))
		return fail("connect");
	if (send_all(fd, n) || shutdown(fd, SHUT_WR))
		return fail("write");
	/* the peer's close, acknowledged before read() returns 0: after it
	 * this side sends nothing more */
	if (drain(fd) != 0)
		return fail("waiting for the receiver to close");
	return report(fd);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "receive"))
		return receive(argv[2], argv[3]);
	if (argc == 6 && !strcmp(argv[1], "send"))
		return send_stream(argv[2], argv[3], argv[4], argv[5]);
	fprintf(stderr, "usage: tcpbulk receive ADDR PORT | tcpbulk send ADDR PORT BYTES SOURCE\n");
	return 1;
}
