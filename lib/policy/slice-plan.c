/* SPDX-License-Identifier: MIT */
#include "policy/slice-plan.h"

#include <math.h>

#include "basic/util.h"

/* ---- limits -------------------------------------------------------------- */

void slice_limits_done(struct slice_limits *l) {
        free(l->allowed_cpus);
        free(l->allowed_mems);
        *l = SLICE_LIMITS_UNLIMITED;
}

void slice_limits_from_user(const struct limits *user, struct slice_limits *ret) {
        /* resolution sets every key, so the values are used as they are */
        *ret = SLICE_LIMITS_UNLIMITED;
        ret->cpus = user->cpus;
        ret->memory_max = user->memory;
        ret->memory_high = user->memory_high;
        ret->tasks_max = user->tasks;
}

void slice_limits_from_total(const struct limits *total, struct slice_limits *ret) {
        *ret = SLICE_LIMITS_UNLIMITED;
        if (total->set & (1u << LIMIT_CPUS))
                ret->cpus = total->cpus;
        if (total->set & (1u << LIMIT_MEMORY))
                ret->memory_max = total->memory;
        if (total->set & (1u << LIMIT_MEMORY_HIGH))
                ret->memory_high = total->memory_high;
        if (total->set & (1u << LIMIT_TASKS))
                ret->tasks_max = total->tasks;
}

static const char *const key_names[_SLICE_KEY_MAX] = {
        [SLICE_CPUS] = "cpus",
        [SLICE_MEMORY_MAX] = "memory_max",
        [SLICE_MEMORY_HIGH] = "memory_high",
        [SLICE_TASKS_MAX] = "tasks_max",
        [SLICE_ALLOWED_CPUS] = "allowed_cpus",
        [SLICE_ALLOWED_MEMS] = "allowed_mems",
};

const char *slice_key_name(enum slice_key k) {
        return k < _SLICE_KEY_MAX ? key_names[k] : NULL;
}

/* ---- reload ------------------------------------------------------------------ */

void slice_limits_looser(const struct slice_limits *a, const struct slice_limits *b, struct slice_limits *ret) {
        struct slice_limits l = *b;
#define KNOWN(k) (a->known == 0 || (a->known & (1u << (k))))

        l.known = 0;
        if (KNOWN(SLICE_CPUS))
                l.cpus = a->cpus == CPUS_INFINITY || b->cpus == CPUS_INFINITY ? CPUS_INFINITY : fmax(a->cpus, b->cpus);
        if (KNOWN(SLICE_MEMORY_MAX) && a->memory_max > l.memory_max)
                l.memory_max = a->memory_max;
        if (KNOWN(SLICE_MEMORY_HIGH) && a->memory_high > l.memory_high)
                l.memory_high = a->memory_high;
        if (KNOWN(SLICE_TASKS_MAX) && a->tasks_max > l.tasks_max)
                l.tasks_max = a->tasks_max;
#undef KNOWN
        *ret = l;
}

static bool limits_same(const struct slice_limits *a, const struct slice_limits *b) {
        return a->cpus == b->cpus && a->memory_max == b->memory_max && a->memory_high == b->memory_high &&
               a->tasks_max == b->tasks_max && streq_ptr(a->allowed_cpus, b->allowed_cpus) &&
               streq_ptr(a->allowed_mems, b->allowed_mems);
}

size_t slice_plan_tree(const struct slice_limits *parent_now, const struct slice_limits *parent_new,
                       const struct slice_limits *children_new, size_t n_children, struct slice_step *ret_steps) {
        size_t n = 0;
        struct slice_limits first;

        if (parent_now)
                slice_limits_looser(parent_now, parent_new, &first);
        else {
                first = *parent_new;
                first.known = 0;
        }
        ret_steps[n++] = (struct slice_step) { .child = -1, .limits = first };
        for (size_t i = 0; i < n_children; i++) {
                ret_steps[n] = (struct slice_step) { .child = (ssize_t) i, .limits = children_new[i] };
                ret_steps[n++].limits.known = 0;
        }
        if (!limits_same(&first, parent_new)) {
                ret_steps[n] = (struct slice_step) { .child = -1, .limits = *parent_new };
                ret_steps[n++].limits.known = 0;
        }
        return n;
}

bool slice_limit_is_unlimited(const struct slice_limits *want, enum slice_key k) {
        switch (k) {
        case SLICE_CPUS:
                return want->cpus == CPUS_INFINITY;
        case SLICE_MEMORY_MAX:
                return want->memory_max == LIMIT_INFINITY;
        case SLICE_MEMORY_HIGH:
                return want->memory_high == LIMIT_INFINITY;
        case SLICE_TASKS_MAX:
                return want->tasks_max == LIMIT_INFINITY;
        case SLICE_ALLOWED_CPUS:
                return !want->allowed_cpus || !*want->allowed_cpus;
        case SLICE_ALLOWED_MEMS:
                return !want->allowed_mems || !*want->allowed_mems;
        case _SLICE_KEY_MAX:
        default:
                return false;
        }
}
