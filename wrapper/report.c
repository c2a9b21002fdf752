/* SPDX-License-Identifier: MIT */
/* Refusals on stderr, decisions in the journal (through journal.c). */
#include "report.h"

#include <stdio.h>

int wrapper_refuse(const char *reason, const char *hint) {
        if (hint && *hint)
                fprintf(stderr, "%s %s\n", reason, hint);
        else
                fprintf(stderr, "%s\n", reason);
        return WRAPPER_EXIT_REFUSED;
}

void wrapper_audit(struct wrapper *w, enum audit_event ev, const char *container, const char *gpus, const char *slice,
                   const char *reason, const char *message) {
        struct audit_fields f = AUDIT_FIELDS_INIT;
        f.user = w->user;
        f.uid = (long) w->uid;
        f.container = container;
        f.gpus = gpus;
        f.slice = slice;
        f.reason = reason;
        (void) audit_log(ev, &f, "%s", message);
}
