/* SPDX-License-Identifier: MIT */
/* What the user commands `container` and `image` share (DESIGN §6): who the
 * caller is, the config, the Docker connection, the slicemgr round trip,
 * the ownership check of a named container, prompts that only happen on a
 * terminal, the real docker CLI for the interactive verbs, and what a
 * container's cgroup files say.
 *
 * These helpers sit at the top of the call chain: the ones documented as
 * returning an exit status print their one sentence to stderr themselves,
 * so a verb can write `if ((rc = usercmd_docker(u, &d)) != 0) return rc;`.
 * The caller (user, uid, home, admin) is in struct cmd: these programs set
 * cmd_program.user. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "common/cmd.h"
#include "system/docker.h"

/* The exit status for a Docker error: -ENOENT (nothing of that name) is a
 * refusal, the rest are backend errors. */
int usercmd_docker_status(int r);

/* Opens the Docker connection on the config's docker_socket (the commands
 * never follow DOCKER_HOST: berth's ledger only sees that daemon). */
int usercmd_docker(struct cmd *u, struct docker **ret);
/* The caller's resolved limits (config_resolve_user). */
int usercmd_resolved(struct cmd *u, const struct resolved_user **ret);

/* NAME → "NAME._.<user>" (a name already carrying the caller's own suffix
 * is accepted as is; another user's suffix is refused). */
int usercmd_container_name(struct cmd *u, const char *name, char **ret_full);
/* Resolve NAME to one of the caller's own containers: inspects it and checks
 * its berth.user label (admins may name anyone's full name).  Exit status;
 * *ret_inspect and *ret_full on success. */
int usercmd_own_container(struct cmd *u, const char *name, json_t **ret_inspect, char **ret_full);

/* Run the real docker CLI (config real_docker) against docker_socket with
 * args after the global options.  exec_it: replace this process (never
 * returns on success); else fork, wait and return an exit status (the
 * child's, or CMD_EXIT_SYSTEM when it could not run).  extra_env: one
 * "K=V" to add, or NULL; stdout_to_stderr keeps stdout free for --json. */
int usercmd_run_docker(struct cmd *u, char *const *args, bool exec_it, const char *extra_env,
                       bool stdout_to_stderr);

/* Ask on the terminal; only call when u->tty.  *ret: the answer, or a copy
 * of def when the answer is empty. */
int usercmd_ask(struct cmd *u, const char *prompt, const char *def, char **ret);
/* A yes/no question on the terminal, default no. */
bool usercmd_confirm(struct cmd *u, const char *fmt, ...) _printf_(2, 3);

/* Expand "~" or "~/…" with the caller's home. */
int usercmd_expand_home(struct cmd *u, const char *path, char **ret);

/* Human durations and times: "3h 12min", "2d 4h". */
char *usercmd_format_uptime(uint64_t seconds, char *buf, size_t n);

/* --- shared by `container retire` and `image delete --force` ------------ */

/* One audit entry about a container of the caller (gpus, reason may be NULL). */
void usercmd_audit(struct cmd *u, int event, const char *container, const char *gpus, const char *reason,
                   const char *fmt, ...) _printf_(6, 7);

/* Retire one of the caller's containers (inspect as from
 * usercmd_own_container()): with save_ref, commit it to that image first
 * (labelled as the caller's, berth's per-container labels cleared); stop it
 * with CMD_STOP_GRACE_S (0 with force), remove it, audit
 * container.retire.  Progress goes to stderr when quiet is false.  Exit status. */
int usercmd_retire(struct cmd *u, json_t *inspect, const char *full, const char *save_ref, bool force, bool quiet);

/* The caller's berth image "berth/<user>/<name>:latest". */
int usercmd_user_image(struct cmd *u, const char *name, char **ret);
