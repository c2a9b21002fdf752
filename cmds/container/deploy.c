/* SPDX-License-Identifier: MIT */
/* container deploy: the same policy and reservation as the docker wrapper,
 * then create and start through the Docker API; the reservation is
 * committed only once the container runs and cancelled on any failure, so a
 * failed deploy never holds GPUs. */
#include "container.h"

#include <math.h>
#include <sys/stat.h>

#include "core/audit.h"
#include "core/names.h"
#include "policy/policy.h"
#include "system/slicemgr-client.h"
#include "policy/spec.h"
#include "system/hostpath.h"

#define WORKSPACE_TARGET "/workspace"

struct deploy_args {
        const char *name;
        const char *image;
        const char *gpus;
        const char *cpus_text;
        const char *memory_text;
        const char *workspace;
        bool replace, open, detach, dry_run, wait;
        char **cmd; /* after "--", borrowed from argv */
};

static void spec_add_bind(struct container_spec *s, const char *source, const char *target, const char *resolved,
                          int *oom) {
        struct spec_mount *m = reallocarray(s->mounts, s->n_mounts + 1, sizeof(*m));
        if (!m) {
                *oom = 1;
                return;
        }
        s->mounts = m;
        m = &s->mounts[s->n_mounts++];
        *m = (struct spec_mount) {
                .kind = SPEC_MOUNT_BIND,
                .type = strdup("bind"),
                .source = strdup(source),
                .target = strdup(target),
                .resolved = resolved ? strdup(resolved) : NULL,
                .flag = strdup("-v"),
        };
        if (!m->type || !m->source || !m->target || (resolved && !m->resolved) || !m->flag)
                *oom = 1;
}

/* "HOST:CTR[:ro|:rw]" (validated by the config loader) into its parts. */
static int split_mount(const char *m, char **ret_host, char **ret_target, bool *ret_ro) {
        _cleanup_free_ char *host = NULL, *target = NULL;
        const char *c1 = strchr(m, ':');
        if (!c1)
                return -EINVAL;
        const char *c2 = strchr(c1 + 1, ':');
        host = strndup(m, (size_t) (c1 - m));
        target = c2 ? strndup(c1 + 1, (size_t) (c2 - c1 - 1)) : strdup(c1 + 1);
        if (!host || !target)
                return -ENOMEM;
        *ret_ro = c2 && streq(c2, ":ro");
        *ret_host = TAKE_PTR(host);
        *ret_target = TAKE_PTR(target);
        return 0;
}

