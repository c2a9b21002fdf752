/* SPDX-License-Identifier: MIT */
#include "reply.h"

#include <math.h>

#include "core/config.h"

static int json_size_value(json_t *v, uint64_t *ret) {
        if (json_is_null(v)) {
                *ret = LIMIT_INFINITY;
                return 0;
        }
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return -EBADMSG;
        *ret = (uint64_t) json_integer_value(v);
        return 0;
}

/* CPUs and GPUs: a number, null for unlimited (NAN here). */
static int json_amount_value(json_t *v, double *ret) {
        if (json_is_null(v)) {
                *ret = NAN;
                return 0;
        }
        if (!json_is_number(v) || json_number_value(v) < 0)
                return -EBADMSG;
        *ret = json_number_value(v);
        return 0;
}

static void format_amount(double v, const char *one, const char *many, char *buf, size_t n) {
        if (isnan(v))
                snprintf(buf, n, "unlimited %s", many);
        else if (v == 0)
                snprintf(buf, n, "no %s", many);
        else
                snprintf(buf, n, "%g %s", v, v == 1 ? one : many);
}

int greeting_format(json_t *whoami, char **ret) {
        json_t *limits = json_object_get(whoami, "limits"), *usage = json_object_get(whoami, "usage");
        const char *group = json_string_value(json_object_get(whoami, "group"));
        double cpus, gpus, gpus_held;
        uint64_t memory, containers, containers_held;
        char cpu_text[64], mem_text[32], gpu_text[64], held_text[96];

        if (!group || !json_is_object(limits) || !json_is_object(usage) ||
            json_amount_value(json_object_get(limits, "cpus"), &cpus) < 0 ||
            json_size_value(json_object_get(limits, "memory"), &memory) < 0 ||
            json_amount_value(json_object_get(limits, "gpus"), &gpus) < 0 ||
            json_size_value(json_object_get(limits, "containers"), &containers) < 0 ||
            json_amount_value(json_object_get(usage, "gpus"), &gpus_held) < 0 || isnan(gpus_held) ||
            json_size_value(json_object_get(usage, "containers"), &containers_held) < 0 ||
            containers_held == LIMIT_INFINITY)
                return -EBADMSG;

        format_amount(cpus, "CPU", "CPUs", cpu_text, sizeof(cpu_text));
        if (memory == LIMIT_INFINITY)
                snprintf(mem_text, sizeof(mem_text), "unlimited memory");
        else {
                char b[16];
                snprintf(mem_text, sizeof(mem_text), "%s of memory", format_size(memory, b, sizeof(b)));
        }
        format_amount(gpus, "GPU", "GPUs", gpu_text, sizeof(gpu_text));
        if (containers == LIMIT_INFINITY)
                snprintf(held_text, sizeof(held_text), "%llu containers", (unsigned long long) containers_held);
        else
                snprintf(held_text, sizeof(held_text), "%llu of %llu containers", (unsigned long long) containers_held,
                         (unsigned long long) containers);
        if (asprintf(ret, "berth: group %s gives you %s, %s and %s; you hold %s and %g %s.", group, cpu_text,
                     mem_text, gpu_text, held_text, gpus_held, gpus_held == 1 ? "GPU" : "GPUs") < 0)
                return -ENOMEM;
        return 0;
}

int session_limits_from_json(json_t *limits, struct session_limits *ret) {
        struct session_limits l = { .memory_max = "" };
        uint64_t memory, tasks;
        double cpus;

        if (!json_is_object(limits) || json_size_value(json_object_get(limits, "memory"), &memory) < 0 ||
            json_size_value(json_object_get(limits, "tasks"), &tasks) < 0 ||
            json_amount_value(json_object_get(limits, "cpus"), &cpus) < 0)
                return -EBADMSG;
        if (memory != LIMIT_INFINITY)
                snprintf(l.memory_max, sizeof(l.memory_max), "%llu", (unsigned long long) memory);
        if (tasks != LIMIT_INFINITY)
                snprintf(l.tasks_max, sizeof(l.tasks_max), "%llu", (unsigned long long) tasks);
        /* CPUWeight is relative among the user's own units; scale by the
         * quota, as Kubernetes scales cpu.shares by the request */
        if (!isnan(cpus) && cpus > 0) {
                double w = round(cpus * 100);
                snprintf(l.cpu_weight, sizeof(l.cpu_weight), "%d", w < 1 ? 1 : w > 10000 ? 10000 : (int) w);
        }
        *ret = l;
        return 0;
}
