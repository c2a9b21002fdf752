/* SPDX-License-Identifier: MIT */
#include "core/limits.h"

#include <math.h>
#include <stdio.h>

#include "basic/units.h"

enum limit_kind {
        KIND_CPUS,
        KIND_SIZE,
        KIND_COUNT,
        KIND_GPUS,
        KIND_DURATION,
};

static enum limit_kind limit_kind(enum limit_key k) {
        switch (k) {
        case LIMIT_CPUS:
        case LIMIT_CONTAINER_CPUS:
                return KIND_CPUS;
        case LIMIT_MEMORY:
        case LIMIT_MEMORY_HIGH:
        case LIMIT_CONTAINER_MEMORY:
                return KIND_SIZE;
        case LIMIT_TASKS:
        case LIMIT_CONTAINERS:
                return KIND_COUNT;
        case LIMIT_GPUS:
        case LIMIT_GPUS_PER_CONTAINER:
                return KIND_GPUS;
        case LIMIT_IDLE_TIMEOUT:
        case LIMIT_MAX_RUNTIME:
        case LIMIT_GPU_HOLD_AFTER_STOP:
        case _LIMIT_MAX:
        default:
                return KIND_DURATION;
        }
}

/* The value of key k: doubles for CPUs and GPUs, the rest as u64. */
static double value_double(const struct limits *l, enum limit_key k) {
        switch (k) {
        case LIMIT_CPUS:
                return l->cpus;
        case LIMIT_CONTAINER_CPUS:
                return l->container_cpus;
        case LIMIT_GPUS:
                return l->gpus;
        case LIMIT_GPUS_PER_CONTAINER:
                return l->gpus_per_container;
        default:
                return 0;
        }
}

static uint64_t value_u64(const struct limits *l, enum limit_key k) {
        switch (k) {
        case LIMIT_MEMORY:
                return l->memory;
        case LIMIT_MEMORY_HIGH:
                return l->memory_high;
        case LIMIT_CONTAINER_MEMORY:
                return l->container_memory;
        case LIMIT_TASKS:
                return l->tasks;
        case LIMIT_CONTAINERS:
                return l->containers;
        case LIMIT_IDLE_TIMEOUT:
                return l->idle_timeout_usec;
        case LIMIT_MAX_RUNTIME:
                return l->max_runtime_usec;
        case LIMIT_GPU_HOLD_AFTER_STOP:
                return l->gpu_hold_after_stop_usec;
        default:
                return 0;
        }
}

bool limit_is_unlimited(const struct limits *l, enum limit_key k) {
        switch (limit_kind(k)) {
        case KIND_CPUS:
                return value_double(l, k) == CPUS_INFINITY;
        case KIND_GPUS:
                return isinf(value_double(l, k));
        case KIND_SIZE:
        case KIND_COUNT:
        case KIND_DURATION:
        default:
                return value_u64(l, k) == LIMIT_INFINITY;
        }
}

json_t *limit_json_cpus(double v) {
        return v == CPUS_INFINITY ? json_null() : json_real(v);
}

json_t *limit_json_gpus(double v) {
        return isinf(v) ? json_null() : json_real(v);
}

json_t *limit_json_size(uint64_t v) {
        return v == LIMIT_INFINITY ? json_null() : json_integer((json_int_t) v);
}

json_t *limit_json(const struct limits *l, enum limit_key k) {
        if (k >= _LIMIT_MAX)
                return json_null();
        if (limit_is_unlimited(l, k))
                return json_null();
        switch (limit_kind(k)) {
        case KIND_CPUS:
        case KIND_GPUS:
                return json_real(value_double(l, k));
        case KIND_DURATION:
                return json_integer((json_int_t) (value_u64(l, k) / 1000000));
        case KIND_SIZE:
        case KIND_COUNT:
        default:
                return json_integer((json_int_t) value_u64(l, k));
        }
}

json_t *limits_json(const struct limits *l, bool partial) {
        json_t *o = json_object();
        if (!o)
                return NULL;
        for (enum limit_key k = 0; k < _LIMIT_MAX; k++) {
                if (partial && !(l->set & (1u << k)))
                        continue;
                if (json_object_set_new(o, limit_key_name(k), limit_json(l, k)) < 0) {
                        json_decref(o);
                        return NULL;
                }
        }
        return o;
}

const char *limit_format_cpus(double v, char *buf, size_t n) {
        if (v == CPUS_INFINITY)
                return "infinity";
        return format_cpus(v, buf, n);
}

const char *limit_format_gpus(double v, char *buf, size_t n) {
        if (isinf(v))
                return "infinity";
        if (v == 0)
                return "0"; /* format_cpus() reads 0 as "no quota" */
        if (fabs(v - round(v)) < 1e-9)
                snprintf(buf, n, "%.0f", v);
        else
                snprintf(buf, n, "%.2f", v);
        return buf;
}

const char *limit_format_size(uint64_t v, char *buf, size_t n) {
        if (v == LIMIT_INFINITY)
                return "infinity";
        return format_size(v, buf, n);
}

const char *limit_format_count(uint64_t v, char *buf, size_t n) {
        if (v == LIMIT_INFINITY)
                return "infinity";
        snprintf(buf, n, "%llu", (unsigned long long) v);
        return buf;
}

const char *limit_format(const struct limits *l, enum limit_key k, char *buf, size_t n) {
        if (k >= _LIMIT_MAX)
                return "?";
        switch (limit_kind(k)) {
        case KIND_CPUS:
                return limit_format_cpus(value_double(l, k), buf, n);
        case KIND_GPUS:
                return limit_format_gpus(value_double(l, k), buf, n);
        case KIND_SIZE:
                return limit_format_size(value_u64(l, k), buf, n);
        case KIND_COUNT:
                return limit_format_count(value_u64(l, k), buf, n);
        case KIND_DURATION:
        default:
                if (value_u64(l, k) == LIMIT_INFINITY)
                        return "infinity";
                return format_duration(value_u64(l, k), buf, n);
        }
}
