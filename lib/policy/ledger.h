/* SPDX-License-Identifier: MIT */
/* The GPU ledger: the daemon's record of who holds which GPUs and how many
 * containers each user holds (DESIGN §4).
 *
 * Pure logic, no I/O: time comes in as now_usec (CLOCK_REALTIME or
 * CLOCK_MONOTONIC, the caller's choice, as long as it is always the same
 * clock), and the only system call is getrandom(2) for reservation ids
 * (tests and fuzzers plug in their own generator).  The daemon is
 * single-threaded, so there is no locking; every call is atomic: it either
 * fully succeeds or changes nothing.
 *
 * One entry per container or pending reservation:
 *
 *     reserve ──> RESERVED ──commit──> COMMITTED ──bind──> BOUND ──release──> gone
 *                    │  └────────────bind─────────────────────┘
 *                    └── cancel / expiry ──> gone      (COMMITTED too)
 *     adopt ──> ADOPTED ──release──> gone    (rebuilt from Docker's labels)
 *
 * Amounts of GPU are counted in slices, sevenths of a GPU (GPU_SLICES): a
 * whole GPU is 7, a MIG instance of k/7 is k.  Limits given in GPUs are
 * turned into slices by rounding down (a limit of 0.5 GPU allows 3 slices),
 * so that sums never drift the way sums of doubles do.
 *
 * Entry pointers handed out stay valid until that entry leaves the ledger
 * (cancel, expiry, release) or the ledger is freed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy/gpu-inventory.h"
#include "basic/util.h"

#define LEDGER_ID_LEN 32                  /* 128 random bits as lower-case hex */
#define LEDGER_DEVICE_UNKNOWN SIZE_MAX    /* a held UUID the inventory does not list */
#define LEDGER_NEVER UINT64_MAX           /* expires_usec of entries that do not expire */
#define LEDGER_TTL_DEFAULT_USEC (120ULL * 1000000ULL) /* when a request says 0 */

enum ledger_state {
        LEDGER_RESERVED,  /* handed out, the client has not created the container yet */
        LEDGER_COMMITTED, /* the client's docker create succeeded; Docker has not said so yet */
        LEDGER_BOUND,     /* Docker reported the container: held until it is destroyed */
        LEDGER_ADOPTED,   /* rebuilt from a container's labels, quotas not checked */
        _LEDGER_STATE_MAX,
};

/* One held device.  A device that is not (or no longer) in the inventory is
 * kept by UUID, counts 0 slices and is never handed out. */
struct ledger_device {
        char *uuid;        /* "GPU-…" or "MIG-…" */
        char *parent_uuid; /* the GPU a MIG instance is carved from, when known */
        size_t index;      /* into the inventory, or LEDGER_DEVICE_UNKNOWN */
        unsigned slices;   /* GPU_SLICES for a whole GPU, k for a MIG instance, 0 unknown */
};

struct ledger_entry {
        char id[LEDGER_ID_LEN + 1]; /* reservation id; adopted entries get a fresh one */
        enum ledger_state state;
        char *user;
        uid_t uid;
        char *group;
        char *container;    /* full name, "train._.alice"; may be NULL */
        char *container_id; /* Docker's id, set when BOUND or ADOPTED */
        struct ledger_device *devices;
        size_t n_devices;
        unsigned slices;    /* sum over devices */
        double gpus;        /* slices / GPU_SLICES */
        uint64_t created_usec;
        uint64_t expires_usec; /* RESERVED/COMMITTED; LEDGER_NEVER for BOUND/ADOPTED */
        uint64_t ttl_usec;     /* what commit extends the expiry by */
        bool conflict;         /* shares a device with an older entry (adopted, or a reload
                                * changed the inventory); see ledger_adopt() */
        /* A stopped container (BOUND/ADOPTED) keeps its devices until
         * hold_until_usec, then they are parked: given up, their UUIDs kept
         * for a later start to take back (ledger_rehold()).  LEDGER_NEVER
         * while it runs, or while the hold has no end. */
        uint64_t hold_until_usec;
        char **parked;
};

struct ledger_request {
        const char *user;
        uid_t uid;
        const char *group;
        const char *container; /* full name, may be NULL */
        /* Wanted: 0 = none; an integer N >= 1 = N devices, whole GPUs first, then MIG
         * instances largest first; a fraction below 1 = one MIG instance at least that
         * big, smallest first, else a whole GPU.  Ignored when devices is set. */
        double gpus;
        char *const *devices;  /* explicit UUIDs (--gpus device=…), NULL = any */
        double user_gpus_max;          /* INFINITY = unlimited */
        double per_container_gpus_max; /* INFINITY = unlimited */
        double group_gpus_max;         /* INFINITY = unlimited */
        uint64_t user_containers_max;  /* UINT64_MAX = unlimited */
        uint64_t group_containers_max; /* UINT64_MAX = unlimited */
        uint64_t ttl_usec;             /* 0 = LEDGER_TTL_DEFAULT_USEC */
        bool admin;                    /* bypasses quotas, never gets a held device */
};

