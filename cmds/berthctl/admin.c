/* SPDX-License-Identifier: MIT */
/* berthctl reload, release and exempt: the daemon's admin operations.  The
 * daemon decides who may (root or admin_group, from SO_PEERCRED); a refusal
 * is its message and exit status 1. */
#include "berthctl.h"

/* Ask the daemon req (NULL: out of memory).  With --json its reply is
 * printed and *ret stays NULL; the exit status is returned either way. */
static int admin_ask(struct cmd *ctl, json_t *req, json_t **ret) {
        json_t *reply = NULL;
        int r;
        *ret = NULL;
        if (!req)
                return CMD_EXIT_SYSTEM;
        r = cmd_call(ctl, req, &reply, NULL);
        if (r != CMD_EXIT_OK)
                return r;
        if (ctl->json) {
                r = cmd_print_json(reply);
                json_decref(reply);
                return r;
        }
        *ret = reply;
        return CMD_EXIT_OK;
}

int verb_reload(struct cmd *ctl, _unused_ const struct cmd_args *a) {
        _cleanup_json_ json_t *req = NULL, *reply = NULL;
        int r;

        req = json_pack("{s:s}", "op", "reload");
        r = admin_ask(ctl, req, &reply);
        if (!reply)
                return r;
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
        r = admin_ask(ctl, req, &reply);
        if (!reply)
                return r;
        json_int_t n = json_integer_value(json_object_get(reply, "released"));
        printf("berth: released %lld holding%s matching %s.\n", (long long) n, n == 1 ? "" : "s", target);
        return CMD_EXIT_OK;
}

/* exempt TARGET --until TIME --reason TEXT: the reaper leaves a container
 * (its full name, NAME._.USER) or all of a user's containers running until
 * TIME; --until now ends it early. */
int verb_exempt(struct cmd *ctl, const struct cmd_args *a) {
        _cleanup_json_ json_t *req = NULL, *reply = NULL;
        const char *target = a->args[0], *until_text = NULL, *reason = NULL;
        uint64_t until = 0;
        int r;

        for (size_t i = 0; i < a->n_options; i++) {
                if (a->options[i].key == 'U')
                        until_text = a->options[i].value;
                else if (a->options[i].key == 'R')
                        reason = a->options[i].value;
        }
        if (!until_text)
                return cmd_fail(CMD_EXIT_USAGE, "exempt needs --until TIME (such as 2026-12-24, +3d, or now to end it).");
        if (ctl_parse_time(until_text, &until) < 0)
                return cmd_fail(CMD_EXIT_USAGE,
                                "--until '%s' is not a time; give YYYY-MM-DD[ HH:MM], +DURATION (+3d), @EPOCH or now.",
                                until_text);
        bool ending = streq(until_text, "now");
        if (!ending && (!reason || !*reason))
                return cmd_fail(CMD_EXIT_USAGE, "exempt needs --reason TEXT, which status and the journal show.");
        req = json_pack("{s:s,s:s,s:I,s:s?}", "op", "exempt", "target", target, "until",
                        (json_int_t) (ending ? 0 : until / 1000000), "reason", reason);
        r = admin_ask(ctl, req, &reply);
        if (!reply)
                return r;
        char when[64];
        if (ending)
                printf("berth: the exemption of %s ended.\n", target);
        else
                printf("berth: the reaper leaves %s running until %s.\n", target, ctl_fmt_time(until, when, sizeof(when)));
        return CMD_EXIT_OK;
}
