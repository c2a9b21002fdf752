/* SPDX-License-Identifier: MIT */
/* A mirror of Docker's container table (id, name, owner), kept by
 * berth-slicemgr from one listing and then the /events stream, so the
 * wrapper's ownership question ("whose is train._.alice?") is answered from
 * memory instead of one Docker API call per name.  Only exact answers come
 * from here: a full container id or a name, looked up the way dockerd
 * does (a full id first, then the name, with or without its leading '/').
 * Everything else (id prefixes, names the mirror has not seen) goes to
 * Docker, so a container created a moment ago is never missed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct cmirror_entry {
        char *id;   /* the full 64-hex id */
        char *name; /* without the leading '/' */
        char *user; /* berth.user label, or NULL */
        bool managed; /* berth.managed=true */
        bool host_paths; /* a host path is mounted in it (a bind, a volume over device=) */
};

struct cmirror {
        struct cmirror_entry *v;
        size_t n;
};

/* Add a container, or replace what is known about the same id. */
int cmirror_put(struct cmirror *m, const char *id, const char *name, const char *user, bool managed);
/* What the mirror knows of an id's mounts (no-op if the id is unknown). */
void cmirror_set_host_paths(struct cmirror *m, const char *id, bool host_paths);
/* A rename: the entry of id gets name (no-op if the id is unknown). */
int cmirror_rename(struct cmirror *m, const char *id, const char *name);
void cmirror_remove(struct cmirror *m, const char *id);
void cmirror_clear(struct cmirror *m);
/* The container a target names exactly: a full id, else a name ("x" or
 * "/x").  NULL when none does (not necessarily absent from Docker: ask). */
const struct cmirror_entry *cmirror_find(const struct cmirror *m, const char *target);
