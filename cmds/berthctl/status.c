/* SPDX-License-Identifier: MIT */
/* berthctl status: who holds which GPU, and what each user and group uses
 * against its quota.  GPUs and holdings come from the daemon's `status` op;
 * limits from its admin `users` op (else from the config files, for a
 * caller who is no admin); CPU and memory use from the slices' cgroups.
 * Containers whose berth.* labels carry no valid seal come from the status
 * reply's "forged" list (a daemon without it has none to report). */
#include "berthctl.h"
#include "core/names.h"
#include "system/slice.h"
#include "system/slicemgr-client.h"

#include <math.h>
#include <time.h>

#define STATUS_TIMEOUT_MS 10000
#define CPU_SAMPLE_USEC 250000 /* the window CPU use is averaged over */

struct use_row {
        char *name;  /* user or group */
        char *group; /* users only */
        char *cgroup; /* the slice's cgroup, NULL when it has none */
        char *slice;
        json_t *limits; /* daemon format: null = unlimited; a missing key = unknown */
        double gpus;
        uint64_t containers;
        size_t members; /* groups only */
        struct cgroup_use use0, use1;
        bool has_use;
        double cpu_rate; /* CPUs busy over the sample, NAN unknown */
};

struct rows {
        struct use_row *v;
        size_t n;
};

static void rows_done(struct rows *r) {
        for (size_t i = 0; i < r->n; i++) {
                free(r->v[i].name);
                free(r->v[i].group);
                free(r->v[i].cgroup);
                free(r->v[i].slice);
                json_decref(r->v[i].limits);
        }
        free(r->v);
        *r = (struct rows) { 0 };
}

static struct use_row *rows_find(struct rows *r, const char *name) {
        for (size_t i = 0; i < r->n; i++)
                if (streq(r->v[i].name, name))
                        return &r->v[i];
        return NULL;
}

static struct use_row *rows_get(struct rows *r, const char *name, const char *group) {
        struct use_row *row = rows_find(r, name);
        if (row)
                return row;
        struct use_row *v = reallocarray(r->v, r->n + 1, sizeof(*v));
        if (!v)
                return NULL;
        r->v = v;
        row = &v[r->n];
        *row = (struct use_row) { .name = strdup(name), .group = group ? strdup(group) : NULL, .cpu_rate = NAN };
        if (!row->name || (group && !row->group)) {
                free(row->name);
                free(row->group);
                return NULL;
        }
        r->n++;
        return row;
}

static int cmp_rows(const void *a, const void *b) {
        return strcmp(((const struct use_row *) a)->name, ((const struct use_row *) b)->name);
}

/* Live berth slices: each user slice gives its user a row (and its cgroup),
 * each group slice its group.  Without a bus there is no slice to show. */
static int collect_slices(struct rows *users, struct rows *groups) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_strv_free_ char **units = NULL;
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_error_errno(r, "cannot reach the system bus to list slices: %m");
        r = slice_list(bus, &units);
        if (r < 0)
                return log_error_errno(r, "cannot list the berth slices: %m");
        for (char **u = units; *u; u++) {
                _cleanup_free_ char *group = NULL, *user = NULL, *cgroup = NULL;
                if (name_slice_parse(*u, &group, &user) < 0)
                        continue; /* berth.slice itself */
                if (slice_cgroup_path(bus, *u, &cgroup, NULL) < 0)
                        continue;
                struct use_row *row = user ? rows_get(users, user, group) : rows_get(groups, group, NULL);
                if (!row)
                        return log_error_errno(-ENOMEM, "out of memory");
                if (user && row->group && !streq(row->group, group))
                        continue; /* a stale slice from an old group: the current one counts */
                free(row->cgroup);
                free(row->slice);
                row->cgroup = TAKE_PTR(cgroup);
                row->slice = strdup(*u);
        }
        return 0;
}

static void sample_use(struct rows *r, bool second) {
        for (size_t i = 0; i < r->n; i++) {
                struct use_row *row = &r->v[i];
                if (!row->cgroup)
                        continue;
                if (!second)
                        row->has_use = cgroup_use_read(NULL, row->cgroup, &row->use0) >= 0;
                else if (row->has_use && cgroup_use_read(NULL, row->cgroup, &row->use1) >= 0 &&
                         (row->use0.known & row->use1.known & CGROUP_USE_CPU) && row->use1.cpu_nsec >= row->use0.cpu_nsec)
                        row->cpu_rate = (double) (row->use1.cpu_nsec - row->use0.cpu_nsec) / (CPU_SAMPLE_USEC * 1000.0);
        }
}

