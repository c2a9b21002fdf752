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
#include "core/owner-answer.h"
#include "exec.h"
#include "images.h"
#include "policy/dockercli-spec.h"
#include "policy/image-rules.h"
#include "policy/objects.h"
#include "policy/policy.h"
#include "policy/spec.h"
#include "report.h"
#include "rewrite.h"
#include "run.h"
#include "system/hostpath.h"
#include "system/slicemgr-client.h"

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

/* Ask berth-slicemgr who owns each name; *ret is its "targets" array.  Its
 * answer also says whether the caller is an admin. */
static int ask_owner(struct wrapper *w, char **names, const char *kind, json_t **ret, struct berth_error *err) {
        bool admin = false;
        int r = slicemgr_ask_owner(w->control_socket, NULL, kind, names, WRAPPER_SLICEMGR_TIMEOUT_MS, ret, &admin, err);
        if (r >= 0)
                wrapper_set_admin(w, admin);
        return r;
}

static int refuse_unreachable(int r, const struct berth_error *err) {
        if (r == -EPERM)
                return wrapper_refuse(err->message, NULL);
        fprintf(stderr, "%s\nberth: ownership cannot be checked until berth-slicemgr answers again; ask an admin.\n",
                err->message[0] ? err->message : "berth: berth-slicemgr could not be reached.");
        return WRAPPER_EXIT_REFUSED;
}

/* Refuse with the policy's sentence (audited); the caller's status. */
static int refuse_verdict(struct wrapper *w, const char *container, const struct policy_verdict *v) {
        audit_access(w, AUDIT_ACCESS_DENY, container, v->reason);
        return wrapper_refuse(v->reason, v->hint[0] ? v->hint : NULL);
}

/* docker update may not lift a container past what create would allow:
 * its limits go through the same policy as a new container's. */
static int check_update(struct wrapper *w, const struct docker_args *a) {
        _cleanup_(resolved_user_done) struct resolved_user ru = { 0 };
        _cleanup_(container_spec_done) struct container_spec s = { 0 };
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        char msg[512];

        if (docker_args_last(a, "kernel-memory")) {
                snprintf(msg, sizeof(msg), "berth: docker update --kernel-memory is not allowed.");
                audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
                return wrapper_refuse(msg, "Use --memory to change how much memory the container may use.");
        }
        if (config_resolve_user(w->config, w->user, time(NULL), &ru) < 0)
                return wrapper_refuse("berth: your account could not be looked up in berth's configuration.", NULL);
        for (size_t i = 0; i < a->n_opts; i++) {
                const struct docker_opt *o = &a->opts[i];
                const char *val = o->value;
                uint64_t b;
                if (!val)
                        continue;
                if (streq(o->name, "cpu-quota") || streq(o->name, "cpu-period") || streq(o->name, "cpu-rt-period") ||
                    streq(o->name, "cpu-rt-runtime"))
                        s.cpu_quota_given = true;
                else if (streq(o->name, "cpus")) {
                        if (docker_parse_cpus(val, &s.cpus) < 0) {
                                snprintf(msg, sizeof(msg), "berth: --cpus %s is not a number of CPUs.", val);
                                return wrapper_refuse(msg, NULL);
                        }
                        s.cpus_given = true;
                } else if (streq(o->name, "memory")) {
                        if (docker_ram_in_bytes(val, &s.memory) < 0) {
                                snprintf(msg, sizeof(msg), "berth: --memory %s is not a size.", val);
                                return wrapper_refuse(msg, NULL);
                        }
                        s.memory_given = true;
                } else if (streq(o->name, "memory-swap")) {
                        s.memory_swap_given = true;
                        s.memory_swap = streq(val, "-1") ? -1
                                        : docker_ram_in_bytes(val, &b) >= 0 && b <= INT64_MAX ? (int64_t) b
                                                                                               : -1;
                } else if (streq(o->name, "cpu-shares")) {
                        char *end;
                        errno = 0;
                        long long l = strtoll(val, &end, 0);
                        s.cpu_shares_given = true;
                        s.cpu_shares = errno || !*val || *end ? 0 : l;
                } else if (streq(o->name, "cpuset-cpus")) {
                        free(s.cpuset_cpus);
                        s.cpuset_cpus = strdup(val);
                } else if (streq(o->name, "cpuset-mems")) {
                        free(s.cpuset_mems);
                        s.cpuset_mems = strdup(val);
                }
        }
        struct policy_identity id = wrapper_policy_identity(w);
        if (policy_check(w->config, &ru, &id, &s, &v) < 0)
                return wrapper_refuse(v.reason[0] ? v.reason : "berth: the update could not be checked.", NULL);
        if (!v.allowed)
                return refuse_verdict(w, NULL, &v);
        return 0;
}

