/* SPDX-License-Identifier: MIT */
/* berthctl slices: every live berth slice, the limits the config files give
 * it beside the ones the kernel holds, what it uses now, and drift: a
 * kernel value that is not the configured one (changed behind berth's back,
 * or a config edit not yet applied with 'berthctl reload'). */
#include "berthctl.h"
#include "core/names.h"
#include "system/slice.h"

#include <time.h>

static const enum slice_key shown_keys[] = { SLICE_CPUS, SLICE_MEMORY_MAX, SLICE_MEMORY_HIGH, SLICE_TASKS_MAX };

struct slice_row {
        const char *unit;
        const char *kind; /* "root", "group", "user" */
        char *group, *user;
        char *cgroup;
        bool have_configured;
        struct slice_limits configured;
        bool have_kernel;
        struct slice_limits kernel;
        bool have_use;
        struct cgroup_use use;
        unsigned drift; /* bit (1 << enum slice_key) */
        char note[256];
};

static void slice_row_done(struct slice_row *s) {
        free(s->group);
        free(s->user);
        free(s->cgroup);
        slice_limits_done(&s->configured);
        slice_limits_done(&s->kernel);
}

/* What the config files say this slice should hold. */
static void configured_limits(const struct berth_config *c, struct slice_row *s) {
        if (streq(s->kind, "group")) {
                const struct group_config *g = config_find_group(c, s->group);
                struct limits none = { 0 };
                if (!g && !streq(s->group, c->default_group)) {
                        snprintf(s->note, sizeof(s->note), "stale: no group %s in the config", s->group);
                        return;
                }
                slice_limits_from_total(g ? &g->total : &none, &s->configured);
                s->have_configured = true;
                return;
        }
        struct resolved_user ru;
        int r = config_resolve_user(c, s->user, time(NULL), &ru);
        if (r < 0) {
                snprintf(s->note, sizeof(s->note), "stale: %s", r == -ENOENT ? "no such user" : strerror(-r));
                return;
        }
        if (!streq(ru.group, s->group))
                snprintf(s->note, sizeof(s->note), "stale: %s is now in group %s", s->user, ru.group);
        else {
                slice_limits_from_user(&ru.limits, &s->configured);
                s->have_configured = true;
        }
        resolved_user_done(&ru);
}

static void compare(struct slice_row *s, bool unified) {
        uint64_t page = (uint64_t) sysconf(_SC_PAGESIZE);
        if (!s->have_configured)
                return;
        for (size_t i = 0; i < ELEMENTSOF(shown_keys); i++) {
                enum slice_key k = shown_keys[i];
                if (!slice_key_file(k, unified))
                        continue; /* memory_high: nothing holds it on cgroup v1 */
                bool known = s->have_kernel && (s->kernel.known & (1u << k));
                if (known ? !slice_value_matches(k, &s->configured, &s->kernel, page)
                          : !slice_limit_is_unlimited(&s->configured, k))
                        s->drift |= 1u << k;
        }
}

static const char *fmt_key(enum slice_key k, const struct slice_limits *l, char *buf, size_t n) {
        switch (k) {
        case SLICE_CPUS:
                return limit_format_cpus(l->cpus, buf, n);
        case SLICE_MEMORY_MAX:
                return limit_format_size(l->memory_max, buf, n);
        case SLICE_MEMORY_HIGH:
                return limit_format_size(l->memory_high, buf, n);
        case SLICE_TASKS_MAX:
                return limit_format_count(l->tasks_max, buf, n);
        case SLICE_ALLOWED_CPUS:
        case SLICE_ALLOWED_MEMS:
        case _SLICE_KEY_MAX:
        default:
                return "?";
        }
}

