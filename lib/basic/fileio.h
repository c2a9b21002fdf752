/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Read a whole file (at most max bytes) into a NUL-terminated buffer. */
int read_full_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* Do two paths name the same file: the same string, or the same inode
 * (a symlink, a bind mount)?  A path that does not exist matches only
 * itself. */
bool file_same(const char *a, const char *b);
