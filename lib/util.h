/* SPDX-License-Identifier: MIT */
/* The error and cleanup conventions shared by every part of berth.
 *
 * Functions return 0 (or a positive count) on success and a negative errno on
 * failure; results go out through ret_ parameters that are left untouched on
 * failure.  Errors that cross an API boundary (Docker, config, control socket)
 * also fill a struct berth_error with one human sentence. */
#pragma once

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Hand a pointer over to someone else and leave NULL behind, so the
 * _cleanup_ handler of the old owner does nothing. */
#define TAKE_PTR(p)                          \
        ({                                   \
                __typeof__(p) _p_ = (p);     \
                (p) = NULL;                  \
                _p_;                         \
        })

#define TAKE_FD(fd)                          \
        ({                                   \
                int _fd_ = (fd);             \
                (fd) = -1;                   \
                _fd_;                        \
        })

static inline void freep(void *p) {
        free(*(void **) p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

static inline void fclosep(FILE **f) {
        if (*f)
                fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* jansson ships json_decrefp() itself */
#define _cleanup_json_ _cleanup_(json_decrefp)

/* NULL-terminated string vectors. */
void strv_free(char **v);
static inline void strv_freep(char ***v) {
        strv_free(*v);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
size_t strv_length(char *const *v);
int strv_push(char ***v, const char *s); /* appends a copy */

/* CLOCK_MONOTONIC in microseconds. */
uint64_t now_usec(void);
/* Deadlines in CLOCK_MONOTONIC milliseconds: one TIMEOUT_MS from now, and
 * the milliseconds left until one (0 once it has passed). */
uint64_t deadline_ms(int timeout_ms);
int deadline_left_ms(uint64_t deadline);
/* poll() FD for EVENTS until DEADLINE (deadline_ms()), retrying on EINTR:
 * 0 when ready, -ETIMEDOUT, or -errno. */
int fd_wait_until(int fd, short events, uint64_t deadline);
/* Split one CSV record the way Go's encoding/csv does (docker's --gpus and
 * --mount values): fields separated by ',', a field in double quotes may
 * hold ',' and "" for '"'; "a," has an empty last field.  -EINVAL for an
 * unterminated quote or a quote inside an unquoted field. */
int csv_split(const char *s, char ***ret);
int strv_contains(char *const *v, const char *s);

static inline int streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}
static inline int streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}
static inline const char *strempty(const char *s) {
        return s ? s : "";
}

/* An error that crosses an API boundary: a negative errno, the HTTP status
 * when one was involved (0 otherwise), and one sentence for a human. */
struct berth_error {
        int code;
        long http_status;
        char message[512];
};

/* Fill *e (when not NULL) and return code, so callers can write
 * `return berth_error_set(err, -EINVAL, "…");`. */
int berth_error_set(struct berth_error *e, int code, const char *fmt, ...) _printf_(3, 4);

/* Log to stderr prefixed with the program name and return r, like systemd's
 * log_error_errno(). %m in fmt prints strerror(-r). */
int log_error_errno(int r, const char *fmt, ...) _printf_(2, 3);
void log_info(const char *fmt, ...) _printf_(1, 2);
extern const char *program_name;

/* Read a whole file (at most max bytes) into a NUL-terminated buffer. */
int read_full_file(const char *path, size_t max, char **ret, size_t *ret_len);
