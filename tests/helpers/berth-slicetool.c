/* SPDX-License-Identifier: MIT */
/* berth-slicetool: drives lib/slice.c from the command line, for the
 * integration tests.  Talks to the system bus (inside the sandbox, the
 * sandbox's own).  Limits not given are unlimited.
 *
 *   ensure UNIT [LIMITS]              create or change a slice, read it back
 *   ensure-group GROUP [LIMITS]       the same for berth-<group>.slice
 *   ensure-user GROUP USER [LIMITS]   the same for berth-<group>-<user>.slice
 *   apply-tree PARENT [LIMITS] [-- CHILD [LIMITS]]...   the ordered reload
 *   verify UNIT [LIMITS]              compare the cgroup files with LIMITS
 *   read UNIT                         print what the cgroup files hold
 *   cgroup UNIT                       print the unit's ControlGroup
 *   list                              the berth slices, one a line
 *   stop UNIT                         stop a slice and wait for it
 *
 * LIMITS: --cpus C --memory SIZE --memory-high SIZE --tasks N
 *         --allowed-cpus LIST --allowed-mems LIST
 * Every command takes --cgroup-root DIR first (default /sys/fs/cgroup).
 * Errors: "berth-slicetool: <sentence>" on stderr, exit 1; usage: exit 2. */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>

#include "core/config.h"
#include "core/names.h"
#include "system/slice.h"

static const char *cgroup_root;

static void usage(void) {
        fprintf(stderr,
                "usage: %s [--cgroup-root DIR] COMMAND [ARGS]\n"
                "  ensure UNIT [LIMITS] | ensure-group GROUP [LIMITS] | ensure-user GROUP USER [LIMITS]\n"
                "  apply-tree PARENT [LIMITS] [-- CHILD [LIMITS]]...\n"
                "  verify UNIT [LIMITS] | read UNIT | cgroup UNIT | list | stop UNIT\n"
                "LIMITS: --cpus C --memory SIZE --memory-high SIZE --tasks N --allowed-cpus L --allowed-mems L\n",
                program_name);
}

static int fail(const struct berth_error *e, int r) {
        fprintf(stderr, "%s: %s\n", program_name, e->message[0] ? e->message : strerror(-r));
        return 1;
}

/* Parses LIMITS from argv[*i] on, stopping at "--" or the end; *i is left
 * on the stopping point.  Returns 0, or 2 after printing what was wrong. */
static int parse_limits(int argc, char **argv, int *i, struct slice_limits *ret) {
        struct slice_limits l = SLICE_LIMITS_UNLIMITED;

        for (; *i < argc && !streq(argv[*i], "--"); (*i)++) {
                const char *opt = argv[*i];
                char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
                int r;

                if (!val) {
                        fprintf(stderr, "%s: %s needs a value\n", program_name, opt);
                        return 2;
                }
                if (streq(opt, "--cpus"))
                        r = parse_cpus(val, &l.cpus);
                else if (streq(opt, "--memory"))
                        r = parse_size(val, &l.memory_max);
                else if (streq(opt, "--memory-high"))
                        r = parse_size(val, &l.memory_high);
                else if (streq(opt, "--tasks")) {
                        char *end;
                        errno = 0;
                        if (streq(val, "infinity")) {
                                l.tasks_max = LIMIT_INFINITY;
                                r = 0;
                        } else {
                                l.tasks_max = strtoull(val, &end, 10);
                                r = errno || *end || end == val ? -EINVAL : 0;
                        }
                } else if (streq(opt, "--allowed-cpus")) {
                        l.allowed_cpus = val; /* borrowed from argv */
                        r = 0;
                } else if (streq(opt, "--allowed-mems")) {
                        l.allowed_mems = val;
                        r = 0;
                } else {
                        fprintf(stderr, "%s: unknown option '%s'\n", program_name, opt);
                        return 2;
                }
                if (r < 0) {
                        fprintf(stderr, "%s: invalid value '%s' for %s\n", program_name, val, opt);
                        return 2;
                }
                (*i)++;
        }
        *ret = l;
        return 0;
}

static int do_ensure(sd_bus *bus, const char *unit, int argc, char **argv, int i) {
        struct slice_limits l;
        struct berth_error e = {};
        bool created = false;
        int r;

        r = parse_limits(argc, argv, &i, &l);
        if (r != 0)
                return r;
        if (i < argc) {
                usage();
                return 2;
        }
        r = slice_ensure_at(bus, cgroup_root, unit, &l, &created, &e);
        if (r < 0)
                return fail(&e, r);
        printf("%s %s\n", created ? "created" : "updated", unit);
        return 0;
}

static void print_u64(const char *key, uint64_t v, bool known) {
        if (!known)
                printf("%s=unknown\n", key);
        else if (v == LIMIT_INFINITY)
                printf("%s=infinity\n", key);
        else
                printf("%s=%" PRIu64 "\n", key, v);
}