static json_t *json_key(enum slice_key k, const struct slice_limits *l) {
        switch (k) {
        case SLICE_CPUS:
                return limit_json_cpus(l->cpus);
        case SLICE_MEMORY_MAX:
                return limit_json_size(l->memory_max);
        case SLICE_MEMORY_HIGH:
                return limit_json_size(l->memory_high);
        case SLICE_TASKS_MAX:
                return limit_json_size(l->tasks_max);
        case SLICE_ALLOWED_CPUS:
        case SLICE_ALLOWED_MEMS:
        case _SLICE_KEY_MAX:
        default:
                return json_null();
        }
}

/* "kernel" when it matches, "kernel (config X)" when it drifted. */
static const char *limit_cell(const struct slice_row *s, enum slice_key k, char *buf, size_t n) {
        char kb[32], cb[32];
        const char *kv = s->have_kernel && (s->kernel.known & (1u << k)) ? fmt_key(k, &s->kernel, kb, sizeof(kb)) : "-";
        if (s->drift & (1u << k))
                snprintf(buf, n, "%s (config %s)", kv, fmt_key(k, &s->configured, cb, sizeof(cb)));
        else
                snprintf(buf, n, "%s", kv);
        return buf;
}

static const char *drift_cell(const struct slice_row *s, char *buf, size_t n) {
        if (!s->drift)
                return s->note[0] ? s->note : "-";
        snprintf(buf, n, "DRIFT:");
        for (size_t i = 0; i < ELEMENTSOF(shown_keys); i++)
                if (s->drift & (1u << shown_keys[i]))
                        snprintf(buf + strlen(buf), n - strlen(buf), " %s", slice_key_name(shown_keys[i]));
        if (s->note[0])
                snprintf(buf + strlen(buf), n - strlen(buf), "; %s", s->note);
        return buf;
}

static json_t *row_json(const struct slice_row *s, bool unified) {
        json_t *configured = s->have_configured ? json_object() : json_null();
        json_t *kernel = json_object(), *drift = json_array();
        json_t *use = json_object();

        for (size_t i = 0; i < ELEMENTSOF(shown_keys); i++) {
                enum slice_key k = shown_keys[i];
                if (!slice_key_file(k, unified))
                        continue;
                if (s->have_configured)
                        json_object_set_new(configured, slice_key_name(k), json_key(k, &s->configured));
                if (s->have_kernel && (s->kernel.known & (1u << k)))
                        json_object_set_new(kernel, slice_key_name(k), json_key(k, &s->kernel));
                if (s->drift & (1u << k))
                        json_array_append_new(drift, json_string(slice_key_name(k)));
        }
        if (s->have_use && (s->use.known & CGROUP_USE_MEMORY))
                json_object_set_new(use, "memory", json_integer((json_int_t) s->use.memory));
        if (s->have_use && (s->use.known & CGROUP_USE_TASKS))
                json_object_set_new(use, "tasks", json_integer((json_int_t) s->use.tasks));
        if (s->have_use && (s->use.known & CGROUP_USE_CPU))
                json_object_set_new(use, "cpu_usec", json_integer((json_int_t) (s->use.cpu_nsec / 1000)));
        return json_pack("{s:s,s:s,s:s?,s:s?,s:s?,s:o,s:o,s:o,s:o,s:s?}", "slice", s->unit, "kind", s->kind, "group",
                         s->group, "user", s->user, "cgroup", s->cgroup, "configured", configured, "kernel", kernel,
                         "use", use, "drift", drift, "note", s->note[0] ? s->note : NULL);
}

