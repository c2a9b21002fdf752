/* SPDX-License-Identifier: MIT */
/* Group and user slices: berth-<group>.slice with the group's [total],
 * berth-<group>-<user>.slice with the user's limits; always read back. */
#include "slices.h"

#include <time.h>

#include "basic/util.h"
#include "core/audit.h"
#include "core/names.h"
#include "system/slice.h"

struct slice_cache_entry {
        char *unit;
        char *cgroup_path;
        double cpus;
        uint64_t memory_max, memory_high, tasks_max;
};

static void cache_clear(struct slices *s) {
        for (size_t i = 0; i < s->n_cache; i++) {
                free(s->cache[i].unit);
                free(s->cache[i].cgroup_path);
        }
        free(s->cache);
        s->cache = NULL;
        s->n_cache = 0;
}

void slices_done(struct slices *s) {
        cache_clear(s);
        free(s->cgroup_root);
        s->cgroup_root = NULL;
        s->bus = sd_bus_flush_close_unref(s->bus);
}

static struct slice_cache_entry *cache_find(struct slices *s, const char *unit) {
        for (size_t i = 0; i < s->n_cache; i++)
                if (streq(s->cache[i].unit, unit))
                        return &s->cache[i];
        return NULL;
}

/* Create or update one slice, unless it already holds exactly these limits:
 * that is checked in the cgroup files, so a slice stopped or changed behind
 * our back is set up again. */
static int ensure_one(struct slices *s, const char *unit, const struct slice_limits *l, bool *ret_created,
                      struct berth_error *err) {
        struct slice_cache_entry *e = cache_find(s, unit);
        int r;

        if (e && e->cpus == l->cpus && e->memory_max == l->memory_max && e->memory_high == l->memory_high &&
            e->tasks_max == l->tasks_max && slice_verify(s->cgroup_root, e->cgroup_path, unit, l, NULL) >= 0)
                return 0;
        r = slice_ensure_at(s->bus, s->cgroup_root, unit, l, ret_created, err);
        if (r < 0)
                return r;
        if (!e) {
                _cleanup_free_ char *path = NULL, *name = strdup(unit);
                if (!name || slice_cgroup_path(s->bus, unit, &path, NULL) < 0)
                        return 0; /* no cache entry: the next request asks systemd again */
                struct slice_cache_entry *n = reallocarray(s->cache, s->n_cache + 1, sizeof(*n));
                if (!n)
                        return 0;
                s->cache = n;
                e = &n[s->n_cache++];
                *e = (struct slice_cache_entry) { .unit = TAKE_PTR(name), .cgroup_path = TAKE_PTR(path) };
        }
        e->cpus = l->cpus;
        e->memory_max = l->memory_max;
        e->memory_high = l->memory_high;
        e->tasks_max = l->tasks_max;
        return 0;
}

int slices_ensure_user(struct slices *s, const struct resolved_user *u, char **ret_slice, struct berth_error *err) {
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
        r = ensure_one(s, group_unit, &gl, &created, err);
        slice_limits_done(&gl);
        if (r < 0)
                return r;
        if (created) {
                f.slice = group_unit;
                audit_log(AUDIT_SLICE_CREATE, &f, "berth: created %s for group %s", group_unit, u->group);
        }

        slice_limits_from_user(&u->limits, &ul);
        created = false;
        r = ensure_one(s, user_unit, &ul, &created, err);
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

struct group_slices_list {
        struct group_slices *v;
        size_t n;
};

static void group_slices_list_done(struct group_slices_list *l) {
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].group);
                strv_free(l->v[i].users);
        }
        free(l->v);
}

