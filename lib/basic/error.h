/* SPDX-License-Identifier: MIT */
/* Errors that cross an API boundary, and logging at the top of a call chain. */
#pragma once

#include "basic/macro.h"

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

/* "<3>" (errors) or "<6>" (the rest) when stderr is the journal stream
 * systemd names in $JOURNAL_STREAM, so journald records the line's syslog
 * priority; "" anywhere else (a terminal, a pipe). */
const char *log_priority_prefix(int priority);
