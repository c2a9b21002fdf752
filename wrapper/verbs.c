/* SPDX-License-Identifier: MIT */
/* The policed verbs other than run/create: container-targeting verbs
 * (ownership by the berth.user label, one daemon round trip for all
 * targets), ps, build, rmi, volume create, and the verbs only admins may
 * use. */
#include "verbs.h"

#include <limits.h>

#include "basic/units.h"
#include "common.h"
#include "core/names.h"
#include "exec.h"
#include "policy/dockercli-spec.h"
#include "policy/policy.h"
#include "policy/spec.h"
#include "report.h"
#include "rewrite.h"
#include "system/hostpath.h"

/* The command's own options; what docker would not take is refused by
 * name (WRAPPER_EXIT_REFUSED, the caller's status already). */
static int parse_args(struct wrapper *w, struct docker_args *a) {
        struct berth_error err = { 0 };
        int r = docker_parse_args(&w->inv, w->argc, w->argv, a, &err);
        if (r < 0)
                (void) wrapper_refuse(err.message, NULL);
        return r;
}

/* Refusals and overrides of these verbs: the sentence is both the
 * message and the reason. */
static void audit_access(struct wrapper *w, enum audit_event ev, const char *container, const char *reason) {
        wrapper_audit(w, ev, container, NULL, NULL, reason, reason);
}

/* Ask berth-slicemgr who owns each name; *ret is its "targets" array. */
static int ask_owner(struct wrapper *w, char **names, bool images, json_t **ret, struct berth_error *err) {
        return wrapper_ask_owner(w->control_socket, names, images, WRAPPER_SLICEMGR_TIMEOUT_MS, ret, NULL, err);
}

static int refuse_unreachable(int r, const struct berth_error *err) {
        if (r == -EPERM)
                return wrapper_refuse(err->message, NULL);
        fprintf(stderr, "%s\nberth: ownership cannot be checked until berth-slicemgr answers again; ask an admin.\n",
                err->message[0] ? err->message : "berth: berth-slicemgr could not be reached.");
        return WRAPPER_EXIT_REFUSED;
}

/* docker update may not lift a container past what run would allow. */
static int check_update(struct wrapper *w, const struct docker_args *a) {
        _cleanup_(resolved_user_done) struct resolved_user ru = { 0 };
        char msg[512], b1[32], b2[32];
        bool refused = false;

        static const char *const quota_flags[] = { "cpu-quota", "cpu-period", "cpu-rt-period", "cpu-rt-runtime" };
        for (size_t i = 0; i < ELEMENTSOF(quota_flags); i++)
                if (docker_args_last(a, quota_flags[i])) {
                        snprintf(msg, sizeof(msg), "berth: docker update --%s is not allowed.", quota_flags[i]);
                        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
                        return wrapper_refuse(msg, "Use --cpus to change how many CPUs the container may use.");
                }
        if (config_resolve_user(w->config, w->user, time(NULL), &ru) < 0)
                return wrapper_refuse("berth: your account could not be looked up in berth's configuration.", NULL);
        const char *cpus = docker_args_last(a, "cpus");
        const char *mem = docker_args_last(a, "memory");
        double c;
        uint64_t m;
        if (cpus) {
                refused = true;
                if (docker_parse_cpus(cpus, &c) < 0)
                        snprintf(msg, sizeof(msg), "berth: --cpus %s is not a number of CPUs.", cpus);
                else if (ru.limits.cpus != CPUS_INFINITY && (c == 0 || c > ru.limits.cpus + 1e-9))
                        snprintf(msg, sizeof(msg), "berth: --cpus %s is more than your slice's %s CPUs.", cpus,
                                 format_cpus(ru.limits.cpus, b1, sizeof(b1)));
                else
                        refused = false;
        }
        if (!refused && mem) {
                refused = true;
                if (docker_ram_in_bytes(mem, &m) < 0)
                        snprintf(msg, sizeof(msg), "berth: --memory %s is not a size.", mem);
                else if (ru.limits.memory != LIMIT_INFINITY && (m == 0 || m > ru.limits.memory))
                        snprintf(msg, sizeof(msg), "berth: --memory %s is more than your slice's %s.",
                                 format_size(m == 0 ? LIMIT_INFINITY : m, b2, sizeof(b2)),
                                 format_size(ru.limits.memory, b1, sizeof(b1)));
                else
                        refused = false;
        }
        if (!refused)
                return 0;
        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
        return wrapper_refuse(msg, "Ask for at most what your slice has.");
}

/* rename OLD NEW: the new name follows the naming rule too; *argv gets the
 * full name. */
