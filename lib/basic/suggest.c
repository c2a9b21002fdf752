/* SPDX-License-Identifier: MIT */
#include "basic/suggest.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

/* Levenshtein distance, for "did you mean" hints. */
static size_t edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        if (la > 64 || lb > 64)
                return SIZE_MAX;
        size_t prev[65], cur[65];
        for (size_t j = 0; j <= lb; j++)
                prev[j] = j;
        for (size_t i = 1; i <= la; i++) {
                cur[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t sub = prev[j - 1] + (tolower((unsigned char) a[i - 1]) != b[j - 1]);
                        size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
                        cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
                }
                memcpy(prev, cur, sizeof(size_t) * (lb + 1));
        }
        return prev[lb];
}

/* The closest of names, or NULL when nothing is close enough to suggest. */
const char *string_suggest(const char *word, const char *const *names, size_t n) {
        const char *best = NULL;
        size_t best_d = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
                size_t d = edit_distance(word, names[i]);
                if (d < best_d) {
                        best_d = d;
                        best = names[i];
                }
        }
        size_t limit = strlen(word) <= 4 ? 1 : 2;
        if (best && strncmp(word, best, strlen(word)) == 0 && strlen(word) >= 3)
                return best; /* a prefix: "mem" → "memory" */
        return best_d <= limit ? best : NULL;
}