/* exec: no GPU variables (-e, --env-file), and in a container with host
 * paths the owner's uid (policy_check_exec).  *ret_as_owner: inject it. */
static int check_exec(struct wrapper *w, const struct docker_args *a, const char *container, bool host_paths,
                      bool *ret_as_owner) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_strv_free_ char **env = NULL;
        char msg[512];

        *ret_as_owner = false;
        for (size_t i = 0; i < a->n_opts; i++) {
                const struct docker_opt *o = &a->opts[i];
                _cleanup_strv_free_ char **lines = NULL;
                if (!o->value || (!streq(o->name, "env") && !streq(o->name, "env-file")))
                        continue;
                if (streq(o->name, "env-file") && wrapper_read_lines(o->value, &lines, w) < 0) {
                        snprintf(msg, sizeof(msg), "berth: the --env-file %s cannot be read.", o->value);
                        return wrapper_refuse(msg, NULL);
                }
                for (size_t k = 0; streq(o->name, "env") ? k < 1 : lines && lines[k]; k++)
                        if (strv_push(&env, streq(o->name, "env") ? o->value : lines[k]) < 0)
                                return WRAPPER_EXIT_REFUSED;
        }
        struct policy_identity id = wrapper_policy_identity(w);
        if (policy_check_exec(&id, docker_args_last(a, "user"), docker_args_has(a, "privileged"), env, host_paths, &v) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (!v.allowed)
                return refuse_verdict(w, container, &v);
        *ret_as_owner = v.run_as_owner;
        return 0;
}

/* "/home/bob/work, /srv/data": the host paths the container has bound,
 * from docker inspect (NULL when it cannot say). */
static char *bound_paths(struct wrapper *w, const char *container) {
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *out = NULL;
        if (wrapper_argv_append(&argv, w->argc, w->argv, 0, w->inv.words_at) < 0 || strv_push(&argv, "inspect") < 0 ||
            strv_push(&argv, "--type") < 0 || strv_push(&argv, "container") < 0 || strv_push(&argv, "--format") < 0 ||
            strv_push(&argv, "{{range $i, $m := .Mounts}}{{if eq $m.Type \"bind\"}}{{if $i}}, {{end}}{{$m.Source}}{{end}}{{end}}") < 0 ||
            strv_push(&argv, container) < 0)
                return NULL;
        if (wrapper_capture(w, argv, &out) < 0)
                return NULL;
        out[strcspn(out, "\n")] = 0;
        return *out ? TAKE_PTR(out) : NULL;
}

static int check_cp(struct wrapper *w, const char *container, bool host_paths) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        struct policy_identity id = wrapper_policy_identity(w);
        if (policy_check_cp(&id, host_paths, &v) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (v.allowed)
                return 0;
        _cleanup_free_ char *paths = bound_paths(w, container);
        char hint[512];
        if (paths)
                snprintf(hint, sizeof(hint), "Its files are on the host already, in %s: copy them there.", paths);
        audit_access(w, AUDIT_ACCESS_DENY, container, v.reason);
        return wrapper_refuse(v.reason, paths ? hint : v.hint);
}

/* rename OLD NEW: the new name follows the naming rule too; *argv gets the
 * full name. */
