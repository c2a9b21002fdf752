/* SPDX-License-Identifier: MIT */
/* container: a user's own containers on a berth box.  A table maps verbs to
 * functions; each verb lives in a file of its own (manage.c holds the small
 * ones). */
#include "container.h"


static const struct usercmd_verb verbs[] = {
        { "deploy", verb_deploy,
          "deploy NAME [--image I] [--gpus N] [--cpus C] [--memory M] [--workspace DIR]\n"
          "         [--replace] [--open|--detach] [--dry-run] [--json] [-- CMD…]" },
        { "retire", verb_retire, "retire NAME [--save] [--force]" },
        { "list", verb_list, "list [--json]" },
        { "shell", verb_shell, "shell NAME [CMD…]" },
        { "stop", verb_stop, "stop NAME" },
        { "start", verb_start, "start NAME" },
        { "restart", verb_restart, "restart NAME" },
        { "logs", verb_logs, "logs NAME [-f]" },
        { "stats", verb_stats, "stats NAME" },
};

int main(int argc, char **argv) {
        return usercmd_main("container", verbs, ELEMENTSOF(verbs), argc, argv);
}
