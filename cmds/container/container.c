/* SPDX-License-Identifier: MIT */
/* container: a user's own containers on a berth box.  A table maps verbs to
 * functions; each verb lives in a file of its own (manage.c holds the small
 * ones). */
#include "container.h"

#include <getopt.h>

static const struct verb {
        const char *name;
        int (*run)(struct usercmd *u, int argc, char **argv);
        const char *help;
} verbs[] = {
        { "deploy", verb_deploy,
          "deploy NAME [--image I] [--gpus N] [--cpus C] [--memory M] [--workspace DIR]\n"
          "         [--replace] [--open|--detach] [--dry-run] [--json] [-- CMD…]" },
        { "retire", verb_retire, "retire NAME [--save] [--force]" },
        { "list", verb_list, "list [--json]" },
        { "shell", verb_shell, "shell NAME [CMD…]" },
        { "stop", verb_stop, "stop NAME" },
        { "start", verb_start, "start NAME" },
        { "restart", verb_restart, "restart NAME" },
        { "logs", verb_logs, "logs NAME [-f]" },
        { "stats", verb_stats, "stats NAME" },
};

static void usage(FILE *f) {
        fprintf(f, "usage: container [--config DIR] VERB [ARGS…]\n\nverbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %s\n", verbs[i].help);
        fprintf(f, "\nExit status: 0 done, 1 refused, 2 usage, 3 Docker or berth daemon error.\n"
                   "See container(1).\n");
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *config_dir = NULL;
        int c, rc;

        program_name = "container";
        while ((c = getopt_long(argc, argv, "+c:h", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        config_dir = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return USERCMD_EXIT_OK;
                default:
                        usage(stderr);
                        return USERCMD_EXIT_USAGE;
                }
        if (optind >= argc) {
                usage(stderr);
                return USERCMD_EXIT_USAGE;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(argv[optind], verbs[i].name)) {
                        struct usercmd u;
                        rc = usercmd_init(&u, "container", config_dir);
                        if (rc == 0) {
                                char **vargv = argv + optind;
                                int vargc = argc - optind;
                                optind = 0; /* reset getopt for the verb */
                                rc = verbs[i].run(&u, vargc, vargv);
                        }
                        usercmd_done(&u);
                        return rc;
                }
        return usercmd_fail(USERCMD_EXIT_USAGE, "unknown verb '%s'; 'container --help' lists them.", argv[optind]);
}
