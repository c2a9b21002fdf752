/* SPDX-License-Identifier: MIT */
/* berthctl: the admin's command.  A table maps verbs to functions; each verb
 * lives in a file of its own. */
#include "berthctl.h"
#include "core/config.h"
#include "basic/util.h"

#include <getopt.h>

static const struct verb {
        const char *name;
        int (*run)(int argc, char **argv, const char *config_dir);
        const char *help;
} verbs[] = {
        { "status", verb_status, "status [--json]                      GPUs and holders, use against quota per user and group" },
        { "quota", verb_quota, "quota USER|@GROUP [--json]           resolved limits and the layer each came from" },
        { "audit", verb_audit, "audit [--user U] [--event E] [--since T] [--until T] [-f] [--json]\n"
                               "                                       berth's decisions from the journal" },
        { "slices", verb_slices, "slices [--json]                      live slices: configured limits, kernel values, use, drift" },
        { "reload", verb_reload, "reload                               the daemon re-reads the config and re-applies limits (admin)" },
        { "release", verb_release, "release CONTAINER|GPU|RESERVATION    free what a container or reservation holds (admin)" },
        { "check-config", verb_check_config, "check-config [DIR]                   load a config tree, print every error or a summary" },
};

static void usage(FILE *f) {
        fprintf(f, "usage: berthctl [--config DIR] VERB [ARGS…]\n\nverbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %s\n", verbs[i].help);
        fprintf(f, "\nThe config tree is --config DIR, else $BERTH_CONFIG, else %s.\n", BERTH_CONFIG_DIR);
        fprintf(f, "Exit status: 0 done, 1 refused or not found, 2 usage, 3 daemon or system error.\n");
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *config_dir = NULL;
        int c;

        program_name = "berthctl";
        /* stop at the verb: its own options are its own */
        while ((c = getopt_long(argc, argv, "+c:h", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        config_dir = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return EXIT_OK;
                default:
                        usage(stderr);
                        return EXIT_USAGE;
                }
        if (optind >= argc) {
                usage(stderr);
                return EXIT_USAGE;
        }
        config_dir = config_dir_resolve(config_dir);

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(argv[optind], verbs[i].name)) {
                        char **vargv = argv + optind;
                        int vargc = argc - optind;
                        optind = 0; /* reset getopt for the verb */
                        return verbs[i].run(vargc, vargv, config_dir);
                }
        fprintf(stderr, "berthctl: unknown verb '%s'; 'berthctl --help' lists them.\n", argv[optind]);
        return EXIT_USAGE;
}
