/* SPDX-License-Identifier: MIT */
/* berthctl reload and berthctl release: the daemon's admin operations.  The
 * daemon decides who may (root or admin_group, from SO_PEERCRED); a refusal
 * is its message and exit status 1. */
#include "berthctl.h"

int verb_reload(int argc, char **argv, const char *config_dir) {
        _cleanup_config_ struct berth_config *c = NULL;
        _cleanup_json_ json_t *req = NULL, *reply = NULL;
        bool json = false;
        int r = ctl_parse_simple(argc, argv, "berthctl reload [--json]", &json);

        if (r >= 0)
                return r;
        if (optind < argc) {
                fprintf(stderr, "berthctl: reload takes no arguments, not '%s'; the daemon reads its own config tree.\n",
                        argv[optind]);
                return EXIT_USAGE;
        }
        r = ctl_load_config(config_dir, &c);
        if (r != EXIT_OK)
                return r;
        req = json_pack("{s:s}", "op", "reload");
        if (!req)
                return EXIT_SYSTEM;
        r = ctl_call(c, req, false, &reply, NULL);
        if (r != EXIT_OK)
                return r;
        if (json)
                return ctl_print_json(reply);
        const char *msg = json_string_value(json_object_get(reply, "message"));
        bool applied = json_is_true(json_object_get(reply, "applied"));
        if (msg && *msg)
                printf("%s\n", msg);
        else
                printf("berth: configuration reloaded%s.\n", applied ? " and applied to every live slice" : "");
        if (!applied) {
                fprintf(stderr, "berthctl: the daemon took the new configuration but could not apply it to every slice; 'berthctl slices' shows which drifted.\n");
                return EXIT_SYSTEM;
        }
        return EXIT_OK;
}

int verb_release(int argc, char **argv, const char *config_dir) {
        _cleanup_config_ struct berth_config *c = NULL;
        _cleanup_json_ json_t *req = NULL, *reply = NULL;
        bool json = false;
        int r = ctl_parse_simple(argc, argv, "berthctl release CONTAINER|GPU|RESERVATION [--json]", &json);

        if (r >= 0)
                return r;
        if (argc - optind != 1 || !*argv[optind]) {
                fprintf(stderr, "berthctl: release takes one container name or id, GPU or MIG UUID, or reservation id.\n");
                return EXIT_USAGE;
        }
        const char *target = argv[optind];
        r = ctl_load_config(config_dir, &c);
        if (r != EXIT_OK)
                return r;
        req = json_pack("{s:s,s:s}", "op", "release", "target", target);
        if (!req)
                return EXIT_SYSTEM;
        r = ctl_call(c, req, false, &reply, NULL);
        if (r != EXIT_OK)
                return r;
        if (json)
                return ctl_print_json(reply);
        json_int_t n = json_integer_value(json_object_get(reply, "released"));
        printf("berth: released %lld holding%s matching %s.\n", (long long) n, n == 1 ? "" : "s", target);
        return EXIT_OK;
}
