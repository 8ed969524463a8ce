// SPDX-License-Identifier: GPL-2.0-only
/* wgsf metrics: the counters for Prometheus, printed, written for
 * node_exporter's textfile collector, or served over HTTP. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "textfile.h"
#include "metrics.h"
#include "subcommands.h"
#include "ui_error.h"
#include "ui_opts.h"
#include "ui_privilege.h"

/* Beside the WireGuard exporters' 9586, so that both run on one gateway. */
#define DEFAULT_PORT 9587

const char metrics_usage[] = "[--output FILE | --listen ADDR[:PORT]] [--json]";

static int print_stdout(void)
{
	char failed[IFNAMSIZ];
	int err = metrics_print(stdout, failed);

	if (err && !failed[0])
		return ui_error("Unable to list attached interfaces: %s", ui_reason(err));
	if (err)
		return ui_error("Unable to read %s: %s", failed, ui_reason(err));
	return 0;
}

#define WRITE_BUF (1u << 20)

/* The whole text to a temporary file beside path, then renamed over it, so
 * that a collector reads the old file or the new one, never a part. */
static int write_file(const char *path, char failed[IFNAMSIZ])
{
	char tmp[PATH_MAX], *buf;
	int fd, err;
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	/* a write a MiB, not a 4 KiB: a big gateway's text is 100s of MiB
	 * (glibc sizes a buffer that it allocates itself by the file's block) */
	buf = malloc(WRITE_BUF);
	if (buf)
		setvbuf(f, buf, _IOFBF, WRITE_BUF);
	err = metrics_print(f, failed);
	if (!err)
		err = fflush(f) || fchmod(fd, 0644) || fsync(fd) ? -errno : 0;
	if (fclose(f) && !err)
		err = -errno;
	free(buf);
	if (!err) {
		fault_point("metrics file written, not yet renamed");
		err = rename(tmp, path) ? -errno : 0;
	}
	if (err)
		unlink(tmp);
	return err;
}

/* The file that --output replaces: path, or the regular file that a
 * symbolic link path names; into target. Anything else is refused with
 * why, for the rename would put a regular file in place of a device, a
 * FIFO, a socket or a directory. */
static int output_target(const char *path, char target[PATH_MAX], char *why, size_t len)
{
	struct stat st, link;
	bool linked = !lstat(path, &link) && S_ISLNK(link.st_mode);

	if (stat(path, &st)) {
		if (errno != ENOENT)
			return -errno;
		if (linked) {
			snprintf(why, len, "a symbolic link to a file that does not exist");
			return -EINVAL;
		}
		snprintf(target, PATH_MAX, "%s", path);
		return strlen(path) < PATH_MAX ? 0 : -ENAMETOOLONG;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "%s%s, not a regular file", linked ? "a symbolic link to " : "",
			 textfile_kind(st.st_mode));
		return -EINVAL;
	}
	return realpath(path, target) ? 0 : -errno;
}

static int output(const char *path)
{
	char failed[IFNAMSIZ] = "", target[PATH_MAX], why[128] = "";
	int err = output_target(path, target, why, sizeof(why));

	if (why[0])
		return ui_error("Unable to write '%s': %s", path, why);
	err = err ?: write_file(target, failed);
	if (err && failed[0])
		return ui_error("Unable to read %s: %s", failed, ui_reason(err));
	/* not ui_reason(): what reading the pins noted is no reason here */
	if (err)
		return ui_error("Unable to write '%s': %s", path, strerror(-err));
	return 0;
}

static int parse_port(const char *s, in_port_t *port)
{
	long v;

	if (!ui_whole_number(s, 1, 65535, &v))
		return -1;
	*port = htons(v);
	return 0;
}

/* ADDR[:PORT], [ADDR6][:PORT] or a bare ADDR6; numeric addresses only. */
static int parse_listen(const char *arg, struct sockaddr_in6 *s6, struct sockaddr_in *s4)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(arg, ':'), *port = NULL;
	in_port_t p = htons(DEFAULT_PORT);
	size_t len = strlen(arg);

	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');

		if (!close || (close[1] && close[1] != ':'))
			return -1;
		len = close - arg - 1;
		arg++;
		port = close[1] ? close + 2 : NULL;
	} else if (colon && colon == strchr(arg, ':')) {
		len = colon - arg;
		port = colon + 1;
	}
	if (len >= sizeof(host) || (port && parse_port(port, &p)))
		return -1;
	memcpy(host, arg, len);
	host[len] = '\0';
	s4->sin_family = AF_INET;
	s4->sin_port = p;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = p;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1)
		return AF_INET;
	return inet_pton(AF_INET6, host, &s6->sin6_addr) == 1 ? AF_INET6 : -1;
}

/* Where --listen asks to serve: an address of either family, and as shown. */
struct endpoint {
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;
	int family;
	char shown[INET6_ADDRSTRLEN + 8];
};

static int endpoint_of(const char *listen, struct endpoint *e)
{
	char host[INET6_ADDRSTRLEN];

	e->family = parse_listen(listen, &e->s6, &e->s4);
	if (e->family < 0)
		return ui_usage_error("Invalid listen address: '%s' (ADDR[:PORT], e.g. "
				      "127.0.0.1:%d or [::1]:%d)", listen, DEFAULT_PORT, DEFAULT_PORT);
	if (e->family == AF_INET)
		snprintf(e->shown, sizeof(e->shown), "%s:%u",
			 inet_ntop(AF_INET, &e->s4.sin_addr, host, sizeof(host)),
			 ntohs(e->s4.sin_port));
	else
		snprintf(e->shown, sizeof(e->shown), "[%s]:%u",
			 inet_ntop(AF_INET6, &e->s6.sin6_addr, host, sizeof(host)),
			 ntohs(e->s6.sin6_port));
	return 0;
}

static int serve(const struct endpoint *e)
{
	return metrics_serve(e->family == AF_INET ? (const struct sockaddr *)&e->s4 :
						    (const struct sockaddr *)&e->s6, e->shown);
}

int metrics_main(int argc, const char *argv[])
{
	const char *path = NULL, *listen = NULL;
	const struct ui_opt opts[] = { { "--output", UI_VALUE, &path },
				       { "--listen", UI_VALUE, &listen } };
	const struct ui_command c = { "metrics", metrics_usage, opts, 2, 0, 0, UI_NEEDS_BPF };
	struct endpoint at = {};
	int err = ui_parse(&c, argc, argv, NULL);

	if (err)
		return err;
	if (path && listen)
		return ui_usage_error("--output and --listen exclude each other (usage: %s metrics "
				      "%s)", PROG_NAME, metrics_usage);
	if ((path && !path[0]) || (listen && !listen[0]))
		return ui_usage_error("Option %s needs a value", path ? "--output" : "--listen");
	err = (listen ? endpoint_of(listen, &at) : 0) ?: ui_need_privileges(c.name, c.needs);
	if (err)
		return err;
	if (listen)
		return serve(&at);
	return path ? output(path) : print_stdout();
}
