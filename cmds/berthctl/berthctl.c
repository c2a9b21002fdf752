/* SPDX-License-Identifier: MIT */
/* berthctl: the admin's command.  A table maps verbs to functions; each verb
 * lives in a file of its own. */
#include "berthctl.h"
#include "config.h"
#include "util.h"

#include <getopt.h>

static const struct verb {
        const char *name;
        int (*run)(int argc, char **argv, const char *config_dir);
        const char *help;
} verbs[] = {
        { "check-config", verb_check_config, "check-config [DIR]   load a config tree, print every error or a summary" },
};

static void usage(FILE *f) {
        fprintf(f, "usage: berthctl [--config DIR] VERB [ARGS…]\n\nverbs:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                fprintf(f, "  %s\n", verbs[i].help);
        fprintf(f, "\nThe config tree is --config DIR, else $BERTH_CONFIG, else %s.\n", BERTH_CONFIG_DIR);
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
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        if (optind >= argc) {
                usage(stderr);
                return 2;
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
        return 2;
}
