/* SPDX-License-Identifier: MIT */
/* berthctl check-config: the daemon's own loader over a config tree; every
 * error, or a summary an admin can check against what they meant. */
#include "berthctl.h"
#include "config.h"
#include "util.h"

#include <getopt.h>
#include <math.h>

static const char *fmt_gpus(double v, char *buf, size_t n) {
        if (isinf(v))
                return "infinity";
        if (v == 0)
                return "0"; /* format_cpus() reads 0 as "no quota" */
        return format_cpus(v, buf, n);
}

static const char *fmt_count(uint64_t v, char *buf, size_t n) {
        if (v == LIMIT_INFINITY)
                return "infinity";
        snprintf(buf, n, "%llu", (unsigned long long) v);
        return buf;
}

/* "cpus 8, memory 32G, gpus 2" for the keys a layer sets; "-" for none. */
static void print_limits(const struct limits *l) {
        char buf[32];
        bool first = true;

        for (enum limit_key k = 0; k < _LIMIT_MAX; k++) {
                if (!(l->set & (1u << k)))
                        continue;
                const char *v;
                switch (k) {
                case LIMIT_CPUS:
                case LIMIT_CONTAINER_CPUS:
                        v = format_cpus(k == LIMIT_CPUS ? l->cpus : l->container_cpus, buf, sizeof(buf));
                        break;
                case LIMIT_GPUS:
                        v = fmt_gpus(l->gpus, buf, sizeof(buf));
                        break;
                case LIMIT_GPUS_PER_CONTAINER:
                        v = fmt_gpus(l->gpus_per_container, buf, sizeof(buf));
                        break;
                case LIMIT_MEMORY:
                        v = format_size(l->memory, buf, sizeof(buf));
                        break;
                case LIMIT_MEMORY_HIGH:
                        v = format_size(l->memory_high, buf, sizeof(buf));
                        break;
                case LIMIT_CONTAINER_MEMORY:
                        v = format_size(l->container_memory, buf, sizeof(buf));
                        break;
                case LIMIT_TASKS:
                        v = fmt_count(l->tasks, buf, sizeof(buf));
                        break;
                case LIMIT_CONTAINERS:
                        v = fmt_count(l->containers, buf, sizeof(buf));
                        break;
                case LIMIT_IDLE_TIMEOUT:
                        v = format_duration(l->idle_timeout_usec, buf, sizeof(buf));
                        break;
                case LIMIT_MAX_RUNTIME:
                        v = format_duration(l->max_runtime_usec, buf, sizeof(buf));
                        break;
                default:
                        continue;
                }
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
        struct config_errors errs = { 0 };
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

        r = config_load(config_dir, &c, &errs);
        if (r == -EINVAL) {
                for (size_t i = 0; i < errs.n; i++)
                        fprintf(stderr, "%s\n", errs.lines[i]);
                fprintf(stderr, "berthctl: %s is not valid: %zu error%s; nothing was changed.\n", config_dir,
                        errs.n, errs.n == 1 ? "" : "s");
                config_errors_clear(&errs);
                return 1;
        }
        config_errors_clear(&errs);
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
