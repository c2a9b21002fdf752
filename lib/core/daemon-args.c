/* SPDX-License-Identifier: MIT */
#include "core/daemon-args.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "basic/util.h"
#include "core/config.h"
#include "core/paths.h"

static void usage(const struct daemon_args *a, FILE *f) {
        fprintf(f, "usage: %s [--config DIR]\n"
                   "       %s --version\n\n"
                   "%s\n"
                   "The config tree is --config DIR, else $BERTH_CONFIG, else %s.\n",
                a->name, a->name, a->summary, BERTH_CONFIG_DIR);
}

int daemon_args_parse(const struct daemon_args *a, int argc, char **argv, const char **ret_config_dir) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        const char *config_dir = NULL;
        int c;

        program_name = a->name;
        while ((c = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        config_dir = optarg;
                        break;
                case 'h':
                        usage(a, stdout);
                        return 0;
                case 'V':
                        printf("%s (berth) %s\n", a->name, a->version);
                        return 0;
                default:
                        usage(a, stderr);
                        return 2;
                }
        if (optind < argc) {
                usage(a, stderr);
                return 2;
        }
        if (geteuid() != 0) {
                fprintf(stderr, "%s: must run as root (%s).\n", a->name, a->why_root);
                return 1;
        }
        setvbuf(stderr, NULL, _IOLBF, 0);

        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (a->reload)
                sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);

        *ret_config_dir = config_dir_resolve(config_dir);
        return -1;
}
