// SPDX-License-Identifier: GPL-2.0-only
/*
 * `wgsf metrics --listen`: /metrics over HTTP with libmicrohttpd, driven
 * from this one thread, so that a scrape and the deadlines below never race.
 * A hostile client holds at most one of CONN_LIMIT connections, for at most
 * REQUEST_S seconds (libmicrohttpd's own timeout counts only silence, which
 * a client sending a byte a second never leaves), with at most HEADER_LIMIT
 * bytes of request; a scrape is read fresh from the pins each time.
 */
#define _GNU_SOURCE /* fopencookie */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#include "metrics.h"
#include "mhd.h"
#include "ui_error.h"
#include "vec.h"

#define CONN_LIMIT 512
#define REQUEST_S 5
#define HEADER_LIMIT (16 * 1024)

/* A connection's deadline: REQUEST_S after it opened or its last response. */
struct conn {
	struct conn *prev, *next;
	int fd;
	time_t since;
};

static struct conn conns = { &conns, &conns, -1, 0 };
static volatile sig_atomic_t stopping;

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	const union MHD_ConnectionInfo *fd = mhd.get_connection_info(c,
					MHD_CONNECTION_INFO_CONNECTION_FD);
	struct conn *k = *ctx;

	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED && k) {
		k->prev->next = k->next;
		k->next->prev = k->prev;
		free(k);
		*ctx = NULL;
		return;
	}
	if (code != MHD_CONNECTION_NOTIFY_STARTED || !fd || !(k = calloc(1, sizeof(*k))))
		return; /* untracked: libmicrohttpd's own timeout still ends it */
	k->fd = fd->connect_fd;
	k->since = now_s();
	k->next = conns.next;
	k->prev = &conns;
	conns.next->prev = k;
	conns.next = k;
	*ctx = k;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req,
			 enum MHD_RequestTerminationCode toe)
{
	const union MHD_ConnectionInfo *i = mhd.get_connection_info(c,
					MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	(void)cls;
	(void)req;
	(void)toe;
	if (i && i->socket_context)
		((struct conn *)i->socket_context)->since = now_s();
}

/* Past its deadline: shut down, and libmicrohttpd closes it at its next
 * read, with the notifications that keep the list right. */
static void reap(void)
{
	time_t now = now_s();
	struct conn *k;

	for (k = conns.next; k != &conns; k = k->next)
		if (now - k->since >= REQUEST_S)
			shutdown(k->fd, SHUT_RDWR);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type,
			     const char *body)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(strlen(body), (void *)body,
								  MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		mhd.add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = mhd.queue_response(c, status, r);
	mhd.destroy_response(r);
	return ret;
}

/*
 * A scrape's text, in a buffer of its own until it is sent (freed then:
 * the server holds no scrape's worth of memory between scrapes). It
 * starts at the last scrape's size and doubles, without the zeroing and
 * the copies of open_memstream()'s growth (realloc remaps a large block's
 * pages), in pages of 2 MiB where the kernel lends them: at 100,000 peers
 * (180 MiB of text) a scrape took 2.9 s, most of it those copies and the
 * page faults of 4 KiB pages, and 0.5 s without.
 */
struct text {
	char *buf;
	size_t len, cap;
};

static size_t last_len;

#define TEXT_MIN 4096u
#define HUGE_PAGE (2u << 20)

/* Asks for huge pages over the whole pages of [b, b + len): a hint, whose
 * failure costs only speed. */
static void text_huge(char *b, size_t len)
{
	uintptr_t start = ((uintptr_t)b + 4095) & ~(uintptr_t)4095;
	uintptr_t end = ((uintptr_t)b + len) & ~(uintptr_t)4095;

	if (len >= HUGE_PAGE && end > start)
		madvise((void *)start, end - start, MADV_HUGEPAGE);
}

static int text_room(struct text *t, size_t n)
{
	size_t was = t->cap, first = last_len + last_len / 8;

	if (!t->buf) {
		first = first < TEXT_MIN ? TEXT_MIN : first;
		t->buf = malloc(first);
		if (!t->buf)
			return -ENOMEM;
		t->cap = first;
	}
	while (t->cap - t->len < n)
		if (vec_room(&t->buf, t->cap, &t->cap, 1))
			return -ENOMEM;
	if (t->cap != was)
		text_huge(t->buf, t->cap);
	return 0;
}

static ssize_t text_write(void *cookie, const char *data, size_t n)
{
	struct text *t = cookie;
	int err = text_room(t, n);

	if (err) {
		errno = -err;
		return 0; /* fopencookie's error */
	}
	memcpy(t->buf + t->len, data, n);
	t->len += n;
	return (ssize_t)n;
}

static void text_free(void *cls)
{
	struct text *t = cls;

	free(t->buf);
	free(t);
}

static enum MHD_Result scrape(struct MHD_Connection *c)
{
	static const cookie_io_functions_t io = { .write = text_write };
	char failed[IFNAMSIZ] = "", msg[512];
	struct text *t = calloc(1, sizeof(*t));
	FILE *f = t ? fopencookie(t, "w", io) : NULL;
	int err = f ? metrics_print(f, failed) : -errno;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (f && fclose(f) && !err)
		err = -errno;
	if (err) {
		if (t)
			text_free(t);
		snprintf(msg, sizeof(msg), "Unable to read %s: %s\n",
			 failed[0] ? failed : "the attached interfaces", ui_reason(err));
		fputs(msg, stderr);
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", msg);
	}
	last_len = t->len;
	r = mhd.create_response_from_buffer_with_free_callback_cls(t->len, t->buf, text_free, t);
	if (!r) {
		text_free(t);
		return MHD_NO;
	}
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, METRICS_CONTENT_TYPE);
	ret = mhd.queue_response(c, MHD_HTTP_OK, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **req)
{
	static const char index_html[] =
		"<html><head><title>wgsf</title></head><body><h1>wgsf</h1>"
		"<p><a href=\"/metrics\">Metrics</a></p></body></html>\n";

	(void)cls;
	(void)version;
	(void)upload;
	(void)upload_size;
	(void)req;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
			     "Only GET and HEAD\n");
	if (!strcmp(url, "/metrics"))
		return scrape(c);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", index_html);
	return reply(c, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
		     "Not found: the metrics are at /metrics\n");
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void run(struct MHD_Daemon *d)
{
	struct pollfd p = {
		.fd = mhd.get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd,
		.events = POLLIN,
	};
	MHD_UNSIGNED_LONG_LONG ms;

	while (!stopping) {
		/* at least once a second, for the deadlines */
		if (mhd.get_timeout(d, &ms) != MHD_YES || ms > 1000)
			ms = 1000;
		poll(&p, 1, (int)ms);
		mhd.run(d);
		reap();
	}
}

int metrics_serve(const struct sockaddr *addr, const char *listen)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct MHD_Daemon *d;
	int err = mhd_open();

	if (err)
		return err;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	errno = 0; /* not one that opening libmicrohttpd left behind */
	d = mhd.start_daemon(MHD_USE_EPOLL | (addr->sa_family == AF_INET6 ? MHD_USE_IPv6 : 0), 0,
			     NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR, addr,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONN_LIMIT,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)REQUEST_S,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADER_LIMIT,
			     MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (!d)
		return ui_error("Unable to listen on %s: %s", listen, strerror(errno ?: EADDRINUSE));
	fprintf(stderr, "wgsf metrics: serving http://%s/metrics\n", listen);
	run(d);
	mhd.stop_daemon(d);
	return 0;
}
