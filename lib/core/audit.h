/* SPDX-License-Identifier: MIT */
/* Audit events: one journal entry per decision (DESIGN §7), each with a
 * fixed MESSAGE_ID per event type so `berthctl audit` and journalctl can
 * select them (journalctl MESSAGE_ID=… or BERTH_EVENT=…). */
#pragma once

#include "basic/util.h"

enum audit_event {
        AUDIT_SLICE_CREATE,
        AUDIT_SLICE_UPDATE,
        AUDIT_CONFIG_RELOAD,
        AUDIT_CONFIG_INVALID,
        AUDIT_GPU_RESERVE,
        AUDIT_GPU_BIND,
        AUDIT_GPU_RELEASE,
        AUDIT_GPU_DENY,
        AUDIT_CONTAINER_CREATE,
        AUDIT_CONTAINER_DENY,
        AUDIT_CONTAINER_RETIRE,
        AUDIT_ACCESS_DENY,
        AUDIT_IMAGE_CREATE,
        AUDIT_IMAGE_DELETE,
        AUDIT_LOGIN_SESSION,
        AUDIT_ADMIN_OVERRIDE, /* an admin did what a rule refuses ordinary users */
        AUDIT_CONTAINER_FORGED, /* a container claims berth.* labels whose seal does not verify */
        AUDIT_CONTAINER_WARN,   /* the reaper will stop a container soon */
        AUDIT_CONTAINER_REAP,   /* the reaper stopped an idle or overrunning container */
        AUDIT_REAPER_EXEMPT,    /* an admin exempted a container or user from the reaper, or it ended */
        _AUDIT_EVENT_MAX,
        _AUDIT_EVENT_INVALID = -EINVAL,
};

/* Each field becomes BERTH_<NAME>= only when set: a NULL or empty string,
 * or uid < 0, is left out.  Values may hold newlines and be long. */
struct audit_fields {
        const char *user;
        long uid; /* -1 = unset */
        const char *group;
        const char *container;
        const char *gpus;
        const char *slice;
        const char *reason;
};

#define AUDIT_FIELDS_INIT { .uid = -1 }

/* Sends one entry: MESSAGE= the formatted text (the event name when fmt is
 * NULL), PRIORITY (LOG_WARNING for the *.deny events, LOG_ERR for
 * config.invalid, LOG_INFO otherwise), SYSLOG_IDENTIFIER=program_name,
 * MESSAGE_ID, BERTH_EVENT and the BERTH_* fields that are set.  f may be
 * NULL.  Returns 0 also when no journald listens; a negative errno only when
 * the entry could not be built or journald refused it. */
int audit_log(enum audit_event ev, const struct audit_fields *f, const char *fmt, ...) _printf_(3, 4);

/* Where entries go: sd_journal_sendv() (lib/audit-journal.c).  A program
 * that must not load libsystemd at start-up (the docker wrapper, whose
 * pass-through budget is below a millisecond) defines its own, which the
 * linker then takes instead of the library's. */
struct iovec;
int audit_journal_sendv(const struct iovec *iov, int n);

const char *audit_event_name(enum audit_event ev);        /* "gpu.deny"; NULL if out of range */
enum audit_event audit_event_from_name(const char *name); /* -EINVAL if unknown */
const char *audit_event_message_id(enum audit_event ev);  /* 32 hex digits; NULL if out of range */
int audit_event_priority(enum audit_event ev);            /* LOG_INFO, …; -EINVAL if out of range */
