/* SPDX-License-Identifier: MIT */
/* berthctl check-config: the daemon's own loader over a config tree; every
 * error, or a summary an admin can check against what they meant. */
#include "berthctl.h"
#include "core/config.h"
#include "basic/util.h"

#include <getopt.h>

/* "cpus 8, memory 32G, gpus 2" for the keys a layer sets; "-" for none. */
static void print_limits(const struct limits *l) {
        char buf[32];
        bool first = true;

        for (enum limit_key k = 0; k < _LIMIT_MAX; k++) {
                if (!(l->set & (1u << k)))
                        continue;
                const char *v = limit_format(l, k, buf, sizeof(buf));
                printf("%s%s %s", first ? "" : ", ", limit_key_name(k), v);
                first = false;
        }
        printf("%s\n", first ? "-" : "");
}

int verb_check_config(int argc, char **argv, const char *config_dir) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_config_ struct berth_config *c = NULL;
        int opt, r;

        while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        config_dir = optarg;
                        break;
                case 'h':
                        printf("usage: berthctl check-config [--config DIR | DIR]\n");
                        return 0;
                default:
                        return 2;
                }
        if (optind < argc)
                config_dir = argv[optind++];
        if (optind < argc) {
                fprintf(stderr, "berthctl: check-config takes one directory, not '%s'.\n", argv[optind]);
                return 2;
        }

        size_t n_errors = 0;
        r = config_load_report(config_dir, stderr, &c, NULL, &n_errors);
        if (r == -EINVAL) {
                fprintf(stderr, "berthctl: %s is not valid: %zu error%s; nothing was changed.\n", config_dir,
                        n_errors, n_errors == 1 ? "" : "s");
                return 1;
        }
        if (r < 0) {
                log_error_errno(r, "cannot load %s: %m", config_dir);
                return 3;
        }

        printf("%s: valid.\n", config_dir);
        printf("daemon: docker %s, control %s, real docker %s, gpus %s%s, admin group %s, default group %s\n",
               c->docker_socket, c->control_socket, c->real_docker, c->gpus == GPU_MODE_NVML ? "nvml " : "none",
               c->gpus == GPU_MODE_NVML ? c->nvml_library : "", c->admin_group, c->default_group);
        printf("defaults: ");
        print_limits(&c->defaults);
        printf("groups: %zu\n", c->n_groups);
        for (size_t i = 0; i < c->n_groups; i++) {
                const struct group_config *g = &c->groups[i];
                _cleanup_strv_free_ char **users = NULL;
                int n = config_group_expand_members(g, &users);
                size_t resolved = 0;
                for (char **u = users; u && *u; u++) {
                        struct resolved_user ru;
                        if (config_resolve_user(c, *u, time(NULL), &ru) < 0)
                                continue; /* a listed name with no account yet */
                        if (streq(ru.group, g->name))
                                resolved++;
                        resolved_user_done(&ru);
                }
                printf("  %s (priority %d): %d member%s, %zu resolve%s here\n", g->name, g->priority, n < 0 ? 0 : n,
                       n == 1 ? "" : "s", resolved, resolved == 1 ? "s" : "");
                printf("    per user: ");
                print_limits(&g->user);
                printf("    total:    ");
                print_limits(&g->total);
        }
        printf("overrides: %zu\n", c->n_overrides);
        for (size_t i = 0; i < c->n_overrides; i++) {
                const struct user_override *o = &c->overrides[i];
                bool expired = o->expires && time(NULL) >= o->expires;
                printf("  %s%s%s%s%s%s%s: ", o->name, o->group ? " -> " : "", strempty(o->group),
                       o->expires_text ? " until " : "", strempty(o->expires_text), expired ? " (expired)" : "",
                       o->reason ? "" : "");
                print_limits(&o->user);
                if (o->reason)
                        printf("    reason: %s\n", o->reason);
        }
        return 0;
}
