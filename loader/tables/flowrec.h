/* SPDX-License-Identifier: GPL-2.0-only */
/* The flow records' table (see wgsf.h), as syncs keep it. */
#ifndef WGSF_TABLES_FLOWREC_H
#define WGSF_TABLES_FLOWREC_H

#include <stddef.h>
#include <stdint.h>

#include "tables/maps.h"

/* The flow records' table size in force in m (flowrec_order's places),
 * or 0 where flows are off (a table of one place). */
uint32_t flowrec_table_size(const struct maps *m);
/* Removes the flow records of the n slots gone, before the slots go to
 * other peers, which must not inherit them; 0 or -errno. Nothing where
 * flow records are off. */
int flowrec_forget(const struct maps *m, const uint32_t *gone, size_t n);

#endif
