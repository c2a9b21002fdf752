/* SPDX-License-Identifier: MIT */
/* berth-docker, installed as /usr/local/bin/docker: the front of the docker
 * command.  Every docker command a user types starts here, so it does as
 * little as it can: it names the command with lib/dockercli (the same
 * parser the policy half uses), execs the real docker at once for verbs
 * berth does not police (version, images, pull, compose …), and execs
 * berth-docker-policy with the same argv for every other verb.
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

#include "dockercli.h"
#include "quick.h"

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

int main(int argc, char **argv) {
        struct docker_invocation inv;
        struct berth_error err = { 0 };

        if (argc < 1)
                return 125;
        if (docker_parse_invocation(argc, argv, &inv, &err) < 0) {
                fprintf(stderr, "%s\n", err.message);
                return 125;
        }

        if (inv.cmd == DOCKER_CMD_NONE || inv.cmd == DOCKER_CMD_PASS) {
                struct daemon_keys k;
                wrapper_daemon_keys(wrapper_config_dir(), &k);
                const char *real = k.real_docker ? k.real_docker : WRAPPER_DEFAULT_REAL_DOCKER;
                argv[0] = (char *) "docker";
                execv(real, argv);
                fprintf(stderr, "berth: cannot run the real docker at %s: %s.\n", real, strerror(errno));
                return 127;
        }

        /* A verb berth polices: without the policy half it is refused, never
         * passed through (fail closed). */
        exec_policy(argv);
        fprintf(stderr, "berth: cannot run berth's docker policy (berth-docker-policy): %s; ask an admin to reinstall berth.\n",
                strerror(errno));
        return 125;
}
