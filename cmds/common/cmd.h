/* SPDX-License-Identifier: MIT */
/* The one framework of the commands `container`, `image` and `berthctl`
 * (DESIGN §6): a verb table, the global options, the exit statuses, the
 * config, the daemon round trip, JSON output and one-sentence errors.
 *
 * main() is cmd_main(&program, argc, argv).  The framework parses
 * [--config DIR] [--help] [--version] VERB, finds the verb (or an alias),
 * parses the verb's options and checks its argument counts, so a usage
 * error exits CMD_EXIT_USAGE before any config is loaded or any daemon
 * asked; only then does it load the config and run the verb. */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

#include "core/config.h"
#include "basic/util.h"

/* The exit statuses of every command (container(1), image(1), berthctl(8)). */
enum {
        CMD_EXIT_OK = 0,
        CMD_EXIT_REFUSED = 1, /* policy, quota, ownership, not found, an invalid config */
        CMD_EXIT_USAGE = 2,   /* bad arguments or local input */
        CMD_EXIT_SYSTEM = 3,  /* Docker, the berth daemon, the journal, the bus or a file failed */
};

enum {
        CMD_VERB_JSON = 1u << 0,       /* prints something: takes --json */
        CMD_VERB_OWN_CONFIG = 1u << 1, /* loads its own config (check-config DIR): none is loaded for it */
        CMD_VERB_COMMAND = 1u << 2,    /* "-- CMD…" after the arguments is a command, in args->command */
        CMD_VERB_STOP = 1u << 3,       /* parsing stops after the last argument: the rest is the command */
};

/* One option of a verb, as parsed: its getopt val and its argument. */
struct cmd_option {
        int key;
        const char *value;
};

/* A verb's command line once parsed: what the verb's run gets. */
struct cmd_args {
        char **args; /* the positional arguments, NULL-terminated */
        size_t n_args;
        char **command; /* after "--" or after the last argument (CMD_VERB_COMMAND, CMD_VERB_STOP), or NULL */
        struct cmd_option *options; /* the verb's own options, in the order given */
        size_t n_options;
        bool json;
        bool help;
};
void cmd_args_done(struct cmd_args *a);

struct cmd;

/* One verb: what it is called, how it is typed, what it takes. */
struct cmd_verb {
        const char *name;
        const char *const *aliases; /* NULL-terminated, or NULL */
        const char *usage;          /* "retire NAME [--save] [--force]", without the program */
        const char *help;           /* one line for the verb list */
        int min_args, max_args;     /* positional arguments; max_args -1: any number */
        unsigned flags;             /* CMD_VERB_* */
        const struct option *options; /* the verb's own long options ({} ends), or NULL */
        const char *shorts;         /* the verb's own short options, getopt style, or NULL */
        int (*run)(struct cmd *c, const struct cmd_args *a);
};

/* A program: its name (the prefix of every message), its verbs, and
 * whether it acts for the calling user (resolves who they are first). */
struct cmd_program {
        const char *name;
        const char *man; /* "container(1)" */
        const struct cmd_verb *verbs;
        size_t n_verbs;
        bool user;
};

/* Stop timeout of `container stop`/`retire` before Docker kills. */
#define CMD_STOP_GRACE_S 10

/* What a verb runs with. */
struct cmd {
        const struct cmd_program *program;
        const char *config_dir; /* --config, else $BERTH_CONFIG, else BERTH_CONFIG_DIR */
        struct berth_config *config; /* loaded unless CMD_VERB_OWN_CONFIG */
        bool json;                   /* --json */
        bool tty;                    /* stdin and stdout are terminals: prompts allowed */
        /* the caller, for programs with user set */
        char *user;
        uid_t uid;
        gid_t gid;
        char *home;
        int admin; /* -1 until asked; then the daemon's whoami answer: cmd_is_admin() */
        const char *admin_why; /* why the caller counts as no admin without the daemon's word, or NULL */
        bool config_trusted; /* config_dir is root's (config_dir_trusted()), or the caller is root */
        struct resolved_user ru;
        bool ru_loaded;
        struct docker *docker; /* opened by usercmd_docker() */
};

/* The whole main() of a command; returns the exit status. */
int cmd_main(const struct cmd_program *p, int argc, char **argv);

/* The verb NAME or one of its aliases names, or NULL. */
const struct cmd_verb *cmd_verb_find(const struct cmd_program *p, const char *name);
/* Parse a verb's words (argv[0] is the verb as typed) into *ret by the
 * verb's table entry: options, counts.  Returns 0, or CMD_EXIT_USAGE after
 * printing why. */
int cmd_parse(const struct cmd_program *p, const struct cmd_verb *v, int argc, char **argv, struct cmd_args *ret);

/* Load the config tree at c->config_dir or dir (every error of an
 * invalid tree printed) into *ret; 0, or the exit status to give. */
int cmd_load_config(struct cmd *c, const char *dir, struct berth_config **ret);

/* Print "<program>: …" to stderr and return status.  A message that starts
 * with "berth: " (from the policy or the daemon) keeps only the sentence. */
int cmd_fail(int status, const char *fmt, ...) _printf_(2, 3);
/* Print "<program>: warning: …" to stderr: something that works, but not
 * as meant. */
void cmd_warn(const char *fmt, ...) _printf_(1, 2);
/* The same for a message of Docker or the daemon: context (when not NULL)
 * before it, a full stop after it when it has none. */
int cmd_fail_message(int status, const char *context, const char *msg);

/* Print a JSON document on stdout, indented, with a newline; exit status. */
int cmd_print_json(json_t *v);

/* Whether the caller is an admin, as berth-slicemgr decides it from
 * SO_PEERCRED and the system config (DESIGN §5): one whoami round trip,
 * asked once.  The commands never decide it themselves; with no answer,
 * or a control socket named by a config tree the caller may write, the
 * caller is no admin (*ret_why, when not NULL, says why in a few words). */
bool cmd_is_admin(struct cmd *c, const char **ret_why);

/* One request to the daemon at the config's control socket.  A refusal
 * prints the daemon's sentence and gives CMD_EXIT_REFUSED (*ret_kind, when
 * not NULL, its "error" kind); a daemon out of reach CMD_EXIT_SYSTEM. */
int cmd_call(struct cmd *c, json_t *request, json_t **ret, char **ret_kind);
/* The same for a reserve that may wait in the GPU queue: progress on
 * stderr (JSON lines on stdout with --json) until the answer. */
int cmd_call_waiting(struct cmd *c, json_t *request, json_t **ret);
/* What the reaper makes of a container, for people, from its row of the
 * daemon's status: "idle 1h40min, stops in 20min", "busy", "exempt",
 * "stopped, GPUs freed in 12min"; NULL when the daemon says nothing. */
const char *cmd_reaper_text(json_t *row, char *buf, size_t n);
