/* SPDX-License-Identifier: MIT */
/* berthctl check-config: the daemon's own loader over a config tree; every
 * error, or a summary an admin can check against what they meant. */
#include <grp.h>
#include <stdarg.h>
#include <string.h>

#include "berthctl.h"
#include "core/listen-address.h"

#include <sys/stat.h>
#include "core/config.h"
#include "basic/strv.h"
#include "basic/util.h"
#include "policy/dockerfile.h"

/* Values that parse but cannot work: the tree is still valid, and the
 * daemon takes it, but something an admin meant will not happen. */
static int warning_add(char ***w, int r, const char *fmt, ...) _printf_(3, 4);
static int warning_add(char ***w, int r, const char *fmt, ...) {
        _cleanup_free_ char *line = NULL;
        va_list ap;
        if (r < 0)
                return r;
        va_start(ap, fmt);
        r = vasprintf(&line, fmt, ap);
        va_end(ap);
        return r < 0 ? -ENOMEM : strv_push(w, line);
}

static int config_warnings(const struct berth_config *c, char ***ret) {
        _cleanup_strv_free_ char **w = NULL;
        int e, r = 0;
#define WARN(...) (r = warning_add(&w, r, __VA_ARGS__))
        switch (real_docker_inspect(c->real_docker, &e)) {
        case REAL_DOCKER_MISSING:
                WARN("real_docker %s: %s; docker commands cannot run until [daemon] real_docker names Docker's CLI.",
                     c->real_docker, strerror(e));
                break;
        case REAL_DOCKER_NOT_PROGRAM:
                WARN("real_docker %s is not an executable file; set [daemon] real_docker to Docker's CLI.",
                     c->real_docker);
                break;
        case REAL_DOCKER_FRONT:
                WARN("real_docker %s is berth's own front: the wrapper would run itself; point it at Docker's own CLI "
                     "(the diverted one).",
                     c->real_docker);
                break;
        case REAL_DOCKER_OK:
        default:
                break;
        }
        if (!getgrnam(c->admin_group))
                WARN("admin_group %s is unknown to NSS: nobody but root is an admin; create it (groupadd) or set "
                     "[daemon] admin_group.",
                     c->admin_group);
        if (!dockerfile_from_valid(c->base_image))
                WARN("[deploy] base_image '%s' is not a valid image reference: container deploy and image create "
                     "fail with it; correct it.",
                     c->base_image);
        struct listen_address la;
        if (c->metrics_listen && listen_address_parse(c->metrics_listen, &la) >= 0 && !la.loopback)
                WARN("[metrics] listen %s is reachable from other machines: anyone who can connect sees every user's "
                     "name, containers and use; listen on 127.0.0.1 or ::1 and let Prometheus scrape through a proxy "
                     "that authenticates.",
                     c->metrics_listen);
        struct stat st;
        if (c->metrics_textfile && (stat(c->metrics_textfile, &st) < 0 || !S_ISDIR(st.st_mode)))
                WARN("[metrics] textfile %s is not a directory: berth.prom cannot be written there; create it, or "
                     "point it at node-exporter's --collector.textfile.directory.",
                     c->metrics_textfile);
#undef WARN
        if (r < 0)
                return r;
        *ret = TAKE_PTR(w);
        return 0;
}


/* "cpus 8, memory 32G, gpus 2" for the keys a layer sets; "-" for none. */
static void print_limits(const struct limits *l) {
        char buf[32];
        bool first = true;

        for (enum limit_key k = 0; k < _LIMIT_MAX; k++) {
                if (!(l->set & (1u << k)))
                        continue;
                const char *v = limit_format(l, k, buf, sizeof(buf));
                printf("%s%s %s", first ? "" : ", ", limit_key_name(k), v);
                first = false;
        }
        printf("%s\n", first ? "-" : "");
}

/* The keys a layer sets, as the daemon writes them. */
static json_t *limits_object(const struct limits *l) {
        json_t *o = json_object();
        for (enum limit_key k = 0; k < _LIMIT_MAX && o; k++)
                if (l->set & (1u << k))
                        json_object_set_new(o, limit_key_name(k), limit_json(l, k));
        return o;
}

