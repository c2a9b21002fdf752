/* SPDX-License-Identifier: MIT */
/* container list: the caller's containers (label berth.user), with limits
 * and current use read from each container's cgroup files (v1 or v2); a
 * stopped container shows the limits Docker holds for it. */
#include "container.h"

#include <math.h>
#include <time.h>

#include "common/table.h"
#include "core/names.h"
#include "system/slice.h"
#include "system/slicemgr-client.h"

#define CPU_SAMPLE_USEC 200000 /* CPU use is the rate over this interval */

struct row {
        json_t *inspect;
        char *cgroup;
        bool running;
        struct cgroup_use s0, s1;
        bool sampled;
        struct slice_limits limits;
        bool limits_from_cgroup;
        uint64_t uptime;
};

static uint64_t now_nsec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

/* Docker's "2024-05-01T10:00:00.123456789Z" to seconds ago. */
static uint64_t seconds_since(const char *rfc3339) {
        struct tm tm = { 0 };
        if (!rfc3339 || !strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm))
                return 0;
        time_t t = timegm(&tm), now = time(NULL);
        return t > 0 && now > t ? (uint64_t) (now - t) : 0;
}

static const char *label(json_t *inspect, const char *key) {
        return json_string_value(json_object_get(json_object_get(json_object_get(inspect, "Config"), "Labels"), key));
}

