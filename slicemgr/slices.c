/* SPDX-License-Identifier: MIT */
/* Group and user slices: berth-<group>.slice with the group's [total],
 * berth-<group>-<user>.slice with the user's limits; always read back. */
#include "manager.h"
#include "core/audit.h"
#include "core/names.h"
#include "system/slice.h"

struct slice_cache_entry {
        char *unit;
        char *cgroup_path;
        double cpus;
        uint64_t memory_max, memory_high, tasks_max;
};

void manager_slice_cache_clear(Manager *m) {
        for (size_t i = 0; i < m->n_slice_cache; i++) {
                free(m->slice_cache[i].unit);
                free(m->slice_cache[i].cgroup_path);
        }
        free(m->slice_cache);
        m->slice_cache = NULL;
        m->n_slice_cache = 0;
}

static struct slice_cache_entry *cache_find(Manager *m, const char *unit) {
        for (size_t i = 0; i < m->n_slice_cache; i++)
                if (streq(m->slice_cache[i].unit, unit))
                        return &m->slice_cache[i];
        return NULL;
}

/* Create or update one slice, unless it already holds exactly these limits:
 * that is checked in the cgroup files, so a slice stopped or changed behind
 * our back is set up again. */
static int ensure_one(Manager *m, const char *unit, const struct slice_limits *l, bool *ret_created,
                      struct berth_error *err) {
        struct slice_cache_entry *e = cache_find(m, unit);
        int r;

        if (e && e->cpus == l->cpus && e->memory_max == l->memory_max && e->memory_high == l->memory_high &&
            e->tasks_max == l->tasks_max && slice_verify(m->cgroup_root, e->cgroup_path, unit, l, NULL) >= 0)
                return 0;
        r = slice_ensure_at(m->bus, m->cgroup_root, unit, l, ret_created, err);
        if (r < 0)
                return r;
        if (!e) {
                _cleanup_free_ char *path = NULL, *name = strdup(unit);
                if (!name || slice_cgroup_path(m->bus, unit, &path, NULL) < 0)
                        return 0; /* no cache entry: the next request asks systemd again */
                struct slice_cache_entry *n = reallocarray(m->slice_cache, m->n_slice_cache + 1, sizeof(*n));
                if (!n)
                        return 0;
                m->slice_cache = n;
                e = &n[m->n_slice_cache++];
                *e = (struct slice_cache_entry) { .unit = TAKE_PTR(name), .cgroup_path = TAKE_PTR(path) };
        }
        e->cpus = l->cpus;
        e->memory_max = l->memory_max;
        e->memory_high = l->memory_high;
        e->tasks_max = l->tasks_max;
        return 0;
}

int manager_ensure_user_slice(Manager *m, const struct resolved_user *u, char **ret_slice, struct berth_error *err) {
        _cleanup_free_ char *group_unit = NULL, *user_unit = NULL;
        struct slice_limits gl, ul;
        struct audit_fields f = AUDIT_FIELDS_INIT;
        bool created = false;
        int r;

        r = name_slice_group(u->group, &group_unit);
        if (r >= 0)
                r = name_slice_user(u->group, u->user, &user_unit);
        if (r < 0)
                return berth_error_set(err, r, "berth: cannot name a slice for user %s in group %s.", u->user, u->group);

        f.user = u->user;
        f.uid = (long) u->uid;
        f.group = u->group;

        /* the parent first, so the child's limits fit under it */
        slice_limits_from_total(&u->total, &gl);
        r = ensure_one(m, group_unit, &gl, &created, err);
        slice_limits_done(&gl);
        if (r < 0)
                return r;
        if (created) {
                f.slice = group_unit;
                audit_log(AUDIT_SLICE_CREATE, &f, "berth: created %s for group %s", group_unit, u->group);
        }

        slice_limits_from_user(&u->limits, &ul);
        created = false;
        r = ensure_one(m, user_unit, &ul, &created, err);
        slice_limits_done(&ul);
        if (r < 0)
                return r;
        if (created) {
                f.slice = user_unit;
                audit_log(AUDIT_SLICE_CREATE, &f, "berth: created %s for %s", user_unit, u->user);
        }
        if (ret_slice)
                *ret_slice = TAKE_PTR(user_unit);
        return 0;
}