/* Each user's limits from the daemon's admin `users` op: 1 when the caller
 * is no admin (who then resolves them from the files). */
static int limits_from_daemon(const struct berth_config *c, struct rows *users) {
        _cleanup_slicemgr_client_ struct slicemgr_client *client = NULL;
        struct berth_error err = { 0 };
        int r;

        if (users->n == 0)
                return 0;
        r = slicemgr_client_connect(c->control_socket, STATUS_TIMEOUT_MS, &client, &err);
        if (r < 0) {
                cmd_fail_message(CMD_EXIT_SYSTEM, NULL, err.message);
                return r;
        }
        /* ask first: a refused admin op would be audited as access.deny */
        _cleanup_json_ json_t *who = json_pack("{s:s}", "op", "whoami"), *me = NULL;
        if (!who)
                return -ENOMEM;
        r = slicemgr_client_call(client, who, STATUS_TIMEOUT_MS, &me, &err);
        if (r < 0) {
                cmd_fail_message(CMD_EXIT_SYSTEM, NULL, err.message);
                return r;
        }
        if (!json_is_true(json_object_get(me, "admin")))
                return 1;
        for (size_t i = 0; i < users->n; i++) {
                _cleanup_json_ json_t *req = json_pack("{s:s,s:s}", "op", "users", "target", users->v[i].name);
                _cleanup_json_ json_t *reply = NULL;
                if (!req)
                        return -ENOMEM;
                r = slicemgr_client_call(client, req, STATUS_TIMEOUT_MS, &reply, &err);
                if (r < 0) {
                        cmd_fail_message(CMD_EXIT_SYSTEM, NULL, err.message);
                        return r;
                }
                if (!json_is_true(json_object_get(reply, "ok")))
                        continue; /* a slice of a user who no longer exists */
                json_t *u = json_array_get(json_object_get(reply, "users"), 0);
                json_t *l = json_object_get(u, "limits");
                if (l)
                        users->v[i].limits = json_incref(l);
        }
        return 0;
}

static int limits_from_config(const struct berth_config *c, struct rows *users) {
        for (size_t i = 0; i < users->n; i++) {
                struct resolved_user ru;
                if (config_resolve_user(c, users->v[i].name, time(NULL), &ru) < 0)
                        continue;
                json_t *l = json_object();
                for (enum limit_key k = 0; k < _LIMIT_MAX && l; k++)
                        json_object_set_new(l, limit_key_name(k), limit_json(&ru.limits, k));
                users->v[i].limits = l;
                resolved_user_done(&ru);
        }
        return 0;
}

/* {"used":…,"limit":…}: limit null is unlimited; missing (unknown) is left out */
static json_t *pair_json(json_t *used, json_t *limits, const char *key) {
        json_t *o = json_pack("{s:o}", "used", used ? used : json_null());
        json_t *l = json_object_get(limits, key);
        if (o && l)
                json_object_set(o, "limit", l);
        return o;
}

/* "used/limit" for people; "-" for what is unknown */
static const char *pair_text(const char *used, json_t *limits, const char *key, bool size, char *buf, size_t n) {
        json_t *l = json_object_get(limits, key);
        char lb[32];
        const char *lt;
        if (!l)
                lt = "?";
        else if (json_is_null(l))
                lt = "infinity";
        else if (size)
                lt = format_size((uint64_t) json_integer_value(l), lb, sizeof(lb));
        else
                lt = limit_format_gpus(json_number_value(l), lb, sizeof(lb));
        snprintf(buf, n, "%s/%s", used ? used : "-", lt);
        return buf;
}

