/* SPDX-License-Identifier: MIT */
#include "common/usercmd.h"

#include <inttypes.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>

#include "core/audit.h"
#include "core/names.h"
#include "system/slice.h"
#include "basic/fileio.h"

int usercmd_docker_status(int r) {
        return r == -ENOENT ? CMD_EXIT_REFUSED : CMD_EXIT_SYSTEM;
}

int usercmd_docker(struct cmd *u, struct docker **ret) {
        struct berth_error err = { 0 };
        if (!u->docker && docker_open(config_client_docker_socket(u->config), &u->docker, &err) < 0)
                return cmd_fail_message(CMD_EXIT_SYSTEM, NULL, err.message);
        *ret = u->docker;
        return 0;
}

int usercmd_resolved(struct cmd *u, const struct resolved_user **ret) {
        if (!u->ru_loaded) {
                int r = config_resolve_user(u->config, u->user, time(NULL), &u->ru);
                if (r < 0)
                        return cmd_fail(CMD_EXIT_SYSTEM, "your limits could not be resolved (%s); ask an admin.",
                                            strerror(-r));
                u->ru_loaded = true;
        }
        *ret = &u->ru;
        return 0;
}

int usercmd_container_name(struct cmd *u, const char *name, char **ret_full) {
        _cleanup_free_ char *owner = NULL;

        int r = name_container_typed(name, u->user, ret_full);
        if (r != -EPERM) {
                if (r < 0)
                        return cmd_fail(CMD_EXIT_USAGE,
                                            "'%s' is not a valid container name; use letters, digits, '_', '.' and '-', starting with a letter or digit.",
                                            name);
                return 0;
        }
        /* another user's full name: admins may manage it */
        if (name_container_parse(name, NULL, &owner) < 0)
                return cmd_fail(CMD_EXIT_USAGE, "'%s' is not a container name berth gave.", name);
        const char *why;
        if (!cmd_is_admin(u, &why))
                return cmd_fail(CMD_EXIT_REFUSED, "%s belongs to %s, and you may only manage your own containers%s%s%s.",
                                name, owner, why ? " (" : "", strempty(why), why ? ")" : "");
        char *full = strdup(name[0] == '/' ? name + 1 : name);
        if (!full)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        *ret_full = full;
        return 0;
}

int usercmd_own_container(struct cmd *u, const char *name, json_t **ret_inspect, char **ret_full) {
        _cleanup_free_ char *full = NULL, *base = NULL, *owner_from_name = NULL;
        _cleanup_json_ json_t *j = NULL;
        struct berth_error err = { 0 };
        struct docker *d;
        int rc;

        if ((rc = usercmd_container_name(u, name, &full)) != 0 || (rc = usercmd_docker(u, &d)) != 0)
                return rc;
        int r = docker_container_inspect(d, full, &j, &err);
        if (r == -ENOENT) {
                (void) name_container_parse(full, &base, &owner_from_name);
                return cmd_fail(CMD_EXIT_REFUSED,
                                    "you have no container named %s; 'container list' shows yours.",
                                    base ? base : name);
        }
        if (r < 0)
                return cmd_fail_message(CMD_EXIT_SYSTEM, "Docker could not look up the container", err.message);
        /* the name is only a claim: the label berth set at creation decides */
        const char *owner = json_string_value(json_object_get(json_object_get(json_object_get(j, "Config"), "Labels"),
                                                               "berth.user"));
        const char *why;
        if (!streq_ptr(owner, u->user) && !cmd_is_admin(u, &why))
                return cmd_fail(CMD_EXIT_REFUSED, "%s is not one of your berth containers, so you may not manage it%s%s%s.",
                                full, why ? " (" : "", strempty(why), why ? ")" : "");
        *ret_inspect = TAKE_PTR(j);
        *ret_full = TAKE_PTR(full);
        return 0;
}

