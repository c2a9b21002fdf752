/* SPDX-License-Identifier: MIT */
#include "common/journal-origin.h"

#include <string.h>

#include "core/audit.h"
#include "basic/util.h"

/* berth's root daemons, as their executables are named (and as _COMM holds
 * them: both fit the kernel's 15 characters). */
static const char *const daemons[] = { "berth-slicemgr", "berth-gate" };
/* Root processes that write what users hand them. */
static const char *const engines[] = { "dockerd", "containerd", "containerd-shim", "docker-proxy" };

static bool in(const char *const *v, size_t n, const char *s) {
        for (size_t i = 0; s && i < n; i++)
                if (streq(v[i], s))
                        return true;
        return false;
}

static const char *base(const char *path) {
        const char *s = path ? strrchr(path, '/') : NULL;
        return s ? s + 1 : path;
}

const char *cmd_origin_program(const struct cmd_entry_source *s) {
        const char *b = base(s->exe);
        return b && *b ? b : s->comm;
}

enum cmd_origin cmd_origin_of(const struct cmd_entry_source *s, int ev) {
        /* "0" exactly: journald writes the number, a forged "00" is no uid of its */
        if (!streq_ptr(s->uid, "0") || !streq_ptr(s->transport, "journal"))
                return CMD_ORIGIN_CLIENT;
        const char *exe = base(s->exe);
        if (exe ? in(daemons, ELEMENTSOF(daemons), exe) : in(daemons, ELEMENTSOF(daemons), s->comm))
                return CMD_ORIGIN_DAEMON;
        if ((ev == AUDIT_LOGIN_SESSION || ev == AUDIT_ACCESS_DENY) && streq_ptr(s->identifier, "pam_berth") &&
            !s->container && !in(engines, ELEMENTSOF(engines), exe) && !in(engines, ELEMENTSOF(engines), s->comm))
                return CMD_ORIGIN_LOGIN;
        return CMD_ORIGIN_CLIENT;
}

const char *cmd_origin_name(enum cmd_origin o) {
        switch (o) {
        case CMD_ORIGIN_DAEMON:
                return "daemon";
        case CMD_ORIGIN_LOGIN:
                return "login";
        case CMD_ORIGIN_CLIENT:
        default:
                return "client";
        }
}