static json_t *row_json(const struct use_row *row, bool is_user) {
        json_t *o = json_pack("{s:s}", is_user ? "user" : "group", row->name);
        if (!o)
                return NULL;
        if (is_user)
                json_object_set_new(o, "group", row->group ? json_string(row->group) : json_null());
        else
                json_object_set_new(o, "users", json_integer((json_int_t) row->members));
        json_object_set_new(o, "slice", row->slice ? json_string(row->slice) : json_null());
        /* a quarter-second sample says nothing below a thousandth of a CPU */
        json_object_set_new(o, "cpus", pair_json(isnan(row->cpu_rate) ? NULL : json_real(round(row->cpu_rate * 1000) / 1000),
                                                 row->limits, "cpus"));
        json_object_set_new(o, "memory",
                            pair_json(row->has_use && (row->use1.known & CGROUP_USE_MEMORY)
                                              ? json_integer((json_int_t) row->use1.memory)
                                              : NULL,
                                      row->limits, "memory"));
        json_object_set_new(o, "gpus", pair_json(json_real(row->gpus), row->limits, "gpus"));
        json_object_set_new(o, "containers", pair_json(json_integer((json_int_t) row->containers), row->limits,
                                                       "containers"));
        return o;
}

static int add_row(struct cmd_table *t, const struct use_row *row, bool is_user) {
        char cpus[48], mem[48], gpus[48], cont[48], ub[32], count[16];
        const char *cu = NULL, *mu = NULL;
        if (!isnan(row->cpu_rate)) {
                snprintf(ub, sizeof(ub), "%.2f", row->cpu_rate);
                cu = ub;
        }
        pair_text(cu, row->limits, "cpus", false, cpus, sizeof(cpus));
        char mb[32];
        if (row->has_use && (row->use1.known & CGROUP_USE_MEMORY))
                mu = format_size(row->use1.memory, mb, sizeof(mb));
        pair_text(mu, row->limits, "memory", true, mem, sizeof(mem));
        char gb[32], cb[32];
        pair_text(limit_format_gpus(row->gpus, gb, sizeof(gb)), row->limits, "gpus", false, gpus, sizeof(gpus));
        snprintf(cb, sizeof(cb), "%llu", (unsigned long long) row->containers);
        json_t *cl = json_object_get(row->limits, "containers");
        snprintf(cont, sizeof(cont), "%s/%s", cb,
                 !cl ? "?" : json_is_null(cl) ? "infinity" : limit_format_count((uint64_t) json_integer_value(cl), ub, sizeof(ub)));
        snprintf(count, sizeof(count), "%zu", row->members);
        return cmd_table_add(t, row->name, is_user ? row->group : count, cpus, mem, gpus, cont);
}

/* The daemon's values of keys into to, where it sent them (a daemon
 * before 0.6 has no metrics keys). */
static void copy_keys(json_t *to, json_t *from, const char *const *keys) {
        for (; to && *keys; keys++) {
                json_t *v = json_object_get(from, *keys);
                if (v)
                        json_object_set(to, *keys, v);
        }
}

/* The reply's row of name in the array key ("users" by "user"). */
static json_t *reply_row(json_t *reply, const char *array, const char *key, const char *name) {
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(reply, array), i, e)
                if (streq_ptr(json_string_value(json_object_get(e, key)), name))
                        return e;
        return NULL;
}

/* The GPU table, and the same as JSON into gpus_out. */
static int gpus_output(json_t *gpus, bool json, json_t *gpus_out) {
        _cleanup_table_ struct cmd_table *t = cmd_table_new(6, "GPU", "KIND", "HOLDER", "CONTAINER", "STATE", "SINCE");
        size_t i;
        json_t *g;

        if (!t)
                return -ENOMEM;
        json_array_foreach(gpus, i, g) {
                const char *uuid = json_string_value(json_object_get(g, "uuid"));
                const char *parent = json_string_value(json_object_get(g, "parent"));
                const char *user = json_string_value(json_object_get(g, "user"));
                const char *container = json_string_value(json_object_get(g, "container"));
                const char *state = json_string_value(json_object_get(g, "state"));
                const char *since = json_string_value(json_object_get(g, "since"));
                double fraction = json_number_value(json_object_get(g, "fraction"));
                char kind[32], when[32];
                const char *since_local = NULL;

                if (parent)
                        snprintf(kind, sizeof(kind), "mig %d/7", (int) lround(fraction * 7));
                else
                        snprintf(kind, sizeof(kind), "gpu");
                if (since) {
                        struct tm tm = { 0 };
                        const char *end = strptime(since, "%Y-%m-%dT%H:%M:%SZ", &tm);
                        if (end && !*end)
                                since_local = ctl_fmt_time((uint64_t) timegm(&tm) * 1000000, when, sizeof(when));
                }
                if (json) {
                        json_t *o = json_pack("{s:s?,s:s,s:f,s:s?,s:s?,s:O?,s:s,s:s?,s:s?,s:s?}", "uuid", uuid, "kind",
                                              parent ? "mig" : "gpu", "fraction", fraction, "parent", parent, "pci",
                                              json_string_value(json_object_get(g, "pci")), "numa",
                                              json_object_get(g, "numa"), "state", state ? state : "free", "user",
                                              user, "container", container, "since", since);
                        /* the reaper's last sample, as the metrics show it */
                        copy_keys(o, g, (const char *const[]) { "utilization", "memory_used", "memory_total", NULL });
                        if (!o || json_array_append_new(gpus_out, o) < 0)
                                return -ENOMEM;
                } else if (cmd_table_add(t, uuid, kind, user, container, state ? state : "free", since_local) < 0)
                        return -ENOMEM;
        }
        if (!json) {
                if (cmd_table_rows(t) == 0)
                        printf("GPUs: none (gpus = none, or NVML found none)\n");
                else
                        cmd_table_print(t, stdout);
        }
        return 0;
}