int verb_list(struct cmd *u, _unused_ const struct cmd_args *a) {
        _cleanup_free_ char *filter = NULL;
        _cleanup_json_ json_t *list = NULL, *out = NULL;
        struct berth_error err = { 0 };
        struct docker *d;
        _cleanup_table_ struct cmd_table *table = NULL;
        int rc;

        if ((rc = usercmd_docker(u, &d)) != 0)
                return rc;
        if (asprintf(&filter, "berth.user=%s", u->user) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        char *filters[] = { (char *) "berth.managed=true", filter, NULL };
        if (docker_container_list(d, true, filters, &list, &err) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "Docker could not list your containers: %s", err.message);

        size_t n = json_array_size(list);
        struct row *rows = calloc(n ? n : 1, sizeof(struct row));
        if (!rows)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        bool any_running = false;
        for (size_t i = 0; i < n; i++) {
                struct row *r = &rows[i];
                const char *id = json_string_value(json_object_get(json_array_get(list, i), "Id"));
                r->limits = SLICE_LIMITS_UNLIMITED;
                if (!id || docker_container_inspect(d, id, &r->inspect, &err) < 0)
                        continue; /* removed meanwhile */
                json_t *state = json_object_get(r->inspect, "State");
                r->running = json_is_true(json_object_get(state, "Running"));
                if (r->running)
                        r->uptime = seconds_since(json_string_value(json_object_get(state, "StartedAt")));
                const char *parent = json_string_value(
                        json_object_get(json_object_get(r->inspect, "HostConfig"), "CgroupParent"));
                if (r->running && cgroup_container_path(parent, id, &r->cgroup) >= 0) {
                        if (slice_read_back(NULL, r->cgroup, &r->limits) >= 0)
                                r->limits_from_cgroup = true;
                        r->sampled = cgroup_use_read(NULL, r->cgroup, &r->s0) >= 0;
                        any_running = any_running || r->sampled;
                }
        }
        uint64_t t0 = now_nsec();
        if (any_running)
                usleep(CPU_SAMPLE_USEC);
        uint64_t dt = now_nsec() - t0;
        for (size_t i = 0; i < n; i++)
                if (rows[i].sampled && cgroup_use_read(NULL, rows[i].cgroup, &rows[i].s1) < 0)
                        rows[i].sampled = false;

        /* what the reaper and the GPU hold say of each, from the daemon (none when it is away) */
        _cleanup_json_ json_t *status_req = json_pack("{s:s}", "op", "status"), *status = NULL;
        struct berth_error serr = { 0 };
        if (!status_req || slicemgr_call(u->config->control_socket, status_req, 5000, &status, NULL, &serr) < 0) {
                json_decref(status);
                status = NULL;
        }

        out = json_array();
        table = cmd_table_new(9, "NAME", "PROJECT", "IMAGE", "STATE", "UPTIME", "CPU use/limit", "MEM use/limit", "GPUS",
                              "REAPER");
        for (size_t i = 0; i < n && out && table; i++) {
                struct row *r = &rows[i];
                if (!r->inspect)
                        continue;
                const char *full = json_string_value(json_object_get(r->inspect, "Name"));
                _cleanup_free_ char *base = NULL;
                if (full && *full == '/')
                        full++;
                if (!full || name_container_parse(full, &base, NULL) < 0)
                        continue;
                json_t *host = json_object_get(r->inspect, "HostConfig");
                double cpus = r->limits_from_cgroup && (r->limits.known & (1u << SLICE_CPUS))
                                      ? r->limits.cpus
                                      : (double) json_integer_value(json_object_get(host, "NanoCpus")) / 1e9;
                uint64_t mem = r->limits_from_cgroup && (r->limits.known & (1u << SLICE_MEMORY_MAX))
                                       ? r->limits.memory_max
                                       : (uint64_t) json_integer_value(json_object_get(host, "Memory"));
                if (mem == 0)
                        mem = LIMIT_INFINITY;
                double cpu_use = r->sampled && (r->s1.known & CGROUP_USE_CPU) && (r->s0.known & CGROUP_USE_CPU) && dt > 0
                                         ? (double) (r->s1.cpu_nsec - r->s0.cpu_nsec) / (double) dt
                                         : -1;
                const char *state = json_string_value(json_object_get(json_object_get(r->inspect, "State"), "Status"));
                const char *gpus = label(r->inspect, "berth.gpus");
                const char *image = json_string_value(json_object_get(json_object_get(r->inspect, "Config"), "Image"));

                json_t *o = json_pack("{s:s,s:s,s:s?,s:s?,s:s?,s:I,s:[],s:{s:f,s:o,s:s},s:{s:o,s:o}}", "name", base,
                                      "container", full, "project", label(r->inspect, "berth.project"), "image", image,
                                      "state", state, "uptime_s", (json_int_t) r->uptime, "gpus", "limits", "cpus",
                                      cpus, "memory", mem == LIMIT_INFINITY ? json_null() : json_integer((json_int_t) mem),
                                      "source", r->limits_from_cgroup ? "cgroup" : "docker", "use", "cpus",
                                      cpu_use >= 0 ? json_real(round(cpu_use * 1000) / 1000) : json_null(), "memory",
                                      r->sampled && (r->s1.known & CGROUP_USE_MEMORY) ? json_integer((json_int_t) r->s1.memory)
                                                                      : json_null());
                if (!o)
                        continue;
                json_t *srow = NULL, *c;
                size_t k;
                json_array_foreach(json_object_get(status, "containers"), k, c)
                        if (streq_ptr(json_string_value(json_object_get(c, "container")), full))
                                srow = c;
                char reaper[128];
                const char *reaper_text = srow ? cmd_reaper_text(srow, reaper, sizeof(reaper)) : NULL;
                if (srow && json_object_get(srow, "reaper"))
                        json_object_set(o, "reaper", json_object_get(srow, "reaper"));
                if (srow && json_object_get(srow, "gpus_free_in_s"))
                        json_object_set(o, "gpus_free_in_s", json_object_get(srow, "gpus_free_in_s"));
                if (srow && json_object_get(srow, "gpus_released"))
                        json_object_set(o, "gpus_released", json_object_get(srow, "gpus_released"));
                if (gpus && *gpus) {
                        _cleanup_free_ char *copy = strdup(gpus);
                        char *save = NULL;
                        for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
                                json_array_append_new(json_object_get(o, "gpus"), json_string(t));
                }
                json_array_append_new(out, o);
                if (u->json)
                        continue;
                char up[32] = "-", cl[32], ml[32], cu[32] = "-", mu[32] = "-", cbuf[40], mbuf[40];
                if (r->running)
                        usercmd_format_uptime(r->uptime, up, sizeof(up));
                if (cpu_use >= 0)
                        snprintf(cu, sizeof(cu), "%.2f", cpu_use);
                if (r->sampled && (r->s1.known & CGROUP_USE_MEMORY))
                        format_size(r->s1.memory, mu, sizeof(mu));
                snprintf(cbuf, sizeof(cbuf), "%s/%s", cu, cpus > 0 ? format_cpus(cpus, cl, sizeof(cl)) : "-");
                snprintf(mbuf, sizeof(mbuf), "%s/%s", mu, format_size(mem, ml, sizeof(ml)));
                if (cmd_table_add(table, base, label(r->inspect, "berth.project"), image, state, up, cbuf, mbuf,
                                  gpus && *gpus ? gpus : NULL, reaper_text) < 0)
                        json_decref(TAKE_PTR(out));
        }
        for (size_t i = 0; i < n; i++) {
                json_decref(rows[i].inspect);
                free(rows[i].cgroup);
                slice_limits_done(&rows[i].limits);
        }
        free(rows);
        if (!out || !table)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        if (u->json)
                return cmd_print_json(out);
        if (json_array_size(out) == 0)
                printf("(none yet: 'container deploy NAME' starts one)\n");
        else
                cmd_table_print(table, stdout);
        return 0;
}
