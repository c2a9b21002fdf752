/* SPDX-License-Identifier: MIT */
/* berth-slicemgr's state: the config, the GPU inventory and ledger, the
 * loop, slices, who callers are and what Docker holds.  The control socket
 * (control.c) and Docker's event stream (docker-watch.c) sit on top of it
 * and change it; the operations (ops.c) read and change it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "basic/error.h"
#include "claims.h"
#include "exempt.h"
#include "core/config.h"
#include "core/metrics.h"
#include "identity.h"
#include "labels.h"
#include "policy/cmirror.h"
#include "policy/gpu-inventory.h"
#include "policy/ledger.h"
#include "slices.h"
#include "system/docker.h"

typedef struct Reaper Reaper;
typedef struct Queue Queue;

typedef struct Manager {
        char *config_dir;
        struct berth_config *config;
        struct gpu_inventory *inventory;
        struct ledger *ledger;
        sd_event *event;

        struct slices slices;
        /* How a caller's slice is made sure of: slices_ensure_user() over the
         * bus; the unit tests, which have no bus, put their own. */
        int (*ensure_user_slice)(struct slices *s, const struct resolved_user *u, char **ret_slice,
                                 struct berth_error *err);
        struct identity_cache identities; /* callers by uid, kept a few seconds */

        /* set and cleared by docker-watch.c, which owns the client */
        struct docker *docker;
        bool docker_synced;        /* the ledger was rebuilt from Docker */
        struct cmirror containers; /* every container's id, name and owner, while synced */
        struct forged_set forged;  /* containers claiming berth.* labels whose seal does not verify */

        /* [gate] seal_key: seals the labels handed out, verifies Docker's */
        uint8_t seal_key[SEAL_KEY_SIZE];

        sd_event_source *expiry_timer;
        struct claims claims; /* reserve's replies of pending reservations, for 'claim' */
        Reaper *reaper; /* set by main.c once the lookup worker runs; may be NULL */
        Queue *queue;   /* reserves waiting for GPUs; set by main.c, may be NULL */
        struct exemptions exemptions; /* from the reaper, [reaper] exemptions */

        /* After an unclean stop, reservations the old daemon handed out may
         * still turn into containers: no GPU is handed out before this. */
        uint64_t gpu_grace_until;
        char *clean_marker;

        /* for the status and the metrics */
        uint64_t started;           /* CLOCK_REALTIME seconds */
        uint64_t config_generation; /* 1 at start, one more per reload that replaced the config */
        struct metrics_histogram reserve_latency;
        /* told after every reload that replaced the config (main.c: the metrics endpoint) */
        void (*reloaded)(void *userdata);
        void *reloaded_userdata;
} Manager;

/* The config, seal key, inventory, ledger, loop and bus; *err says why
 * not (a seal key that anyone but root could read or replace, too). */
int manager_new(const char *config_dir, Manager **ret, struct berth_error *err);
void manager_free(Manager *m);
static inline void manager_freep(Manager **m) {
        manager_free(*m);
}
/* Marks the daemon running (see the grace above) and re-applies limits to
 * live slices; a slice that cannot be set goes into *err, returning < 0. */
int manager_start(Manager *m, struct berth_error *err);
void manager_mark_clean_stop(Manager *m);
/* Loads the config (and its seal key) again and re-applies limits;
 * *ret_message says what happened in a sentence.  -EINVAL: the new config
 * or its seal key is unusable and the old ones stay. */
int manager_reload(Manager *m, char **ret_message);
/* After every change of the ledger: arms the timer for its next reservation
 * expiry and forgets the kept replies of reservations no longer pending. */
void manager_schedule_expiry(Manager *m);
/* The container stopped (Docker's die event, or found stopped): its GPUs
 * stay held for its owner's gpu_hold_after_stop, then are freed. */
void manager_container_stopped(Manager *m, const char *container_id);
/* It is about to start, or started: the GPUs it gave up after the hold are
 * taken back (its owner's quotas, and only when nobody waits ahead).  1
 * taken back, 0 nothing to take, < 0 refused with a sentence in *err. */
int manager_container_rehold(Manager *m, const char *container_id, struct berth_error *err);
