/* SPDX-License-Identifier: MIT */
/* The policed verbs other than run/create: container-targeting verbs
 * (ownership by the berth.user label, one daemon round trip for all
 * targets), ps, build, rmi and volume create. */
#include "wrapper.h"

#include <ctype.h>
#include <limits.h>

#include "core/audit.h"
#include "common.h"
#include "core/names.h"
#include "policy/policy.h"
#include "policy/dockercli-spec.h"
#include "policy/spec.h"
#include "system/hostpath.h"

/* The command's own options; what docker would not take is refused by
 * name (WRAPPER_EXIT_REFUSED, the caller's status already). */
static int parse_args(struct wrapper *w, struct docker_args *a) {
        struct berth_error err = { 0 };
        int r = docker_parse_args(&w->inv, w->argc, w->argv, a, &err);
        if (r < 0)
                (void) wrapper_refuse(w, err.message, NULL);
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

static int refuse_unreachable(struct wrapper *w, int r, const struct berth_error *err) {
        if (r == -EPERM)
                return wrapper_refuse(w, err->message, NULL);
        fprintf(stderr, "%s\nberth: ownership cannot be checked until berth-slicemgr answers again; ask an admin.\n",
                err->message[0] ? err->message : "berth: berth-slicemgr could not be reached.");
        return WRAPPER_EXIT_REFUSED;
}

/* docker update may not lift a container past what run would allow. */
static int check_update(struct wrapper *w, const struct docker_args *a) {
        struct resolved_user ru = { 0 };
        char msg[512], b1[32], b2[32];
        int status = 0;

        static const char *const quota_flags[] = { "cpu-quota", "cpu-period", "cpu-rt-period", "cpu-rt-runtime" };
        for (size_t i = 0; i < ELEMENTSOF(quota_flags); i++)
                if (docker_args_last(a, quota_flags[i])) {
                        snprintf(msg, sizeof(msg), "berth: docker update --%s is not allowed.", quota_flags[i]);
                        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
                        return wrapper_refuse(w, msg, "Use --cpus to change how many CPUs the container may use.");
                }
        if (config_resolve_user(w->config, w->user, time(NULL), &ru) < 0)
                return wrapper_refuse(w, "berth: your account could not be looked up in berth's configuration.", NULL);
        const char *cpus = docker_args_last(a, "cpus");
        const char *mem = docker_args_last(a, "memory");
        double c;
        uint64_t m;
        if (cpus) {
                if (docker_parse_cpus(cpus, &c) < 0)
                        snprintf(msg, sizeof(msg), "berth: --cpus %s is not a number of CPUs.", cpus);
                else if (ru.limits.cpus != CPUS_INFINITY && (c == 0 || c > ru.limits.cpus + 1e-9))
                        snprintf(msg, sizeof(msg), "berth: --cpus %s is more than your slice's %s CPUs.", cpus,
                                 format_cpus(ru.limits.cpus, b1, sizeof(b1)));
                else
                        cpus = NULL;
                if (cpus)
                        status = 1;
        }
        if (!status && mem) {
                if (docker_ram_in_bytes(mem, &m) < 0)
                        snprintf(msg, sizeof(msg), "berth: --memory %s is not a size.", mem), status = 1;
                else if (ru.limits.memory != LIMIT_INFINITY && (m == 0 || m > ru.limits.memory))
                        snprintf(msg, sizeof(msg), "berth: --memory %s is more than your slice's %s.",
                                 format_size(m == 0 ? LIMIT_INFINITY : m, b2, sizeof(b2)),
                                 format_size(ru.limits.memory, b1, sizeof(b1))),
                                status = 1;
        }
        resolved_user_done(&ru);
        if (!status)
                return 0;
        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
        return wrapper_refuse(w, msg, "Ask for at most what your slice has.");
}

int wrapper_targets(struct wrapper *w) {
        struct berth_error err = { 0 };
        struct docker_args a = { 0 };
        _cleanup_strv_free_ char **names = NULL, **argv = NULL;
        _cleanup_json_ json_t *owners = NULL;
        int status = WRAPPER_EXIT_REFUSED, r;

        if (parse_args(w, &a) < 0)
                goto out;
        if (a.n_targets == 0) {
                /* docker stats with no name shows every user's containers */
                if (streq(w->inv.verb, "stats") && !w->admin)
                        status = wrapper_refuse(w, "berth: 'docker stats' without names would show every user's containers.",
                                                "Name yours: docker stats $(docker ps -q).");
                else
                        wrapper_exec(w, w->argv); /* usage, or docker's own error */
                goto out;
        }

        if (!w->admin && streq(w->inv.verb, "exec") && docker_args_has(&a, "privileged")) {
                const char *msg = "berth: docker exec --privileged is not allowed: it gives the process the whole machine.";
                audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
                status = wrapper_refuse(w, msg, "Leave --privileged out.");
                goto out;
        }
        if (!w->admin && streq(w->inv.verb, "update") && (status = check_update(w, &a)) != 0)
                goto out;

        if (wrapper_target_names(w->argv, &a, &names) < 0)
                goto out;
        r = ask_owner(w, names, false, &owners, &err);
        if (r < 0) {
                status = refuse_unreachable(w, r, &err);
                goto out;
        }
        if (wrapper_copy_argv(w, &argv, 0, w->argc) < 0)
                goto out;

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
                                status = wrapper_refuse(w, msg, "'docker ps' lists yours.");
                                goto out;
                        }
                        audit_access(w, AUDIT_ADMIN_OVERRIDE, full, msg);
                }
                /* "train" found as train._.alice: give docker the full name */
                char *nw = NULL;
                if (wrapper_target_word(w->argv[a.targets[i]], a.target_colon[i], names[i], full, w->user, &nw) < 0)
                        goto out;
                if (nw) {
                        free(argv[a.targets[i]]);
                        argv[a.targets[i]] = nw;
                }
        }

        /* rename OLD NEW: the new name follows the naming rule too. */
        if (streq(w->inv.verb, "rename") && !w->admin && a.rename_new_at > 0) {
                int at = a.rename_new_at;
                const char *nn = w->argv[at];
                _cleanup_free_ char *full = NULL;
                int rn = name_container_typed(nn, w->user, &full);
                if (rn == -EPERM) {
                        char msg[512];
                        snprintf(msg, sizeof(msg), "berth: '%s' is another user's container name; yours end in '._.%s'.", nn,
                                 w->user);
                        audit_access(w, AUDIT_ACCESS_DENY, nn, msg);
                        status = wrapper_refuse(w, msg, "Give a plain name: berth adds your suffix itself.");
                        goto out;
                }
                if (rn < 0) {
                        status = wrapper_refuse(w, "berth: the new name is not a valid container name.",
                                                "Use letters, digits, '_', '.' and '-'.");
                        goto out;
                }
                free(argv[at]);
                argv[at] = TAKE_PTR(full);
        }
        docker_args_done(&a);
        wrapper_exec(w, argv);
