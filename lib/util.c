/* SPDX-License-Identifier: MIT */
#include "util.h"

#include <fcntl.h>
#include <poll.h>
#include <time.h>

const char *program_name = "berth";

void strv_free(char **v) {
        if (!v)
                return;
        for (char **s = v; *s; s++)
                free(*s);
        free(v);
}

size_t strv_length(char *const *v) {
        size_t n = 0;
        if (v)
                while (v[n])
                        n++;
        return n;
}

int strv_push(char ***v, const char *s) {
        size_t n = strv_length(*v);
        char **nv = reallocarray(*v, n + 2, sizeof(char *));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        nv[n] = strdup(s);
        if (!nv[n])
                return -ENOMEM;
        nv[n + 1] = NULL;
        return 0;
}

int strv_contains(char *const *v, const char *s) {
        if (v)
                for (char *const *p = v; *p; p++)
                        if (streq(*p, s))
                                return 1;
        return 0;
}

int berth_error_set(struct berth_error *e, int code, const char *fmt, ...) {
        if (e) {
                va_list ap;
                e->code = code;
                va_start(ap, fmt);
                vsnprintf(e->message, sizeof(e->message), fmt, ap);
                va_end(ap);
        }
        return code;
}

int log_error_errno(int r, const char *fmt, ...) {
        va_list ap;
        errno = r < 0 ? -r : r;
        fprintf(stderr, "%s: ", program_name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return r;
}

void log_info(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int read_full_file(const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (len == cap) {
                        if (cap >= max)
                                return -EFBIG;
                        cap = cap * 2 > max ? max : cap * 2;
                        char *nb = realloc(buf, cap + 1);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                }
                ssize_t n = read(fd, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        buf[len] = 0;
        if (ret_len)
                *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* Split a CSV record the way Go's encoding/csv does for one line: fields
 * separated by ',', a field in double quotes may hold ',' and "" for '"'. */
int csv_split(const char *s, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        _cleanup_free_ char *field = malloc(strlen(s) + 1);
        if (!field)
                return -ENOMEM;
        const char *p = s;
        for (;;) {
                size_t o = 0;
                if (*p == '"') {
                        p++;
                        for (;;) {
                                if (!*p)
                                        return -EINVAL; /* unterminated quote */
                                if (*p == '"') {
                                        if (p[1] == '"') {
                                                field[o++] = '"';
                                                p += 2;
                                                continue;
                                        }
                                        p++;
                                        break;
                                }
                                field[o++] = *p++;
                        }
                        if (*p && *p != ',')
                                return -EINVAL;
                } else {
                        while (*p && *p != ',') {
                                if (*p == '"')
                                        return -EINVAL; /* bare quote in an unquoted field */
                                field[o++] = *p++;
                        }
                }
                field[o] = 0;
                if (strv_push(&v, field) < 0)
                        return -ENOMEM;
                if (!*p)
                        break;
                p++; /* ',' */
        }
        *ret = TAKE_PTR(v);
        return 0;
}

uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

uint64_t deadline_ms(int timeout_ms) {
        return now_usec() / 1000 + (uint64_t) timeout_ms;
}

int deadline_left_ms(uint64_t deadline) {
        uint64_t n = now_usec() / 1000;
        return n >= deadline ? 0 : (int) (deadline - n);
}

int fd_wait_until(int fd, short events, uint64_t deadline) {
        for (;;) {
                struct pollfd p = { .fd = fd, .events = events };
                int t = deadline_left_ms(deadline);
                if (t == 0)
                        return -ETIMEDOUT;
                int r = poll(&p, 1, t);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r == 0)
                        return -ETIMEDOUT;
                return 0;
        }
}
