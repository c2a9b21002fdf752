/* SPDX-License-Identifier: MIT */
/* berthctl quota USER|@GROUP: what a user (or each member of a group) may
 * use, key by key, and which layer of the config each value came from. */
#include "berthctl.h"

#include <time.h>

/* The layer a key's value came from, to name its file and line. */
static const struct limits *source_layer(const struct berth_config *c, const struct resolved_user *ru,
                                         const struct group_config *g, enum limit_key k) {
        switch (ru->source[k]) {
        case SOURCE_DEFAULTS:
                return &c->defaults;
        case SOURCE_GROUP:
                return g ? &g->user : NULL;
        case SOURCE_OVERRIDE:
                return ru->override ? &ru->override->user : NULL;
        case SOURCE_BUILTIN:
        case _SOURCE_MAX:
        default:
                return NULL;
        }
}

/* Keys that follow another when their own layer does not set them. */
static const char *derived_from(enum limit_key k) {
        switch (k) {
        case LIMIT_MEMORY_HIGH:
                return "90% of memory";
        case LIMIT_CONTAINER_CPUS:
                return "the user's cpus";
        case LIMIT_CONTAINER_MEMORY:
                return "the user's memory";
        case LIMIT_CPUS:
        case LIMIT_MEMORY:
        case LIMIT_TASKS:
        case LIMIT_GPUS:
        case LIMIT_GPUS_PER_CONTAINER:
        case LIMIT_CONTAINERS:
        case LIMIT_IDLE_TIMEOUT:
        case LIMIT_MAX_RUNTIME:
        case LIMIT_GPU_HOLD_AFTER_STOP:
        case _LIMIT_MAX:
        default:
                return NULL;
        }
}

struct source_info {
        const char *layer; /* "built-in", "defaults", "group", "override" */
        const char *file;  /* NULL for built-in */
        unsigned line;     /* 0: derived, not written in the file */
        const char *derived; /* what the value follows, or NULL */
};

static struct source_info source_of(const struct berth_config *c, const struct resolved_user *ru,
                                    const struct group_config *g, enum limit_key k, char *main_file) {
        const struct limits *layer = source_layer(c, ru, g, k);
        struct source_info s = { .layer = limit_source_name(ru->source[k]) };
        bool given = layer && (layer->set & (1u << k));

        switch (ru->source[k]) {
        case SOURCE_DEFAULTS:
                s.file = main_file;
                break;
        case SOURCE_GROUP:
                s.file = g ? g->file : NULL;
                break;
        case SOURCE_OVERRIDE:
                s.file = ru->override ? ru->override->file : NULL;
                break;
        case SOURCE_BUILTIN:
        case _SOURCE_MAX:
        default:
                break;
        }
        if (given)
                s.line = layer->line[k];
        else
                s.derived = derived_from(k);
        /* resolution caps per-container values at the user's own */
        if (k == LIMIT_GPUS_PER_CONTAINER && ru->limits.gpus_per_container == ru->limits.gpus &&
            (given ? layer->gpus_per_container > ru->limits.gpus : ru->limits.gpus < 1 /* built-in: 1 */))
                s.derived = "capped at gpus";
        if (k == LIMIT_CONTAINER_CPUS && given && layer->container_cpus != ru->limits.container_cpus)
                s.derived = "capped at cpus";
        if (k == LIMIT_CONTAINER_MEMORY && given && layer->container_memory != ru->limits.container_memory)
                s.derived = "capped at memory";
        return s;
}

static void source_text(const struct source_info *s, const struct resolved_user *ru, const char *group, char *buf,
                        size_t n) {
        char where[1024] = "";
        if (s->file && s->line)
                snprintf(where, sizeof(where), " (%s:%u)", s->file, s->line);
        else if (s->file)
                snprintf(where, sizeof(where), " (%s)", s->file);
        const char *o = "";
        char ov[512] = "";
        if (streq(s->layer, "override") && ru->override) {
                snprintf(ov, sizeof(ov), ", %s%s", ru->override->expires_text ? "until " : "no expiry",
                         strempty(ru->override->expires_text));
                o = ov;
        }
        snprintf(buf, n, "%s%s%s%s%s%s%s", s->layer, streq(s->layer, "group") ? " " : "",
                 streq(s->layer, "group") ? group : "", s->derived ? ", " : "", s->derived ? s->derived : "", o, where);
}