static int mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++)
                if (*s == '/') {
                        *s = 0;
                        if (mkdir(p, mode) < 0 && errno != EEXIST)
                                return -errno;
                        *s = '/';
                }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* The image (container(1)): the caller's own berth/<user>/<NAME>:latest
 * when it exists (what `retire --save` and `image create NAME` made), else
 * --image (a plain name of one of the caller's own images first), else
 * [deploy] base_image. */
static int pick_image(struct cmd *u, struct docker *d, const struct deploy_args *a, char **ret,
                      bool *ret_own) {
        const char *candidates[2] = { a->name, NULL };
        *ret_own = false;
        if (a->image && !strchr(a->image, '/') && !strchr(a->image, ':'))
                candidates[1] = a->image;
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++) {
                _cleanup_free_ char *own = NULL;
                _cleanup_json_ json_t *j = NULL;
                if (candidates[i] && name_user_image(u->user, candidates[i], &own) >= 0 &&
                    docker_image_inspect(d, own, &j, NULL) >= 0) {
                        *ret_own = true;
                        *ret = TAKE_PTR(own);
                        return 0;
                }
        }
        char *s = strdup(a->image ? a->image : u->config->base_image);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

/* The `docker run` line that does the same through the berth wrapper. */
static int dry_run_line(struct cmd *u, const struct deploy_args *a, const char *full, const char *image,
                        char *const *binds, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        char buf[64];
        int r = 0;
#define PUSH(x) (r = r < 0 ? r : strv_push(&v, (x)))
        PUSH("docker");
        PUSH("run");
        PUSH("-d");
        PUSH("--name");
        PUSH(full);
        PUSH("--hostname");
        PUSH(a->name);
        PUSH("--init");
        snprintf(buf, sizeof(buf), "%u:%u", (unsigned) u->uid, (unsigned) u->gid);
        PUSH("--user");
        PUSH(buf);
        PUSH("--env");
        PUSH("HOME=" WORKSPACE_TARGET);
        PUSH("--workdir");
        PUSH(WORKSPACE_TARGET);
        PUSH("--label");
        snprintf(buf, sizeof(buf), "berth.project=%s", a->name);
        PUSH(buf);
        for (char *const *b = binds; b && *b; b++) {
                PUSH("--volume");
                PUSH(*b);
        }
        if (a->gpus) {
                PUSH("--gpus");
                PUSH(a->gpus);
        }
        if (a->cpus_text) {
                PUSH("--cpus");
                PUSH(a->cpus_text);
        }
        if (a->memory_text) {
                PUSH("--memory");
                PUSH(a->memory_text);
        }
        PUSH(image);
        if (a->cmd && *a->cmd)
                for (char **c = a->cmd; *c; c++)
                        PUSH(*c);
        else {
                PUSH("sleep");
                PUSH("infinity");
        }
#undef PUSH
        if (r < 0)
                return r;
        *ret = TAKE_PTR(v);
        return 0;
}

static void print_shell_words(char *const *v) {
        for (char *const *w = v; *w; w++) {
                bool plain = **w && strspn(*w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,/:=@+") ==
                                            strlen(*w);
                if (w != v)
                        putchar(' ');
                if (plain)
                        fputs(*w, stdout);
                else {
                        putchar('\'');
                        for (const char *c = *w; *c; c++)
                                if (*c == '\'')
                                        fputs("'\\''", stdout);
                                else
                                        putchar(*c);
                        putchar('\'');
                }
        }
        putchar('\n');
}

/* The create body from what berth injected (slicemgr's reserve reply). */
static json_t *create_body(struct cmd *u, const struct deploy_args *a, const char *image, json_t *inject,
                           char *const *binds) {
        char user[64];
        snprintf(user, sizeof(user), "%u:%u", (unsigned) u->uid, (unsigned) u->gid);
        json_t *env = json_array(), *cmd = json_array(), *bind_list = json_array();
        json_t *inject_env = json_object_get(inject, "env");
        const char *key;
        json_t *val;

        json_array_append_new(env, json_string("HOME=" WORKSPACE_TARGET));
        json_object_foreach(inject_env, key, val) {
                _cleanup_free_ char *kv = NULL;
                if (json_is_string(val) && asprintf(&kv, "%s=%s", key, json_string_value(val)) >= 0)
                        json_array_append_new(env, json_string(kv));
        }
        if (a->cmd && *a->cmd)
                for (char **c = a->cmd; *c; c++)
                        json_array_append_new(cmd, json_string(*c));
        else {
                /* the keep-alive: the container waits for `container shell` */
                json_array_append_new(cmd, json_string("sleep"));
                json_array_append_new(cmd, json_string("infinity"));
        }
        for (char *const *b = binds; b && *b; b++)
                json_array_append_new(bind_list, json_string(*b));

        double cpus = json_number_value(json_object_get(inject, "cpus"));
        json_int_t memory = json_integer_value(json_object_get(inject, "memory"));
        json_t *host = json_pack("{s:s,s:o,s:b,s:{s:s}}", "CgroupParent",
                                 json_string_value(json_object_get(inject, "cgroup_parent")), "Binds", bind_list,
                                 "Init", 1, "RestartPolicy", "Name", "no");
        if (!host)
                goto fail;
        if (cpus > 0)
                json_object_set_new(host, "NanoCpus", json_integer((json_int_t) llround(cpus * 1e9)));
        if (memory > 0)
                json_object_set_new(host, "Memory", json_integer(memory));
        const char *gpus = json_string_value(json_object_get(inject, "gpus"));
        if (gpus && strncmp(gpus, "device=", 7) == 0) {
                json_t *ids = json_array();
                _cleanup_free_ char *list = strdup(gpus + 7);
                char *save = NULL;
                for (char *t = list ? strtok_r(list, ",", &save) : NULL; t; t = strtok_r(NULL, ",", &save))
                        json_array_append_new(ids, json_string(t));
                json_object_set_new(host, "DeviceRequests",
                                    json_pack("[{s:s,s:i,s:o,s:[[s]]}]", "Driver", "", "Count", 0, "DeviceIDs", ids,
                                              "Capabilities", "gpu"));
        }
        const char *cpuset_cpus = json_string_value(json_object_get(inject, "cpuset_cpus"));
        const char *cpuset_mems = json_string_value(json_object_get(inject, "cpuset_mems"));
        if (cpuset_cpus)
                json_object_set_new(host, "CpusetCpus", json_string(cpuset_cpus));
        if (cpuset_mems)
                json_object_set_new(host, "CpusetMems", json_string(cpuset_mems));

        return json_pack("{s:s,s:o,s:s,s:s,s:o,s:s,s:O,s:o}", "Image", image, "Cmd", cmd, "Hostname", a->name, "User",
                         user, "Env", env, "WorkingDir", WORKSPACE_TARGET, "Labels", json_object_get(inject, "labels"),
                         "HostConfig", host);
fail:
        /* json_pack took bind_list even though it failed */
        json_decref(env);
        json_decref(cmd);
        return NULL;
}

static int parse_args(const struct cmd_args *args, struct deploy_args *a) {
        for (size_t i = 0; i < args->n_options; i++) {
                const char *v = args->options[i].value;
                switch (args->options[i].key) {
                case 'i':
                        a->image = v;
                        break;
                case 'g':
                        a->gpus = v;
                        break;
                case 'C':
                        a->cpus_text = v;
                        break;
                case 'm':
                        a->memory_text = v;
                        break;
                case 'w':
                        a->workspace = v;
                        break;
                case 'r':
                        a->replace = true;
                        break;
                case 'o':
                        a->open = true;
                        break;
                case 'd':
                        a->detach = true;
                        break;
                case 'n':
                        a->dry_run = true;
                        break;
                case 'W':
                        a->wait = true;
                        break;
                default:
                        break;
                }
        }
        a->name = args->n_args ? args->args[0] : NULL;
        a->cmd = args->command;
        if (a->open && a->detach)
                return cmd_fail(CMD_EXIT_USAGE, "--open and --detach contradict each other; give one.");
        return 0;
}

/* The reserve request from the policy's verdict. */
static json_t *reserve_request(const struct deploy_args *a, const char *image, const struct policy_verdict *v) {
        _cleanup_json_ json_t *req = json_pack("{s:s,s:{s:s,s:s,s:s}}", "op", "reserve", "spec", "name", a->name,
                                               "image", image, "project", v->project ? v->project : a->name);
        if (!req)
                return NULL;
        if (policy_verdict_reserve_spec(v, json_object_get(req, "spec")) < 0)
                return NULL;
        return TAKE_PTR(req);
}

/* Quiet: a reservation the daemon already let go of (it frees on Docker's
 * destroy event too) is just as cancelled. */
static void cancel_reservation(struct cmd *u, const char *reservation) {
        _cleanup_json_ json_t *req = json_pack("{s:s,s:s}", "op", "cancel", "reservation", reservation);
        _cleanup_json_ json_t *reply = NULL;
        _cleanup_free_ char *kind = NULL;
        if (req)
                (void) slicemgr_call(u->config->control_socket, req, 10000, &reply, &kind, NULL);
}

/* Reserve, create, start, commit; on any failure the container is removed
 * and the reservation cancelled.  *ret_reply keeps the reserve reply and
 * *ret_id the container id for the report. */
static int deploy_reserved(struct cmd *u, struct docker *d, const struct deploy_args *a, const char *full,
                           const char *image, const struct policy_verdict *v, char *const *binds, json_t **ret_reply,
                           char **ret_id) {
        _cleanup_json_ json_t *req = reserve_request(a, image, v), *reply = NULL, *body = NULL, *commit = NULL,
                              *committed = NULL;
        _cleanup_free_ char *cid = NULL;
        struct berth_error err = { 0 };
        int rc, r;

        if (!req)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        if (a->wait) {
                if (json_object_set_new(req, "wait", json_true()) < 0)
                        return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
                rc = cmd_call_waiting(u, req, &reply);
        } else
                rc = cmd_call(u, req, &reply, NULL);
        if (rc != 0)
                return rc;
        const char *reservation = json_string_value(json_object_get(reply, "reservation"));
        if (!reservation)
                return cmd_fail(CMD_EXIT_SYSTEM, "the berth daemon granted no reservation id.");

        body = create_body(u, a, image, json_object_get(reply, "inject"), binds);
        if (!body) {
                rc = cmd_fail(CMD_EXIT_SYSTEM, "the berth daemon's reservation could not be used.");
                goto cancel;
        }
        r = docker_container_create(d, full, body, &cid, &err);
        if (r == -EEXIST) {
                rc = cmd_fail(CMD_EXIT_REFUSED,
                                  "a container named %s appeared meanwhile; use --replace to replace it.", a->name);
                goto cancel;
        }
        if (r < 0) {
                rc = cmd_fail(CMD_EXIT_SYSTEM, "Docker could not create %s: %s", full, err.message);
                goto cancel;
        }
        r = docker_container_start(d, cid, &err);
        if (r < 0) {
                rc = cmd_fail(CMD_EXIT_SYSTEM, "Docker could not start %s: %s", full, err.message);
                goto cancel;
        }
        commit = json_pack("{s:s,s:s}", "op", "commit", "reservation", reservation);
        if (!commit) {
                rc = cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
                goto cancel;
        }
        if ((rc = cmd_call(u, commit, &committed, NULL)) != 0)
                goto cancel;
        *ret_reply = TAKE_PTR(reply);
        *ret_id = TAKE_PTR(cid);
        return 0;

cancel:
        if (cid)
                (void) docker_container_remove(d, cid, true, NULL);
        cancel_reservation(u, reservation);
        return rc;
}

static int report(struct cmd *u, const struct deploy_args *a, const char *full, const char *image, bool own_image,
                  const char *ws, const char *cid, json_t *reply) {
        json_t *inject = json_object_get(reply, "inject");
        const char *gpu_label = json_string_value(json_object_get(json_object_get(inject, "labels"), "berth.gpus"));
        const char *slice = json_string_value(json_object_get(reply, "slice"));
        double cpus = json_number_value(json_object_get(inject, "cpus"));
        json_int_t memory = json_integer_value(json_object_get(inject, "memory"));
        char cb[32], mb[32];

        if (u->json) {
                _cleanup_json_ json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:O,s:f,s:I,s:s,s:s,s:s}", "name", a->name,
                                                     "container", full, "id", cid, "image", image, "gpus",
                                                     json_object_get(reply, "gpus"), "cpus", cpus, "memory", memory,
                                                     "slice", strempty(slice), "workspace", ws, "reservation",
                                                     json_string_value(json_object_get(reply, "reservation")));
                return o ? cmd_print_json(o) : cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        }
        printf("Deployed %s.\n"
               "  image      %s%s\n"
               "  GPUs       %s\n"
               "  limits     %s CPUs, %s memory (in %s)\n"
               "  workspace  %s -> " WORKSPACE_TARGET "\n",
               full, image, own_image ? " (yours)" : "", gpu_label && *gpu_label ? gpu_label : "none",
               format_cpus(cpus, cb, sizeof(cb)), format_size((uint64_t) memory, mb, sizeof(mb)), strempty(slice), ws);
        bool open_shell = a->open || (u->tty && !a->detach && !(a->cmd && *a->cmd));
        if (!open_shell) {
                printf("Next:\n"
                       "  container shell %s          a shell inside it\n"
                       "  container logs %s           what it printed\n"
                       "  container retire %s --save  stop it, keeping its state as your image %s\n",
                       a->name, a->name, a->name, a->name);
                return 0;
        }
        printf("Opening a shell in %s; 'exit' leaves it running ('container retire %s' ends it).\n", full, a->name);
        char *args[] = { (char *) "exec", (char *) "-it", (char *) full, (char *) "sh", (char *) "-c",
                         (char *) "command -v bash >/dev/null 2>&1 && exec bash || exec sh", NULL };
        return usercmd_run_docker(u, args, true, NULL, false);
}

