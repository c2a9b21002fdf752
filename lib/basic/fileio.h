/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

/* Read a whole file (at most max bytes) into a NUL-terminated buffer. */
int read_full_file(const char *path, size_t max, char **ret, size_t *ret_len);