out:
        docker_args_done(&a);
        return status;
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
        struct docker_args a = { 0 };
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_json_ json_t *req = NULL, *reply = NULL;
        _cleanup_free_ char *user_label = NULL, *uid_label = NULL;
        int status = WRAPPER_EXIT_REFUSED, r;

        if (parse_args(w, &a) < 0)
                goto out;
        if (w->admin)
                wrapper_exec(w, w->argv);
        struct policy_identity id = { .user = w->user, .uid = w->uid, .home = w->home, .admin = w->admin };
        _cleanup_(build_spec_done) struct build_spec b = { 0 };
        struct policy_verdict v = { 0 };
        if (docker_build_spec(&a, &b) < 0 || policy_check_build(w->config, &id, &b, &v) < 0)
                goto out;
        if (!v.allowed) {
                audit_access(w, AUDIT_ACCESS_DENY, NULL, v.reason);
                status = wrapper_refuse(w, v.reason, v.hint[0] ? v.hint : NULL);
                goto out;
        }
        req = json_pack("{s:s}", "op", "ensure-slice");
        r = req ? wrapper_call(w, req, &reply, &err) : -ENOMEM;
        if (r < 0) {
                status = refuse_unreachable(w, r, &err);
                goto out;
        }
        const char *slice = json_string_value(json_object_get(reply, "slice"));
        if (!slice || asprintf(&user_label, "berth.user=%s", w->user) < 0 ||
            asprintf(&uid_label, "berth.uid=%u", (unsigned) w->uid) < 0)
                goto out;
        if (wrapper_copy_argv(w, &argv, 0, w->inv.args_at) < 0 || strv_push(&argv, "--cgroup-parent") < 0 ||
            strv_push(&argv, slice) < 0 || strv_push(&argv, "--label") < 0 || strv_push(&argv, user_label) < 0 ||
            strv_push(&argv, "--label") < 0 || strv_push(&argv, uid_label) < 0 ||
            wrapper_copy_argv(w, &argv, w->inv.args_at, w->argc) < 0)
                goto out;
        /* The classic builder runs each step as a container under
         * --cgroup-parent; BuildKit inside dockerd 20.10 ignores it. */
        if (!streq(w->inv.verb, "buildx"))
                setenv("DOCKER_BUILDKIT", "0", 1);
        docker_args_done(&a);
        wrapper_exec(w, argv);