/* The spec the wrapper would have built for the same docker run, and the
 * Binds list for Docker. */
static int build_spec(struct cmd *u, const struct deploy_args *a, const char *image, const char *ws,
                      const char *ws_resolved, struct container_spec *spec, char ***ret_binds) {
        _cleanup_strv_free_ char **binds = NULL;
        _cleanup_free_ char *ws_bind = NULL;
        int oom = 0;

        spec->name = strdup(a->name);
        spec->image = strdup(image);
        if (!spec->name || !spec->image)
                oom = 1;
        if (a->gpus && strv_push(&spec->gpus, a->gpus) < 0)
                oom = 1;
        if (a->cpus_text) {
                if (parse_cpus(a->cpus_text, &spec->cpus) < 0 || spec->cpus == CPUS_INFINITY)
                        return cmd_fail(CMD_EXIT_USAGE, "--cpus '%s' is not a number of CPUs such as 2 or 0.5.",
                                            a->cpus_text);
                spec->cpus_given = true;
        }
        if (a->memory_text) {
                if (parse_size(a->memory_text, &spec->memory) < 0 || spec->memory == LIMIT_INFINITY)
                        return cmd_fail(CMD_EXIT_USAGE, "--memory '%s' is not a size such as 4G or 512M.",
                                            a->memory_text);
                spec->memory_given = true;
        }
        spec_add_bind(spec, ws, WORKSPACE_TARGET, ws_resolved, &oom);
        if (asprintf(&ws_bind, "%s:%s", ws_resolved ? ws_resolved : ws, WORKSPACE_TARGET) < 0 ||
            strv_push(&binds, ws_bind) < 0)
                oom = 1;
        for (char **m = u->config->mounts; m && *m && !oom; m++) {
                _cleanup_free_ char *host = NULL, *target = NULL, *resolved = NULL, *bind = NULL;
                bool ro;
                if (split_mount(*m, &host, &target, &ro) < 0) {
                        oom = 1;
                        break;
                }
                (void) path_resolve_host(host, "/", &resolved);
                spec_add_bind(spec, host, target, resolved, &oom);
                if (asprintf(&bind, "%s:%s%s", host, target, ro ? ":ro" : "") < 0 || strv_push(&binds, bind) < 0)
                        oom = 1;
        }
        if (oom)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        *ret_binds = TAKE_PTR(binds);
        return 0;
}

