/* SPDX-License-Identifier: MIT */
#include "basic/error.h"

#include <sys/stat.h>

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

/* When stderr is the journal (systemd says so in $JOURNAL_STREAM, as
 * "device:inode" of the stream), each line starts with its syslog priority
 * ("<3>"), so that `journalctl -p err` finds berth's errors.  Never on a
 * terminal: a child that inherits the variable has another stderr. */
const char *log_priority_prefix(int priority) {
        static int journal = -1;
        if (journal < 0) {
                const char *e = getenv("JOURNAL_STREAM");
                unsigned long long dev, ino;
                struct stat st;
                journal = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) >= 0 &&
                          (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
        }
        if (!journal)
                return "";
        return priority == 3 ? "<3>" : "<6>";
}

int log_error_errno(int r, const char *fmt, ...) {
        va_list ap;
        const char *prefix = log_priority_prefix(3); /* before errno is set for %m */
        errno = r < 0 ? -r : r;
        fprintf(stderr, "%s%s: ", prefix, program_name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        return r;
}

void log_info(const char *fmt, ...) {
        va_list ap;
        fputs(log_priority_prefix(6), stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}
