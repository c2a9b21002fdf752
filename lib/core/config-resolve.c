/* SPDX-License-Identifier: MIT */
/* Which group a user falls into, and their limits key by key: an unexpired
 * users.d override, else the group's [user], else [defaults], else built-in.
 * Group membership comes from NSS (getpwnam, getgrouplist), so LDAP works. */
#include "core/config.h"
#include "basic/util.h"
#include "core/identity.h"

#include <grp.h>
#include <math.h>
#include <pwd.h>

#define GIB (1ULL << 30)

/* The values a box gets when nobody configured anything: modest, so that an
 * unconfigured user cannot take the machine. */
static const struct limits builtin_limits = {
        .set = (1u << _LIMIT_MAX) - 1,
        .cpus = 2,
        .memory = 8 * GIB,
        .memory_high = 0, /* derived: 90% of memory */
        .tasks = 4096,
        .gpus = 0,
        .gpus_per_container = 1,
        .containers = 4,
        .container_cpus = 0,   /* derived: the user's cpus */
        .container_memory = 0, /* derived: the user's memory */
        .idle_timeout_usec = LIMIT_INFINITY,
        .max_runtime_usec = LIMIT_INFINITY,
        .gpu_hold_after_stop_usec = LIMIT_GPU_HOLD_DEFAULT_USEC,
};

void resolved_user_done(struct resolved_user *r) {
        free(r->user);
        free(r->group);
        *r = (struct resolved_user) { 0 };
}

static void copy_key(struct limits *dst, const struct limits *src, enum limit_key k) {
        switch (k) {
        case LIMIT_CPUS:
                dst->cpus = src->cpus;
                break;
        case LIMIT_MEMORY:
                dst->memory = src->memory;
                break;
        case LIMIT_MEMORY_HIGH:
                dst->memory_high = src->memory_high;
                break;
        case LIMIT_TASKS:
                dst->tasks = src->tasks;
                break;
        case LIMIT_GPUS:
                dst->gpus = src->gpus;
                break;
        case LIMIT_GPUS_PER_CONTAINER:
                dst->gpus_per_container = src->gpus_per_container;
                break;
        case LIMIT_CONTAINERS:
                dst->containers = src->containers;
                break;
        case LIMIT_CONTAINER_CPUS:
                dst->container_cpus = src->container_cpus;
                break;
        case LIMIT_CONTAINER_MEMORY:
                dst->container_memory = src->container_memory;
                break;
        case LIMIT_IDLE_TIMEOUT:
                dst->idle_timeout_usec = src->idle_timeout_usec;
                break;
        case LIMIT_MAX_RUNTIME:
                dst->max_runtime_usec = src->max_runtime_usec;
                break;
        case LIMIT_GPU_HOLD_AFTER_STOP:
                dst->gpu_hold_after_stop_usec = src->gpu_hold_after_stop_usec;
                break;
        default:
                return;
        }
        dst->line[k] = src->line[k];
        dst->set |= 1u << k;
}

static bool member_matches(const struct group_config *g, const char *user, char *const *unix_groups) {
        for (char **m = g->members; m && *m; m++) {
                if ((*m)[0] == '@') {
                        if (strv_contains(unix_groups, *m + 1))
                                return true;
                } else if (streq(*m, user))
                        return true;
        }
        return false;
}

