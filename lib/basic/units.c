/* SPDX-License-Identifier: MIT */
/* Values admins write: sizes, durations, CPUs, GPUs, booleans, dates. */
#include "basic/units.h"
#include "basic/macro.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>

#define USEC_PER_SEC 1000000ULL

static int is_infinity(const char *s) {
        return streq(s, "infinity") || streq(s, "Infinity") || streq(s, "INFINITY");
}

/* A non-negative decimal "12", "1.5", ".5" with at most max_frac digits
 * after the point; *ret_end points past it. */
static int parse_decimal(const char *s, unsigned max_frac, double *ret, const char **ret_end) {
        const char *p = s;
        double v = 0;
        unsigned n_int = 0, n_frac = 0;

        while (isdigit((unsigned char) *p)) {
                if (++n_int > 15)
                        return -ERANGE;
                v = v * 10 + (*p++ - '0');
        }
        if (*p == '.') {
                double scale = 0.1;
                p++;
                while (isdigit((unsigned char) *p)) {
                        if (++n_frac > max_frac)
                                return -EINVAL;
                        v += (*p++ - '0') * scale;
                        scale /= 10;
                }
                if (n_frac == 0)
                        return -EINVAL;
        }
        if (n_int + n_frac == 0)
                return -EINVAL;
        *ret = v;
        *ret_end = p;
        return 0;
}

int parse_size(const char *s, uint64_t *ret) {
        static const struct {
                char c;
                uint64_t factor;
        } units[] = {
                { 'K', 1ULL << 10 }, { 'M', 1ULL << 20 }, { 'G', 1ULL << 30 }, { 'T', 1ULL << 40 },
        };
        const char *end;
        double v;
        uint64_t factor = 1;

        if (!s)
                return -EINVAL;
        if (is_infinity(s)) {
                *ret = LIMIT_INFINITY;
                return 0;
        }
        if (parse_decimal(s, 6, &v, &end) < 0)
                return -EINVAL;
        if (*end) {
                size_t i;
                for (i = 0; i < ELEMENTSOF(units); i++)
                        if (toupper((unsigned char) *end) == units[i].c)
                                break;
                if (i == ELEMENTSOF(units))
                        return -EINVAL;
                factor = units[i].factor;
                end++;
                if (streq(end, "iB") || streq(end, "B"))
                        end += strlen(end);
                if (*end)
                        return -EINVAL;
        } else if (v != floor(v))
                return -EINVAL; /* fractions of a byte */
        v *= (double) factor;
        if (v >= 18446744073709549568.0) /* largest double below 2^64 */
                return -ERANGE;
        *ret = (uint64_t) llround(v);
        return 0;
}

int parse_duration(const char *s, uint64_t *ret_usec) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                /* longest first, so "min" wins over "m" */
                { "min", 60 * USEC_PER_SEC }, { "sec", USEC_PER_SEC }, { "ms", 1000 },
                { "s", USEC_PER_SEC },        { "m", 60 * USEC_PER_SEC }, { "h", 3600 * USEC_PER_SEC },
                { "d", 86400 * USEC_PER_SEC }, { "w", 7 * 86400 * USEC_PER_SEC },
        };
        const char *p = s;
        double total = 0;

        if (!s || !*s)
                return -EINVAL;
        if (is_infinity(s)) {
                *ret_usec = LIMIT_INFINITY;
                return 0;
        }
        while (*p) {
                const char *end;
                double v;
                size_t i;

                while (*p == ' ')
                        p++;
                const char *num = p;
                if (parse_decimal(p, 6, &v, &end) < 0)
                        return -EINVAL;
                p = end;
                if (!*p) { /* a bare number alone is seconds: "45" */
                        if (num != s)
                                return -EINVAL;
                        total += v * USEC_PER_SEC;
                        continue;
                }
                for (i = 0; i < ELEMENTSOF(units); i++) {
                        size_t l = strlen(units[i].suffix);
                        if (strncmp(p, units[i].suffix, l) == 0 && !isalpha((unsigned char) p[l]))
                                break;
                }
                if (i == ELEMENTSOF(units))
                        return -EINVAL;
                total += v * (double) units[i].usec;
                p += strlen(units[i].suffix);
        }
        if (total >= 1e18)
                return -ERANGE;
        *ret_usec = (uint64_t) llround(total);
        return 0;
}

