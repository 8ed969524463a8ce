// SPDX-License-Identifier: GPL-2.0-only
/*
 * flowprobe: one exchange, or one packet, of TCP or UDP, for the test that
 * holds wgsf's replies (README, Replies) to what really crosses WireGuard.
 * Addresses of either family.
 *
 * flowprobe serve tcp|udp ADDR PORT: binds ADDR PORT, says "ready", and
 * answers one exchange: a TCP connection's one message written back, then
 * closed; a UDP datagram sent back to its sender. Gives up after 10 s. It
 * exits once the asker's last packet has come: for TCP, the ACK of its FIN.
 *
 * flowprobe ask tcp|udp ADDR PORT [MS]: connects (TCP) or sends (UDP) from
 * an ephemeral port, sends one message, and waits a second for it to come
 * back: exit 0 and "answered" when it does, else exit 1 and "no answer".
 * With MS, a TCP connection not made within MS milliseconds is given up:
 * exit 1 and "no connection, SYNs sent: N", N as the kernel counted them.
 *
 * flowprobe send udp SOURCE SPORT ADDR PORT [COUNT]: one datagram from SOURCE
 * SPORT; with COUNT, COUNT datagrams, one to each port from PORT on, in
 * order: as many flows, for the flow records' test.
 *
 * flowprobe ack SOURCE SPORT ADDR PORT: one TCP segment with the ACK flag
 * alone, belonging to no connection, from SOURCE SPORT (a raw socket).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#define MSG "flowprobe"

static int die(const char *what)
{
	fprintf(stderr, "flowprobe: %s: %s\n", what, strerror(errno));
	return 2;
}

/* ADDR PORT into *ss; its length, or 0 when ADDR is not an address. */
static socklen_t addr_of(const char *addr, const char *port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	uint16_t p = htons(atoi(port));

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = p;
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = p;
		return sizeof(*a6);
	}
	return 0;
}

/* A socket of type on ss's family, bound to ss when bind_to. */
static int sock_for(int type, int proto, const struct sockaddr_storage *ss, socklen_t len,
		    int bind_to)
{
	int one = 1, fd = socket(ss->ss_family, type | SOCK_CLOEXEC, proto);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd >= 0 && bind_to && bind(fd, (const struct sockaddr *)ss, len)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

static int serve(int tcp, const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = sock_for(tcp ? SOCK_STREAM : SOCK_DGRAM, 0, ss, len, 1), c = -1;
	struct linger linger = { .l_onoff = 1, .l_linger = 10 };
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	char buf[64];
	ssize_t n;

	if (fd < 0 || (tcp && listen(fd, 1)))
		return die("bind");
	printf("ready\n");
	fflush(stdout);
	if (!readable(fd, 10000))
		return die("nothing came");
	if (tcp) {
		c = accept(fd, NULL, NULL);
		n = c >= 0 && readable(c, 10000) ? read(c, buf, sizeof(buf)) : -1;
		n = n > 0 ? write(c, buf, n) : -1;
		/* the client closes first, so that this side's FIN answers its */
		if (n > 0 && readable(c, 10000))
			n = read(c, buf, sizeof(buf)) == 0 ? 1 : -1;
		/* lingering, the close waits for the ACK of this side's FIN */
		if (n > 0 && (setsockopt(c, SOL_SOCKET, SO_LINGER, &linger, sizeof(linger)) ||
			      close(c)))
			n = -1;
	} else {
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		n = n > 0 ? sendto(fd, buf, n, 0, (struct sockaddr *)&from, flen) : -1;
	}
	return n > 0 ? 0 : die("exchange");
}

/* 0 when fd connects to ss within ms; 1, having said how many SYNs went
 * out (read before the close, which stops their retransmission), when not. */
static int connect_within(int fd, const struct sockaddr_storage *ss, socklen_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	struct tcp_info ti = {};
	socklen_t tlen = sizeof(ti), elen = sizeof(int);
	int err = 0;

	if (fcntl(fd, F_SETFL, O_NONBLOCK) ||
	    (connect(fd, (const struct sockaddr *)ss, len) && errno != EINPROGRESS))
		return die("connect");
	if (poll(&p, 1, ms) == 1) {
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) || err)
			return errno = err, die("connect");
		return fcntl(fd, F_SETFL, 0) ? die("connect") : 0;
	}
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tlen))
		return die("tcp_info");
	/* the first SYN and the kernel's retransmissions of it */
	printf("no connection, SYNs sent: %u\n", 1 + ti.tcpi_total_retrans);
	close(fd);
	return 1;
}