/* What kind of refusal a negative return is; the name goes into the control
 * protocol's "error" field and never changes. */
enum ledger_error_kind {
        LEDGER_ERROR_NONE,              /* r >= 0 */
        LEDGER_ERROR_INVALID,           /* -EINVAL: "invalid" */
        LEDGER_ERROR_QUOTA_EXCEEDED,    /* -EDQUOT: "quota_exceeded" */
        LEDGER_ERROR_GPUS_UNAVAILABLE,  /* -EBUSY:  "gpus_unavailable" */
        LEDGER_ERROR_NOT_FOUND,         /* -ENOENT: "not_found" */
        LEDGER_ERROR_PERMISSION_DENIED, /* -EPERM:  "permission_denied" */
        LEDGER_ERROR_INTERNAL,          /* anything else (-ENOMEM …): "internal" */
        _LEDGER_ERROR_MAX,
};
enum ledger_error_kind ledger_error_kind_from_errno(int r);
const char *ledger_error_kind_name(enum ledger_error_kind k);
const char *ledger_state_name(enum ledger_state s);

struct ledger;

/* Writes LEDGER_ID_LEN lower-case hex digits and a NUL into ret; 0 or -errno. */
typedef int (*ledger_id_func)(char *ret, void *userdata);
/* Called with an entry just before it leaves the ledger (for the audit).  It
 * must not change the ledger. */
typedef void (*ledger_entry_func)(const struct ledger_entry *e, void *userdata);

/* inv is borrowed (NULL = no GPUs) and must stay valid until the ledger is
 * freed or given another one with ledger_set_inventory(). */
int ledger_new(const struct gpu_inventory *inv, struct ledger **ret);
void ledger_free(struct ledger *l);
static inline void ledger_freep(struct ledger **l) {
        ledger_free(*l);
}
#define _cleanup_ledger_ _cleanup_(ledger_freep)

/* Replace the id generator (default: getrandom(2)); NULL restores it. */
void ledger_set_id_generator(struct ledger *l, ledger_id_func f, void *userdata);

/* After a reload: keep every holding, match held devices to the new inventory
 * by UUID (one that vanished is kept as unknown).  Returns the number of
 * entries newly marked as conflicting because the new inventory relates
 * devices that different entries hold (a GPU and its MIG instances), or a
 * negative errno (nothing changed). */
int ledger_set_inventory(struct ledger *l, const struct gpu_inventory *inv);
const struct gpu_inventory *ledger_inventory(const struct ledger *l);

/* Check the request against every quota, then pick free devices, then record a
 * RESERVED entry that expires at now + ttl.  Refusals return -EINVAL, -EDQUOT
 * or -EBUSY (see enum ledger_error_kind) with one sentence in *err, and change
 * nothing.  *ret points at the new entry. */
int ledger_reserve(struct ledger *l, const struct ledger_request *req, uint64_t now_usec,
                   const struct ledger_entry **ret, struct berth_error *err);

/* The client's docker create succeeded: RESERVED -> COMMITTED, expiry moved to
 * now + ttl (it still expires if Docker never reports the container).  Already
 * COMMITTED: the expiry moves again; BOUND or ADOPTED: nothing to do, 0.  Only
 * the reservation's owner (same uid) or an admin: -EPERM.  Unknown or expired
 * id: -ENOENT. */
int ledger_commit(struct ledger *l, const char *id, uid_t uid, bool admin, uint64_t now_usec,
                  struct berth_error *err);

/* The client gave up: a RESERVED or COMMITTED entry is freed at once.  Same
 * ownership rules and -ENOENT as commit; an entry Docker already reported
 * (BOUND, ADOPTED) is not freed: -EBUSY, its container's destroy frees it. */
int ledger_cancel(struct ledger *l, const char *id, uid_t uid, bool admin, uint64_t now_usec,
                  struct berth_error *err);

/* Docker's create event: the entry with reservation id id (the container's
 * berth.reservation label), or with id NULL the oldest pending entry named
 * container_name, becomes BOUND to container_id and stops expiring.  -ENOENT
 * when there is no such pending entry or it is past its expiry (run
 * ledger_expire() first so it is audited and freed, then adopt the container
 * from its labels); -EEXIST when container_id is already in the ledger under
 * another entry.  Binding the same container again is a no-op, 0. */
int ledger_bind(struct ledger *l, const char *id, const char *container_name, const char *container_id,
                uint64_t now_usec, const struct ledger_entry **ret);

