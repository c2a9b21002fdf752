/* SPDX-License-Identifier: MIT */
/* container: a user's own containers on a berth box.  A table maps verbs to
 * functions; each verb lives in a file of its own (manage.c holds the small
 * ones). */
#include "container.h"

/* Each option's val is the key its verb switches on. */
static const struct option deploy_options[] = {
        { "image", required_argument, NULL, 'i' },
        { "gpus", required_argument, NULL, 'g' },
        { "cpus", required_argument, NULL, 'C' },
        { "memory", required_argument, NULL, 'm' },
        { "workspace", required_argument, NULL, 'w' },
        { "replace", no_argument, NULL, 'r' },
        { "open", no_argument, NULL, 'o' },
        { "detach", no_argument, NULL, 'd' },
        { "dry-run", no_argument, NULL, 'n' },
        { "wait", no_argument, NULL, 'W' },
        {},
};
static const struct option retire_options[] = {
        { "save", no_argument, NULL, 's' },
        { "force", no_argument, NULL, 'f' },
        {},
};
static const struct option logs_options[] = {
        { "follow", no_argument, NULL, 'f' },
        {},
};
static const char *const list_aliases[] = { "ls", "ps", NULL };
static const char *const retire_aliases[] = { "rm", NULL };

static const struct cmd_verb verbs[] = {
        { "deploy", NULL,
          "deploy NAME [--image I] [--gpus N] [--cpus C] [--memory M] [--workspace DIR] [--replace] [--open|--detach] "
          "[--dry-run] [--wait] [--json] [-- CMD…]",
          "start a container of yours, within your quota; --wait queues for a GPU", 0, 1,
          CMD_VERB_JSON | CMD_VERB_COMMAND, deploy_options, "i:g:C:m:w:rodnW", verb_deploy },
        { "retire", retire_aliases, "retire NAME [--save] [--force] [--json]",
          "stop and remove it, freeing its GPUs; --save keeps its state as your image", 1, 1, CMD_VERB_JSON,
          retire_options, "sf", verb_retire },
        { "list", list_aliases, "list [--json]", "your containers with their limits and use", 0, 0, CMD_VERB_JSON, NULL,
          NULL, verb_list },
        { "shell", NULL, "shell NAME [CMD…]", "a shell (or CMD) inside it", 1, 1, CMD_VERB_STOP, NULL, NULL, verb_shell },
        { "stop", NULL, "stop NAME [--json]", "stop it; its GPUs stay yours for gpu_hold_after_stop", 1, 1,
          CMD_VERB_JSON, NULL, NULL, verb_stop },
        { "start", NULL, "start NAME [--json]", "start it again", 1, 1, CMD_VERB_JSON, NULL, NULL, verb_start },
        { "restart", NULL, "restart NAME [--json]", "stop and start it", 1, 1, CMD_VERB_JSON, NULL, NULL,
          verb_restart },
        { "logs", NULL, "logs NAME [-f]", "what it printed; -f follows", 1, 1, 0, logs_options, "f", verb_logs },
        { "queue", NULL, "queue [--json]", "who waits for GPUs, in order", 0, 0, CMD_VERB_JSON, NULL, NULL,
          verb_queue },
        { "stats", NULL, "stats NAME [--json]", "its CPU, memory and I/O use", 1, 1, CMD_VERB_JSON, NULL, NULL,
          verb_stats },
};

static const struct cmd_program program = {
        .name = "container",
        .man = "container(1)",
        .verbs = verbs,
        .n_verbs = ELEMENTSOF(verbs),
        .user = true,
};

int main(int argc, char **argv) {
        return cmd_main(&program, argc, argv);
}