out:
        docker_args_done(&a);
        return status;
}

int wrapper_rmi(struct wrapper *w) {
        struct berth_error err = { 0 };
        struct docker_args a = { 0 };
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_json_ json_t *owners = NULL;
        int status = WRAPPER_EXIT_REFUSED, r;

        if (parse_args(w, &a) < 0)
                goto out;
        if (w->admin || a.n_positionals == 0)
                wrapper_exec(w, w->argv);
        for (size_t i = 0; i < a.n_positionals; i++) {
                const char *ref = w->argv[a.positionals[i]];
                _cleanup_free_ char *u = NULL, *n = NULL;
                if (name_user_image_parse(ref, &u, &n) >= 0 && !streq(u, w->user)) {
                        char msg[512];
                        snprintf(msg, sizeof(msg), "berth: %s is %s's image; you may only remove your own.", ref, u);
                        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
                        status = wrapper_refuse(w, msg, "'docker images' lists every image; yours are berth/<you>/….");
                        goto out;
                }
                if (strv_push(&names, ref) < 0)
                        goto out;
        }
        r = ask_owner(w, names, true, &owners, &err);
        if (r < 0) {
                status = refuse_unreachable(w, r, &err);
                goto out;
        }
        for (size_t i = 0; i < json_array_size(owners); i++) {
                json_t *o = json_array_get(owners, i);
                const char *user = json_string_value(json_object_get(o, "user"));
                if (user && !streq(user, w->user)) {
                        char msg[512];
                        snprintf(msg, sizeof(msg), "berth: the image %s belongs to %s; you may only remove your own.", names[i],
                                 user);
                        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
                        status = wrapper_refuse(w, msg, NULL);
                        goto out;
                }
        }
        docker_args_done(&a);
        wrapper_exec(w, w->argv);
out:
        docker_args_done(&a);
        return status;
}

/* docker volume create -o type=none -o o=bind -o device=/etc would make a
 * bind mount of any host path under a volume's name. */
int wrapper_volume_create(struct wrapper *w) {
        struct docker_args a = { 0 };
        char cwd[PATH_MAX];
        int status = WRAPPER_EXIT_REFUSED;

        if (parse_args(w, &a) < 0)
                goto out;
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
                        status = wrapper_refuse(w, msg, "Create a plain volume, or bind an allowed path with -v.");
                        goto out;
                }
        }
        docker_args_done(&a);
        wrapper_exec(w, w->argv);
out:
        docker_args_done(&a);
        return status;
}