/* The live berth slices, by group: berth.slice itself is left out. */
static int group_live_slices(char *const *units, struct group_slices_list *ret) {
        _cleanup_(group_slices_list_done) struct group_slices_list l = { 0 };

        for (char *const *u = units; u && *u; u++) {
                _cleanup_free_ char *group = NULL, *user = NULL;
                if (name_slice_parse(*u, &group, &user) < 0 || !group)
                        continue;
                size_t i;
                for (i = 0; i < l.n; i++)
                        if (streq(l.v[i].group, group))
                                break;
                if (i == l.n) {
                        struct group_slices *ng = reallocarray(l.v, l.n + 1, sizeof(*ng));
                        if (!ng)
                                return -ENOMEM;
                        l.v = ng;
                        l.v[l.n++] = (struct group_slices) { .group = TAKE_PTR(group) };
                }
                if (user && strv_push(&l.v[i].users, user) < 0)
                        return -ENOMEM;
        }
        *ret = l;
        l = (struct group_slices_list) { 0 };
        return 0;
}

struct slice_limits_array {
        struct slice_limits *v;
        size_t n;
};

static void slice_limits_array_done(struct slice_limits_array *a) {
        for (size_t i = 0; i < a->n; i++)
                slice_limits_done(&a->v[i]);
        free(a->v);
}

/* One group's slice and its users' slices, set to what the config says
 * now; the audit entry says how that went. */
static int apply_group(struct slices *s, const struct berth_config *c, const struct group_slices *gs,
                       struct berth_error *err) {
        const struct group_config *g = config_find_group(c, gs->group);
        size_t n = strv_length(gs->users);
        _cleanup_strv_free_ char **child_units = NULL;
        _cleanup_(slice_limits_array_done) struct slice_limits_array children = { 0 };
        _cleanup_(slice_limits_done) struct slice_limits parent = SLICE_LIMITS_UNLIMITED;
        _cleanup_free_ char *parent_unit = NULL;
        int r;

        children.v = calloc(n ? n : 1, sizeof(*children.v));
        if (!children.v || name_slice_group(gs->group, &parent_unit) < 0)
                return berth_error_set(err, -ENOMEM, "berth: out of memory applying the limits of group %s.",
                                       gs->group);
        if (g)
                slice_limits_from_total(&g->total, &parent);
        for (size_t j = 0; j < n; j++) {
                struct resolved_user ru;
                _cleanup_free_ char *unit = NULL;
                if (config_resolve_user(c, gs->users[j], time(NULL), &ru) < 0)
                        continue; /* the account is gone: leave its slice as it is */
                if (name_slice_user(gs->group, gs->users[j], &unit) >= 0 && strv_push(&child_units, unit) >= 0)
                        slice_limits_from_user(&ru.limits, &children.v[children.n++]);
                resolved_user_done(&ru);
        }
        r = slice_apply_tree(s->bus, s->cgroup_root, parent_unit, &parent, child_units, children.v, children.n, err);

        struct audit_fields f = AUDIT_FIELDS_INIT;
        f.group = gs->group;
        f.slice = parent_unit;
        f.reason = r < 0 ? err->message : NULL;
        audit_log(AUDIT_SLICE_UPDATE, &f, "berth: %s limits of %s and its %zu user slice%s%s%s",
                  r < 0 ? "could not apply all" : "applied", parent_unit, children.n, children.n == 1 ? "" : "s",
                  r < 0 ? ": " : "", r < 0 ? err->message : "");
        return r;
}

/* Re-apply configured limits to every live berth slice, group by group, in
 * the order cgroup v1 accepts (slice_apply_tree).  A group that fails does
 * not stop the others; the first error is returned. */
int slices_apply_all(struct slices *s, const struct berth_config *c, struct berth_error *err) {
        _cleanup_strv_free_ char **units = NULL;
        _cleanup_(group_slices_list_done) struct group_slices_list groups = { 0 };
        int r, ret = 0;

        cache_clear(s); /* what we set may change now */
        r = slice_list(s->bus, &units);
        if (r < 0)
                return berth_error_set(err, r, "berth: cannot list berth slices: %s.", strerror(-r));
        r = group_live_slices(units, &groups);
        if (r < 0)
                return berth_error_set(err, r, "berth: out of memory listing berth slices.");

        for (size_t i = 0; i < groups.n; i++) {
                struct berth_error e = { 0 };
                r = apply_group(s, c, &groups.v[i], &e);
                if (r < 0 && ret == 0) {
                        ret = r;
                        berth_error_set(err, r, "%s", e.message);
                }
        }
        return ret;
}
