// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
int main(void) { puts("wgsf " WGSF_VERSION); return 0; }
