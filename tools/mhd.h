/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libmicrohttpd, opened when `wgsf metrics --listen` needs it rather than
 * linked: loading it and the GnuTLS it links was more than half of the
 * start of every other command (`wgsf --version` 9.3 ms, 4.2 without, on
 * the development machine; 70-95 ms, 44-59 without, under the kernel
 * lane's TCG), and only this one serves HTTP.
 */
#ifndef WGSF_TOOLS_MHD_H
#define WGSF_TOOLS_MHD_H

#include <microhttpd.h>

/* The functions used, by their names less the MHD_ prefix. */
#define MHD_FUNCS(X) \
	X(start_daemon) X(stop_daemon) X(run) X(get_timeout) X(get_daemon_info) \
	X(get_connection_info) X(create_response_from_buffer) \
	X(create_response_from_buffer_with_free_callback_cls) X(add_response_header) \
	X(queue_response) X(destroy_response)

struct mhd {
#define MHD_SLOT(name) __typeof__(MHD_##name) *name;
	MHD_FUNCS(MHD_SLOT)
#undef MHD_SLOT
};

extern struct mhd mhd;

/* 0 once every function is found; else ui_error()'s 1, with the reason. */
int mhd_open(void);

#endif