/* Containers with what the reaper makes of them, who waits for GPUs, and
 * the reaper's exemptions. */
static int reaper_output(json_t *reply) {
        _cleanup_table_ struct cmd_table *t = cmd_table_new(5, "CONTAINER", "USER", "STATE", "GPUS", "REAPER");
        json_t *c;
        size_t i;
        if (!t)
                return -ENOMEM;
        json_array_foreach(json_object_get(reply, "containers"), i, c) {
                char buf[128];
                if (cmd_table_add(t, json_string_value(json_object_get(c, "container")),
                                  json_string_value(json_object_get(c, "user")),
                                  json_string_value(json_object_get(c, "state")),
                                  json_string_value(json_object_get(c, "gpus")), cmd_reaper_text(c, buf, sizeof(buf))) < 0)
                        return -ENOMEM;
        }
        if (cmd_table_rows(t) > 0) {
                putchar('\n');
                cmd_table_print(t, stdout);
        }
        json_t *queue = json_object_get(reply, "queue");
        if (json_array_size(queue) > 0) {
                printf("\nwaiting for GPUs:");
                json_array_foreach(queue, i, c)
                        printf(" %" JSON_INTEGER_FORMAT ". %s (%s)", json_integer_value(json_object_get(c, "position")),
                               json_string_value(json_object_get(c, "user")),
                               strempty(json_string_value(json_object_get(c, "container"))));
                putchar('\n');
        }
        json_array_foreach(json_object_get(reply, "exemptions"), i, c)
                printf("%sexempt from the reaper: %s until %s, by %s: %s\n", i == 0 ? "\n" : "",
                       json_string_value(json_object_get(c, "target")),
                       json_string_value(json_object_get(c, "until_text")), json_string_value(json_object_get(c, "by")),
                       json_string_value(json_object_get(c, "reason")));
        return 0;
}

/* The daemon's "forged" list, each entry {container, claims_user, gpus}
 * with gpus a list of UUIDs whether the daemon sent a list or berth.gpus'
 * comma text.  An entry without a container name is dropped. */
static json_t *forged_list(json_t *reply) {
        json_t *out = json_array(), *e;
        size_t i;
        if (!out)
                return NULL;
        json_array_foreach(json_object_get(reply, "forged"), i, e) {
                const char *container = json_string_value(json_object_get(e, "container"));
                json_t *g = json_object_get(e, "gpus"), *gpus = json_array();
                if (!container || !gpus) {
                        json_decref(gpus);
                        continue;
                }
                if (json_is_string(g)) {
                        const char *p = json_string_value(g);
                        while (*p) {
                                size_t l = strcspn(p, ",");
                                if (l > 0)
                                        json_array_append_new(gpus, json_stringn(p, l));
                                p += l + (p[l] == ',');
                        }
                } else if (json_is_array(g)) {
                        size_t k;
                        json_t *x;
                        json_array_foreach(g, k, x)
                                if (json_is_string(x))
                                        json_array_append(gpus, x);
                }
                json_t *o = json_pack("{s:s,s:s?,s:o}", "container", container, "claims_user",
                                      json_string_value(json_object_get(e, "claims_user")), "gpus", gpus);
                if (!o || json_array_append_new(out, o) < 0) {
                        json_decref(out);
                        return NULL;
                }
        }
        return out;
}