static int check_rename(struct wrapper *w, const struct docker_args *a, char **argv) {
        int at = a->rename_new_at;
        const char *nn = w->argv[at];
        _cleanup_free_ char *full = NULL;
        int r = owner_name_untrimmed(nn) ? -EINVAL : name_container_typed(nn, w->user, &full);
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

/* rename of a berth container: lib/policy's rule (the seal covers its
 * name); admins may, audited. */
static int refuse_rename(struct wrapper *w, json_t *o) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        struct policy_identity id = wrapper_policy_identity(w);
        const char *full = json_string_value(json_object_get(o, "name"));
        bool managed = json_is_true(json_object_get(o, "exists")) && json_is_true(json_object_get(o, "managed"));
        if (policy_check_rename(&id, managed, full, &v) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (v.admin_override)
                audit_access(w, AUDIT_ADMIN_OVERRIDE, full, v.reason);
        if (v.allowed)
                return 0;
        audit_access(w, AUDIT_ACCESS_DENY, full, v.reason);
        return wrapper_refuse(v.reason, v.hint);
}

/* network connect|disconnect NETWORK CONTAINER: the container is checked
 * as a target; the network must be the caller's, shared or Docker's own. */
static int check_attach_network(struct wrapper *w, const char *name) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        struct berth_error err = { 0 };
        _cleanup_json_ json_t *owners = NULL;
        char *names[2] = { (char *) name, NULL };
        int r = ask_owner(w, names, "network", &owners, &err);
        if (r < 0)
                return refuse_unreachable(r, &err);
        if (wrapper_admin(w))
                return 0;
        if (policy_check_network_target(json_array_get(owners, 0), name, w->user, w->inv.words, false, &v) < 0)
                return WRAPPER_EXIT_REFUSED;
        return v.allowed ? 0 : refuse_verdict(w, NULL, &v);
}

