/* SPDX-License-Identifier: MIT */
/* The small verbs: retire, shell, stop, start, restart, logs, stats.  Each
 * works only on the caller's own containers (NAME → NAME._.<user>, then the
 * berth.user label decides).  shell, logs and stats hand the terminal to the
 * real docker CLI, which already does interactive streams well. */
#include "container.h"

#include "basic/units.h"
#include "common/table.h"
#include "core/names.h"

static bool is_running(json_t *inspect) {
        return json_is_true(json_object_get(json_object_get(inspect, "State"), "Running"));
}

static bool has_option(const struct cmd_args *a, int key) {
        for (size_t i = 0; i < a->n_options; i++)
                if (a->options[i].key == key)
                        return true;
        return false;
}

int verb_retire(struct cmd *u, const struct cmd_args *a) {
        _cleanup_free_ char *full = NULL, *base = NULL, *ref = NULL;
        _cleanup_json_ json_t *j = NULL;
        const char *name = a->args[0];
        int rc;

        if ((rc = usercmd_own_container(u, name, &j, &full)) != 0)
                return rc;
        if (has_option(a, 's')) {
                (void) name_container_parse(full, &base, NULL);
                if ((rc = usercmd_user_image(u, base ? base : name, &ref)) != 0)
                        return rc;
        }
        if ((rc = usercmd_retire(u, j, full, ref, has_option(a, 'f'), false)) != 0)
                return rc;
        if (u->json) {
                _cleanup_json_ json_t *o = json_pack("{s:s,s:s,s:s?}", "name", base ? base : name, "container", full,
                                                     "saved", ref);
                return o ? cmd_print_json(o) : cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        }
        printf("Retired %s; its GPUs and its place in your quota are free.\n", full);
        if (ref)
                printf("Its state is saved as %s: 'container deploy %s' starts from it.\n", ref, base ? base : name);
        return 0;
}

int verb_shell(struct cmd *u, const struct cmd_args *a) {
        _cleanup_free_ char *full = NULL;
        _cleanup_json_ json_t *j = NULL;
        _cleanup_strv_free_ char **args = NULL;
        const char *name = a->args[0];
        int rc, r = 0;

        /* everything after NAME is the command, options included (CMD_VERB_STOP) */
        if ((rc = usercmd_own_container(u, name, &j, &full)) != 0)
                return rc;
        if (!is_running(j))
                return cmd_fail(CMD_EXIT_REFUSED, "%s is not running; start it with 'container start %s'.", full, name);
        r = strv_push(&args, "exec");
        if (r >= 0 && isatty(STDIN_FILENO))
                r = strv_push(&args, isatty(STDOUT_FILENO) ? "-it" : "-i");
        if (r >= 0)
                r = strv_push(&args, full);
        if (a->command)
                for (char **c = a->command; *c && r >= 0; c++)
                        r = strv_push(&args, *c);
        else {
                if (r >= 0)
                        r = strv_push(&args, "sh");
                if (r >= 0)
                        r = strv_push(&args, "-c");
                if (r >= 0)
                        r = strv_push(&args, "command -v bash >/dev/null 2>&1 && exec bash || exec sh");
        }
        if (r < 0)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        return usercmd_run_docker(u, args, true, NULL, false);
}

enum action { ACTION_STOP, ACTION_START, ACTION_RESTART };

static int simple_action(struct cmd *u, const struct cmd_args *a, enum action act) {
        static const char *const verb[] = { "stop", "start", "restart" };
        static const char *const done[] = { "Stopped", "Started", "Restarted" };
        _cleanup_free_ char *full = NULL;
        _cleanup_json_ json_t *j = NULL;
        struct berth_error err = { 0 };
        struct docker *d;
        int rc, r = 0;

        if ((rc = usercmd_own_container(u, a->args[0], &j, &full)) != 0 || (rc = usercmd_docker(u, &d)) != 0)
                return rc;
        const char *id = json_string_value(json_object_get(j, "Id"));
        if (act != ACTION_START)
                r = docker_container_stop(d, id, CMD_STOP_GRACE_S, &err);
        if (r >= 0 && act != ACTION_STOP)
                r = docker_container_start(d, id, &err);
        if (r < 0)
                return cmd_fail(usercmd_docker_status(r), "Docker could not %s %s: %s", verb[act], full, err.message);
        if (u->json) {
                _cleanup_json_ json_t *o = json_pack("{s:s,s:s,s:b}", "container", full, "action", verb[act], "running",
                                                     act != ACTION_STOP);
                return o ? cmd_print_json(o) : cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        }
        printf("%s %s.\n", done[act], full);
        return 0;
}