static int dry_run(struct cmd *u, const struct deploy_args *a, const char *full, const char *image,
                   char *const *binds) {
        _cleanup_strv_free_ char **line = NULL;
        if (dry_run_line(u, a, full, image, binds, &line) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        if (!u->json) {
                print_shell_words(line);
                return 0;
        }
        _cleanup_json_ json_t *o = json_pack("{s:b,s:s,s:s,s:s,s:[]}", "dry_run", 1, "name", a->name, "container", full,
                                             "image", image, "command");
        for (char **w = line; o && *w; w++)
                json_array_append_new(json_object_get(o, "command"), json_string(*w));
        return o ? cmd_print_json(o) : cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
}

static int deploy(struct cmd *u, struct deploy_args *a, struct container_spec *spec, struct policy_verdict *v) {
        _cleanup_free_ char *full = NULL, *image = NULL, *ws_base = NULL, *ws = NULL, *ws_resolved = NULL,
                            *cwd = NULL, *cid = NULL;
        _cleanup_strv_free_ char **binds = NULL;
        _cleanup_json_ json_t *existing = NULL, *img = NULL, *reply = NULL;
        struct berth_error err = { 0 };
        const struct resolved_user *ru;
        struct docker *d;
        bool own_image;
        int rc, r;

        if (name_container_typed(a->name, u->user, &full) < 0)
                return cmd_fail(CMD_EXIT_USAGE,
                                    "'%s' is not a valid container name; use letters, digits, '_', '.' and '-', starting with a letter or digit.",
                                    a->name);
        if ((rc = usercmd_docker(u, &d)) != 0 || (rc = usercmd_resolved(u, &ru)) != 0)
                return rc;

        /* a taken name is the caller's to resolve, before anything is reserved */
        r = docker_container_inspect(d, full, &existing, &err);
        if (r < 0 && r != -ENOENT)
                return cmd_fail(CMD_EXIT_SYSTEM, "Docker could not look up %s: %s", full, err.message);
        if (r >= 0 && !a->replace)
                return cmd_fail(CMD_EXIT_REFUSED,
                                    "you already have a container named %s; use --replace to replace it, or 'container retire %s' first.",
                                    a->name, a->name);
        if (existing &&
            !streq_ptr(json_string_value(json_object_get(
                               json_object_get(json_object_get(existing, "Config"), "Labels"), "berth.user")),
                       u->user) &&
            !cmd_is_admin(u, NULL))
                return cmd_fail(CMD_EXIT_REFUSED, "%s is not one of your berth containers, so it cannot be replaced.",
                                    full);

        if (pick_image(u, d, a, &image, &own_image) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");

        /* the workspace: <workspace>/<name>, or --workspace DIR itself */
        if (a->workspace)
                r = usercmd_expand_home(u, a->workspace, &ws);
        else if ((r = usercmd_expand_home(u, u->config->workspace, &ws_base)) >= 0)
                r = asprintf(&ws, "%s/%s", ws_base, a->name) < 0 ? -ENOMEM : 0;
        if (r < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        cwd = getcwd(NULL, 0);
        r = path_resolve_host(ws, cwd ? cwd : u->home, &ws_resolved);
        if (r < 0)
                return cmd_fail(CMD_EXIT_USAGE, "the workspace %s cannot be used: %s.", ws, strerror(-r));

        if ((rc = build_spec(u, a, image, ws, ws_resolved, spec, &binds)) != 0)
                return rc;
        struct policy_identity id = { .user = u->user, .uid = u->uid, .home = u->home, .admin = cmd_is_admin(u, NULL) };
        r = policy_check(u->config, ru, &id, spec, v);
        if (r < 0)
                return cmd_fail(CMD_EXIT_USAGE, "%s", v->reason[0] ? v->reason : "berth: the request is malformed.");
        if (!v->allowed) {
                usercmd_audit(u, AUDIT_CONTAINER_DENY, full, NULL, v->rule, "%s", v->reason);
                return cmd_fail(CMD_EXIT_REFUSED, "%s", v->reason);
        }
        if (a->dry_run)
                return dry_run(u, a, full, image, binds);

        /* the image must be here before a reservation is taken */
        if (docker_image_inspect(d, image, &img, NULL) == -ENOENT) {
                char *pull[] = { (char *) "pull", image, NULL };
                if (!u->json)
                        fprintf(stderr, "Pulling %s …\n", image);
                if (usercmd_run_docker(u, pull, false, NULL, true) != 0)
                        return cmd_fail(CMD_EXIT_SYSTEM,
                                            "the image %s is not on this machine and could not be pulled.", image);
        }
        if (existing) {
                if (!u->json)
                        fprintf(stderr, "Replacing %s …\n", full);
                if ((rc = usercmd_retire(u, existing, full, NULL, false, u->json)) != 0)
                        return rc;
        }
        r = mkdir_p(ws_resolved, 0755);
        if (r < 0)
                return cmd_fail(CMD_EXIT_USAGE, "the workspace %s cannot be created: %s.", ws_resolved,
                                    strerror(-r));

        if ((rc = deploy_reserved(u, d, a, full, image, v, binds, &reply, &cid)) != 0)
                return rc;
        const char *gpus = json_string_value(
                json_object_get(json_object_get(json_object_get(reply, "inject"), "labels"), "berth.gpus"));
        usercmd_audit(u, AUDIT_CONTAINER_CREATE, full, gpus, NULL, "berth: %s deployed from %s in %s", full, image,
                      strempty(json_string_value(json_object_get(reply, "slice"))));
        return report(u, a, full, image, own_image, ws_resolved, cid, reply);
}

int verb_deploy(struct cmd *u, const struct cmd_args *args) {
        struct deploy_args a = { 0 };
        _cleanup_free_ char *asked = NULL;
        struct container_spec spec = { 0 };
        struct policy_verdict v = { 0 };
        int rc;

        if ((rc = parse_args(args, &a)) != 0)
                return rc;
        if (!a.name) {
                if (!u->tty)
                        return cmd_fail(CMD_EXIT_USAGE, "deploy needs a NAME: container deploy NAME.");
                if ((rc = usercmd_ask(u, "Container name", NULL, &asked)) != 0)
                        return rc;
                a.name = asked;
        }
        rc = deploy(u, &a, &spec, &v);
        container_spec_done(&spec);
        policy_verdict_done(&v);
        return rc;
}