static int add_row(struct cmd_table *t, const struct slice_row *s, bool unified) {
        char cpus[64], mem[64], high[64], tasks[64], mu[32], tu[32], cu[32], drift[512];
        if (s->have_use && (s->use.known & CGROUP_USE_CPU))
                snprintf(cu, sizeof(cu), "%.1fs", (double) s->use.cpu_nsec / 1e9);
        else
                snprintf(cu, sizeof(cu), "-");
        if (s->have_use && (s->use.known & CGROUP_USE_TASKS))
                snprintf(tu, sizeof(tu), "%llu", (unsigned long long) s->use.tasks);
        else
                snprintf(tu, sizeof(tu), "-");
        const char *m = s->have_use && (s->use.known & CGROUP_USE_MEMORY) ? format_size(s->use.memory, mu, sizeof(mu)) : "-";
        limit_cell(s, SLICE_CPUS, cpus, sizeof(cpus));
        limit_cell(s, SLICE_MEMORY_MAX, mem, sizeof(mem));
        limit_cell(s, SLICE_TASKS_MAX, tasks, sizeof(tasks));
        const char *d = drift_cell(s, drift, sizeof(drift));
        if (unified)
                return cmd_table_add(t, s->unit, cpus, mem, limit_cell(s, SLICE_MEMORY_HIGH, high, sizeof(high)), tasks, m,
                                 tu, cu, d);
        return cmd_table_add(t, s->unit, cpus, mem, tasks, m, tu, cu, d);
}

int verb_slices(struct cmd *ctl, _unused_ const struct cmd_args *a) {
        const struct berth_config *c = ctl->config;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **units = NULL;
        bool json = ctl->json;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                log_error_errno(r, "cannot reach the system bus: %m");
                return CMD_EXIT_SYSTEM;
        }
        r = slice_list(bus, &units);
        if (r < 0) {
                log_error_errno(r, "cannot list the berth slices: %m");
                return CMD_EXIT_SYSTEM;
        }

        bool unified = slice_cgroup_unified(NULL);
        _cleanup_json_ json_t *list = json_array();
        _cleanup_table_ struct cmd_table *t =
                unified ? cmd_table_new(9, "SLICE", "CPUS", "MEMORY", "MEMORY_HIGH", "TASKS", "MEM USED", "TASKS USED",
                                    "CPU TIME", "DRIFT")
                        : cmd_table_new(8, "SLICE", "CPUS", "MEMORY", "TASKS", "MEM USED", "TASKS USED", "CPU TIME", "DRIFT");
        size_t drifted = 0;
        if (!list || !t)
                return CMD_EXIT_SYSTEM;
        for (char **u = units; *u; u++) {
                struct slice_row s = { .unit = *u, .configured = SLICE_LIMITS_UNLIMITED, .kernel = SLICE_LIMITS_UNLIMITED };
                if (name_slice_parse(*u, &s.group, &s.user) >= 0)
                        s.kind = s.user ? "user" : "group";
                else
                        s.kind = "root"; /* berth.slice: a static unit, no berth limits */
                if (slice_cgroup_path(bus, *u, &s.cgroup, NULL) >= 0) {
                        s.have_kernel = slice_read_back(NULL, s.cgroup, &s.kernel) >= 0;
                        s.have_use = cgroup_use_read(NULL, s.cgroup, &s.use) >= 0;
                }
                if (!streq(s.kind, "root"))
                        configured_limits(c, &s);
                compare(&s, unified);
                drifted += s.drift != 0;
                r = json ? json_array_append_new(list, row_json(&s, unified)) : add_row(t, &s, unified);
                slice_row_done(&s);
                if (r < 0)
                        return CMD_EXIT_SYSTEM;
        }
        if (json) {
                _cleanup_json_ json_t *out = json_pack("{s:s,s:O,s:I}", "cgroup", unified ? "v2" : "v1", "slices", list,
                                                      "drifted", (json_int_t) drifted);
                return out ? cmd_print_json(out) : CMD_EXIT_SYSTEM;
        }
        if (cmd_table_rows(t) == 0) {
                printf("no berth slice is live.\n");
                return CMD_EXIT_OK;
        }
        cmd_table_print(t, stdout);
        if (drifted)
                printf("\n%zu slice%s drifted: the kernel holds values the config files do not give; 'berthctl reload' applies the configured ones.\n",
                       drifted, drifted == 1 ? "" : "s");
        return CMD_EXIT_OK;
}