/* "forged labels: …" and one row each; nothing when there are none. */
static int forged_output(json_t *forged) {
        size_t n = json_array_size(forged), i;
        json_t *e;
        if (n == 0)
                return 0;
        _cleanup_table_ struct cmd_table *t = cmd_table_new(3, "CONTAINER", "CLAIMS USER", "CLAIMS GPUS");
        if (!t)
                return -ENOMEM;
        json_array_foreach(forged, i, e) {
                _cleanup_free_ char *gpus = NULL;
                size_t len = 0, k;
                json_t *g;
                FILE *f = open_memstream(&gpus, &len);
                if (!f)
                        return -ENOMEM;
                json_array_foreach(json_object_get(e, "gpus"), k, g)
                        fprintf(f, "%s%s", k ? "," : "", json_string_value(g));
                if (fclose(f) != 0)
                        return -ENOMEM;
                if (cmd_table_add(t, json_string_value(json_object_get(e, "container")),
                                  json_string_value(json_object_get(e, "claims_user")), *gpus ? gpus : NULL) < 0)
                        return -ENOMEM;
        }
        printf("\nforged labels: %zu container%s carr%s berth.* labels without a valid seal; berth counts none of %s GPUs and holders:\n",
               n, n == 1 ? "" : "s", n == 1 ? "ies" : "y", n == 1 ? "its" : "their");
        return cmd_table_print(t, stdout);
}

