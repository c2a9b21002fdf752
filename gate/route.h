/* SPDX-License-Identifier: MIT */
/* The request line as berth-gate sees it: the request-target canonicalised
 * the way dockerd's router reads it (decoded path, `//`, `.` and `..`
 * resolved), the API version checked, the query split strictly, and the
 * (method, path) pair looked up in the table of every route dockerd
 * registers for API v1.41 to v1.47.  Pure code: no I/O, no logging. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define ROUTE_TARGET_MAX 8192   /* bytes of request-target accepted */
#define ROUTE_VERSION_MIN "1.41"
#define ROUTE_VERSION_MAX "1.47"

/* What the gate does with a route, for a caller who is not an admin. */
enum route_kind {
        ROUTE_FORWARD, /* harmless for anyone (ping, version, image reads): forwarded as is */
        ROUTE_OWNER,   /* the path's {id|name} is a container that must be the caller's */
        ROUTE_EXEC,    /* the path's {id} is an exec id; the container it runs in must be the caller's */
        ROUTE_POLICY,  /* query and body go through lib/policy (op says which rule); a container {id} is owner-checked too */
        ROUTE_FILTER,  /* a list, stream or prune that must be narrowed to the caller's own objects */
        ROUTE_DENY,    /* not offered on a shared machine: refused with deny_reason */
};

/* The one handler a route needs beyond its kind; ROUTE_OP_NONE when the
 * kind says everything. */
enum route_op {
        ROUTE_OP_NONE,
        ROUTE_OP_CONTAINER_CREATE,   /* POST /containers/create: body to container spec, policy, reserve, rewrite */
        ROUTE_OP_CONTAINER_LIST,     /* GET /containers/json: only the caller's containers */
        ROUTE_OP_CONTAINER_UPDATE,   /* POST /containers/{id}/update: new limits checked against the quota */
        ROUTE_OP_CONTAINER_RENAME,   /* POST /containers/{id}/rename: ?name= follows the container-name rule */
        ROUTE_OP_CONTAINER_ARCHIVE,  /* GET/HEAD/PUT /containers/{id}/archive: docker cp, refused with host binds */
        ROUTE_OP_CONTAINER_ATTACH,   /* POST /containers/{id}/attach, GET …/attach/ws: a hijacked stream */
        ROUTE_OP_CONTAINER_DELETE,   /* DELETE /containers/{id}: the reservation goes with it */
        ROUTE_OP_CONTAINER_START,    /* POST /containers/{id}/start, …/restart: GPUs freed while stopped come back */
        ROUTE_OP_CONTAINER_PRUNE,    /* POST /containers/prune: only the caller's stopped containers */
        ROUTE_OP_EXEC_CREATE,        /* POST /containers/{id}/exec: runs as the owner when host paths are bound */
        ROUTE_OP_EXEC_START,         /* POST /exec/{id}/start: a hijacked stream unless Detach */
        ROUTE_OP_COMMIT,             /* POST /commit: ?container= owner-checked, ?repo= lands in berth/<user>/ */
        ROUTE_OP_BUILD,              /* POST /build: tags in berth/<user>/, cgroup parent, no remote= URL */
        ROUTE_OP_BUILD_CANCEL,       /* POST /build/cancel: ?id= must be a build the caller started */
        ROUTE_OP_BUILD_PRUNE,        /* POST /build/prune: the build cache carries no owner labels */
        ROUTE_OP_SESSION,            /* POST /session: BuildKit's session, upgraded (h2c) and spliced */
        ROUTE_OP_IMAGE_PULL,         /* POST /images/create?fromImage=: must not write a name under berth/<other>/ */
        ROUTE_OP_IMAGE_IMPORT,       /* POST /images/create without fromImage: fromSrc=- only, repo in berth/<user>/ */
        ROUTE_OP_IMAGE_TAG,          /* POST /images/{name}/tag: the new name in berth/<user>/ */
        ROUTE_OP_IMAGE_PUSH,         /* POST /images/{name}/push: shared or the caller's own images only */
        ROUTE_OP_IMAGE_LOAD,         /* POST /images/load: the loaded names land in berth/<user>/ */
        ROUTE_OP_IMAGE_DELETE,       /* DELETE /images/{name}: the caller's own images only */
        ROUTE_OP_IMAGE_LIST,         /* GET /images/json */
        ROUTE_OP_IMAGE_PRUNE,        /* POST /images/prune: the caller's own images only */
        ROUTE_OP_VOLUME_CREATE,      /* POST /volumes/create: labelled with the owner, driver checked */
        ROUTE_OP_VOLUME_LIST,        /* GET /volumes: only the caller's volumes */
        ROUTE_OP_VOLUME_TARGET,      /* GET, DELETE /volumes/{name}: the caller's own volume */
        ROUTE_OP_VOLUME_PRUNE,       /* POST /volumes/prune: only the caller's volumes */
        ROUTE_OP_NETWORK_CREATE,     /* POST /networks/create: labelled with the owner, driver checked */
        ROUTE_OP_NETWORK_LIST,       /* GET /networks, /networks/: the caller's and the shared networks */
        ROUTE_OP_NETWORK_TARGET,     /* GET, DELETE /networks/{id}: inspect shared ones, delete own ones */
        ROUTE_OP_NETWORK_CONNECT,    /* POST /networks/{id}/connect: the body's Container is owner-checked */
        ROUTE_OP_NETWORK_DISCONNECT, /* POST /networks/{id}/disconnect: likewise */
        ROUTE_OP_NETWORK_PRUNE,      /* POST /networks/prune: only the caller's networks */
        ROUTE_OP_EVENTS,             /* GET /events: only events about the caller's objects */
        ROUTE_OP_SYSTEM_DF,          /* GET /system/df: only the caller's objects */
        _ROUTE_OP_MAX,
};

