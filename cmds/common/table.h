/* SPDX-License-Identifier: MIT */
/* A table for people, on libsmartcols: columns as wide as their widest
 * cell, a header line, one row per line. */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "basic/macro.h"

struct cmd_table;
/* A table of n_cols columns; the n_cols headers follow.  NULL when out of memory. */
struct cmd_table *cmd_table_new(size_t n_cols, ...);
void cmd_table_free(struct cmd_table *t);
static inline void cmd_table_freep(struct cmd_table **t) {
        cmd_table_free(*t);
}
#define _cleanup_table_ _cleanup_(cmd_table_freep)
/* One row: n_cols strings; NULL prints as "-", newlines and tabs as spaces. */
int cmd_table_add(struct cmd_table *t, ...);
size_t cmd_table_rows(const struct cmd_table *t);
int cmd_table_print(const struct cmd_table *t, FILE *f);