int verb_stop(struct cmd *u, const struct cmd_args *a) {
        return simple_action(u, a, ACTION_STOP);
}

int verb_start(struct cmd *u, const struct cmd_args *a) {
        return simple_action(u, a, ACTION_START);
}

int verb_restart(struct cmd *u, const struct cmd_args *a) {
        return simple_action(u, a, ACTION_RESTART);
}

int verb_logs(struct cmd *u, const struct cmd_args *a) {
        _cleanup_free_ char *full = NULL;
        _cleanup_json_ json_t *j = NULL;
        bool follow = a->n_options > 0; /* -f, its one option */
        int rc;

        if ((rc = usercmd_own_container(u, a->args[0], &j, &full)) != 0)
                return rc;
        char *args[] = { (char *) "logs", follow ? (char *) "--follow" : full, follow ? full : NULL, NULL };
        return usercmd_run_docker(u, args, true, NULL, false);
}

int verb_stats(struct cmd *u, const struct cmd_args *a) {
        _cleanup_free_ char *full = NULL;
        _cleanup_json_ json_t *j = NULL;
        int rc;

        if ((rc = usercmd_own_container(u, a->args[0], &j, &full)) != 0)
                return rc;
        /* a live view on a terminal, one sample otherwise; --json: Docker's own, one object a line */
        if (u->json) {
                char *args[] = { (char *) "stats", (char *) "--no-stream", (char *) "--format", (char *) "{{json .}}",
                                 full, NULL };
                return usercmd_run_docker(u, args, true, NULL, false);
        }
        char *args[] = { (char *) "stats", u->tty ? full : (char *) "--no-stream", u->tty ? NULL : full, NULL };
        return usercmd_run_docker(u, args, true, NULL, false);
}

/* Who waits for GPUs, in order: position, user, container, GPUs, waited,
 * and when a GPU may be free (from the reaper's deadlines and holds). */
int verb_queue(struct cmd *u, const struct cmd_args *a) {
        _cleanup_json_ json_t *req = json_pack("{s:s}", "op", "queue"), *reply = NULL;
        int rc;
        if (!req)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        if ((rc = cmd_call(u, req, &reply, NULL)) != 0)
                return rc;
        json_t *queue = json_object_get(reply, "queue"), *w;
        if (u->json)
                return cmd_print_json(queue);
        if (json_array_size(queue) == 0) {
                printf("Nobody waits for GPUs.\n");
                return CMD_EXIT_OK;
        }
        _cleanup_table_ struct cmd_table *t = cmd_table_new(6, "POSITION", "USER", "CONTAINER", "GPUS", "WAITING",
                                                            "FREE IN");
        size_t i;
        if (!t)
                return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        json_array_foreach(queue, i, w) {
                char pos[16], gpus[32], waited[32], eta[32];
                json_t *e = json_object_get(w, "estimate_s");
                snprintf(pos, sizeof(pos), "%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(w, "position")));
                snprintf(gpus, sizeof(gpus), "%g", json_number_value(json_object_get(w, "gpus")));
                format_duration((uint64_t) json_integer_value(json_object_get(w, "waiting_s")) * 1000000, waited,
                                sizeof(waited));
                if (json_is_integer(e))
                        format_duration((uint64_t) json_integer_value(e) * 1000000, eta, sizeof(eta));
                if (cmd_table_add(t, pos, json_string_value(json_object_get(w, "user")),
                                  json_string_value(json_object_get(w, "container")), gpus, waited,
                                  json_is_integer(e) ? eta : "unknown") < 0)
                        return cmd_fail(CMD_EXIT_SYSTEM, "out of memory.");
        }
        cmd_table_print(t, stdout);
        return CMD_EXIT_OK;
}
