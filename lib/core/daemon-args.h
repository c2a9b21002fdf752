/* SPDX-License-Identifier: MIT */
/* What berth's root daemons (berth-slicemgr, berth-gate) do before their
 * loop: the command line [--config DIR] | --help | --version, the config
 * tree resolved, root required, the signals sd-event takes blocked. */
#pragma once

#include <stdbool.h>

struct daemon_args {
        const char *name;     /* berth-slicemgr, berth-gate */
        const char *version;  /* the program's BERTH_VERSION (lib/ is built without one, for the fuzzers) */
        const char *summary;  /* one line for --help: what the daemon is */
        const char *why_root; /* "it creates systemd slices", for the refusal */
        bool reload;          /* SIGHUP is taken too (reload) */
};

/* -1 with *ret_config_dir when the daemon is to run; otherwise the exit
 * status to leave with (0 after --help or --version, 2 for a bad command
 * line, 1 when not root), what to say already said. */
int daemon_args_parse(const struct daemon_args *a, int argc, char **argv, const char **ret_config_dir);
