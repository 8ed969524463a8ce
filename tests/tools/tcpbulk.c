// SPDX-License-Identifier: GPL-2.0-only
/*
 * A TCP bulk stream whose packets are known exactly, for the test that
 * holds wgsf's counts to what WireGuard decrypted.
 *
 * tcpbulk receive ADDR PORT: listens on ADDR (IPv4) and says so
 * ("listening"), accepts one connection, reads it to its end, closes it,
 * and once the sender acknowledged that, prints the bytes it read and every
 * segment it sent: "bytes N segments N", those that TCP_INFO counts and the
 * SYN-ACK, which the listener sent before this connection's socket was
 * made (and so is not among them).
 *
 * tcpbulk send ADDR PORT BYTES SOURCE: connects from SOURCE (once: a
 * refused connect would leave a segment and a reset uncounted), sends BYTES,
 * closes its side, reads to the peer's close, and then prints what the
 * kernel's TCP_INFO says this side sent, every segment of it, and how long
 * it took from the connect: "segments N ip_bytes N retransmitted N seconds
 * S". The IP bytes are exact only where every segment's header size is
 * known: where timestamps, SACK or window scaling were agreed, they are
 * "unknown" (turn them off in the sender's network namespace for them; a
 * stream held to a rate wants them on, as real ones have them). Where they
 * are off, each segment is a 20-byte IPv4 header,
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
#define WAIT_TENTHS 100 /* 10 s for the sender to acknowledge the close */
#define TIMEOUT_S 120
#define HEADERS 40     /* IPv4 and TCP, without options */
#define SYN_OPTIONS 4  /* MSS */
/* The kernel's TCP_CLOSE (net/tcp_states.h), in no uapi header */
#define STATE_CLOSED 7

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

/* Waits (WAIT_TENTHS tenths of a second at most) for the peer to
 * acknowledge this side's close; 0 and what TCP_INFO then says, or -1. */
static int closed(int fd, struct tcp_info *ti)
{
	struct timespec wait = { .tv_nsec = 100000000 };
	socklen_t len = sizeof(*ti);
	int i;

	for (i = 0; i < WAIT_TENTHS; i++) {
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len))
			return -1;
		if (ti->tcpi_state == STATE_CLOSED)
			return 0;
		nanosleep(&wait, NULL);
	}
	errno = ETIMEDOUT;
	return -1;
}

static int receive(const char *addr, const char *port)
{
	struct tcp_info ti;
	struct sockaddr_in sin;
	int one = 1, fd = tcp_socket(addr, port, &sin), conn;
	long long n;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 1))
		return fail("listen");
	printf("listening\n");
	fflush(stdout);
	conn = accept(fd, NULL, NULL);
	if (conn < 0)
		return fail("accept");
	n = drain(conn);
	if (n < 0 || shutdown(conn, SHUT_WR) || closed(conn, &ti))
		return fail("read");
	close(conn);
	printf("bytes %lld segments %u\n", n, ti.tcpi_segs_out + 1);
	return 0;
}

static int connect_from(int fd, const char *source, const struct sockaddr_in *to)
{
	struct sockaddr_in from = { .sin_family = AF_INET };

	if (inet_pton(AF_INET, source, &from.sin_addr) != 1 ||
	    bind(fd, (struct sockaddr *)&from, sizeof(from)))
		return -1;
	return connect(fd, (const struct sockaddr *)to, sizeof(*to));
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

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int report(int fd, double seconds)
{
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti);
	char ip_bytes[32] = "unknown";

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len))
		return fail("TCP_INFO");
	if (!(ti.tcpi_options & (TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE)))
		snprintf(ip_bytes, sizeof(ip_bytes), "%llu",
			 (unsigned long long)ti.tcpi_segs_out * HEADERS + ti.tcpi_bytes_sent +
				 SYN_OPTIONS);
	printf("segments %u ip_bytes %s retransmitted %u seconds %.3f\n", ti.tcpi_segs_out,
	       ip_bytes, ti.tcpi_total_retrans, seconds);
	return 0;
}

static int send_stream(const char *addr, const char *port, const char *bytes, const char *source)
{
	struct sockaddr_in to;
	int fd = tcp_socket(addr, port, &to);
	long long n = atoll(bytes);
	double start;

	if (fd < 0 || connect_from(fd, source, &to))
		return fail("connect");
	start = now_s();
	if (send_all(fd, n) || shutdown(fd, SHUT_WR))
		return fail("write");
	/* the peer's close, acknowledged before read() returns 0: after it
	 * this side sends nothing more */
	if (drain(fd) != 0)
		return fail("waiting for the receiver to close");
	return report(fd, now_s() - start);
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