/* The summary below, for scripts. */
static int check_config_json(const struct berth_config *c, char *const *warnings) {
        json_t *w = json_array();
        for (char *const *l = warnings; l && *l && w; l++)
                json_array_append_new(w, json_string(*l));
        _cleanup_json_ json_t *o = json_pack(
                "{s:s,s:b,s:o,s:{s:s,s:s,s:s,s:s,s:s?,s:s,s:s},s:o,s:[],s:[]}", "dir", c->dir, "valid", 1, "warnings",
                w ? w : json_null(), "daemon",
                "docker_socket", c->docker_socket, "control_socket", c->control_socket, "real_docker", c->real_docker,
                "gpus", c->gpus == GPU_MODE_NVML ? "nvml" : "none", "nvml_library",
                c->gpus == GPU_MODE_NVML ? c->nvml_library : NULL, "admin_group", c->admin_group, "default_group",
                c->default_group, "defaults", limits_object(&c->defaults), "groups", "overrides");
        if (!o)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        for (size_t i = 0; i < c->n_groups; i++) {
                const struct group_config *g = &c->groups[i];
                json_t *members = json_array();
                for (char **m = g->members; m && *m && members; m++)
                        json_array_append_new(members, json_string(*m));
                json_array_append_new(json_object_get(o, "groups"),
                                      json_pack("{s:s,s:s,s:i,s:o,s:o,s:o}", "name", g->name, "file", g->file,
                                                "priority", g->priority, "members", members ? members : json_null(),
                                                "user", limits_object(&g->user), "total", limits_object(&g->total)));
        }
        for (size_t i = 0; i < c->n_overrides; i++) {
                const struct user_override *ov = &c->overrides[i];
                json_array_append_new(json_object_get(o, "overrides"),
                                      json_pack("{s:s,s:s,s:s?,s:s?,s:b,s:s?,s:o}", "name", ov->name, "file", ov->file,
                                                "group", ov->group, "expires", ov->expires_text, "expired",
                                                ov->expires && time(NULL) >= ov->expires, "reason", ov->reason,
                                                "user", limits_object(&ov->user)));
        }
        return cmd_print_json(o);
}

int verb_check_config(struct cmd *ctl, const struct cmd_args *a) {
        _cleanup_config_ struct berth_config *c = NULL;
        /* the tree: DIR, else its own --config, else the global one */
        const char *config_dir = a->n_args ? a->args[0] : a->n_options ? a->options[a->n_options - 1].value : ctl->config_dir;

        size_t n_errors = 0;
        int r = config_load_report(config_dir, stderr, &c, NULL, &n_errors);
        if (r == -EINVAL)
                return cmd_fail(CMD_EXIT_REFUSED, "%s is not valid: %zu error%s; nothing was changed.", config_dir,
                                n_errors, n_errors == 1 ? "" : "s");
        if (r < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "cannot load %s: %s.", config_dir, strerror(-r));
        _cleanup_strv_free_ char **warnings = NULL;
        if (config_warnings(c, &warnings) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        for (char **l = warnings; l && *l; l++)
                cmd_warn("%s", *l);
        if (ctl->json)
                return check_config_json(c, warnings);

        printf("%s: valid.\n", config_dir);
        printf("daemon: docker %s, control %s, real docker %s, gpus %s%s, admin group %s, default group %s\n",
               c->docker_socket, c->control_socket, c->real_docker, c->gpus == GPU_MODE_NVML ? "nvml " : "none",
               c->gpus == GPU_MODE_NVML ? c->nvml_library : "", c->admin_group, c->default_group);
        printf("defaults: ");
        print_limits(&c->defaults);
        printf("groups: %zu\n", c->n_groups);
        for (size_t i = 0; i < c->n_groups; i++) {
                const struct group_config *g = &c->groups[i];
                _cleanup_strv_free_ char **users = NULL;
                int n = config_group_expand_members(g, &users);
                size_t resolved = 0;
                for (char **u = users; u && *u; u++) {
                        struct resolved_user ru;
                        if (config_resolve_user(c, *u, time(NULL), &ru) < 0)
                                continue; /* a listed name with no account yet */
                        if (streq(ru.group, g->name))
                                resolved++;
                        resolved_user_done(&ru);
                }
                printf("  %s (priority %d): %d member%s, %zu resolve%s here\n", g->name, g->priority, n < 0 ? 0 : n,
                       n == 1 ? "" : "s", resolved, resolved == 1 ? "s" : "");
                printf("    per user: ");
                print_limits(&g->user);
                printf("    total:    ");
                print_limits(&g->total);
        }
        printf("overrides: %zu\n", c->n_overrides);
        for (size_t i = 0; i < c->n_overrides; i++) {
                const struct user_override *o = &c->overrides[i];
                bool expired = o->expires && time(NULL) >= o->expires;
                printf("  %s%s%s%s%s%s%s: ", o->name, o->group ? " -> " : "", strempty(o->group),
                       o->expires_text ? " until " : "", strempty(o->expires_text), expired ? " (expired)" : "",
                       o->reason ? "" : "");
                print_limits(&o->user);
                if (o->reason)
                        printf("    reason: %s\n", o->reason);
        }
        return 0;
}
