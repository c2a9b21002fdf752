/* SPDX-License-Identifier: MIT */
/* berth-gate (DESIGN §5b): one root daemon between every Docker client and
 * dockerd.  The Gate is the loop, the listening socket, the connections
 * and what is shared by them; conn.c moves bytes, decide.c judges. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "core/config.h"
#include "owner-cache.h"
#include "worker.h"

typedef struct Gate Gate;
typedef struct Conn Conn;

#define GATE_CONNECTIONS_MAX 16384
#define GATE_CONNECTIONS_PER_UID 2048 /* root excepted */
#define GATE_WORKER_THREADS 8
#define GATE_IDENTITY_TTL_USEC (10ULL * 1000000)
#define GATE_SLICEMGR_TIMEOUT_MS 10000

/* Who is on the other end of a connection, from SO_PEERCRED and
 * berth-slicemgr's whoami for that uid. */
struct gate_identity {
        uid_t uid;
        gid_t gid;
        pid_t pid;
        char *user;  /* NULL: not known (berth-slicemgr did not say) */
        bool admin;
        char *error; /* why the user is not known, one sentence */
};

struct gate_identity_cached {
        uid_t uid;
        gid_t gid;
        char *user;
        bool admin;
        uint64_t until; /* CLOCK_MONOTONIC usec */
};

struct Gate {
        sd_event *event;
        struct berth_config *config;
        char *upstream; /* dockerd's socket */
        int listen_fd;
        bool listen_owned; /* we bound it (not socket activation): unlink at exit */
        sd_event_source *listen_source;
        Worker *worker;
        Conn *conns;
        size_t n_conns;
        struct gate_identity_cached *identities;
        size_t n_identities;
        OwnerCache *owners;
};

void gate_identity_done(struct gate_identity *id);