struct group_slices {
        char *group;
        char **users; /* user names with a live slice in this group */
};

/* Re-apply configured limits to every live berth slice, group by group, in
 * the order cgroup v1 accepts (slice_apply_tree). */
int manager_apply_all_slices(Manager *m, struct berth_error *err) {
        _cleanup_strv_free_ char **units = NULL;
        struct group_slices *groups = NULL;
        size_t n_groups = 0;
        int r, ret = 0;

        manager_slice_cache_clear(m); /* what we set may change now */
        r = slice_list(m->bus, &units);
        if (r < 0)
                return berth_error_set(err, r, "berth: cannot list berth slices: %s.", strerror(-r));

        for (char **u = units; u && *u; u++) {
                _cleanup_free_ char *group = NULL, *user = NULL;
                if (name_slice_parse(*u, &group, &user) < 0 || !group)
                        continue; /* berth.slice itself */
                size_t i;
                for (i = 0; i < n_groups; i++)
                        if (streq(groups[i].group, group))
                                break;
                if (i == n_groups) {
                        struct group_slices *ng = reallocarray(groups, n_groups + 1, sizeof(*ng));
                        if (!ng) {
                                ret = -ENOMEM;
                                goto finish;
                        }
                        groups = ng;
                        groups[n_groups++] = (struct group_slices) { .group = TAKE_PTR(group) };
                }
                if (user && strv_push(&groups[i].users, user) < 0) {
                        ret = -ENOMEM;
                        goto finish;
                }
        }

        for (size_t i = 0; i < n_groups; i++) {
                const struct group_config *g = config_find_group(m->config, groups[i].group);
                size_t n = strv_length(groups[i].users);
                _cleanup_strv_free_ char **child_units = NULL;
                struct slice_limits parent, *children = calloc(n ? n : 1, sizeof(*children));
                struct berth_error e = { 0 };
                _cleanup_free_ char *parent_unit = NULL;
                size_t k = 0;

                if (!children || name_slice_group(groups[i].group, &parent_unit) < 0) {
                        free(children);
                        ret = -ENOMEM;
                        goto finish;
                }
                if (g)
                        slice_limits_from_total(&g->total, &parent);
                else
                        parent = SLICE_LIMITS_UNLIMITED;
                for (size_t j = 0; j < n; j++) {
                        struct resolved_user ru;
                        _cleanup_free_ char *unit = NULL;
                        if (config_resolve_user(m->config, groups[i].users[j], time(NULL), &ru) < 0)
                                continue; /* the account is gone: leave its slice as it is */
                        if (name_slice_user(groups[i].group, groups[i].users[j], &unit) >= 0 &&
                            strv_push(&child_units, unit) >= 0)
                                slice_limits_from_user(&ru.limits, &children[k++]);
                        resolved_user_done(&ru);
                }
                r = slice_apply_tree(m->bus, m->cgroup_root, parent_unit, &parent, child_units, children, k, &e);
                for (size_t j = 0; j < k; j++)
                        slice_limits_done(&children[j]);
                free(children);
                slice_limits_done(&parent);

                struct audit_fields f = AUDIT_FIELDS_INIT;
                f.group = groups[i].group;
                f.slice = parent_unit;
                f.reason = r < 0 ? e.message : NULL;
                audit_log(AUDIT_SLICE_UPDATE, &f, "berth: %s limits of %s and its %zu user slice%s%s%s",
                          r < 0 ? "could not apply all" : "applied", parent_unit, k, k == 1 ? "" : "s",
                          r < 0 ? ": " : "", r < 0 ? e.message : "");
                if (r < 0 && ret == 0) {
                        ret = r;
                        berth_error_set(err, r, "%s", e.message);
                }
        }

finish:
        for (size_t i = 0; i < n_groups; i++) {
                free(groups[i].group);
                strv_free(groups[i].users);
        }
        free(groups);
        return ret;
}
