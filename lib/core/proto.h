/* SPDX-License-Identifier: MIT */
/* The slicemgr control protocol (DESIGN §4): one JSON object per line, at
 * most 64 KiB.  Parsing is pure so it can be fuzzed; identity comes from
 * SO_PEERCRED, and from a request only as "for", which the daemon honours
 * from root alone (berth-gate asking on its client's behalf). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "basic/util.h"

#define PROTO_MAX_LINE (64 * 1024)
#define PROTO_MAX_DEVICES 64
#define PROTO_MAX_TARGETS 256 /* containers one 'owner' request may name */
#define PROTO_MAX_REPLY (16 * 1024 * 1024) /* a status of a very busy box */

enum proto_op {
        OP_HELLO,
        OP_WHOAMI,
        OP_ENSURE_SLICE,
        OP_RESERVE,
        OP_COMMIT,
        OP_CANCEL,
        OP_CLAIM,  /* berth-gate takes over the reservation the wrapper made */
        OP_STATUS,
        OP_OWNER,  /* who owns these containers (the wrapper's ownership check) */
        OP_RELOAD, /* admin */
        OP_RELEASE, /* admin */
        OP_USERS, /* admin */
        OP_START,  /* a container is about to start: GPUs freed while it was stopped are taken back */
        OP_EXEMPT, /* admin: a container or user the reaper leaves alone until a time */
        OP_QUEUE,  /* who waits for GPUs, in order */
        _OP_MAX,
};

/* What a container asks for: the parts the daemon decides on. */
struct proto_spec {
        char *name;    /* as the user typed it, NULL: the project name */
        char *project; /* berth.project, NULL if none */
        char *image;
        double gpus;   /* 0: none; N: N devices; a fraction: one MIG instance */
        bool gpus_all; /* --gpus all: as many as the user may hold in one container */
        char **devices; /* --gpus device=UUID,… */
        double cpus;   /* 0: not given (the default is injected) */
        uint64_t memory; /* 0: not given */
};

/* "for":{"uid":N,"gid":N,"pid":N}: who root asks on behalf of, as
 * SO_PEERCRED told berth-gate; pid is optional. */
struct proto_behalf {
        bool set;
        uid_t uid;
        gid_t gid;
        pid_t pid; /* 0: not given */
};

struct proto_request {
        enum proto_op op;
        struct proto_behalf behalf; /* any op */
        char *reservation;   /* commit, cancel, claim */
        char *target;        /* release: a container or a GPU UUID; users: a user name or NULL;
                              * start: a container; exempt: a container or user */
        bool wait;           /* reserve: "wait":true queues a request that cannot be met now */
        int64_t until;       /* exempt: unix seconds; at or before now ends the exemption */
        char *reason;        /* exempt */
        struct proto_spec spec; /* reserve */
        char **targets;      /* owner: container names or id prefixes */
        bool images;         /* owner: "kind":"image": the targets are images */
        bool volumes;        /* owner: "kind":"volume": the targets are volumes */
        bool networks;       /* owner: "kind":"network": the targets are networks */
};

void proto_request_done(struct proto_request *r);

/* Parse one line (without its newline).  On failure returns a negative errno
 * and fills err: err->message says what was wrong, and *ret_kind (when not
 * NULL) is the protocol error string ("bad_request", "unknown_op"). */
int proto_parse_request(const char *line, size_t len, struct proto_request *ret, const char **ret_kind,
                        struct berth_error *err);

const char *proto_op_name(enum proto_op op);
bool proto_op_is_admin(enum proto_op op);

/* {"ok":false,"error":kind,"message":message} as one line, newline included. */
char *proto_error_line(const char *kind, const char *message);
/* json_dumps of reply plus a newline; the reply gets "ok":true added. */
char *proto_ok_line(json_t *reply);