static int ask(int tcp, const struct sockaddr_storage *ss, socklen_t len, int ms)
{
	int fd = sock_for(tcp ? SOCK_STREAM : SOCK_DGRAM, 0, ss, len, 0), got = 0, err;
	char buf[64];

	if (fd < 0)
		return die("socket");
	err = tcp && ms ? connect_within(fd, ss, len, ms)
			: connect(fd, (const struct sockaddr *)ss, len) ? die("connect") : 0;
	if (err)
		return err;
	if (write(fd, MSG, strlen(MSG)) == (ssize_t)strlen(MSG) && readable(fd, 1000))
		got = read(fd, buf, sizeof(buf)) == (ssize_t)strlen(MSG);
	/* TCP: closed from this side, the answer's FIN then comes back */
	if (got && tcp && !shutdown(fd, SHUT_WR) && readable(fd, 1000))
		got = read(fd, buf, sizeof(buf)) == 0;
	printf("%s\n", got ? "answered" : "no answer");
	close(fd);
	return !got;
}

static uint32_t sum16(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += b[i] << 8 | b[i + 1];
	return sum;
}

/* A 20-byte TCP header with ACK alone and its checksum over the family's
 * pseudo-header. */
static void ack_segment(const struct sockaddr_storage *src, const struct sockaddr_storage *dst,
			uint8_t seg[20])
{
	const struct sockaddr_in *s4 = (const void *)src, *d4 = (const void *)dst;
	const struct sockaddr_in6 *s6 = (const void *)src, *d6 = (const void *)dst;
	uint32_t sum = IPPROTO_TCP + 20;

	memset(seg, 0, 20);
	memcpy(seg, &s4->sin_port, 2); /* sin_port and sin6_port lie alike */
	memcpy(seg + 2, &d4->sin_port, 2);
	seg[4] = 0x5e; /* sequence and acknowledgement numbers of no connection */
	seg[8] = 0xa1;
	seg[12] = 5 << 4;
	seg[13] = 0x10; /* ACK */
	seg[14] = 0xff; /* window */
	if (src->ss_family == AF_INET)
		sum = sum16(sum16(sum, &s4->sin_addr, 4), &d4->sin_addr, 4);
	else
		sum = sum16(sum16(sum, &s6->sin6_addr, 16), &d6->sin6_addr, 16);
	sum = sum16(sum, seg, 20);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	seg[16] = ~sum >> 8;
	seg[17] = ~sum;
}

/* count datagrams from fd, one to each port from dst's on. */
static int send_udp(int fd, struct sockaddr_storage *dst, socklen_t dlen, int count)
{
	uint16_t *port = dst->ss_family == AF_INET ? &((struct sockaddr_in *)dst)->sin_port
						   : &((struct sockaddr_in6 *)dst)->sin6_port;
	int i;

	if (fd < 0)
		return die("socket");
	for (i = 0; i < count; i++, *port = htons(ntohs(*port) + 1))
		if (sendto(fd, MSG, strlen(MSG), 0, (struct sockaddr *)dst, dlen) <= 0)
			return die("send");
	return 0;
}

static int send_one(int tcp_ack, char **argv, int count)
{
	struct sockaddr_storage src, dst;
	socklen_t slen = addr_of(argv[0], argv[1], &src), dlen = addr_of(argv[2], argv[3], &dst);
	uint8_t seg[20];
	int fd;

	if (!slen || !dlen || src.ss_family != dst.ss_family)
		return die("addresses");
	if (!tcp_ack)
		return send_udp(sock_for(SOCK_DGRAM, 0, &src, slen, 1), &dst, dlen, count);
	ack_segment(&src, &dst, seg);
	/* a raw socket takes no port: the bind gives the source address */
	((struct sockaddr_in *)&src)->sin_port = 0;
	if (src.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&src)->sin6_port = 0;
	((struct sockaddr_in *)&dst)->sin_port = 0;
	if (dst.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&dst)->sin6_port = 0;
	fd = sock_for(SOCK_RAW, IPPROTO_TCP, &src, slen, 1);
	return fd >= 0 && sendto(fd, seg, sizeof(seg), 0, (struct sockaddr *)&dst, dlen) > 0
		       ? 0 : die("send");
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int tcp;

	if ((argc == 7 || (argc == 8 && atoi(argv[7]) > 0)) && !strcmp(argv[1], "send") &&
	    !strcmp(argv[2], "udp"))
		return send_one(0, argv + 3, argc == 8 ? atoi(argv[7]) : 1);
	if (argc == 6 && !strcmp(argv[1], "ack"))
		return send_one(1, argv + 2, 1);
	tcp = argc >= 5 && !strcmp(argv[2], "tcp");
	len = argc >= 5 ? addr_of(argv[3], argv[4], &ss) : 0;
	if (len && (tcp || !strcmp(argv[2], "udp"))) {
		if (argc == 5 && !strcmp(argv[1], "serve"))
			return serve(tcp, &ss, len);
		if (argc <= 6 && !strcmp(argv[1], "ask"))
			return ask(tcp, &ss, len, argc == 6 ? atoi(argv[5]) : 0);
	}
	fprintf(stderr, "usage: flowprobe serve tcp|udp ADDR PORT\n"
			"       flowprobe ask tcp|udp ADDR PORT [MS]\n"
			"       flowprobe send udp SOURCE SPORT ADDR PORT [COUNT]\n"
			"       flowprobe ack SOURCE SPORT ADDR PORT\n");
	return 2;
}