int verb_status(struct cmd *ctl, _unused_ const struct cmd_args *a) {
        const struct berth_config *c = ctl->config;
        _cleanup_json_ json_t *req = NULL, *reply = NULL;
        _cleanup_(rows_done) struct rows users = { 0 }, groups = { 0 };
        bool json = ctl->json;
        int r;

        req = json_pack("{s:s}", "op", "status");
        if (!req)
                return CMD_EXIT_SYSTEM;
        r = cmd_call(ctl, req, &reply, NULL);
        if (r != CMD_EXIT_OK)
                return r;

        /* who: holders in the ledger and owners of live slices */
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(reply, "users"), i, e) {
                struct use_row *row = rows_get(&users, json_string_value(json_object_get(e, "user")),
                                               json_string_value(json_object_get(e, "group")));
                if (!row) {
                        log_error_errno(-ENOMEM, "out of memory");
                        return CMD_EXIT_SYSTEM;
                }
                row->gpus = json_number_value(json_object_get(e, "gpus"));
                row->containers = (uint64_t) json_integer_value(json_object_get(e, "containers"));
        }
        json_array_foreach(json_object_get(reply, "groups"), i, e) {
                struct use_row *row = rows_get(&groups, json_string_value(json_object_get(e, "group")), NULL);
                if (!row) {
                        log_error_errno(-ENOMEM, "out of memory");
                        return CMD_EXIT_SYSTEM;
                }
                row->gpus = json_number_value(json_object_get(e, "gpus"));
                row->containers = (uint64_t) json_integer_value(json_object_get(e, "containers"));
        }
        bool have_slices = collect_slices(&users, &groups) >= 0;

        r = limits_from_daemon(c, &users);
        if (r < 0)
                return CMD_EXIT_SYSTEM;
        bool limits_from_files = r > 0;
        if (limits_from_files)
                limits_from_config(c, &users);
        for (i = 0; i < users.n; i++) {
                struct use_row *g = users.v[i].group ? rows_get(&groups, users.v[i].group, NULL) : NULL;
                if (g)
                        g->members++;
        }
        for (i = 0; i < groups.n; i++) {
                /* the daemon's [total] where it sent one, else the files' */
                json_t *ge;
                size_t k;
                json_array_foreach(json_object_get(reply, "groups"), k, ge)
                        if (streq_ptr(json_string_value(json_object_get(ge, "group")), groups.v[i].name))
                                groups.v[i].limits = json_incref(json_object_get(ge, "total"));
                json_t *l = groups.v[i].limits ? json_deep_copy(groups.v[i].limits) : json_object();
                const struct group_config *gc = config_find_group(c, groups.v[i].name);
                for (enum limit_key lk = 0; lk < _LIMIT_MAX && l; lk++)
                        if (!json_object_get(l, limit_key_name(lk)))
                                json_object_set_new(l, limit_key_name(lk),
                                                    gc && (gc->total.set & (1u << lk)) ? limit_json(&gc->total, lk)
                                                                                       : json_null());
                json_decref(groups.v[i].limits);
                groups.v[i].limits = l;
        }
        qsort(users.v, users.n, sizeof(*users.v), cmp_rows);
        qsort(groups.v, groups.n, sizeof(*groups.v), cmp_rows);

        sample_use(&users, false);
        sample_use(&groups, false);
        if (have_slices && (users.n || groups.n))
                usleep(CPU_SAMPLE_USEC);
        sample_use(&users, true);
        sample_use(&groups, true);

        _cleanup_json_ json_t *forged = forged_list(reply);
        if (!forged)
                return CMD_EXIT_SYSTEM;
        if (json) {
                _cleanup_json_ json_t *out = json_object(), *gl = json_array(), *ul = json_array(), *grl = json_array();
                if (!out || !gl || !ul || !grl || gpus_output(json_object_get(reply, "gpus"), true, gl) < 0)
                        return CMD_EXIT_SYSTEM;
                /* the daemon's counters next to the quarter-second rates: what
                 * 'berthctl metrics' shows */
                static const char *const counters[] = { "cpu_usage_usec", NULL };
                for (i = 0; i < users.n; i++) {
                        json_t *row = row_json(&users.v[i], true);
                        copy_keys(row, reply_row(reply, "users", "user", users.v[i].name), counters);
                        json_array_append_new(ul, row);
                }
                for (i = 0; i < groups.n; i++) {
                        json_t *row = row_json(&groups.v[i], false);
                        copy_keys(row, reply_row(reply, "groups", "group", groups.v[i].name), counters);
                        json_array_append_new(grl, row);
                }
                copy_keys(out, reply, (const char *const[]) { "queue", "reaper", "reserve_latency", "daemon", NULL });
                json_object_set(out, "gpus", gl);
                json_object_set(out, "users", ul);
                json_object_set(out, "groups", grl);
                json_object_set(out, "forged", forged);
                json_object_set(out, "containers", json_object_get(reply, "containers"));
                json_object_set(out, "queue", json_object_get(reply, "queue"));
                json_object_set(out, "exemptions", json_object_get(reply, "exemptions"));
                json_object_set(out, "docker_synced", json_object_get(reply, "docker_synced"));
                json_object_set_new(out, "limits_from", json_string(limits_from_files ? "config" : "daemon"));
                return cmd_print_json(out);
        }

        if (!json_is_true(json_object_get(reply, "docker_synced")))
                printf("note: the daemon is still reading Docker's state; holdings may be incomplete.\n\n");
        if (gpus_output(json_object_get(reply, "gpus"), false, NULL) < 0 || forged_output(forged) < 0 ||
            reaper_output(reply) < 0)
                return CMD_EXIT_SYSTEM;
        putchar('\n');
        _cleanup_table_ struct cmd_table *ut = cmd_table_new(6, "USER", "GROUP", "CPUS", "MEMORY", "GPUS", "CONTAINERS");
        _cleanup_table_ struct cmd_table *gt = cmd_table_new(6, "GROUP", "USERS", "CPUS", "MEMORY", "GPUS", "CONTAINERS");
        if (!ut || !gt)
                return CMD_EXIT_SYSTEM;
        for (i = 0; i < users.n; i++)
                if (add_row(ut, &users.v[i], true) < 0)
                        return CMD_EXIT_SYSTEM;
        for (i = 0; i < groups.n; i++)
                if (add_row(gt, &groups.v[i], false) < 0)
                        return CMD_EXIT_SYSTEM;
        if (users.n == 0)
                printf("users: nobody holds a slice or a container.\n");
        else
                cmd_table_print(ut, stdout);
        putchar('\n');
        if (groups.n)
                cmd_table_print(gt, stdout);
        printf("\nused/limit; CPUs busy over the last %.2f s; limits %s.\n", CPU_SAMPLE_USEC / 1e6,
               limits_from_files ? "from the config files (the daemon's are for admins)" : "as the daemon applies them");
        return CMD_EXIT_OK;
}
