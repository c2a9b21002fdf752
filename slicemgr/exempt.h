/* SPDX-License-Identifier: MIT */
/* Exemptions from the reaper (exempt.c): a container (by full name) or a
 * user the reaper leaves running until a time, with the admin's reason.
 * Kept in [reaper] exemptions (a JSON file only root writes), so a restart
 * keeps them; an exemption past its time ends by itself. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct exemption {
        char *target; /* "train._.alice" or "alice" */
        bool user;    /* target is a user: all their containers */
        int64_t until; /* unix seconds */
        char *reason;
        char *by;      /* the admin who gave it */
};

struct exemptions {
        struct exemption *v;
        size_t n;
        char *path;
};

/* Reads path (a missing file is none); a file that is not what it should be
 * is logged and treated as none. */
int exemptions_load(struct exemptions *x, const char *path);
void exemptions_done(struct exemptions *x);
/* Give (until > now) or end (until <= now) an exemption, and save.  1 when
 * one was given or replaced, 0 when one was ended, -ENOENT when there was
 * none to end, else -errno (nothing changed). */
int exemptions_set(struct exemptions *x, const char *target, int64_t until, const char *reason, const char *by,
                   time_t now);
/* Drop those past their time (each audited as ended), and save. */
size_t exemptions_expire(struct exemptions *x, time_t now);
/* The one that covers a container of user, or NULL. */
const struct exemption *exemptions_find(const struct exemptions *x, const char *container, const char *user,
                                        time_t now);
json_t *exemptions_json(const struct exemptions *x);