int usercmd_run_docker(struct cmd *u, char *const *args, bool exec_it, const char *extra_env,
                       bool stdout_to_stderr) {
        _cleanup_free_ char *host = NULL;
        size_t n = strv_length(args);
        if (asprintf(&host, "unix://%s", config_client_docker_socket(u->config)) < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        _cleanup_free_ char **argv = calloc(n + 4, sizeof(char *));
        if (!argv)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        argv[0] = u->config->real_docker;
        argv[1] = (char *) "-H";
        argv[2] = host;
        for (size_t i = 0; i < n; i++)
                argv[3 + i] = args[i];

        fflush(stdout);
        fflush(stderr);
        pid_t pid = exec_it ? 0 : fork();
        if (pid < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "cannot start %s: %m.", u->config->real_docker);
        if (pid == 0) {
                /* -H decides; a context or DOCKER_HOST of the user's must not */
                unsetenv("DOCKER_HOST");
                unsetenv("DOCKER_CONTEXT");
                if (extra_env)
                        putenv((char *) extra_env);
                if (stdout_to_stderr)
                        (void) dup2(STDERR_FILENO, STDOUT_FILENO);
                execv(argv[0], argv);
                cmd_fail(CMD_EXIT_SYSTEM, "cannot run %s: %s; ask an admin to check real_docker in berth.conf.", argv[0],
                         strerror(errno));
                if (exec_it)
                        return CMD_EXIT_SYSTEM;
                _exit(CMD_EXIT_SYSTEM);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return cmd_fail(CMD_EXIT_SYSTEM, "lost track of %s: %m.", argv[0]);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return CMD_EXIT_SYSTEM;
}

int usercmd_ask(struct cmd *u, const char *prompt, const char *def, char **ret) {
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        if (def)
                printf("%s [%s]: ", prompt, def);
        else
                printf("%s: ", prompt);
        fflush(stdout);
        ssize_t n = getline(&line, &cap, stdin);
        if (n < 0)
                return cmd_fail(CMD_EXIT_USAGE, "no answer given.");
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = 0;
        char *v = strdup(n > 0 ? line : strempty(def));
        if (!v)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        *ret = v;
        return 0;
}

bool usercmd_confirm(struct cmd *u, const char *fmt, ...) {
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        va_list ap;
        if (!u->tty)
                return false;
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf(" [y/N] ");
        fflush(stdout);
        if (getline(&line, &cap, stdin) < 0)
                return false;
        return line[0] == 'y' || line[0] == 'Y';
}

int usercmd_expand_home(struct cmd *u, const char *path, char **ret) {
        char *p;
        if (path[0] == '~' && (path[1] == 0 || path[1] == '/'))
                p = asprintf(&p, "%s%s", u->home, path + 1) < 0 ? NULL : p;
        else
                p = strdup(path);
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

char *usercmd_format_uptime(uint64_t s, char *buf, size_t n) {
        if (s < 60)
                snprintf(buf, n, "%" PRIu64 "s", s);
        else if (s < 3600)
                snprintf(buf, n, "%" PRIu64 "min", s / 60);
        else if (s < 86400)
                snprintf(buf, n, "%" PRIu64 "h %" PRIu64 "min", s / 3600, s % 3600 / 60);
        else
                snprintf(buf, n, "%" PRIu64 "d %" PRIu64 "h", s / 86400, s % 86400 / 3600);
        return buf;
}

void usercmd_audit(struct cmd *u, int event, const char *container, const char *gpus, const char *reason,
                   const char *fmt, ...) {
        char msg[1024];
        va_list ap;
        const struct resolved_user *ru = NULL;
        struct audit_fields f = AUDIT_FIELDS_INIT;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        f.user = u->user;
        f.uid = (long) u->uid;
        if (u->ru_loaded || config_resolve_user(u->config, u->user, time(NULL), &u->ru) >= 0) {
                u->ru_loaded = true;
                ru = &u->ru;
        }
        f.group = ru ? ru->group : NULL;
        f.container = container;
        f.gpus = gpus;
        f.reason = reason;
        (void) audit_log((enum audit_event) event, &f, "%s", msg);
}

int usercmd_user_image(struct cmd *u, const char *name, char **ret) {
        int r = name_user_image(u->user, name, ret);
        if (r < 0)
                return cmd_fail(CMD_EXIT_USAGE,
                                    "'%s' is not a usable image name; use letters, digits, '_', '.' and '-'.", name);
        return 0;
}

static json_t *image_labels(struct cmd *u, const char *name) {
        char uid[32];
        const struct resolved_user *ru = NULL;
        if (u->ru_loaded || config_resolve_user(u->config, u->user, time(NULL), &u->ru) >= 0) {
                u->ru_loaded = true;
                ru = &u->ru;
        }
        snprintf(uid, sizeof(uid), "%u", (unsigned) u->uid);
        /* the container's own berth.* labels would otherwise be copied into
         * the image and mislead whoever runs it outside berth */
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "berth.managed", "true", "berth.user", u->user,
                         "berth.uid", uid, "berth.group", ru ? ru->group : "", "berth.image", name, "berth.gpus", "",
                         "berth.reservation", "", "berth.created", "", "berth.project", "");
}

int usercmd_retire(struct cmd *u, json_t *inspect, const char *full, const char *save_ref, bool force, bool quiet) {
        struct berth_error err = { 0 };
        struct docker *d;
        int rc, r;

        if ((rc = usercmd_docker(u, &d)) != 0)
                return rc;
        const char *id = json_string_value(json_object_get(inspect, "Id"));
        json_t *labels = json_object_get(json_object_get(inspect, "Config"), "Labels");
        const char *gpus = json_string_value(json_object_get(labels, "berth.gpus"));
        if (!id)
                return cmd_fail(CMD_EXIT_SYSTEM, "Docker did not say which container %s is.", full);

        if (save_ref) {
                _cleanup_free_ char *repo = strdup(save_ref), *base = NULL, *image_id = NULL;
                if (!repo)
                        return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
                char *colon = strrchr(repo, ':');
                if (colon)
                        *colon = 0;
                (void) name_container_parse(full, &base, NULL);
                _cleanup_json_ json_t *il = image_labels(u, base ? base : full);
                if (!il)
                        return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
                if (!quiet)
                        fprintf(stderr, "Saving %s as %s …\n", full, save_ref);
                r = docker_container_commit(d, id, repo, colon ? colon + 1 : "latest", il, &image_id, &err);
                if (r < 0)
                        return cmd_fail_message(CMD_EXIT_SYSTEM, "saving the container failed, so it was left as it is",
                                            err.message);
                _cleanup_json_ json_t *img = NULL;
                if (!quiet) {
                        if (docker_image_inspect(d, image_id, &img, NULL) >= 0) {
                                char size[32];
                                json_int_t bytes = json_integer_value(json_object_get(img, "Size"));
                                fprintf(stderr, "Saved %s (%s, %s).\n", save_ref, image_id,
                                        format_size((uint64_t) bytes, size, sizeof(size)));
                        } else
                                fprintf(stderr, "Saved %s (%s).\n", save_ref, image_id);
                }
        }

        if (!quiet)
                fprintf(stderr, "Stopping %s%s …\n", full, force ? " at once" : "");
        r = docker_container_stop(d, id, force ? 0 : CMD_STOP_GRACE_S, &err);
        if (r < 0 && r != -ENOENT)
                return cmd_fail_message(CMD_EXIT_SYSTEM, "Docker could not stop the container", err.message);
        r = docker_container_remove(d, id, true, &err);
        if (r < 0 && r != -ENOENT)
                return cmd_fail_message(CMD_EXIT_SYSTEM, "Docker could not remove the container", err.message);
        usercmd_audit(u, AUDIT_CONTAINER_RETIRE, full, gpus, save_ref ? "saved" : NULL, "berth: %s retired%s%s", full,
                      save_ref ? ", saved as " : "", save_ref ? save_ref : "");
        return 0;
}
