/* SPDX-License-Identifier: MIT */
/* The small verbs: retire, shell, stop, start, restart, logs, stats.  Each
 * works only on the caller's own containers (NAME → NAME._.<user>, then the
 * berth.user label decides).  shell, logs and stats hand the terminal to the
 * real docker CLI, which already does interactive streams well. */
#include "container.h"

#include <getopt.h>

#include "core/names.h"

/* "VERB NAME" with only -h/--help (and the verb's own flags in flags/options). */
static int one_name(int argc, char **argv, const char *usage, const char **ret_name) {
        static const struct option options[] = { { "help", no_argument, NULL, 'h' }, {} };
        int c;
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        printf("usage: container %s\n", usage);
                        return -1;
                default:
                        return USERCMD_EXIT_USAGE;
                }
        if (optind != argc - 1)
                return usercmd_fail(USERCMD_EXIT_USAGE, "usage: container %s", usage);
        *ret_name = argv[optind];
        return 0;
}

static bool is_running(json_t *inspect) {
        return json_is_true(json_object_get(json_object_get(inspect, "State"), "Running"));
}

int verb_retire(struct usercmd *u, int argc, char **argv) {
        static const struct option options[] = {
                { "save", no_argument, NULL, 's' },
                { "force", no_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_free_ char *full = NULL, *base = NULL, *ref = NULL;
        _cleanup_json_ json_t *j = NULL;
        bool save = false, force = false;
        int c, rc;

        while ((c = getopt_long(argc, argv, "sfh", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        save = true;
                        break;
                case 'f':
                        force = true;
                        break;
                case 'h':
                        printf("usage: container retire NAME [--save] [--force]\n");
                        return 0;
                default:
                        return USERCMD_EXIT_USAGE;
                }
        if (optind != argc - 1)
                return usercmd_fail(USERCMD_EXIT_USAGE, "usage: container retire NAME [--save] [--force].");
        if ((rc = usercmd_own_container(u, argv[optind], &j, &full)) != 0)
                return rc;
        if (save) {
                (void) name_container_parse(full, &base, NULL);
                if ((rc = usercmd_user_image(u, base ? base : argv[optind], &ref)) != 0)
                        return rc;
        }
        if ((rc = usercmd_retire(u, j, full, ref, force, false)) != 0)
                return rc;
        printf("Retired %s; its GPUs and its place in your quota are free.\n", full);
        if (ref)
                printf("Its state is saved as %s: 'container deploy %s' starts from it.\n", ref,
                       base ? base : argv[optind]);
        return 0;
}

int verb_shell(struct usercmd *u, int argc, char **argv) {
        _cleanup_free_ char *full = NULL;
        _cleanup_json_ json_t *j = NULL;
        _cleanup_strv_free_ char **args = NULL;
        int rc, r = 0;

        /* everything after NAME is the command, options included */
        if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
                if (argc < 2)
                        return usercmd_fail(USERCMD_EXIT_USAGE, "usage: container shell NAME [CMD…].");
                printf("usage: container shell NAME [CMD…]\n");
                return 0;
        }
        if ((rc = usercmd_own_container(u, argv[1], &j, &full)) != 0)
                return rc;
        if (!is_running(j))
                return usercmd_fail(USERCMD_EXIT_REFUSED, "%s is not running; start it with 'container start %s'.", full,
                                    argv[1]);
        r = strv_push(&args, "exec");
        if (r >= 0 && isatty(STDIN_FILENO))
                r = strv_push(&args, isatty(STDOUT_FILENO) ? "-it" : "-i");
        if (r >= 0)
                r = strv_push(&args, full);
        if (argc > 2)
                for (int i = 2; i < argc && r >= 0; i++)
                        r = strv_push(&args, argv[i]);
        else {
                if (r >= 0)
                        r = strv_push(&args, "sh");
                if (r >= 0)
                        r = strv_push(&args, "-c");
                if (r >= 0)
                        r = strv_push(&args, "command -v bash >/dev/null 2>&1 && exec bash || exec sh");
        }
        if (r < 0)
                return usercmd_fail(USERCMD_EXIT_BACKEND, "out of memory.");
        return usercmd_run_docker(u, args, true, NULL, false);
}

enum action { ACTION_STOP, ACTION_START, ACTION_RESTART };

static int simple_action(struct usercmd *u, int argc, char **argv, enum action act) {
        static const char *const usage[] = { "stop NAME", "start NAME", "restart NAME" };
        _cleanup_free_ char *full = NULL;
        _cleanup_json_ json_t *j = NULL;
        struct berth_error err = { 0 };
        const char *name = NULL;
        struct docker *d;
        int rc, r = 0;

        if ((rc = one_name(argc, argv, usage[act], &name)) != 0)
                return rc < 0 ? 0 : rc;
        if ((rc = usercmd_own_container(u, name, &j, &full)) != 0 || (rc = usercmd_docker(u, &d)) != 0)
                return rc;
        const char *id = json_string_value(json_object_get(j, "Id"));
        if (act != ACTION_START)
                r = docker_container_stop(d, id, USERCMD_STOP_GRACE_S, &err);
        if (r >= 0 && act != ACTION_STOP)
                r = docker_container_start(d, id, &err);
        if (r < 0)
                return usercmd_fail(usercmd_docker_status(r), "Docker could not %s %s: %s", argv[0], full, err.message);
        printf("%s %s.\n", act == ACTION_STOP ? "Stopped" : act == ACTION_START ? "Started" : "Restarted", full);
        return 0;
}

int verb_stop(struct usercmd *u, int argc, char **argv) {
        return simple_action(u, argc, argv, ACTION_STOP);
}

int verb_start(struct usercmd *u, int argc, char **argv) {
        return simple_action(u, argc, argv, ACTION_START);
}

int verb_restart(struct usercmd *u, int argc, char **argv) {
        return simple_action(u, argc, argv, ACTION_RESTART);
}

int verb_logs(struct usercmd *u, int argc, char **argv) {
        static const struct option options[] = {
                { "follow", no_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_free_ char *full = NULL;
        _cleanup_json_ json_t *j = NULL;
        bool follow = false;
        int c, rc;

        while ((c = getopt_long(argc, argv, "fh", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        follow = true;
                        break;
                case 'h':
                        printf("usage: container logs NAME [-f]\n");
                        return 0;
                default:
                        return USERCMD_EXIT_USAGE;
                }
        if (optind != argc - 1)
                return usercmd_fail(USERCMD_EXIT_USAGE, "usage: container logs NAME [-f].");
        if ((rc = usercmd_own_container(u, argv[optind], &j, &full)) != 0)
                return rc;
        char *args[] = { (char *) "logs", follow ? (char *) "--follow" : full, follow ? full : NULL, NULL };
        return usercmd_run_docker(u, args, true, NULL, false);
}

int verb_stats(struct usercmd *u, int argc, char **argv) {
        _cleanup_free_ char *full = NULL;
        _cleanup_json_ json_t *j = NULL;
        const char *name = NULL;
        int rc;

        if ((rc = one_name(argc, argv, "stats NAME", &name)) != 0)
                return rc < 0 ? 0 : rc;
        if ((rc = usercmd_own_container(u, name, &j, &full)) != 0)
                return rc;
        /* a live view on a terminal, one sample otherwise */
        char *args[] = { (char *) "stats", u->tty ? full : (char *) "--no-stream", u->tty ? NULL : full, NULL };
        return usercmd_run_docker(u, args, true, NULL, false);
}
