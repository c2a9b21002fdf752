/* SPDX-License-Identifier: MIT */
/* cpulist_count() on arbitrary bytes against a second, independent reading
 * of the grammar (tokenise, then mark CPUs in a bitmap): both must agree on
 * validity and count, and the canonical form of every valid list (ranges
 * merged) must count the same. */
#include <stdbool.h>
#include <stdint.h>

#include "basic/cpulist.h"
#include "basic/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(x)                          \
        do {                              \
                if (!(x))                 \
                        __builtin_trap(); \
        } while (0)

#define NBITS (CPULIST_MAX_CPU + 1)
static uint8_t cpus[NBITS / 8];

static bool number(const char *s, size_t n, unsigned *ret) {
        unsigned long v = 0;
        if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (unsigned long) (s[i] - '0');
        }
        if (v > CPULIST_MAX_CPU)
                return false;
        *ret = (unsigned) v;
        return true;
}

/* -1 when invalid, else the number of CPUs; fills cpus[]. */
static long reference(const char *s) {
        long count = 0, last = -1;

        memset(cpus, 0, sizeof(cpus));
        if (!*s)
                return 0;
        for (const char *tok = s;;) {
                const char *comma = strchr(tok, ',');
                size_t len = comma ? (size_t) (comma - tok) : strlen(tok);
                const char *dash = memchr(tok, '-', len);
                unsigned a, b;

                if (dash) {
                        if (!number(tok, (size_t) (dash - tok), &a) ||
                            !number(dash + 1, len - (size_t) (dash - tok) - 1, &b) || b <= a)
                                return -1;
                } else {
                        if (!number(tok, len, &a))
                                return -1;
                        b = a;
                }
                if ((long) a <= last)
                        return -1;
                for (unsigned c = a; c <= b; c++) {
                        check(!(cpus[c / 8] & (1u << (c % 8))));
                        cpus[c / 8] |= (uint8_t) (1u << (c % 8));
                        count++;
                }
                last = b;
                if (!comma)
                        return count;
                tok = comma + 1;
        }
}

static char *canonical(void) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        bool first = true;

        check(f);
        for (unsigned i = 0; i < NBITS; i++) {
                unsigned j = i;
                if (!(cpus[i / 8] & (1u << (i % 8))))
                        continue;
                while (j + 1 < NBITS && (cpus[(j + 1) / 8] & (1u << ((j + 1) % 8))))
                        j++;
                if (j > i)
                        fprintf(f, "%s%u-%u", first ? "" : ",", i, j);
                else
                        fprintf(f, "%s%u", first ? "" : ",", i);
                first = false;
                i = j;
        }
        check(fclose(f) == 0 && buf);
        return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *s = NULL, *c = NULL;
        long want;
        int got;

        if (size > 4096)
                return 0;
        s = strndup((const char *) data, size);
        check(s);

        got = cpulist_count(s);
        want = reference(s);
        check(got == -EINVAL || got >= 0);
        check(want < 0 ? got == -EINVAL : got == want);
        if (got < 0)
                return 0;

        c = canonical();
        check(cpulist_count(c) == got);
        if (got > 0) {
                /* One more CPU past the end is one more; a trailing newline, as sysfs writes it, is not a list. */
                _cleanup_free_ char *more = NULL, *nl = NULL;
                check(asprintf(&nl, "%s\n", s) >= 0);
                check(cpulist_count(nl) == -EINVAL);
                if (!strstr(c, "65535")) {
                        check(asprintf(&more, "%s,65535", c) >= 0);
                        check(cpulist_count(more) == got + 1);
                }
        }
        return 0;
}