/* Every value of option name, in order (a new strv; NULL when none). */
static int opt_values(const struct docker_args *a, const char *name, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        for (size_t i = 0; i < a->n_opts; i++)
                if (a->opts[i].value && streq(a->opts[i].name, name) && strv_push(&v, a->opts[i].value) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

/* commit/import --change: no LABEL may set a berth.* label (DESIGN §2). */
static int check_changes(struct wrapper *w, const struct docker_args *a) {
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_strv_free_ char **changes = NULL;
        if (opt_values(a, "change", &changes) < 0 || policy_check_changes(changes, &v) < 0)
                return WRAPPER_EXIT_REFUSED;
        return v.allowed ? 0 : refuse_verdict(w, NULL, &v);
}

/* The image name at argv[at], typed as a target, put in *argv as docker
 * gets it (berth/<user>/…). */
static int image_target_word(struct wrapper *w, int at, char **argv) {
        _cleanup_strv_free_ char **full = NULL;
        char *typed[2] = { w->argv[at], NULL };
        int status = wrapper_image_targets(w, typed, &full);
        if (status != 0)
                return status;
        free(argv[at]);
        argv[at] = TAKE_PTR(full[0]);
        return 0;
}

/* Checkpoints are for admins: --checkpoint-dir makes dockerd write (and
 * read) wherever it is told, as root. */
static int refuse_checkpoint(struct wrapper *w) {
        char msg[512];
        snprintf(msg, sizeof(msg),
                 "berth: checkpoints are for admins only: dockerd writes and reads them as root, wherever --checkpoint-dir says.");
        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
        return wrapper_refuse(msg, "Ask an admin.");
}

int wrapper_targets(struct wrapper *w) {
        struct berth_error err = { 0 };
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        _cleanup_strv_free_ char **names = NULL, **argv = NULL;
        _cleanup_json_ json_t *owners = NULL;
        const char *verb = w->inv.verb;
        bool host_paths = false;
        int status, r;

        if (parse_args(w, &a) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (a.n_targets == 0) {
                /* docker stats with no name shows every user's containers */
                if (streq(verb, "stats") && !wrapper_admin(w))
                        return wrapper_refuse("berth: 'docker stats' without names would show every user's containers.",
                                              "Name yours: docker stats $(docker ps -q).");
                wrapper_exec(w, w->argv); /* usage, or docker's own error */
        }

        if (wrapper_target_names(w->argv, &a, &names) < 0)
                return WRAPPER_EXIT_REFUSED;
        for (char **n = names; *n; n++)
                if (owner_name_untrimmed(*n)) {
                        char msg[512];
                        snprintf(msg, sizeof(msg),
                                 "berth: the name '%s' has white space at an end, which docker may trim; give the name exactly.",
                                 *n);
                        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
                        return wrapper_refuse(msg, NULL);
                }
        r = ask_owner(w, names, "container", &owners, &err);
        if (r < 0)
                return refuse_unreachable(r, &err);
        bool admin = wrapper_admin(w);
        if (wrapper_argv_append(&argv, w->argc, w->argv, 0, w->argc) < 0)
                return WRAPPER_EXIT_REFUSED;

        for (size_t i = 0; i < a.n_targets; i++) {
                json_t *o = json_array_get(owners, i);
                const char *full = json_string_value(json_object_get(o, "name"));
                const char *user = json_string_value(json_object_get(o, "user"));
                const char *id = json_string_value(json_object_get(o, "id"));
                if (!json_is_true(json_object_get(o, "exists")))
                        continue; /* docker says "No such container" itself */
                if (!json_is_true(json_object_get(o, "mine"))) {
                        char msg[512];
                        if (json_is_true(json_object_get(o, "managed")) && user)
                                snprintf(msg, sizeof(msg), "berth: %s belongs to %s; you may only '%s' your own containers.",
                                         strempty(full), user, verb);
                        else
                                snprintf(msg, sizeof(msg), "berth: %s is not a berth container; you may only '%s' your own containers.",
                                         strempty(full), verb);
                        if (!admin) {
                                audit_access(w, AUDIT_ACCESS_DENY, full, msg);
                                return wrapper_refuse(msg, "'docker ps' lists yours.");
                        }
                        audit_access(w, AUDIT_ADMIN_OVERRIDE, full, msg);
                }
                host_paths = host_paths || owner_host_paths(o);
                if (streq(verb, "cp") && !admin && (status = check_cp(w, id ? id : names[i], owner_host_paths(o))) != 0)
                        return status;
                /* the container checked is the one docker gets: its full id
                 * ("train" found as train._.alice: else the full name) */
                char *nw = NULL;
                if (wrapper_target_id_word(w->argv[a.targets[i]], a.target_colon[i], names[i], id, &nw) < 0 ||
                    (!nw && wrapper_target_word(w->argv[a.targets[i]], a.target_colon[i], names[i], full, w->user, &nw) < 0))
                        return WRAPPER_EXIT_REFUSED;
                if (nw) {
                        free(argv[a.targets[i]]);
                        argv[a.targets[i]] = nw;
                }
        }

        if (!admin && streq(verb, "update") && (status = check_update(w, &a)) != 0)
                return status;
        if (!admin && (streq(verb, "checkpoint") ||
                       (streq(verb, "start") && (docker_args_last(&a, "checkpoint") || docker_args_last(&a, "checkpoint-dir")))))
                return refuse_checkpoint(w);
        if (!admin && streq(verb, "commit")) {
                if ((status = check_changes(w, &a)) != 0)
                        return status;
                if (a.n_positionals > 1 && (status = image_target_word(w, a.positionals[1], argv)) != 0)
                        return status;
        }
        if (streq(verb, "rename") && (status = refuse_rename(w, json_array_get(owners, 0))) != 0)
                return status;
        if (streq(verb, "rename") && !admin && a.rename_new_at > 0 && (status = check_rename(w, &a, argv)) != 0)
                return status;
        if (w->inv.cmd == DOCKER_CMD_NETWORK_ATTACH && !admin && a.n_positionals > 0 &&
            (status = check_attach_network(w, w->argv[a.positionals[0]])) != 0)
                return status;
        if (streq(verb, "exec") && !admin) {
                bool as_owner = false;
                if ((status = check_exec(w, &a, names[0], host_paths, &as_owner)) != 0)
                        return status;
                if (as_owner && w->uid != 0) {
                        _cleanup_strv_free_ char **ev = NULL;
                        struct wrapper_owner owner = { .uid = w->uid, .gid = w->gid, .gids = w->gids, .n_gids = w->n_gids };
                        if (wrapper_exec_argv(&w->inv, w->argc, argv, &a, &owner, &ev) < 0)
                                return WRAPPER_EXIT_REFUSED;
                        wrapper_exec(w, ev);
                }
        }
        wrapper_exec(w, argv);
}

int wrapper_ps(struct wrapper *w) {
        _cleanup_strv_free_ char **argv = NULL;

        if (wrapper_admin(w))
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
        if (wrapper_admin(w))
                wrapper_exec(w, w->argv);
        struct policy_identity id = wrapper_policy_identity(w);
        if (docker_build_spec(&a, &b) < 0 || policy_check_build(w->config, &id, &b, &v) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (!v.allowed) {
                audit_access(w, AUDIT_ACCESS_DENY, NULL, v.reason);
                return wrapper_refuse(v.reason, v.hint[0] ? v.hint : NULL);
        }
        /* its tags land in the caller's namespace */
        _cleanup_strv_free_ char **words = NULL, **tags = NULL, **full = NULL;
        int status;
        if (wrapper_argv_append(&words, w->argc, w->argv, 0, w->argc) < 0 || opt_values(&a, "tag", &tags) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (tags && (status = wrapper_image_targets(w, tags, &full)) != 0)
                return status;
        for (size_t i = 0, k = 0; tags && i < a.n_opts; i++)
                if (streq(a.opts[i].name, "tag") && a.opts[i].value &&
                    wrapper_argv_set_value(words, w->argv, &a.opts[i], full[k++]) < 0)
                        return WRAPPER_EXIT_REFUSED;
        req = json_pack("{s:s}", "op", "ensure-slice");
        r = req ? wrapper_call(w, req, &reply, &err) : -ENOMEM;
        if (r < 0)
                return refuse_unreachable(r, &err);
        const char *slice = json_string_value(json_object_get(reply, "slice"));
        if (!slice || wrapper_build_argv(&w->inv, w->argc, words, slice, w->user, w->uid, &argv) < 0)
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
        if (a.n_positionals == 0 || wrapper_admin(w))
                wrapper_exec(w, w->argv);
        bool force = docker_args_has(&a, "force");
        for (size_t i = 0; i < a.n_positionals; i++) {
                _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
                const char *ref = w->argv[a.positionals[i]];
                if (policy_image_remove_named(ref, force, w->user, &v) < 0)
                        return WRAPPER_EXIT_REFUSED;
                if (!v.allowed)
                        return refuse_verdict(w, NULL, &v);
                if (strv_push(&names, ref) < 0)
                        return WRAPPER_EXIT_REFUSED;
        }
        r = ask_owner(w, names, "image", &owners, &err);
        if (r < 0)
                return refuse_unreachable(r, &err);
        for (size_t i = 0; i < json_array_size(owners) && names[i]; i++) {
                _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
                if (policy_image_remove_owned(json_array_get(owners, i), names[i], w->user, &v) < 0)
                        return WRAPPER_EXIT_REFUSED;
                if (!v.allowed)
                        return refuse_verdict(w, NULL, &v);
        }
        wrapper_exec(w, w->argv);
}

int wrapper_tag(struct wrapper *w) {
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        _cleanup_strv_free_ char **argv = NULL;
        int status;

        if (parse_args(w, &a) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (a.n_positionals != 2 || wrapper_admin(w))
                wrapper_exec(w, w->argv); /* docker's usage, or an admin's own name */
        if (wrapper_argv_append(&argv, w->argc, w->argv, 0, w->argc) < 0)
                return WRAPPER_EXIT_REFUSED;
        if ((status = image_target_word(w, a.positionals[1], argv)) != 0)
                return status;
        /* the source as run finds it: the caller's own first */
        char *own = NULL;
        if (wrapper_image_own(w, w->argv[a.positionals[0]], &own) >= 0 && own) {
                free(argv[a.positionals[0]]);
                argv[a.positionals[0]] = own;
        }
        wrapper_exec(w, argv);
}

int wrapper_import(struct wrapper *w) {
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        _cleanup_strv_free_ char **argv = NULL;
        int status;

        if (parse_args(w, &a) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (a.n_positionals == 0 || wrapper_admin(w))
                wrapper_exec(w, w->argv);
        if ((status = check_changes(w, &a)) != 0)
                return status;
        if (wrapper_argv_append(&argv, w->argc, w->argv, 0, w->argc) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (a.n_positionals > 1 && (status = image_target_word(w, a.positionals[1], argv)) != 0)
                return status;
        wrapper_exec(w, argv);
}

/* docker load takes its names (and labels) from the archive, not from the
 * user: users bring images in with import or pull instead. */
int wrapper_load(struct wrapper *w) {
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };

        if (parse_args(w, &a) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (a.help || wrapper_admin(w))
                wrapper_exec(w, w->argv);
        struct policy_identity id = wrapper_policy_identity(w);
        if (policy_check_load(&id, &v) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (v.allowed)
                wrapper_exec(w, w->argv);
        return refuse_verdict(w, NULL, &v);
}

/* What docker volume|network create asks for, read from its options: -o
 * and --label values, the last --driver and --ipam-driver, the name (a
 * volume's is the last of --name and the positional, as docker takes it),
 * and whether any of the options only admins or a swarm may use is given. */
static int object_create_spec(struct wrapper *w, const struct docker_args *a, bool network, struct object_spec *s) {
        static const char *const cluster[] = { "availability", "group", "limit-bytes", "required-bytes", "scope",
                                               "secret", "sharing", "topology-preferred", "topology-required", "type" };
        const char *name = a->n_positionals > 0 ? w->argv[a->positionals[0]] : network ? NULL : docker_args_last(a, "name");
        const char *driver = docker_args_last(a, "driver"), *ipam = docker_args_last(a, "ipam-driver");
        for (size_t i = 0; i < a->n_opts; i++) {
                const struct docker_opt *o = &a->opts[i];
                if (o->value && ((streq(o->name, "opt") && strv_push(&s->opts, o->value) < 0) ||
                                 (streq(o->name, "label") && strv_push(&s->labels, o->value) < 0)))
                        return -ENOMEM;
        }
        if ((name && !(s->name = strdup(name))) || (driver && !(s->driver = strdup(driver))) ||
            (network && ipam && !(s->ipam_driver = strdup(ipam))))
                return -ENOMEM;
        if (network) {
                s->config_from = docker_args_last(a, "config-from") != NULL;
                s->config_only = docker_args_has(a, "config-only");
                s->ingress = docker_args_has(a, "ingress");
        } else
                for (size_t i = 0; i < ELEMENTSOF(cluster); i++)
                        s->cluster = s->cluster || docker_args_last(a, cluster[i]);
        return 0;
}

/* docker volume|network create by a user (policy/objects.h): what the
 * policy allows, under a name that is not someone else's, labelled with
 * its owner, so that only they inspect, remove and attach to it (DESIGN
 * §5). */
static int object_create(struct wrapper *w, bool network) {
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        _cleanup_(object_spec_done) struct object_spec s = { 0 };
        _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
        _cleanup_strv_free_ char **argv = NULL;
        const char *kind = network ? "network" : "volume";

        if (parse_args(w, &a) < 0)
                return WRAPPER_EXIT_REFUSED;
        if ((network && a.help) || wrapper_admin(w))
                wrapper_exec(w, w->argv);
        if (object_create_spec(w, &a, network, &s) < 0 ||
            (network ? policy_check_network_create(&s, &v) : policy_check_volume_create(&s, &v)) < 0)
                return WRAPPER_EXIT_REFUSED;
        if (!v.allowed)
                return refuse_verdict(w, NULL, &v);
        if (s.name) {
                struct berth_error err = { 0 };
                _cleanup_json_ json_t *owners = NULL;
                char *names[2] = { s.name, NULL };
                int r = ask_owner(w, names, kind, &owners, &err);
                if (r < 0)
                        return refuse_unreachable(r, &err);
                if (policy_check_object_name(kind, json_array_get(owners, 0), s.name, w->user, &v) < 0)
                        return WRAPPER_EXIT_REFUSED;
                if (!v.allowed)
                        return refuse_verdict(w, NULL, &v);
        }
        if (wrapper_volume_create_argv(&w->inv, w->argc, w->argv, w->user, &argv) < 0)
                return WRAPPER_EXIT_REFUSED;
        wrapper_exec(w, argv);
}

int wrapper_volume_create(struct wrapper *w) {
        return object_create(w, false);
}

int wrapper_network_create(struct wrapper *w) {
        return object_create(w, true);
}

/* The volumes or networks named by volume|network rm|remove|inspect
 * (docker's own options skipped; one it does not have is refused, as
 * misparsing must not hide a name). */
static int object_names(struct wrapper *w, bool inspect, bool network, char ***ret) {
        _cleanup_strv_free_ char **names = NULL;
        bool options = true;
        for (int i = w->inv.args_at; i < w->argc; i++) {
                const char *s = w->argv[i];
                if (options && streq(s, "--")) {
                        options = false;
                        continue;
                }
                if (!options || s[0] != '-' || !s[1]) {
                        if (strv_push(&names, s) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (streq(s, "-h") || streq(s, "--help") || (!inspect && (streq(s, "-f") || streq(s, "--force") ||
                                                                           strncmp(s, "--force=", 8) == 0)))
                        continue;
                if (inspect && (streq(s, "-f") || streq(s, "--format"))) {
                        i++;
                        continue;
                }
                if (inspect && (strncmp(s, "--format=", 9) == 0 || strncmp(s, "-f", 2) == 0))
                        continue;
                if (inspect && network && (streq(s, "-v") || streq(s, "--verbose") || strncmp(s, "--verbose=", 10) == 0))
                        continue;
                char msg[512];
                snprintf(msg, sizeof(msg), "berth: unknown option %s for 'docker %s'.", s, w->inv.words);
                return wrapper_refuse(msg, NULL), -EINVAL;
        }
        *ret = TAKE_PTR(names);
        return 0;
}

/* volume|network rm and inspect: each name by the rule of
 * policy/objects.h (rm only of the caller's own; inspect of their own and
 * shared ones, and of Docker's own networks). */
static int object_targets(struct wrapper *w, const char *sub, bool network) {
        struct berth_error err = { 0 };
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_json_ json_t *owners = NULL;
        bool inspect = streq(sub, "inspect");
        int r = object_names(w, inspect, network, &names);
        if (r < 0)
                return WRAPPER_EXIT_REFUSED;
        if (!names)
                wrapper_exec(w, w->argv); /* usage */
        r = ask_owner(w, names, network ? "network" : "volume", &owners, &err);
        if (r < 0)
                return refuse_unreachable(r, &err);
        if (wrapper_admin(w))
                wrapper_exec(w, w->argv);
        for (size_t i = 0; names[i]; i++) {
                _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
                json_t *o = json_array_get(owners, i);
                r = network ? policy_check_network_target(o, names[i], w->user, sub, !inspect, &v)
                            : policy_check_volume_target(o, names[i], w->user, sub, !inspect, &v);
                if (r < 0)
                        return WRAPPER_EXIT_REFUSED;
                if (!v.allowed)
                        return refuse_verdict(w, NULL, &v);
        }
        wrapper_exec(w, w->argv);
}

/* pull of a berth/<user>/… name: only into the caller's own namespace (a
 * registry's copy would move another user's tag).  Every word is looked at,
 * options' values too: none of them may name another user's namespace. */
static int check_pull(struct wrapper *w) {
        for (int i = w->inv.args_at; i < w->argc; i++) {
                _cleanup_(policy_verdict_done) struct policy_verdict v = { 0 };
                if (policy_image_pull(w->argv[i], w->user, &v) < 0)
                        return WRAPPER_EXIT_REFUSED;
                if (!v.allowed)
                        return refuse_verdict(w, NULL, &v);
        }
        return 0;
}

int wrapper_pass_policed(struct wrapper *w) {
        const char *verb = w->inv.verb;
        const char *sub = w->inv.args_at > w->inv.words_at + 1 ? w->argv[w->inv.args_at - 1] : "";
        char msg[512];

        if (streq(verb, "volume") || streq(verb, "network"))
                return object_targets(w, sub, streq(verb, "network"));
        if (streq(verb, "pull") || (streq(verb, "image") && streq(sub, "pull"))) {
                int status;
                if (!wrapper_admin(w) && (status = check_pull(w)) != 0)
                        return status;
                wrapper_exec(w, w->argv);
        }
        if (wrapper_admin(w)) {
                snprintf(msg, sizeof(msg), "berth: admin %s ran 'docker %s %s', which users are refused", w->user, verb,
                         streq(verb, "compose") ? "" : sub);
                wrapper_audit(w, AUDIT_ADMIN_OVERRIDE, NULL, NULL, NULL, msg, msg);
                wrapper_exec(w, w->argv);
        }
        snprintf(msg, sizeof(msg),
                 "berth: 'docker %s%s%s' is not available through the docker command; it will work through berth's API gate once that ships.",
                 verb, streq(verb, "compose") ? "" : " ", streq(verb, "compose") ? "" : sub);
        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
        return wrapper_refuse(msg, NULL);
}

int wrapper_admin_only(struct wrapper *w, const char *what) {
        char msg[512];
        if (wrapper_admin(w)) {
                snprintf(msg, sizeof(msg), "berth: admin %s ran 'docker %s', which is for admins only", w->user,
                         w->inv.words);
                wrapper_audit(w, AUDIT_ADMIN_OVERRIDE, NULL, NULL, NULL, what, msg);
                wrapper_exec(w, w->argv);
        }
        snprintf(msg, sizeof(msg), "berth: 'docker %s' is for admins only: %s.", w->inv.words, what);
        audit_access(w, AUDIT_ACCESS_DENY, NULL, msg);
        return wrapper_refuse(msg, "Ask an admin.");
}
