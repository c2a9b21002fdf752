/* SPDX-License-Identifier: MIT */
/* berth-slicemgr: the one root daemon.  A Manager, an sd-event loop, the
 * control socket, slices over sd-bus, the GPU ledger kept true by Docker. */
#pragma once

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "core/audit.h"
#include "policy/cmirror.h"
#include "core/config.h"
#include "system/docker.h"
#include "system/nvml.h"
#include "system/numa.h"
#include "policy/ledger.h"
#include "core/proto.h"
#include "basic/util.h"

#define CONNECTION_IDLE_USEC (30ULL * 1000000)  /* a client may sit idle this long */
#define CONNECTION_MAX 1024
#define DOCKER_RETRY_USEC (2ULL * 1000000)

struct connection;
struct slice_cache_entry;
struct identity;

typedef struct Manager {
        char *config_dir;
        struct berth_config *config;
        struct gpu_inventory *inventory;
        struct ledger *ledger;

        sd_event *event;
        sd_bus *bus;
        char *cgroup_root; /* /sys/fs/cgroup, for reading limits back */

        int listen_fd;
        sd_event_source *listen_source;
        struct connection *connections;
        size_t n_connections;

        struct docker *docker;
        struct docker_event_stream *events;
        sd_event_source *events_source;
        sd_event_source *docker_retry;
        bool docker_synced; /* the ledger was rebuilt from Docker */
        struct cmirror containers; /* every container's id, name and owner, while synced */
        struct identity *identities; /* callers by uid, kept a few seconds (identity.c) */
        size_t n_identities;

        sd_event_source *expiry_timer;

        /* After an unclean stop, reservations the old daemon handed out may
         * still turn into containers: no GPU is handed out before this. */
        uint64_t gpu_grace_until;

        /* slices this daemon set up, with what it set: a request for a slice
         * that still holds exactly that (read back from the cgroup files)
         * needs no bus call.  Emptied on reload. */
        struct slice_cache_entry *slice_cache;
        size_t n_slice_cache;
        char *clean_marker;
} Manager;

/* manager.c */
int manager_new(const char *config_dir, Manager **ret);
void manager_free(Manager *m);
int manager_start(Manager *m);
void manager_mark_clean_stop(Manager *m);
int manager_reload(Manager *m, char **ret_message);
/* identity.c: who a caller is (uid 0, or in admin_group by membership or
 * by the connection's gid, is an admin); answers are kept a few seconds. */
int manager_caller_identity(Manager *m, uid_t uid, gid_t gid, char **ret_user, char ***ret_groups, bool *ret_admin);
void manager_identity_cache_clear(Manager *m);
void manager_schedule_expiry(Manager *m);
/* One audit entry about a ledger entry: "berth: train._.alice holds GPU-… (why)".
 * Entries without GPUs are skipped unless even_without_gpus. */
void manager_audit_entry(enum audit_event ev, const struct ledger_entry *e, const char *reason, bool even_without_gpus);
/* A ledger_entry_func: gpu.release with userdata as the reason. */
void manager_audit_released(const struct ledger_entry *e, void *reason);

/* slices.c: group and user slices with their limits */
int manager_ensure_user_slice(Manager *m, const struct resolved_user *u, char **ret_slice, struct berth_error *err);
int manager_apply_all_slices(Manager *m, struct berth_error *err);
void manager_slice_cache_clear(Manager *m);

/* control.c */
int control_listen(Manager *m);
void control_close_all(Manager *m);

/* ops.c: one reply line (newline included) for one request line */
char *ops_handle(Manager *m, const struct ucred *peer, const char *line, size_t len);

/* docker-watch.c */
int docker_watch_start(Manager *m);
void docker_watch_stop(Manager *m);
