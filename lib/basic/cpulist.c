/* SPDX-License-Identifier: MIT */
#include "basic/cpulist.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macro.h"

static bool loose_separator(char c) {
        return c == ',' || c == ' ' || c == '\t' || c == '\n';
}

/* One CPU number.  Canonical: decimal without sign or leading zero, at most
 * CPULIST_MAX_CPU (-EINVAL beyond).  Loose: any decimal, below
 * CPULIST_LOOSE_LIMIT (-ERANGE beyond). */
static int parse_cpu(const char **p, bool loose, unsigned *ret) {
        const char *s = *p;
        unsigned long v = 0;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        if (!loose && *s == '0' && s[1] >= '0' && s[1] <= '9')
                return -EINVAL;
        for (; *s >= '0' && *s <= '9'; s++) {
                v = v * 10 + (unsigned long) (*s - '0');
                if (v > (loose ? 0xffffffUL : CPULIST_MAX_CPU)) {
                        if (!loose)
                                return -EINVAL;
                        while (*s >= '0' && *s <= '9')
                                s++;
                        *p = s;
                        *ret = CPULIST_LOOSE_LIMIT;
                        return 0;
                }
        }
        *p = s;
        *ret = (unsigned) v;
        return 0;
}

static int mask_set(uint8_t **mask, size_t *size, unsigned first, unsigned end) {
        if (end / 8 + 1 > *size) {
                size_t n = end / 8 + 1;
                uint8_t *m = realloc(*mask, n);
                if (!m)
                        return -ENOMEM;
                memset(m + *size, 0, n - *size);
                *mask = m;
                *size = n;
        }
        for (unsigned i = first; i <= end; i++)
                (*mask)[i / 8] |= (uint8_t) (1u << (i % 8));
        return 0;
}

int cpulist_parse(const char *list, unsigned flags, uint8_t **ret_mask, size_t *ret_size, int *ret_count) {
        bool loose = flags & CPULIST_LOOSE;
        _cleanup_free_ uint8_t *mask = NULL;
        size_t size = 0;
        const char *p = list;
        long last = -1;
        int count = 0, r;

        if (!list)
                return -EINVAL;
        for (bool first_item = true;; first_item = false) {
                unsigned first, end;

                if (loose) {
                        while (loose_separator(*p))
                                p++;
                        if (!*p)
                                break;
                } else if (!*p) {
                        if (!first_item)
                                return -EINVAL; /* "0," */
                        break;
                }
                if (parse_cpu(&p, loose, &first) < 0)
                        return -EINVAL;
                end = first;
                if (*p == '-') {
                        p++;
                        if (parse_cpu(&p, loose, &end) < 0)
                                return -EINVAL;
                        if (loose ? end < first : end <= first)
                                return -EINVAL;
                }
                if (loose) {
                        if (*p && !loose_separator(*p))
                                return -EINVAL;
                        if (end >= CPULIST_LOOSE_LIMIT)
                                return -ERANGE;
                } else {
                        if ((long) first <= last)
                                return -EINVAL; /* out of order, or overlapping */
                        last = end;
                }
                count += (int) (end - first + 1);
                if (ret_mask && (r = mask_set(&mask, &size, first, end)) < 0)
                        return r;
                if (!loose) {
                        if (!*p)
                                break;
                        if (*p++ != ',')
                                return -EINVAL;
                }
        }
        if (ret_mask) {
                *ret_mask = TAKE_PTR(mask);
                *ret_size = size;
        }
        if (ret_count)
                *ret_count = count;
        return 0;
}

int cpulist_count(const char *cpulist) {
        int count = 0;
        int r = cpulist_parse(cpulist, CPULIST_CANONICAL, NULL, NULL, &count);
        return r < 0 ? r : count;
}
