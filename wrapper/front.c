/* SPDX-License-Identifier: MIT */
/* berth-docker, installed as /usr/local/bin/docker: the front of the docker
 * command.  Every docker command a user types starts here, so it does as
 * little as it can: it names the command with lib/dockercli (the same
 * parser the policy half uses) and execs the real docker at once for verbs
 * berth does not police (version, images, pull, compose …).  Two policed
 * verbs that are typed all day have a fast path here, with one question to
 * berth-slicemgr: ps (the caller's filter added) and the container-
 * targeting verbs when every target is the caller's own.  Everything else,
 * and every answer other than "yours", goes to berth-docker-policy (exec,
 * same argv), which decides again from scratch, refuses, audits and
 * explains; the front never refuses a command on its own.
 *
 * It is linked statically against musl (Makefile, FRONT_CC).  glibc's
 * start-up alone, static or dynamic, runs some fifty CPUID instructions to
 * tune its string functions; on a virtual machine each one is a VM exit,
 * and together they cost about 0.3 ms, more than half of the 2% that
 * `docker version` allows a wrapper.  musl's start-up runs none. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "core/owner-answer.h"
#include "policy/dockercli.h"
#include "system/slicemgr-client.h"
#include "core/paths.h"

/* Where berth-docker-policy is: a path relative to this program's own
 * directory, so a tree installed under any DESTDIR runs its own policy half
 * (and a tree without one refuses, rather than finding another); the
 * absolute path is for when /proc/self/exe cannot be read. */
#ifndef BERTH_POLICY_REL
#define BERTH_POLICY_REL "../libexec/berth/berth-docker-policy"
#endif
#ifndef BERTH_POLICY_ABS
#define BERTH_POLICY_ABS "/usr/local/libexec/berth/berth-docker-policy"
#endif

