/* SPDX-License-Identifier: MIT */
/* What the user commands `container` and `image` share (DESIGN §6): who the
 * caller is, the config, the Docker connection, the slicemgr round trip,
 * the ownership check of a named container, prompts that only happen on a
 * terminal, the real docker CLI for the interactive verbs, and what a
 * container's cgroup files say.
 *
 * These helpers sit at the top of the call chain: the ones documented as
 * returning an exit status print their one sentence to stderr themselves,
 * so a verb can write `if ((rc = usercmd_docker(u, &d)) != 0) return rc;`. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "core/config.h"
#include "system/docker.h"
#include "basic/util.h"

/* The exit statuses of both commands (documented in container(1), image(1)). */
enum {
        USERCMD_EXIT_OK = 0,
        USERCMD_EXIT_REFUSED = 1, /* policy, quota, ownership, a taken name, nothing of that name */
        USERCMD_EXIT_USAGE = 2,   /* bad arguments or local input */
        USERCMD_EXIT_BACKEND = 3, /* Docker or berth-slicemgr failed or could not be reached */
};

/* Stop timeout of `container stop`/`retire` before Docker kills. */
#define USERCMD_STOP_GRACE_S 10

struct usercmd {
        const char *program;
        struct berth_config *config;
        char *user;  /* the caller, from getuid() */
        uid_t uid;
        gid_t gid;
        char *home;
        bool admin;  /* root or a member of admin_group */
        bool tty;    /* stdin and stdout are terminals: prompts allowed */
        bool json;   /* --json */
        struct resolved_user ru;
        bool ru_loaded;
        struct docker *docker; /* opened by usercmd_docker() */
};

/* Loads the config (--config DIR, $BERTH_CONFIG, /etc/berth) and the
 * caller's identity.  Returns an exit status. */
int usercmd_init(struct usercmd *u, const char *program, const char *config_dir);

/* One verb of a user command: its name, what runs it (argv[0] is the verb)
 * and its line in the usage. */
struct usercmd_verb {
        const char *name;
        int (*run)(struct usercmd *u, int argc, char **argv);
        const char *help;
};
/* The whole main() of a user command: [--config DIR] [--help] VERB ARGS…,
 * the verb run with a struct usercmd set up for PROGRAM; returns the exit
 * status. */
int usercmd_main(const char *program, const struct usercmd_verb *verbs, size_t n_verbs, int argc, char **argv);
void usercmd_done(struct usercmd *u);

/* Print "berth: …" (fmt is the sentence after the prefix when it does not
 * start with "berth: ") to stderr and return status. */
int usercmd_fail(int status, const char *fmt, ...) _printf_(2, 3);
/* The exit status for a Docker error: -ENOENT (nothing of that name) is a
 * refusal, the rest are backend errors. */
int usercmd_docker_status(int r);

/* Opens the Docker connection on the config's docker_socket (the commands
 * never follow DOCKER_HOST: berth's ledger only sees that daemon). */
int usercmd_docker(struct usercmd *u, struct docker **ret);
/* The caller's resolved limits (config_resolve_user). */
int usercmd_resolved(struct usercmd *u, const struct resolved_user **ret);

/* One slicemgr request.  A refusal prints the daemon's sentence and gives
 * USERCMD_EXIT_REFUSED (*ret_kind, when not NULL, its "error" kind); a
 * transport error USERCMD_EXIT_BACKEND. */
int usercmd_slicemgr(struct usercmd *u, json_t *request, json_t **ret, char **ret_kind);

/* NAME → "NAME._.<user>" (a name already carrying the caller's own suffix
 * is accepted as is; another user's suffix is refused). */
int usercmd_container_name(struct usercmd *u, const char *name, char **ret_full);
/* Resolve NAME to one of the caller's own containers: inspects it and checks
 * its berth.user label (admins may name anyone's full name).  Exit status;
 * *ret_inspect and *ret_full on success. */
int usercmd_own_container(struct usercmd *u, const char *name, json_t **ret_inspect, char **ret_full);

/* Run the real docker CLI (config real_docker) against docker_socket with
 * args after the global options.  exec_it: replace this process (never
 * returns on success); else fork, wait and return an exit status (the
 * child's, or USERCMD_EXIT_BACKEND when it could not run).  extra_env: one
 * "K=V" to add, or NULL; stdout_to_stderr keeps stdout free for --json. */
int usercmd_run_docker(struct usercmd *u, char *const *args, bool exec_it, const char *extra_env,
                       bool stdout_to_stderr);

/* Ask on the terminal; only call when u->tty.  *ret: the answer, or a copy
 * of def when the answer is empty. */
int usercmd_ask(struct usercmd *u, const char *prompt, const char *def, char **ret);
/* A yes/no question on the terminal, default no. */
bool usercmd_confirm(struct usercmd *u, const char *fmt, ...) _printf_(2, 3);

/* Print a JSON value to stdout, indented, with a newline. */
int usercmd_print_json(json_t *v);

/* Expand "~" or "~/…" with the caller's home. */
int usercmd_expand_home(struct usercmd *u, const char *path, char **ret);

/* Human durations and times: "3h 12min", "2d 4h". */
char *usercmd_format_uptime(uint64_t seconds, char *buf, size_t n);

/* --- shared by `container retire` and `image delete --force` ------------ */

/* One audit entry about a container of the caller (gpus, reason may be NULL). */
void usercmd_audit(struct usercmd *u, int event, const char *container, const char *gpus, const char *reason,
                   const char *fmt, ...) _printf_(6, 7);

/* Retire one of the caller's containers (inspect as from
 * usercmd_own_container()): with save_ref, commit it to that image first
 * (labelled as the caller's, berth's per-container labels cleared); stop it
 * with USERCMD_STOP_GRACE_S (0 with force), remove it, audit
 * container.retire.  Progress goes to stderr when quiet is false.  Exit status. */
int usercmd_retire(struct usercmd *u, json_t *inspect, const char *full, const char *save_ref, bool force, bool quiet);

/* The caller's berth image "berth/<user>/<name>:latest". */
int usercmd_user_image(struct usercmd *u, const char *name, char **ret);
