/* SPDX-License-Identifier: MIT */
/* What a slice uses now, from its cgroup files, on either cgroup layout
 * (v1 with the hybrid unified tree beside it included). */
#include "berthctl.h"
#include "slice.h"

#include <inttypes.h>

#define USE_FILE_MAX 4096

/* "<root>[/<controller>]<path>/<file>" read whole; -ENOENT when absent. */
static int read_use_file(const char *root, const char *controller, const char *path, const char *file,
                         char **ret) {
        _cleanup_free_ char *fn = NULL;
        if (asprintf(&fn, "%s%s%s%s/%s", root, controller ? "/" : "", strempty(controller),
                     streq(path, "/") ? "" : path, file) < 0)
                return -ENOMEM;
        return read_full_file(fn, USE_FILE_MAX, ret, NULL);
}

static int parse_u64(const char *text, uint64_t *ret) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(text, &end, 10);
        if (errno || end == text || (*end && *end != '\n'))
                return -EINVAL;
        *ret = v;
        return 0;
}

/* "usage_usec N" in cpu.stat */
static int parse_cpu_stat_usage(const char *text, uint64_t *ret_nsec) {
        for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                uint64_t v;
                if (strncmp(line, "usage_usec ", 11) == 0 && sscanf(line + 11, "%" SCNu64, &v) == 1) {
                        *ret_nsec = v * 1000;
                        return 0;
                }
        }
        return -EINVAL;
}

int cgroup_use_read(const char *cgroup_root, const char *cgroup_path, struct cgroup_use *ret) {
        const char *root = cgroup_root ? cgroup_root : SLICE_CGROUP_ROOT;
        bool unified = slice_cgroup_unified(root);
        struct cgroup_use u = { 0 };
        _cleanup_free_ char *mem = NULL, *pids = NULL, *cpu = NULL;

        if (!cgroup_path || cgroup_path[0] != '/' || strstr(cgroup_path, "/../") || !ret)
                return -EINVAL;
        if (read_use_file(root, unified ? NULL : "memory", cgroup_path,
                          unified ? "memory.current" : "memory.usage_in_bytes", &mem) >= 0 &&
            parse_u64(mem, &u.memory) >= 0)
                u.known |= CGROUP_USE_MEMORY;
        if (read_use_file(root, unified ? NULL : "pids", cgroup_path, "pids.current", &pids) >= 0 &&
            parse_u64(pids, &u.tasks) >= 0)
                u.known |= CGROUP_USE_TASKS;
        if (unified) {
                if (read_use_file(root, NULL, cgroup_path, "cpu.stat", &cpu) >= 0 &&
                    parse_cpu_stat_usage(cpu, &u.cpu_nsec) >= 0)
                        u.known |= CGROUP_USE_CPU;
        } else if (read_use_file(root, "cpuacct", cgroup_path, "cpuacct.usage", &cpu) >= 0 &&
                   parse_u64(cpu, &u.cpu_nsec) >= 0)
                u.known |= CGROUP_USE_CPU;
        else {
                /* hybrid layout: systemd may not realize cpuacct, but every
                 * cgroup in the unified tree counts its CPU time in cpu.stat */
                free(cpu);
                cpu = NULL;
                if (read_use_file(root, "unified", cgroup_path, "cpu.stat", &cpu) >= 0 &&
                    parse_cpu_stat_usage(cpu, &u.cpu_nsec) >= 0)
                        u.known |= CGROUP_USE_CPU;
        }
        if (u.known == 0)
                return -ENOENT;
        *ret = u;
        return 0;
}
