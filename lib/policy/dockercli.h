/* SPDX-License-Identifier: MIT */
/* docker's command line, parsed the way the docker CLI (cobra/pflag) parses
 * it (DESIGN §5): global options, the command words ("run", "container
 * run", "image rm" …), then the command's own options and arguments.  The
 * flag tables are the union of both installed CLIs (/usr/bin/docker 20.10
 * and /usr/local/bin/docker 28), so what either accepts is understood and
 * anything else is refused by name: misparsing must never be a way around
 * policy.  Pure: no I/O (files named by --env-file/--label-file are read
 * through a callback). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/util.h"

struct docker_verb;

/* What the wrapper does with a command. */
enum docker_cmd {
        DOCKER_CMD_NONE,           /* no command word at all ("docker", "docker --help") */
        DOCKER_CMD_PASS,           /* not policed: version, images, pull, compose, events … */
        DOCKER_CMD_RUN,            /* run, container run */
        DOCKER_CMD_CREATE,         /* create, container create */
        DOCKER_CMD_TARGET,         /* container-targeting verbs (exec logs inspect … update) */
        DOCKER_CMD_PS,             /* ps, container ls|list|ps */
        DOCKER_CMD_BUILD,          /* build, image build, builder build, buildx build|b */
        DOCKER_CMD_PRUNE,          /* container|image|volume|network|system|builder|buildx prune */
        DOCKER_CMD_RMI,            /* rmi, image rm|remove */
        DOCKER_CMD_NETWORK_ATTACH, /* network connect|disconnect NETWORK CONTAINER */
        DOCKER_CMD_VOLUME_CREATE,  /* volume create */
        DOCKER_CMD_NETWORK_CREATE, /* network create */
        DOCKER_CMD_TAG,            /* tag, image tag SOURCE TARGET */
        DOCKER_CMD_IMPORT,         /* import, image import FILE|URL|- [REPOSITORY[:TAG]] */
        DOCKER_CMD_LOAD,           /* load, image load: the names come from the archive */
        DOCKER_CMD_ADMIN,          /* admin only: plugin install|enable|set|upgrade|create,
                                    * swarm/node/service/secret/config/stack writes,
                                    * system/container/image… prunes are DOCKER_CMD_PRUNE */
};

struct docker_invocation {
        enum docker_cmd cmd;
        const char *verb;   /* canonical, static: "run", "exec", "rm", "ps", "inspect",
                             * "cp", "rename", "update", "build" ("buildx" for buildx
                             * build|b), "rmi", "prune", "checkpoint", "volume-create",
                             * "network-connect" …; for a command berth does not
                             * know, the word as typed (points into argv) */
        const char *words;  /* the command words as typed, joined by a space, static
                             * storage of the parser: "container rm", "rm" */
        int words_at;       /* argv index of the first command word; argc when none */
        int args_at;        /* argv index of the first argument after the command words */
        /* Global options, last value given (NULL when absent). */
        const char *host;    /* -H/--host */
        const char *context; /* -c/--context */
        const char *config;  /* --config */
        bool help;           /* -h/--help anywhere before the command, or "help";
                              * says what the user asked, never that docker will
                              * only print help: police the command all the same */
        const struct docker_verb *spec; /* the parser's own entry for the command (opaque) */
};

/* Parse the global options and find the command.  An unknown global option
 * is an error (err says which).  argv[0] is the program name. */
int docker_parse_invocation(int argc, char *const *argv, struct docker_invocation *ret, struct berth_error *err);

/* One option as given to the command. */
struct docker_opt {
        const char *name;  /* canonical long name without dashes, static: "env", "volume" */
        const char *value; /* points into argv (or into the "--x=v" string); NULL for a boolean */
        int at;            /* argv index of the option word */
        int value_at;      /* argv index of a separate value word, -1 if none */
};

struct docker_args {
        struct docker_opt *opts;
        size_t n_opts;
        int *positionals; /* argv indexes of every positional word, in order */
        size_t n_positionals;
        /* run/create: argv index of the image (the command follows it and is
         * never looked at); exec/top: likewise, of the container.  -1: none. */
        int image_at;
        /* argv indexes of every word that names a container to be checked for
         * ownership: all positionals for rm/stop/kill/…, the first for
         * logs/exec/commit/port/rename(OLD)…, the words with a "NAME:" prefix
         * for cp (target_colon[i] set: only the part before ':' is a name),
         * the CONTAINER of network connect/disconnect. */
        int *targets;
        bool *target_colon;
        size_t n_targets;
        int rename_new_at; /* rename: argv index of NEW_NAME, -1 if none */
        int dashdash_at;   /* argv index of a "--" that ended the options, -1 if none */
        bool help;         /* -h/--help (last value true) was given to the command */
};

void docker_args_done(struct docker_args *a);

/* Parse the command's options and arguments (argv[inv->args_at…]).  Knows
 * which options take a value (--flag v, --flag=v, -fv, -f v, -f=v), boolean
 * bundles (-itd; -it=false sets t to false, as pflag does), repeated options
 * and "--".  An option the command does not have is an error naming it.  For
 * DOCKER_CMD_PASS the parse is not needed and returns -EOPNOTSUPP
 * (so do DOCKER_CMD_ADMIN and DOCKER_CMD_NONE). */
int docker_parse_args(const struct docker_invocation *inv, int argc, char *const *argv, struct docker_args *ret,
                      struct berth_error *err);

/* The value of the last occurrence of an option (canonical name), or NULL;
 * docker_args_has() for booleans ("--privileged", "--privileged=true"). */
const char *docker_args_last(const struct docker_args *a, const char *name);
bool docker_args_has(const struct docker_args *a, const char *name);
