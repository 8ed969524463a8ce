/* SPDX-License-Identifier: GPL-2.0-only */
/* Whether this process may do what a subcommand asks of the kernel. */
#ifndef WGSF_UI_PRIVILEGE_H
#define WGSF_UI_PRIVILEGE_H

/* 0 when running with the privileges BPF needs, else the error exit. */
int ui_need_root(void);

#endif