static json_t *source_json(const struct source_info *s, const struct resolved_user *ru, const char *group) {
        json_t *o = json_pack("{s:s}", "layer", s->layer);
        if (!o)
                return NULL;
        if (streq(s->layer, "group"))
                json_object_set_new(o, "group", json_string(group));
        if (s->file)
                json_object_set_new(o, "file", json_string(s->file));
        if (s->line)
                json_object_set_new(o, "line", json_integer(s->line));
        if (s->derived)
                json_object_set_new(o, "derived", json_string(s->derived));
        if (streq(s->layer, "override") && ru->override) {
                json_object_set_new(o, "expires", ru->override->expires_text ? json_string(ru->override->expires_text)
                                                                             : json_null());
                json_object_set_new(o, "reason", ru->override->reason ? json_string(ru->override->reason) : json_null());
        }
        return o;
}

/* The resolved keys as a table (people) or into limits/sources (JSON). */
static int resolved_output(const struct berth_config *c, const struct resolved_user *ru, bool json, json_t *out) {
        const struct group_config *g = config_find_group(c, ru->group);
        _cleanup_free_ char *main_file = NULL;
        _cleanup_table_ struct cmd_table *t = cmd_table_new(3, "KEY", "VALUE", "SOURCE");
        json_t *limits = json_object(), *sources = json_object();

        if (!t || !limits || !sources || asprintf(&main_file, "%s/berth.conf", c->dir) < 0) {
                json_decref(limits);
                json_decref(sources);
                return -ENOMEM;
        }
        for (enum limit_key k = 0; k < _LIMIT_MAX; k++) {
                struct source_info s = source_of(c, ru, g, k, main_file);
                char v[32], src[2048];
                if (json) {
                        json_object_set_new(limits, limit_key_name(k), limit_json(&ru->limits, k));
                        json_object_set_new(sources, limit_key_name(k), source_json(&s, ru, ru->group));
                        continue;
                }
                source_text(&s, ru, ru->group, src, sizeof(src));
                if (cmd_table_add(t, limit_key_name(k), limit_format(&ru->limits, k, v, sizeof(v)), src) < 0)
                        return -ENOMEM;
        }
        if (json) {
                json_object_set_new(out, "limits", limits);
                json_object_set_new(out, "sources", sources);
        } else {
                json_decref(limits);
                json_decref(sources);
                cmd_table_print(t, stdout);
        }
        return 0;
}

/* The group's [total]: each key the group sets, the rest unlimited. */
static int total_output(const struct group_config *g, bool json, json_t *out) {
        _cleanup_table_ struct cmd_table *t = cmd_table_new(3, "KEY", "VALUE", "SOURCE");
        json_t *total = json_object(), *sources = json_object();
        static const enum limit_key keys[] = { LIMIT_CPUS, LIMIT_MEMORY, LIMIT_MEMORY_HIGH, LIMIT_TASKS, LIMIT_GPUS,
                                               LIMIT_CONTAINERS };

        if (!t || !total || !sources) {
                json_decref(total);
                json_decref(sources);
                return -ENOMEM;
        }
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                enum limit_key k = keys[i];
                bool set = g && (g->total.set & (1u << k));
                char v[32], src[1024];
                if (set)
                        snprintf(src, sizeof(src), "group %s [total] (%s:%u)", g->name, g->file, g->total.line[k]);
                else
                        snprintf(src, sizeof(src), "not set: unlimited");
                if (json) {
                        json_object_set_new(total, limit_key_name(k), set ? limit_json(&g->total, k) : json_null());
                        json_object_set_new(sources, limit_key_name(k),
                                            set ? json_pack("{s:s,s:s,s:s,s:i}", "layer", "total", "group", g->name,
                                                            "file", g->file, "line", (int) g->total.line[k])
                                                : json_pack("{s:s}", "layer", "unset"));
                        continue;
                }
                if (cmd_table_add(t, limit_key_name(k), set ? limit_format(&g->total, k, v, sizeof(v)) : "infinity", src) < 0)
                        return -ENOMEM;
        }
        if (json) {
                json_object_set_new(out, "total", total);
                json_object_set_new(out, "total_sources", sources);
        } else {
                json_decref(total);
                json_decref(sources);
                cmd_table_print(t, stdout);
        }
        return 0;
}

static json_t *override_json(const struct user_override *o, bool expired) {
        return json_pack("{s:s,s:s?,s:s?,s:s?,s:b}", "file", o->file, "group", o->group, "expires", o->expires_text,
                         "reason", o->reason, "expired", expired);
}

