/* SPDX-License-Identifier: MIT */
#include "basic/suggest.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

static size_t min3(size_t a, size_t b, size_t c) {
        size_t m = a < b ? a : b;
        return m < c ? m : c;
}

/* Edit distance with swaps of two neighbours counting as one edit (optimal
 * string alignment), for "did you mean" hints: "lsit" is one from "list". */
static size_t edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        if (la > 64 || lb > 64)
                return SIZE_MAX;
        size_t d[65][65];
        for (size_t i = 0; i <= la; i++)
                d[i][0] = i;
        for (size_t j = 0; j <= lb; j++)
                d[0][j] = j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        char ca = (char) tolower((unsigned char) a[i - 1]);
                        d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (ca != b[j - 1]));
                        if (i > 1 && j > 1 && ca == b[j - 2] && tolower((unsigned char) a[i - 2]) == b[j - 1] &&
                            d[i - 2][j - 2] + 1 < d[i][j])
                                d[i][j] = d[i - 2][j - 2] + 1;
                }
        return d[la][lb];
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