/* Route flags; every route has exactly one ROUTE_BODY_* flag.  A ROUTE_DENY
 * route's flags describe it too, for the admins whose requests go on. */
enum {
        ROUTE_HIJACK = 1 << 0,    /* after the response head the connection is a raw stream (101 Upgrade or raw 200) */
        ROUTE_STREAM = 1 << 1,    /* the response is long-lived or large: passed on as it comes, never buffered */
        ROUTE_BODY_BULK = 1 << 2, /* the request body is passed through unread (a tar stream) */
        ROUTE_BODY_JSON = 1 << 3, /* the request body is JSON read whole (bounded) before forwarding */
        ROUTE_BODY_NONE = 1 << 4, /* Docker expects no request body (start tolerates `null`, up to 7 bytes) */
        ROUTE_DOWNLOAD = 1 << 5,  /* the answer is a download (cp out, export, save, logs): read in batches */
};
/* the most a ROUTE_BODY_NONE request may carry: Docker's own bound for a
 * start body, which it takes as empty (`null`, `{}`) */
#define ROUTE_BODY_NONE_MAX 7

struct route {
        const char *method;      /* exact, case-sensitive, as Docker's router compares it */
        /* Literal segments, `{id}`/`{name}` for exactly one segment, `{name:.*}`
         * for one or more (image names keep their '/'), as in Docker. */
        const char *pattern;
        enum route_kind kind;
        enum route_op op;
        unsigned flags;
        const char *deny_reason; /* ROUTE_DENY only: one sentence starting "berth: " */
        const char *when;        /* applies only when this query key has a non-empty value (pull vs import), or NULL */
        const char *repeatable;  /* space-separated query keys Docker reads as lists, or NULL */
        const char *live;        /* ROUTE_DOWNLOAD: the boolean query key that makes it a live stream (logs' follow), or NULL */
};

struct route_match {
        const struct route *route;
        char *version; /* "1.43", or NULL when the target had no version prefix */
        char *path;    /* the canonical decoded path without the version: "/containers/abc/json" */
        char *param;   /* the first {…} value, decoded ("library/ubuntu:22.04"), or NULL */
        char **query;  /* key, value, key, value, …, NULL; decoded, in the order received; NULL if none */
};

/* Parse one origin-form request-target of len bytes for method.
 * Returns 0 with *ret filled for a known route; -EPERM with *ret filled
 * (ret->route is the ROUTE_DENY route) and reason its deny_reason;
 * -ENOENT for a method and path that is no route of the table; -EINVAL for
 * a target berth refuses to read (not origin-form, over ROUTE_TARGET_MAX,
 * bytes outside printable ASCII, '#', bad percent escapes, a decoded
 * control byte, '..' above the root, an API version outside 1.41..1.47,
 * ';', an empty query key, or a repeated one the route's repeatable does
 * not list); -ENOMEM.  reason (when not NULL)
 * always gets one sentence starting "berth: " on failure; *ret is left
 * untouched unless 0 or -EPERM is returned. */
int route_parse(const char *method, const char *target, size_t len, struct route_match *ret,
                char *reason, size_t reason_len);

/* Free what a match holds and zero it; a zeroed match is fine too. */
void route_match_done(struct route_match *m);

/* The value of the first key in the query, or NULL. */
const char *route_query_get(const struct route_match *m, const char *key);
/* Set key to value: the first occurrence is replaced and any later ones
 * removed, or the pair is appended.  0, -EINVAL (empty key), -ENOMEM. */
int route_query_set(struct route_match *m, const char *key, const char *value);
/* Remove every occurrence of key; returns how many were removed. */
int route_query_remove(struct route_match *m, const char *key);

/* Docker's reading of a boolean query value (httputils.BoolValue, used by
 * every handler the gate forwards to): false for NULL and, after trimming
 * white space and ignoring case, "", "0", "no", "false", "none"; anything
 * else is true.  (Go's strconv.ParseBool is stricter: "f" is false there;
 * dockerd uses it only for swarm and network-inspect parameters.) */
bool route_query_bool(const char *v);

/* Whether the answer to this request is a download, which may be read in
 * batches: a ROUTE_DOWNLOAD route not made live by its query. */
bool route_download(const struct route_match *m);

/* Write the request-target to forward to dockerd into *ret: "/v" and the
 * version when one was received, the route's pattern with its {…} replaced
 * by param (m->param when param is NULL; a second {…}, only a denied
 * route's, as m->path has it), percent-encoded, then '?' and the query in
 * order, encoded as Go's url.QueryEscape does.  A one-segment
 * parameter must not contain '/'; no parameter segment may be empty, "." or
 * "..".  0, -EINVAL, -ENOMEM. */
int route_format_target(const struct route_match *m, const char *param, char **ret);

/* The whole table, for tests and docs. */
const struct route *route_table(size_t *ret_n);

const char *route_kind_to_string(enum route_kind k);
const char *route_op_to_string(enum route_op op);
