/* SPDX-License-Identifier: MIT */
/* The limits of berth's slices as data (DESIGN §4): what a user or group
 * slice should hold, and the order in which a reload changes a group slice
 * and its user slices.  Pure: system/slice.c applies them over sd-bus and
 * system/cgroup.c reads them back. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/config.h"

/* Read-back CPU quota may differ from the one set by this much: systemd
 * floors quota * period to whole microseconds per period, and the shortest
 * period it uses is 1 ms. */
#define SLICE_CPUS_TOLERANCE 0.001
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
const char *slice_key_name(enum slice_key k);

/* Whether key k of l sets no limit: no CPU quota, "infinity" for memory and
 * tasks, no (or an empty) CPU or node list. */
bool slice_limit_is_unlimited(const struct slice_limits *l, enum slice_key k); /* "cpus", "memory_max" … */
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
