/* SPDX-License-Identifier: MIT */
#include "basic/error.h"

const char *program_name = "berth";
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
