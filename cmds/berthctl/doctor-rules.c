/* SPDX-License-Identifier: MIT */
/* berthctl doctor's pure judgements; see doctor-rules.h. */
#include "doctor-rules.h"

#include <string.h>
#include <sys/stat.h>

#include "basic/strv.h"

const char *doctor_status_name(enum doctor_status s) {
        return s == DOCTOR_OK ? "OK" : s == DOCTOR_WARN ? "WARN" : "FAIL";
}

/* --- pure judgements ----------------------------------------------------- */

/* Who may connect to a unix socket: whoever may write it.  group_open is
 * whether its group has a member who is no admin. */
enum doctor_status doctor_socket_verdict(uid_t owner, mode_t mode, bool group_open, const char **ret_why) {
        if (mode & S_IWOTH) {
                *ret_why = "every user may open it (o+w)";
                return DOCTOR_FAIL;
        }
        if (owner != 0 && (mode & S_IWUSR)) {
                *ret_why = "its owner is not root";
                return DOCTOR_FAIL;
        }
        if ((mode & S_IWGRP) && group_open) {
                *ret_why = "its group has members who are not admins";
                return DOCTOR_FAIL;
        }
        *ret_why = "only root and admins may open it";
        return DOCTOR_OK;
}


/* The module of a PAM line of type session ("-session" too), or NULL;
 * *ret_len its length. */
static const char *pam_session_module(const char *line, size_t len, size_t *ret_len) {
        const char *p = line, *end = line + len;
        while (p < end && (*p == ' ' || *p == '\t'))
                p++;
        if (p < end && *p == '-')
                p++;
        if ((size_t) (end - p) < 8 || strncmp(p, "session", 7) != 0 || (p[7] != ' ' && p[7] != '\t'))
                return NULL;
        p += 7;
        while (p < end && (*p == ' ' || *p == '\t'))
                p++;
        if (p < end && *p == '[') { /* [value=action ...] */
                while (p < end && *p != ']')
                        p++;
                if (p < end)
                        p++;
        } else
                while (p < end && *p != ' ' && *p != '\t')
                        p++;
        while (p < end && (*p == ' ' || *p == '\t'))
                p++;
        const char *m = p;
        while (p < end && *p != ' ' && *p != '\t')
                p++;
        if (p == m)
                return NULL;
        /* the module's base name: "/lib/security/pam_berth.so" counts too */
        for (const char *q = m; q < p; q++)
                if (*q == '/')
                        m = q + 1;
        *ret_len = (size_t) (p - m);
        return m;
}

/* Where pam_berth stands in one PAM file's session stack. */
enum doctor_pam doctor_pam_order(const char *text) {
        bool systemd_seen = false;
        for (const char *l = text; l && *l;) {
                const char *nl = strchr(l, '\n');
                size_t len = nl ? (size_t) (nl - l) : strlen(l), mlen;
                const char *m = pam_session_module(l, len, &mlen);
                if (m && mlen == strlen("pam_systemd.so") && strncmp(m, "pam_systemd.so", mlen) == 0)
                        systemd_seen = true;
                if (m && mlen == strlen("pam_berth.so") && strncmp(m, "pam_berth.so", mlen) == 0)
                        return systemd_seen ? DOCTOR_PAM_AFTER : DOCTOR_PAM_BEFORE;
                l = nl ? nl + 1 : NULL;
        }
        return DOCTOR_PAM_ABSENT;
}

/* berth's own front carries the name of the program it hands over to. */
bool doctor_is_front(const void *data, size_t n) {
        static const char mark[] = "berth-docker-policy";
        return memmem(data, n, mark, sizeof(mark) - 1) != NULL;
}

/* systemctl is-enabled's answers that start the unit at boot or on demand. */
bool doctor_unit_enabled(const char *state) {
        static const char *const ok[] = { "enabled", "enabled-runtime", "static", "indirect", "generated",
                                          "transient", "alias", NULL };
        return strv_contains((char *const *) ok, state);
}