static void exec_policy(char **argv) {
        char self[PATH_MAX], path[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        char *slash;

        if (n <= 0) {
                execv(BERTH_POLICY_ABS, argv);
                return;
        }
        self[n] = '\0';
        slash = strrchr(self, '/');
        if (!slash || (size_t) snprintf(path, sizeof(path), "%.*s/%s", (int) (slash - self), self, BERTH_POLICY_REL) >=
                              sizeof(path)) {
                errno = ENAMETOOLONG;
                return;
        }
        execv(path, argv);
}

_noreturn_ static void exec_docker(const struct daemon_keys *k, char **argv) {
        const char *real = k->real_docker ? k->real_docker : BERTH_DEFAULT_REAL_DOCKER;
        argv[0] = (char *) "docker";
        execv(real, argv);
        fprintf(stderr, "berth: cannot run the real docker at %s: %s.\n", real, strerror(errno));
        _exit(127);
}

static const char *control_socket(const struct daemon_keys *k) {
        return k->control_socket ? k->control_socket : BERTH_DEFAULT_CONTROL_SOCKET;
}

/* docker ps: berth-slicemgr says who the caller is (the name its labels
 * carry, and whether they are an admin, who sees everything). */
static void fast_ps(const struct daemon_keys *k, int argc, char **argv, const struct docker_invocation *inv) {
        _cleanup_json_ json_t *req = json_pack("{s:s}", "op", "whoami"), *reply = NULL;
        _cleanup_free_ char *kind = NULL;
        _cleanup_strv_free_ char **v = NULL;
        struct berth_error err = { 0 };

        if (!req || slicemgr_call(control_socket(k), req, WRAPPER_FRONT_TIMEOUT_MS, &reply, &kind, &err) < 0)
                return;
        const char *user = json_string_value(json_object_get(reply, "user"));
        json_int_t uid = json_integer_value(json_object_get(reply, "uid"));
        if (!user || !*user || uid != (json_int_t) getuid())
                return;
        if (json_is_true(json_object_get(reply, "admin")))
                exec_docker(k, argv);
        if (wrapper_ps_argv(argc, argv, inv->args_at, user, &v) < 0)
                return;
        exec_docker(k, v);
}

/* A container-targeting verb whose only rule is ownership: when every
 * target exists and is the caller's, docker runs it (with the full id the
 * daemon found, so that the container checked is the one docker acts on).
 * exec and cp qualify only for containers without host paths.  Returns for
 * anything else. */
static void fast_targets(const struct daemon_keys *k, int argc, char **argv, const struct docker_invocation *inv) {
        _cleanup_(docker_args_done) struct docker_args a = { 0 };
        struct berth_error err = { 0 };
        _cleanup_strv_free_ char **names = NULL, **v = NULL;
        _cleanup_json_ json_t *owners = NULL;
        bool admin = false;

        if (docker_parse_args(inv, argc, argv, &a, &err) < 0 || wrapper_targets_need_policy(inv, &a) ||
            wrapper_target_names(argv, &a, &names) < 0 ||
            slicemgr_ask_owner(control_socket(k), NULL, "container", names, WRAPPER_FRONT_TIMEOUT_MS, &owners, &admin,
                               &err) < 0)
                return;
        bool host_rules = streq_ptr(inv->verb, "exec") || streq_ptr(inv->verb, "cp");
        for (int i = 0; i < argc; i++)
                if (strv_push(&v, argv[i]) < 0)
                        return;
        for (size_t i = 0; i < a.n_targets; i++) {
                json_t *o = json_array_get(owners, i);
                const char *full = json_string_value(json_object_get(o, "name"));
                const char *user = json_string_value(json_object_get(o, "user"));
                const char *id = json_string_value(json_object_get(o, "id"));
                char *word = NULL;
                if (owner_name_untrimmed(names[i]) || !json_is_true(json_object_get(o, "exists")) ||
                    !json_is_true(json_object_get(o, "mine")) || (host_rules && owner_host_paths(o)))
                        return;
                if (wrapper_target_id_word(argv[a.targets[i]], a.target_colon[i], names[i], id, &word) < 0 ||
                    (!word && wrapper_target_word(argv[a.targets[i]], a.target_colon[i], names[i], full, user, &word) < 0))
                        return;
                if (word) {
                        free(v[a.targets[i]]);
                        v[a.targets[i]] = word;
                }
        }
        exec_docker(k, v);
}

int main(int argc, char **argv) {
        struct docker_invocation inv;
        struct berth_error err = { 0 };
        struct daemon_keys k;

        if (argc < 1)
                return 125;
        if (docker_parse_invocation(argc, argv, &inv, &err) < 0) {
                fprintf(stderr, "%s\n", err.message);
                return 125;
        }

        wrapper_daemon_keys(wrapper_config_dir(), &k);
        /* jansson would read /dev/urandom for its hash seed; the front only
         * parses berth-slicemgr's short replies, which need no protection
         * from crafted collisions */
        json_object_seed((size_t) getpid() * 2654435761u + 1);
        switch (inv.cmd) {
        case DOCKER_CMD_NONE:
                exec_docker(&k, argv);
        case DOCKER_CMD_PASS:
                if (!wrapper_pass_needs_policy(&inv, argc, argv))
                        exec_docker(&k, argv);
                break;
        case DOCKER_CMD_PS:
                if (getuid() == 0)
                        exec_docker(&k, argv);
                fast_ps(&k, argc, argv, &inv);
                break;
        case DOCKER_CMD_TARGET:
                fast_targets(&k, argc, argv, &inv);
                break;
        default:
                break;
        }
        wrapper_daemon_keys_free(&k);

        /* A verb berth polices: without the policy half it is refused, never
         * passed through (fail closed). */
        exec_policy(argv);
        fprintf(stderr, "berth: cannot run berth's docker policy (berth-docker-policy): %s; ask an admin to reinstall berth.\n",
                strerror(errno));
        return 125;
}
