/* SPDX-License-Identifier: MIT */
/* berthctl reload and berthctl release: the daemon's admin operations.  The
 * daemon decides who may (root or admin_group, from SO_PEERCRED); a refusal
 * is its message and exit status 1. */
#include "berthctl.h"

int verb_reload(struct cmd *ctl, _unused_ const struct cmd_args *a) {
        _cleanup_json_ json_t *req = NULL, *reply = NULL;
        int r;

        req = json_pack("{s:s}", "op", "reload");
        if (!req)
                return CMD_EXIT_SYSTEM;
        r = cmd_call(ctl, req, &reply, NULL);
        if (r != CMD_EXIT_OK)
                return r;
        if (ctl->json)
                return cmd_print_json(reply);
        const char *msg = json_string_value(json_object_get(reply, "message"));
        bool applied = json_is_true(json_object_get(reply, "applied"));
        if (msg && *msg)
                printf("%s\n", msg);
        else
                printf("berth: configuration reloaded%s.\n", applied ? " and applied to every live slice" : "");
        if (!applied) {
                return cmd_fail(CMD_EXIT_SYSTEM, "the daemon took the new configuration but could not apply it to every slice; 'berthctl slices' shows which drifted.");
        }
        return CMD_EXIT_OK;
}

int verb_release(struct cmd *ctl, const struct cmd_args *a) {
        _cleanup_json_ json_t *req = NULL, *reply = NULL;
        const char *target = a->args[0];
        int r;

        if (!*target)
                return cmd_fail(CMD_EXIT_USAGE, "release takes one container name or id, GPU or MIG UUID, or reservation id.");
        req = json_pack("{s:s,s:s}", "op", "release", "target", target);
        if (!req)
                return CMD_EXIT_SYSTEM;
        r = cmd_call(ctl, req, &reply, NULL);
        if (r != CMD_EXIT_OK)
                return r;
        if (ctl->json)
                return cmd_print_json(reply);
        json_int_t n = json_integer_value(json_object_get(reply, "released"));
        printf("berth: released %lld holding%s matching %s.\n", (long long) n, n == 1 ? "" : "s", target);
        return CMD_EXIT_OK;
}
