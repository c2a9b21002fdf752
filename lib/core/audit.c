/* SPDX-License-Identifier: MIT */
/* Audit events over the native journal protocol; see audit.h. */
#include "core/audit.h"

#include <sys/uio.h>
#include <syslog.h>

#define SD_JOURNAL_SUPPRESS_LOCATION /* CODE_FILE= would name this file, not the caller */

/* These never change once shipped: readers select entries by them. */
static const struct {
        const char *name;
        const char *message_id;
} audit_events[_AUDIT_EVENT_MAX] = {
        [AUDIT_SLICE_CREATE] = { "slice.create", "2e46a6ddd92143d4b72aa78811ff79d2" },
        [AUDIT_SLICE_UPDATE] = { "slice.update", "91f8fe6e75b9436d954e8288d1096d6c" },
        [AUDIT_CONFIG_RELOAD] = { "config.reload", "47df80924bea41afaac3a726e3e8dcf7" },
        [AUDIT_CONFIG_INVALID] = { "config.invalid", "f59439e448664ad493e31ce265de69e6" },
        [AUDIT_GPU_RESERVE] = { "gpu.reserve", "713c01a8474541bdbf165ba7433e1813" },
        [AUDIT_GPU_BIND] = { "gpu.bind", "26080eb649c34c9ca12c581c46030ce8" },
        [AUDIT_GPU_RELEASE] = { "gpu.release", "c18b2f6b0f474e4d9a0b47d11090a60d" },
        [AUDIT_GPU_DENY] = { "gpu.deny", "caeee26fe44c471dac457d60088b6e14" },
        [AUDIT_CONTAINER_CREATE] = { "container.create", "99d791e797c84f2899c2909478575c4e" },
        [AUDIT_CONTAINER_DENY] = { "container.deny", "f2198aed44964fde96b7bc83fb0172d5" },
        [AUDIT_CONTAINER_RETIRE] = { "container.retire", "29e2712013ee49abb54b244e11524020" },
        [AUDIT_ACCESS_DENY] = { "access.deny", "6c6bc5e8cfb544b7a65c384ec3f8554d" },
        [AUDIT_IMAGE_CREATE] = { "image.create", "18a3494a450d454dad0165c1638a76f8" },
        [AUDIT_IMAGE_DELETE] = { "image.delete", "438290ebae044d5584e20c4828566f58" },
        [AUDIT_LOGIN_SESSION] = { "login.session", "c3f77dc4a04446428f7012a0813c0d1d" },
        [AUDIT_ADMIN_OVERRIDE] = { "admin.override", "f9b5f7093763424dafeb27abb63eb162" },
        [AUDIT_CONTAINER_FORGED] = { "container.forged", "dcae343ecfa645dc826e552caae90616" },
        [AUDIT_CONTAINER_WARN] = { "container.warn", "6a0f3c1e8d2b4f7a9c5e1b3d7f9a2c4e" },
        [AUDIT_CONTAINER_REAP] = { "container.reap", "b41d9e7c2a5f4e8b8d3c6a1f0e7b9d25" },
        [AUDIT_REAPER_EXEMPT] = { "reaper.exempt", "8273cc6c8d08484abdb25d6597e3c348" },
};

static int audit_event_valid(enum audit_event ev) {
        return (int) ev >= 0 && ev < _AUDIT_EVENT_MAX;
}

const char *audit_event_name(enum audit_event ev) {
        return audit_event_valid(ev) ? audit_events[ev].name : NULL;
}

const char *audit_event_message_id(enum audit_event ev) {
        return audit_event_valid(ev) ? audit_events[ev].message_id : NULL;
}

enum audit_event audit_event_from_name(const char *name) {
        if (name)
                for (int i = 0; i < _AUDIT_EVENT_MAX; i++)
                        if (streq(audit_events[i].name, name))
                                return (enum audit_event) i;
        return _AUDIT_EVENT_INVALID;
}

