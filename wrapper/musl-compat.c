/* SPDX-License-Identifier: MIT */
/* The three glibc _FORTIFY_SOURCE entry points that Debian's libjansson.a
 * calls, for the front linked against musl (Makefile, FRONT_CC).  They
 * check as glibc's do, and abort as glibc's do when the check fails. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int __vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, va_list ap)
        __attribute__((format(printf, 5, 0)));
int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
char *__strncpy_chk(char *dst, const char *src, size_t len, size_t dstlen);

int __vsnprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, va_list ap) {
        if (slen < maxlen)
                abort();
        return vsnprintf(s, maxlen, fmt, ap);
}

int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = __vsnprintf_chk(s, maxlen, flag, slen, fmt, ap);
        va_end(ap);
        return r;
}

char *__strncpy_chk(char *dst, const char *src, size_t len, size_t dstlen) {
        if (dstlen < len)
                abort();
        return strncpy(dst, src, len);
}