int parse_cpus(const char *s, double *ret) {
        const char *end;
        double v;

        if (!s)
                return -EINVAL;
        if (is_infinity(s)) {
                *ret = CPUS_INFINITY;
                return 0;
        }
        if (parse_decimal(s, 2, &v, &end) < 0 || *end)
                return -EINVAL;
        if (v < 0.01 || v > 65536)
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_gpus(const char *s, double *ret) {
        const char *end;
        double v;

        if (!s)
                return -EINVAL;
        if (is_infinity(s)) {
                *ret = INFINITY;
                return 0;
        }
        if (parse_decimal(s, 3, &v, &end) < 0 || *end)
                return -EINVAL;
        if (v > 4096)
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_bool(const char *s, bool *ret) {
        static const char *const yes[] = { "yes", "true", "on", "1" };
        static const char *const no[] = { "no", "false", "off", "0" };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcasecmp(s, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

int parse_date(const char *s, time_t *ret) {
        struct tm tm = { 0 };
        int y, m, d, n = 0;

        if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || s[n])
                return -EINVAL;
        if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
                return -EINVAL;
        tm.tm_year = y - 1900;
        tm.tm_mon = m - 1;
        tm.tm_mday = d;
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        if (t == (time_t) -1 || tm.tm_mday != d || tm.tm_mon != m - 1)
                return -EINVAL; /* 2027-02-30 */
        /* valid through that whole day: expire at the next local midnight */
        tm = (struct tm) { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + 1, .tm_isdst = -1 };
        *ret = mktime(&tm);
        return 0;
}

char *format_size(uint64_t v, char *buf, size_t n) {
        static const char units[] = "KMGT";

        if (v == LIMIT_INFINITY) {
                snprintf(buf, n, "infinity");
                return buf;
        }
        for (int i = 3; i >= 0; i--) {
                uint64_t f = 1ULL << (10 * (i + 1));
                if (v >= f) {
                        if (v % f == 0)
                                snprintf(buf, n, "%" PRIu64 "%c", v / f, units[i]);
                        else
                                snprintf(buf, n, "%.1f%c", (double) v / (double) f, units[i]);
                        return buf;
                }
        }
        snprintf(buf, n, "%" PRIu64, v);
        return buf;
}

char *format_cpus(double v, char *buf, size_t n) {
        if (v == CPUS_INFINITY || isinf(v))
                snprintf(buf, n, "infinity");
        else
                snprintf(buf, n, "%.2f", v);
        /* trim "4.00" to "4" and "0.50" to "0.5" */
        char *dot = strchr(buf, '.');
        if (dot) {
                char *e = buf + strlen(buf) - 1;
                while (e > dot && *e == '0')
                        *e-- = 0;
                if (e == dot)
                        *e = 0;
        }
        return buf;
}

char *format_duration(uint64_t usec, char *buf, size_t n) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } units[] = {
                { "d", 86400 * USEC_PER_SEC }, { "h", 3600 * USEC_PER_SEC }, { "min", 60 * USEC_PER_SEC },
                { "s", USEC_PER_SEC },         { "ms", 1000 },
        };
        size_t off = 0;

        if (usec == LIMIT_INFINITY) {
                snprintf(buf, n, "infinity");
                return buf;
        }
        if (usec == 0) {
                snprintf(buf, n, "0");
                return buf;
        }
        buf[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(units) && usec > 0; i++) {
                if (usec < units[i].usec)
                        continue;
                int w = snprintf(buf + off, off < n ? n - off : 0, "%" PRIu64 "%s", usec / units[i].usec,
                                 units[i].suffix);
                if (w > 0)
                        off += (size_t) w;
                usec %= units[i].usec;
        }
        return buf;
}

char *format_duration_coarse(uint64_t usec, char *buf, size_t n) {
        uint64_t unit = usec >= 3600ULL * 1000000 ? 60ULL * 1000000 : 1000000;
        return format_duration(usec - usec % unit, buf, n);
}