static int quota_user(const struct berth_config *c, const char *user, bool json) {
        struct resolved_user ru;
        _cleanup_json_ json_t *out = NULL;
        int r = config_resolve_user(c, user, time(NULL), &ru);

        if (r == -ENOENT) {
                return cmd_fail(CMD_EXIT_REFUSED, "there is no user '%s'; check the name with 'getent passwd %s'.", user, user);
        }
        if (r < 0) {
                log_error_errno(r, "cannot resolve the limits of %s: %m", user);
                return CMD_EXIT_SYSTEM;
        }
        /* an expired override is ignored by resolution; say so */
        const struct user_override *o = config_find_override(c, user);
        bool expired = o && o->expires != 0 && time(NULL) >= o->expires;

        if (json) {
                out = json_pack("{s:s,s:I,s:s,s:b}", "user", ru.user, "uid", (json_int_t) ru.uid, "group", ru.group,
                                "in_configured_group", ru.in_configured_group);
                if (out && o)
                        json_object_set_new(out, "override", override_json(o, expired));
                else if (out)
                        json_object_set_new(out, "override", json_null());
        } else {
                printf("user %s (uid %u): group %s%s\n", ru.user, (unsigned) ru.uid, ru.group,
                       ru.in_configured_group ? "" : " (in no configured group: the default group)");
                if (o)
                        printf("override %s: %s%s%s%s%s\n", o->file, expired ? "expired on " : "",
                               o->expires_text ? (expired ? "" : "until ") : "no expiry", strempty(o->expires_text),
                               o->reason ? ", reason: " : "", strempty(o->reason));
                if (o && expired)
                        printf("  (expired: ignored, as if the file were not there)\n");
                printf("\n");
        }
        if (json && !out) {
                resolved_user_done(&ru);
                return CMD_EXIT_SYSTEM;
        }
        r = resolved_output(c, &ru, json, out);
        if (r >= 0 && !json)
                printf("\ngroup %s [total], shared by all its members:\n", ru.group);
        if (r >= 0)
                r = total_output(config_find_group(c, ru.group), json, out);
        resolved_user_done(&ru);
        if (r < 0)
                return CMD_EXIT_SYSTEM;
        return json ? cmd_print_json(out) : CMD_EXIT_OK;
}

static int quota_group(const struct berth_config *c, const char *group, bool json) {
        const struct group_config *g = config_find_group(c, group);
        _cleanup_json_ json_t *out = NULL;

        if (!g && !streq(group, c->default_group)) {
                return cmd_fail(CMD_EXIT_REFUSED, "there is no group '%s' in %s/groups.d; 'berthctl check-config' lists the groups.",
                                group, c->dir);
        }
        /* What a member gets is resolved exactly as for a user: the same
         * rules through a view of the config in which this group is the
         * only one (and the default) and no override exists. */
        struct berth_config view = *c;
        view.groups = (struct group_config *) g;
        view.n_groups = g ? 1 : 0;
        view.overrides = NULL;
        view.n_overrides = 0;
        view.default_group = (char *) group;
        struct resolved_user ru;
        if (config_resolve_user_groups(&view, "", 0, NULL, time(NULL), &ru) < 0)
                return CMD_EXIT_SYSTEM;

        if (json) {
                out = json_pack("{s:s,s:s?,s:i,s:b}", "group", group, "file", g ? g->file : NULL, "priority",
                                g ? g->priority : 0, "default", streq(group, c->default_group));
                json_t *members = json_array();
                for (char **m = g ? g->members : NULL; m && *m && members; m++)
                        json_array_append_new(members, json_string(*m));
                if (out)
                        json_object_set_new(out, "members", members);
                else
                        json_decref(members);
        } else {
                printf("group %s", group);
                if (g) {
                        printf(" (%s), priority %d, members:", g->file, g->priority);
                        for (char **m = g->members; m && *m; m++)
                                printf(" %s", *m);
                }
                if (streq(group, c->default_group))
                        printf("%sthe default group: users in no other group fall into it", g ? "; " : " (no file): ");
                printf("\n\nper user ([user], each member's own slice):\n");
        }
        if (json && !out) {
                resolved_user_done(&ru);
                return CMD_EXIT_SYSTEM;
        }
        int r = resolved_output(&view, &ru, json, out);
        resolved_user_done(&ru);
        if (r >= 0 && !json)
                printf("\ntotal ([total], the whole group's slice):\n");
        if (r >= 0)
                r = total_output(g, json, out);
        if (r < 0)
                return CMD_EXIT_SYSTEM;
        return json ? cmd_print_json(out) : CMD_EXIT_OK;
}

int verb_quota(struct cmd *ctl, const struct cmd_args *a) {
        const char *what = a->args[0];
        if (!*what || streq(what, "@"))
                return cmd_fail(CMD_EXIT_USAGE, "an empty name; give a user or @group.");
        return what[0] == '@' ? quota_group(ctl->config, what + 1, ctl->json) : quota_user(ctl->config, what, ctl->json);
}