int config_resolve_user_groups(const struct berth_config *c, const char *user, uid_t uid,
                               char *const *unix_groups, time_t now, struct resolved_user *ret) {
        const struct user_override *o = config_find_override(c, user);
        const struct group_config *g = NULL;
        struct resolved_user r = { .uid = uid };

        if (o && o->expires != 0 && now >= o->expires)
                o = NULL; /* expired: ignored, as if the file were not there */

        if (o && o->group)
                g = config_find_group(c, o->group);
        else
                /* the highest priority wins; on a tie the first by name */
                for (size_t i = 0; i < c->n_groups; i++)
                        if (member_matches(&c->groups[i], user, unix_groups) &&
                            (!g || c->groups[i].priority > g->priority))
                                g = &c->groups[i];

        r.in_configured_group = g != NULL;
        if (!g && !(o && o->group))
                g = config_find_group(c, c->default_group); /* may have a file of its own */
        r.user = strdup(user);
        r.group = strdup(g ? g->name : o && o->group ? o->group : c->default_group);
        if (!r.user || !r.group) {
                resolved_user_done(&r);
                return -ENOMEM;
        }
        r.override = o;

        const struct limits *layers[_SOURCE_MAX] = {
                [SOURCE_BUILTIN] = &builtin_limits,
                [SOURCE_DEFAULTS] = &c->defaults,
                [SOURCE_GROUP] = g ? &g->user : NULL,
                [SOURCE_OVERRIDE] = o ? &o->user : NULL,
        };
        for (enum limit_key k = 0; k < _LIMIT_MAX; k++)
                for (int s = _SOURCE_MAX - 1; s >= 0; s--)
                        if (layers[s] && (layers[s]->set & (1u << k))) {
                                copy_key(&r.limits, layers[s], k);
                                r.source[k] = (enum limit_source) s;
                                break;
                        }

        /* memory_high belongs with the memory it was written for: a value from
         * a lower layer than memory's own is not used; then 90% of memory. */
        if (r.source[LIMIT_MEMORY_HIGH] < r.source[LIMIT_MEMORY] || r.source[LIMIT_MEMORY_HIGH] == SOURCE_BUILTIN) {
                r.limits.memory_high = r.limits.memory == LIMIT_INFINITY ? LIMIT_INFINITY
                                                                          : r.limits.memory / 10 * 9;
                r.source[LIMIT_MEMORY_HIGH] = r.source[LIMIT_MEMORY];
        }
        if (r.limits.memory_high > r.limits.memory)
                r.limits.memory_high = r.limits.memory;

        /* per-container defaults never exceed the user's own slice */
        if (r.source[LIMIT_CONTAINER_CPUS] == SOURCE_BUILTIN ||
            (r.limits.cpus != CPUS_INFINITY && r.limits.container_cpus > r.limits.cpus)) {
                r.limits.container_cpus = r.limits.cpus;
                if (r.source[LIMIT_CONTAINER_CPUS] == SOURCE_BUILTIN)
                        r.source[LIMIT_CONTAINER_CPUS] = r.source[LIMIT_CPUS];
        }
        if (r.source[LIMIT_CONTAINER_MEMORY] == SOURCE_BUILTIN || r.limits.container_memory > r.limits.memory) {
                r.limits.container_memory = r.limits.memory;
                if (r.source[LIMIT_CONTAINER_MEMORY] == SOURCE_BUILTIN)
                        r.source[LIMIT_CONTAINER_MEMORY] = r.source[LIMIT_MEMORY];
        }
        if (r.limits.gpus_per_container > r.limits.gpus)
                r.limits.gpus_per_container = r.limits.gpus;

        if (g)
                r.total = g->total;
        *ret = r;
        return 0;
}

int config_user_groups(const char *user, gid_t primary, char ***ret, gid_t **ret_gids, size_t *ret_n_gids) {
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ gid_t *gids = NULL;
        size_t n = 0;

        int r = identity_user_gids(user, primary, &gids, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                struct group grp, *res = NULL;
                char buf[16384];
                if (getgrgid_r(gids[i], &grp, buf, sizeof(buf), &res) != 0 || !res)
                        continue; /* a gid without a name can match no @group */
                if (!strv_contains(names, res->gr_name) && strv_push(&names, res->gr_name) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(names);
        if (ret_gids) {
                *ret_gids = TAKE_PTR(gids);
                *ret_n_gids = n;
        }
        return 0;
}

int config_resolve_user(const struct berth_config *c, const char *user, time_t now, struct resolved_user *ret) {
        struct passwd pw, *res = NULL;
        char buf[16384];
        _cleanup_strv_free_ char **groups = NULL;

        int e = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
        if (e != 0)
                return -e;
        if (!res)
                return -ENOENT;
        int r = config_user_groups(res->pw_name, res->pw_gid, &groups, NULL, NULL);
        if (r < 0)
                return r;
        return config_resolve_user_groups(c, res->pw_name, res->pw_uid, groups, now, ret);
}

static int compare_strings(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int config_group_expand_members(const struct group_config *g, char ***ret) {
        _cleanup_strv_free_ char **users = NULL;

        for (char **m = g->members; m && *m; m++) {
                if ((*m)[0] != '@') {
                        if (!strv_contains(users, *m) && strv_push(&users, *m) < 0)
                                return -ENOMEM;
                        continue;
                }
                struct group grp, *res = NULL;
                char buf[65536];
                if (getgrnam_r(*m + 1, &grp, buf, sizeof(buf), &res) != 0 || !res)
                        continue; /* an unknown @group has no members (yet) */
                for (char **u = res->gr_mem; u && *u; u++)
                        if (!strv_contains(users, *u) && strv_push(&users, *u) < 0)
                                return -ENOMEM;
                /* users whose primary group it is are members too */
                gid_t gid = res->gr_gid;
                struct passwd *pw;
                setpwent();
                while ((pw = getpwent()))
                        if (pw->pw_gid == gid && !strv_contains(users, pw->pw_name) &&
                            strv_push(&users, pw->pw_name) < 0) {
                                endpwent();
                                return -ENOMEM;
                        }
                endpwent();
        }
        size_t n = strv_length(users);
        if (n > 1)
                qsort(users, n, sizeof(char *), compare_strings);
        *ret = TAKE_PTR(users); /* NULL when there are none */
        return (int) n;
}
