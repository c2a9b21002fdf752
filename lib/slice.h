/* SPDX-License-Identifier: MIT */
/* berth's systemd slices (DESIGN §4): berth.slice, one berth-<group>.slice
 * per group holding the group's [total], one berth-<group>-<user>.slice per
 * user holding what each member gets.  Created with StartTransientUnit,
 * changed with SetUnitProperties(runtime=true), over sd-bus with a bounded
 * timeout on every call.
 *
 * systemd answers success even when the kernel refused a value (cgroup v1
 * refuses a child's CPU quota above its parent's), so every change is read
 * back from the cgroup files and a mismatch is an error.
 *
 * Functions return 0 (or a count) or a negative errno and leave their ret_
 * parameters untouched on failure; the ones that take a struct berth_error
 * fill it with one sentence. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "config.h"
#include "util.h"

#define SLICE_CGROUP_ROOT "/sys/fs/cgroup"
#define SLICE_BUS_TIMEOUT_USEC (5ULL * 1000000ULL) /* every bus call */
#define SLICE_JOB_TIMEOUT_USEC (10ULL * 1000000ULL) /* a start or stop job to finish */

/* Read-back CPU quota may differ from the one set by this much: systemd
 * floors quota * period to whole microseconds per period, and the shortest
 * period it uses is 1 ms. */
#define SLICE_CPUS_TOLERANCE 0.001

/* cgroup v1 prints "unlimited" memory as LONG_MAX rounded down to the page
 * size (9223372036854771712 with 4 KiB pages); anything from LONG_MAX
 * rounded down to 64 KiB up is read as unlimited. */
#define SLICE_V1_MEMORY_UNLIMITED_MIN (UINT64_C(0x7fffffffffffffff) - UINT64_C(0xffff))

enum slice_key {
        SLICE_CPUS,
        SLICE_MEMORY_MAX,
        SLICE_MEMORY_HIGH,
        SLICE_TASKS_MAX,
        SLICE_ALLOWED_CPUS,
        SLICE_ALLOWED_MEMS,
        _SLICE_KEY_MAX,
};

struct slice_limits {
        double cpus;          /* CPUQuota in CPUs (2.5 = 250%); CPUS_INFINITY (0) = no quota */
        uint64_t memory_max;  /* MemoryMax, bytes; LIMIT_INFINITY = none */
        uint64_t memory_high; /* MemoryHigh, bytes; LIMIT_INFINITY = none (cgroup v2 only) */
        uint64_t tasks_max;   /* TasksMax; LIMIT_INFINITY = none */
        char *allowed_cpus;   /* AllowedCPUs as a list ("0-7,16"); NULL = leave alone */
        char *allowed_mems;   /* AllowedMemoryNodes ("0"); NULL = leave alone */
        unsigned known;       /* read back only: bit (1 << enum slice_key) per value the files gave */
};

#define SLICE_LIMITS_UNLIMITED                                                          \
        ((struct slice_limits) {                                                        \
                .cpus = CPUS_INFINITY,                                                  \
                .memory_max = LIMIT_INFINITY,                                           \
                .memory_high = LIMIT_INFINITY,                                          \
                .tasks_max = LIMIT_INFINITY,                                            \
        })

/* Frees the two strings and resets *l to SLICE_LIMITS_UNLIMITED. */
void slice_limits_done(struct slice_limits *l);

/* A user slice gets the user's resolved cpus, memory, memory_high and
 * tasks (resolution sets every key); a group slice gets the group's [total]
 * keys, each unset key being unlimited.  No strings are set. */
void slice_limits_from_user(const struct limits *user, struct slice_limits *ret);
void slice_limits_from_total(const struct limits *total, struct slice_limits *ret);

/* Makes sure the slice exists, is active and has these limits, then reads
 * them back from the cgroup files under cgroup_root (NULL: SLICE_CGROUP_ROOT)
 * and fails when the kernel holds anything else.  Creates a missing slice
 * with StartTransientUnit (*ret_created = true), else changes it with
 * SetUnitProperties(runtime=true).  systemd creates missing parent slices
 * as plain ones: ensure the group slice (with its totals) before a user
 * slice.  AllowedCPUs/AllowedMemoryNodes need cgroup v2 with the cpuset
 * controller (-EOPNOTSUPP otherwise).  ret_created may be NULL.
 * On a mismatch (-EREMOTEIO) the slice stays as systemd and the kernel
 * left it, created or changed, holding whatever the kernel kept (a refused
 * v1 CPU quota leaves the old value, or none on creation: the parent's
 * quota still caps it); a later call with acceptable limits repairs it. */
int slice_ensure_at(sd_bus *bus, const char *cgroup_root, const char *unit, const struct slice_limits *l,
                    bool *ret_created, struct berth_error *err);
static inline int slice_ensure(sd_bus *bus, const char *unit, const struct slice_limits *l, bool *ret_created,
                               struct berth_error *err) {
        return slice_ensure_at(bus, NULL, unit, l, ret_created, err);
}

/* The unit's ControlGroup ("/berth.slice/berth-students.slice"); -ENOENT
 * when the unit is not loaded or has no cgroup. */
int slice_cgroup_path(sd_bus *bus, const char *unit, char **ret, struct berth_error *err);

/* Stops the slice (and everything in it) and waits for the job; a slice
 * that is not loaded is already stopped (0). */
int slice_stop(sd_bus *bus, const char *unit, struct berth_error *err);

