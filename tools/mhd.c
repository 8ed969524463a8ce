// SPDX-License-Identifier: GPL-2.0-only
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

#include "mhd.h"
#include "ui_error.h"

#ifndef WGSF_MHD_SONAME
#error "libmicrohttpd's soname: the Makefile reads it from libmicrohttpd-dev's libmicrohttpd.so"
#endif

struct mhd mhd;

int mhd_open(void)
{
	static const struct {
		const char *name;
		size_t at;
	} syms[] = {
#define MHD_SYM(name) { "MHD_" #name, offsetof(struct mhd, name) },
		MHD_FUNCS(MHD_SYM)
#undef MHD_SYM
	};
	void *lib = dlopen(WGSF_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!lib)
		return ui_error("Unable to serve HTTP: %s", dlerror());
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(lib, syms[i].name);

		if (!f)
			return ui_error("Unable to serve HTTP: %s", dlerror());
		memcpy((char *)&mhd + syms[i].at, &f, sizeof(f));
	}
	return 0;
}