static int do_read(sd_bus *bus, const char *unit) {
        _cleanup_free_ char *cgroup = NULL;
        _cleanup_(slice_limits_done) struct slice_limits l = SLICE_LIMITS_UNLIMITED;
        struct berth_error e = {};
        char c[32];
        int r;

        r = slice_cgroup_path(bus, unit, &cgroup, &e);
        if (r < 0)
                return fail(&e, r);
        r = slice_read_back(cgroup_root, cgroup, &l);
        if (r < 0) {
                berth_error_set(&e, r, "Could not read the cgroup %s of %s: %s.", cgroup, unit, strerror(-r));
                return fail(&e, r);
        }
        printf("unit=%s\ncgroup=%s\nunified=%s\n", unit, cgroup, slice_cgroup_unified(cgroup_root) ? "yes" : "no");
        if (l.known & (1u << SLICE_CPUS))
                printf("cpus=%s\n", format_cpus(l.cpus, c, sizeof(c)));
        else
                printf("cpus=unknown\n");
        print_u64("memory_max", l.memory_max, l.known & (1u << SLICE_MEMORY_MAX));
        print_u64("memory_high", l.memory_high, l.known & (1u << SLICE_MEMORY_HIGH));
        print_u64("tasks_max", l.tasks_max, l.known & (1u << SLICE_TASKS_MAX));
        printf("allowed_cpus=%s\n", l.known & (1u << SLICE_ALLOWED_CPUS) ? strempty(l.allowed_cpus) : "unknown");
        printf("allowed_mems=%s\n", l.known & (1u << SLICE_ALLOWED_MEMS) ? strempty(l.allowed_mems) : "unknown");
        return 0;
}

static int do_verify(sd_bus *bus, const char *unit, int argc, char **argv, int i) {
        _cleanup_free_ char *cgroup = NULL;
        struct slice_limits l;
        struct berth_error e = {};
        int r;

        r = parse_limits(argc, argv, &i, &l);
        if (r != 0)
                return r;
        r = slice_cgroup_path(bus, unit, &cgroup, &e);
        if (r < 0)
                return fail(&e, r);
        r = slice_verify(cgroup_root, cgroup, unit, &l, &e);
        if (r < 0)
                return fail(&e, r);
        printf("ok %s\n", unit);
        return 0;
}

static int do_apply_tree(sd_bus *bus, int argc, char **argv, int i) {
        _cleanup_free_ char **units = calloc((size_t) argc + 1, sizeof(char *));
        _cleanup_free_ struct slice_limits *limits = calloc((size_t) argc + 1, sizeof(struct slice_limits));
        struct berth_error e = {};
        size_t n = 0;
        int r;

        if (!units || !limits)
                return 1;
        while (i < argc) {
                units[n] = argv[i++];
                r = parse_limits(argc, argv, &i, &limits[n]);
                if (r != 0)
                        return r;
                n++;
                if (i < argc && streq(argv[i], "--"))
                        i++;
        }
        if (n == 0) {
                usage();
                return 2;
        }
        r = slice_apply_tree(bus, cgroup_root, units[0], &limits[0], units + 1, limits + 1, n - 1, &e);
        if (r < 0)
                return fail(&e, r);
        for (size_t k = 0; k < n; k++)
                printf("applied %s\n", units[k]);
        return 0;
}

int main(int argc, char **argv) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        struct berth_error e = {};
        const char *cmd;
        int i = 1, r;

        program_name = "berth-slicetool";
        if (i + 1 < argc && streq(argv[i], "--cgroup-root")) {
                cgroup_root = argv[i + 1];
                i += 2;
        }
        if (i >= argc) {
                usage();
                return 2;
        }
        cmd = argv[i++];

        r = sd_bus_open_system(&bus);
        if (r < 0) {
                fprintf(stderr, "%s: cannot connect to the system bus: %s\n", program_name, strerror(-r));
                return 1;
        }

        if (streq(cmd, "ensure") && i < argc)
                return do_ensure(bus, argv[i], argc, argv, i + 1);
        if (streq(cmd, "ensure-group") && i < argc) {
                _cleanup_free_ char *unit = NULL;
                r = name_slice_group(argv[i], &unit);
                if (r < 0) {
                        fprintf(stderr, "%s: invalid group name '%s'\n", program_name, argv[i]);
                        return 2;
                }
                return do_ensure(bus, unit, argc, argv, i + 1);
        }
        if (streq(cmd, "ensure-user") && i + 1 < argc) {
                _cleanup_free_ char *unit = NULL;
                r = name_slice_user(argv[i], argv[i + 1], &unit);
                if (r < 0) {
                        fprintf(stderr, "%s: invalid group or user name '%s' '%s'\n", program_name, argv[i],
                                argv[i + 1]);
                        return 2;
                }
                return do_ensure(bus, unit, argc, argv, i + 2);
        }
        if (streq(cmd, "apply-tree"))
                return do_apply_tree(bus, argc, argv, i);
        if (streq(cmd, "verify") && i < argc)
                return do_verify(bus, argv[i], argc, argv, i + 1);
        if (streq(cmd, "read") && i + 1 == argc)
                return do_read(bus, argv[i]);
        if (streq(cmd, "cgroup") && i + 1 == argc) {
                _cleanup_free_ char *cgroup = NULL;
                r = slice_cgroup_path(bus, argv[i], &cgroup, &e);
                if (r < 0)
                        return fail(&e, r);
                printf("%s\n", cgroup);
                return 0;
        }
        if (streq(cmd, "list") && i == argc) {
                _cleanup_strv_free_ char **units = NULL;
                r = slice_list(bus, &units);
                if (r < 0) {
                        fprintf(stderr, "%s: cannot list units: %s\n", program_name, strerror(-r));
                        return 1;
                }
                for (char **u = units; *u; u++)
                        printf("%s\n", *u);
                return 0;
        }
        if (streq(cmd, "stop") && i + 1 == argc) {
                r = slice_stop(bus, argv[i], &e);
                if (r < 0)
                        return fail(&e, r);
                printf("stopped %s\n", argv[i]);
                return 0;
        }
        usage();
        return 2;
}