/* The loaded, not inactive units matching berth.slice and berth-*.slice,
 * sorted; returns their number.  *ret_units is never NULL on success. */
int slice_list(sd_bus *bus, char ***ret_units);

/* The limits the kernel holds for a cgroup (cgroup_path as in
 * ControlGroup), from the cgroup files under cgroup_root (NULL:
 * SLICE_CGROUP_ROOT).  cgroup v2 (<root>/cgroup.controllers exists):
 * cpu.max, memory.max, memory.high, pids.max, cpuset.cpus, cpuset.mems;
 * v1: cpu/…/cpu.cfs_quota_us and cpu.cfs_period_us,
 * memory/…/memory.limit_in_bytes, pids/…/pids.max (memory_high and the
 * cpusets are never known on v1).  ret->known says which values were
 * found; -ENOENT when none was. */
int slice_read_back(const char *cgroup_root, const char *cgroup_path, struct slice_limits *ret);

/* Reads the cgroup back and compares it with want: cpus within
 * SLICE_CPUS_TOLERANCE, memory rounded down by less than a page, tasks
 * exactly, CPU and node lists as sets (only when want names them),
 * memory_high only on cgroup v2.  -EREMOTEIO on a mismatch, with err naming
 * the unit, the file and the values expected and found. */
int slice_verify(const char *cgroup_root, const char *cgroup_path, const char *unit,
                 const struct slice_limits *want, struct berth_error *err);

/* --- pure parts, exposed for the unit tests and `berthctl slices` ---------- */

/* Whether one value the kernel holds (found) matches what was set (want),
 * with the tolerances of slice_verify(); page_size for the memory rounding. */
bool slice_value_matches(enum slice_key k, const struct slice_limits *want, const struct slice_limits *found,
                         uint64_t page_size);

/* The file in the cgroup's directory a key is read from ("cpu.max" on v2,
 * "cpu.cfs_quota_us" on v1), NULL when the key has none on that version. */
const char *slice_key_file(enum slice_key k, bool unified);
/* v1 keeps each controller in its own hierarchy: "cpu", "memory", "pids";
 * NULL on v2 or for keys v1 cannot hold. */
const char *slice_key_controller(enum slice_key k, bool unified);
const char *slice_key_name(enum slice_key k); /* "cpus", "memory_max" … */

/* Whether cgroup_root (NULL: SLICE_CGROUP_ROOT) is a cgroup v2 tree. */
bool slice_cgroup_unified(const char *cgroup_root);

/* Parsers of cgroup file contents (a trailing newline is fine).
 * "max" or a decimal (pids.max, memory.max, memory.high); "max" is
 * LIMIT_INFINITY. */
int slice_parse_max_u64(const char *text, uint64_t *ret);
/* v1 memory.limit_in_bytes: from SLICE_V1_MEMORY_UNLIMITED_MIN up is
 * LIMIT_INFINITY. */
int slice_parse_v1_memory(const char *text, uint64_t *ret);
/* v2 cpu.max "max 100000" / "800000 100000" into CPUs (0: no quota). */
int slice_parse_cpu_max(const char *text, double *ret_cpus);
/* v1 cpu.cfs_quota_us ("-1" = no quota) and cpu.cfs_period_us into CPUs. */
int slice_parse_cfs(const char *quota, const char *period, double *ret_cpus);
/* A CPU or NUMA node list ("0-3,8", "" = none) into the little-endian
 * bitmask systemd's AllowedCPUs takes as "ay" (bit n of byte n/8 is CPU n).
 * *ret is NULL and *ret_size 0 for an empty list. */
int slice_parse_cpu_list(const char *list, uint8_t **ret, size_t *ret_size);

/* --- reload: new limits for a group slice and its user slices ------------- */

/* On cgroup v1 the kernel refuses a child's CPU quota above its parent's,
 * whichever of the two moves, so a reload cannot simply write every slice
 * in some fixed order: raising needs the parent first, lowering the
 * children first.  The plan has three kinds of step:
 *   1. the parent gets, key by key, the looser of the limits it holds now
 *      (read back) and its new ones: it is then at least as loose as every
 *      child, old or new;
 *   2. each child gets its new limits, which fit under step 1's parent;
 *   3. the parent gets its new limits, every child already being at its
 *      new, lower or equal, value.
 * So lowering happens children first and raising parents first.  Step 3 is
 * left out when step 1 already set the new limits. */
struct slice_step {
        ssize_t child; /* -1: the parent; else the index of the child */
        struct slice_limits limits; /* strings borrowed from the plan's inputs */
};

/* The looser of two limits, key by key (no quota is looser than any); a
 * key not known in a (when a->known is non-zero) takes b's value.  Strings
 * are borrowed from b. */
void slice_limits_looser(const struct slice_limits *a, const struct slice_limits *b, struct slice_limits *ret);

/* Fills ret_steps (room for n_children + 2) and returns the number of
 * steps.  parent_now may be NULL (the parent does not exist yet). */
size_t slice_plan_tree(const struct slice_limits *parent_now, const struct slice_limits *parent_new,
                       const struct slice_limits *children_new, size_t n_children, struct slice_step *ret_steps);

/* Runs the plan with slice_ensure_at() on each step.  A failing step does
 * not stop the others (a reload should get as far as it can); the first
 * error is returned and kept in err. */
int slice_apply_tree(sd_bus *bus, const char *cgroup_root, const char *parent_unit,
                     const struct slice_limits *parent_new, char *const *child_units,
                     const struct slice_limits *children_new, size_t n_children, struct berth_error *err);
