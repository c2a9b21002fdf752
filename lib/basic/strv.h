/* SPDX-License-Identifier: MIT */
/* NULL-terminated string vectors. */
#pragma once

#include <stddef.h>

void strv_free(char **v);
static inline void strv_freep(char ***v) {
        strv_free(*v);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
size_t strv_length(char *const *v);
int strv_push(char ***v, const char *s); /* appends a copy */
int strv_contains(char *const *v, const char *s);