/* Record a container found in Docker (at start, or a create event with no
 * known reservation): Docker is the truth, so no quota is checked and UUIDs
 * the inventory does not list are kept as unknown.  Returns the number of its
 * devices some other entry also holds (0 normally; > 0: the entry is marked
 * conflict, the daemon should log it; such a device is handed out to nobody
 * while either holder exists), -EEXIST when container_id is already recorded,
 * -EINVAL without a container id. */
int ledger_adopt(struct ledger *l, const char *user, uid_t uid, const char *group, const char *container_name,
                 const char *container_id, char *const *gpu_uuids, uint64_t now_usec,
                 const struct ledger_entry **ret);

/* Docker's destroy event: free the entry of that container (by Docker id, or
 * else by name among BOUND/ADOPTED entries).  cb (may be NULL) sees it first.
 * Returns 1 when something was released, 0 when nothing matched. */
int ledger_release_container(struct ledger *l, const char *container, ledger_entry_func cb, void *userdata);

/* Docker's die event, or a stopped container found at start: a BOUND or
 * ADOPTED entry keeps its devices until hold_until_usec (LEDGER_NEVER: as
 * long as the container exists).  -ENOENT when the container is not held. */
int ledger_container_stopped(struct ledger *l, const char *container_id, uint64_t hold_until_usec);
/* Docker's start event: the container keeps its devices again. */
int ledger_container_started(struct ledger *l, const char *container_id);
/* Park the devices of every stopped container whose hold ended at or before
 * now: cb (may be NULL) sees each entry just before.  Returns how many. */
size_t ledger_release_held(struct ledger *l, uint64_t now_usec, ledger_entry_func cb, void *userdata);
/* The earliest end of a hold, LEDGER_NEVER when none. */
uint64_t ledger_next_hold_end(const struct ledger *l);
/* The container is about to start again: the devices it parked (its create
 * names them, so no others would do) are taken back when they are free and
 * the quotas of req allow (req's user, group and caps; its gpus, devices and
 * container counts are not used: the entry is counted already), held until
 * now + req->ttl_usec unless the start event comes first.  0 when nothing
 * was parked, 1 when taken back; refusals -EBUSY, -EDQUOT, -EINVAL with a
 * sentence in *err, and nothing changed; -ENOENT when not held. */
int ledger_rehold(struct ledger *l, const char *container_id, const struct ledger_request *req, uint64_t now_usec,
                  struct berth_error *err);

/* berthctl release WHAT: frees every entry whose reservation id, Docker id (or
 * a prefix of at least 12 characters), container name or held device UUID is
 * what.  cb sees each first.  Returns how many were freed, or -ENOENT with a
 * sentence in *err. */
int ledger_release_admin(struct ledger *l, const char *what, ledger_entry_func cb, void *userdata,
                         struct berth_error *err);

/* Drop RESERVED/COMMITTED entries whose expiry is at or before now; cb (may be
 * NULL) sees each just before it is freed.  Returns how many. */
size_t ledger_expire(struct ledger *l, uint64_t now_usec, ledger_entry_func cb, void *userdata);
/* The earliest expiry of a pending entry, LEDGER_NEVER when none. */
uint64_t ledger_next_expiry(const struct ledger *l);

/* What a user / group holds: GPUs (MIG as fractions) and entries, pending
 * reservations included.  Either output may be NULL. */
void ledger_user_usage(const struct ledger *l, const char *user, double *ret_gpus, uint64_t *ret_containers);
void ledger_group_usage(const struct ledger *l, const char *group, double *ret_gpus, uint64_t *ret_containers);

/* The first entry holding inventory device index (or its MIG parent or child),
 * NULL when it is free. */
const struct ledger_entry *ledger_device_holder(const struct ledger *l, size_t index);

/* Every entry, oldest first. */
const struct ledger_entry *const *ledger_entries(const struct ledger *l, size_t *ret_n);
const struct ledger_entry *ledger_find(const struct ledger *l, const char *id);
/* By Docker id, else by container name (BOUND/ADOPTED first, then pending). */
const struct ledger_entry *ledger_find_container(const struct ledger *l, const char *container);

/* "GPU-…,MIG-…" for labels and the audit; "" when the entry holds none. */
int ledger_entry_uuids(const struct ledger_entry *e, char **ret);

/* 0 when the ledger is consistent (ids and Docker ids unique, states and
 * expiries agree, devices match the inventory, sums add up, and no device or
 * MIG parent/child pair is shared unless the newer of the two entries is
 * marked conflict, so reserve never hands out what anyone holds), else
 * -EUCLEAN.  For tests and fuzzers. */
int ledger_check_invariants(const struct ledger *l);