int audit_event_priority(enum audit_event ev) {
        switch (ev) {
        case AUDIT_GPU_DENY:
        case AUDIT_CONTAINER_DENY:
        case AUDIT_ACCESS_DENY:
        case AUDIT_CONTAINER_FORGED:
                return LOG_WARNING;
        case AUDIT_CONFIG_INVALID:
                return LOG_ERR;
        case AUDIT_SLICE_CREATE:
        case AUDIT_SLICE_UPDATE:
        case AUDIT_CONFIG_RELOAD:
        case AUDIT_GPU_RESERVE:
        case AUDIT_GPU_BIND:
        case AUDIT_GPU_RELEASE:
        case AUDIT_CONTAINER_CREATE:
        case AUDIT_CONTAINER_RETIRE:
        case AUDIT_IMAGE_CREATE:
        case AUDIT_IMAGE_DELETE:
        case AUDIT_LOGIN_SESSION:
        case AUDIT_CONTAINER_WARN:
        case AUDIT_CONTAINER_REAP:
                return LOG_INFO;
        case AUDIT_ADMIN_OVERRIDE:
        case AUDIT_REAPER_EXEMPT:
                return LOG_NOTICE;
        case _AUDIT_EVENT_MAX:
        case _AUDIT_EVENT_INVALID:
        default:
                return -EINVAL;
        }
}

#define AUDIT_FIELDS_MAX 12

struct iov_list {
        struct iovec iov[AUDIT_FIELDS_MAX];
        size_t n;
};

static void iov_list_done(struct iov_list *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->iov[i].iov_base);
        l->n = 0;
}

/* Adds "KEY=value"; a NULL or empty value is skipped.  The native protocol
 * frames values with newlines (and any length) itself. */
static int iov_add(struct iov_list *l, const char *key, const char *value) {
        char *s;
        if (!value || !*value)
                return 0;
        if (l->n >= ELEMENTSOF(l->iov))
                return -E2BIG;
        if (asprintf(&s, "%s=%s", key, value) < 0)
                return -ENOMEM;
        l->iov[l->n++] = (struct iovec) { .iov_base = s, .iov_len = strlen(s) };
        return 0;
}

int audit_log(enum audit_event ev, const struct audit_fields *f, const char *fmt, ...) {
        struct iov_list l = { .n = 0 };
        _cleanup_free_ char *message = NULL;
        char num[32];
        int r, prio = audit_event_priority(ev);

        if (prio < 0)
                return -EINVAL;
        if (fmt) {
                va_list ap;
                va_start(ap, fmt);
                r = vasprintf(&message, fmt, ap);
                va_end(ap);
                if (r < 0)
                        return -ENOMEM;
        }

        snprintf(num, sizeof(num), "%d", prio);
        r = iov_add(&l, "MESSAGE", message && *message ? message : audit_events[ev].name);
        if (r >= 0)
                r = iov_add(&l, "PRIORITY", num);
        if (r >= 0)
                r = iov_add(&l, "SYSLOG_IDENTIFIER", program_name);
        if (r >= 0)
                r = iov_add(&l, "MESSAGE_ID", audit_events[ev].message_id);
        if (r >= 0)
                r = iov_add(&l, "BERTH_EVENT", audit_events[ev].name);
        if (f) {
                if (r >= 0)
                        r = iov_add(&l, "BERTH_USER", f->user);
                if (r >= 0 && f->uid >= 0) {
                        snprintf(num, sizeof(num), "%ld", f->uid);
                        r = iov_add(&l, "BERTH_UID", num);
                }
                if (r >= 0)
                        r = iov_add(&l, "BERTH_GROUP", f->group);
                if (r >= 0)
                        r = iov_add(&l, "BERTH_CONTAINER", f->container);
                if (r >= 0)
                        r = iov_add(&l, "BERTH_GPUS", f->gpus);
                if (r >= 0)
                        r = iov_add(&l, "BERTH_SLICE", f->slice);
                if (r >= 0)
                        r = iov_add(&l, "BERTH_REASON", f->reason);
        }
        if (r >= 0) {
                r = audit_journal_sendv(l.iov, (int) l.n);
                /* Nobody listening is not the caller's failure (DESIGN §7). */
                if (r == -ENOENT || r == -ECONNREFUSED)
                        r = 0;
        }
        iov_list_done(&l);
        return r < 0 ? r : 0;
}