static int check_rename(struct wrapper *w, const struct docker_args *a, char **argv) {
        int at = a->rename_new_at;
        const char *nn = w->argv[at];
        _cleanup_free_ char *full = NULL;
        int r = name_container_typed(nn, w->user, &full);
        if (r == -EPERM) {
                char msg[512];
                snprintf(msg, sizeof(msg), "berth: '%s' is another user's container name; yours end in '._.%s'.", nn,
                         w->user);
                audit_access(w, AUDIT_ACCESS_DENY, nn, msg);
                return wrapper_refuse(msg, "Give a plain name: berth adds your suffix itself.");
        }
        if (r < 0)
                return wrapper_refuse("berth: the new name is not a valid container name.",
                                      "Use letters, digits, '_', '.' and '-'.");
        free(argv[at]);
        argv[at] = TAKE_PTR(full);
        return 0;
}

int wrapper_targets(struct wrapper *w) {
        struct berth_error err = { 0 };
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        _cleanup_strv_free_ char **names = NULL, **argv = NULL;
        _cleanup_json_ json_t *owners = NULL;
        int status, r;

        if (parse_args(w, &a) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (a.n_targets == 0) {
                /* docker stats with no name shows every user's containers */
                if (streq(w->inv.verb, "stats") && !w->admin)
                        return wrapper_refuse("berth: 'docker stats' without names would show every user's containers.",
                                              "Name yours: docker stats $(docker ps -q).");
                wrapper_exec(w, w->argv); /* usage, or docker's own error */
        }

        if (!w->admin && streq(w->inv.verb, "exec") && docker_args_has(&a, "privileged")) {
                const char *msg = "berth: docker exec --privileged is not allowed: it gives the process the whole machine.";
                audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
                return wrapper_refuse(msg, "Leave --privileged out.");
        }
        if (!w->admin && streq(w->inv.verb, "update") && (status = check_update(w, &a)) != 0)
                return status;

        if (wrapper_target_names(w->argv, &a, &names) < 0)
                return WRAPPER_EXIT_REFUSED;
        r = ask_owner(w, names, false, &owners, &err);
        if (r < 0)
                return refuse_unreachable(r, &err);
        if (wrapper_argv_append(&argv, w->argc, w->argv, 0, w->argc) < 0)
                return WRAPPER_EXIT_REFUSED;

        for (size_t i = 0; i < a.n_targets; i++) {
                json_t *o = json_array_get(owners, i);
                const char *full = json_string_value(json_object_get(o, "name"));
                const char *user = json_string_value(json_object_get(o, "user"));
                if (!json_is_true(json_object_get(o, "exists")))
                        continue; /* docker says "No such container" itself */
                if (!json_is_true(json_object_get(o, "mine"))) {
                        char msg[512];
                        if (json_is_true(json_object_get(o, "managed")) && user)
                                snprintf(msg, sizeof(msg), "berth: %s belongs to %s; you may only '%s' your own containers.",
                                         strempty(full), user, w->inv.verb);
                        else
                                snprintf(msg, sizeof(msg), "berth: %s is not a berth container; you may only '%s' your own containers.",
                                         strempty(full), w->inv.verb);
                        if (!w->admin) {
                                audit_access(w, AUDIT_ACCESS_DENY, full, msg);
                                return wrapper_refuse(msg, "'docker ps' lists yours.");
                        }
                        audit_access(w, AUDIT_ADMIN_OVERRIDE, full, msg);
                }
                /* "train" found as train._.alice: give docker the full name */
                char *nw = NULL;
                if (wrapper_target_word(w->argv[a.targets[i]], a.target_colon[i], names[i], full, w->user, &nw) < 0)
                        return WRAPPER_EXIT_REFUSED;
                if (nw) {
                        free(argv[a.targets[i]]);
                        argv[a.targets[i]] = nw;
                }
        }

        if (streq(w->inv.verb, "rename") && !w->admin && a.rename_new_at > 0 && (status = check_rename(w, &a, argv)) != 0)
                return status;
        wrapper_exec(w, argv);
}

int wrapper_ps(struct wrapper *w) {
        _cleanup_strv_free_ char **argv = NULL;

        if (w->admin)
                wrapper_exec(w, w->argv);
        if (wrapper_ps_argv(w->argc, w->argv, w->inv.args_at, w->user, &argv) < 0)
                return WRAPPER_EXIT_REFUSED;
        wrapper_exec(w, argv);
}

int wrapper_build(struct wrapper *w) {
        struct berth_error err = { 0 };
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        _cleanup_(build_spec_done) struct build_spec b = { 0 };
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_json_ json_t *req = NULL, *reply = NULL;
        int r;

        if (parse_args(w, &a) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (w->admin)
                wrapper_exec(w, w->argv);
        struct policy_identity id = { .user = w->user, .uid = w->uid, .home = w->home, .admin = w->admin };
        if (docker_build_spec(&a, &b) < 0 || policy_check_build(w->config, &id, &b, &v) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (!v.allowed) {
                audit_access(w, AUDIT_ACCESS_DENY, NULL, v.reason);
                return wrapper_refuse(v.reason, v.hint[0] ? v.hint : NULL);
        }
        req = json_pack("{s:s}", "op", "ensure-slice");
        r = req ? wrapper_call(w, req, &reply, &err) : -ENOMEM;
        if (r < 0)
                return refuse_unreachable(r, &err);
        const char *slice = json_string_value(json_object_get(reply, "slice"));
        if (!slice || wrapper_build_argv(&w->inv, w->argc, w->argv, slice, w->user, w->uid, &argv) < 0)
                return WRAPPER_EXIT_REFUSED;
        /* The classic builder runs each step as a container under
         * --cgroup-parent; BuildKit inside dockerd 20.10 ignores it. */
        if (!streq(w->inv.verb, "buildx"))
                setenv("DOCKER_BUILDKIT", "0", 1);
        wrapper_exec(w, argv);
}

int wrapper_rmi(struct wrapper *w) {
        struct berth_error err = { 0 };
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_json_ json_t *owners = NULL;
        int r;

        if (parse_args(w, &a) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (w->admin || a.n_positionals == 0)
                wrapper_exec(w, w->argv);
        for (size_t i = 0; i < a.n_positionals; i++) {
                const char *ref = w->argv[a.positionals[i]];
                _cleanup_free_ char *u = NULL, *n = NULL;
                if (name_user_image_parse(ref, &u, &n) >= 0 && !streq(u, w->user)) {
                        char msg[512];
                        snprintf(msg, sizeof(msg), "berth: %s is %s's image; you may only remove your own.", ref, u);
                        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
                        return wrapper_refuse(msg, "'docker images' lists every image; yours are berth/<you>/….");
                }
                if (strv_push(&names, ref) < 0)
                        return WRAPPER_EXIT_REFUSED;
        }
        r = ask_owner(w, names, true, &owners, &err);
        if (r < 0)
                return refuse_unreachable(r, &err);
        for (size_t i = 0; i < json_array_size(owners); i++) {
                json_t *o = json_array_get(owners, i);
                const char *user = json_string_value(json_object_get(o, "user"));
                if (user && !streq(user, w->user)) {
                        char msg[512];
                        snprintf(msg, sizeof(msg), "berth: the image %s belongs to %s; you may only remove your own.", names[i],
                                 user);
                        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
                        return wrapper_refuse(msg, NULL);
                }
        }
        wrapper_exec(w, w->argv);
}

/* docker volume create -o type=none -o o=bind -o device=/etc would make a
 * bind mount of any host path under a volume's name. */
int wrapper_volume_create(struct wrapper *w) {
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        char cwd[PATH_MAX];

        if (parse_args(w, &a) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (w->admin)
                wrapper_exec(w, w->argv);
        if (!getcwd(cwd, sizeof(cwd)))
                strcpy(cwd, "/");
        for (size_t i = 0; i < a.n_opts; i++) {
                const struct docker_opt *o = &a.opts[i];
                if (!streq(o->name, "opt") || !o->value || strncmp(o->value, "device=", 7) != 0)
                        continue;
                _cleanup_free_ char *resolved = NULL;
                const char *path = o->value + 7;
                if (path[0] != '/' || path_resolve_host(path, cwd, &resolved) < 0 ||
                    !policy_bind_allowed(w->config->allowed_binds, w->home, resolved)) {
                        char msg[512];
                        snprintf(msg, sizeof(msg),
                                 "berth: a volume on host path %s is not allowed: only paths under the allowed binds may be mounted.",
                                 path);
                        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
                        return wrapper_refuse(msg, "Create a plain volume, or bind an allowed path with -v.");
                }
        }
        wrapper_exec(w, w->argv);
}

int wrapper_admin_only(struct wrapper *w, const char *what) {
        char msg[512];
        if (w->admin) {
                snprintf(msg, sizeof(msg), "berth: admin %s ran 'docker %s', which is for admins only", w->user,
                         w->inv.words);
                wrapper_audit(w, AUDIT_ADMIN_OVERRIDE, NULL, NULL, NULL, what, msg);
                wrapper_exec(w, w->argv);
        }
        snprintf(msg, sizeof(msg), "berth: 'docker %s' is for admins only: %s.", w->inv.words, what);
        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
        return wrapper_refuse(msg, "Ask an admin.");
}
