/* SPDX-License-Identifier: MIT */
/* "Did you mean": the closest of a list of words to one that was mistyped. */
#pragma once

#include <stddef.h>

/* The closest of names (Levenshtein distance, case-insensitive on word; a
 * prefix of at least 3 characters also counts), or NULL when nothing is
 * close enough to suggest. */
const char *string_suggest(const char *word, const char *const *names, size_t n);
