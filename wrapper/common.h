/* SPDX-License-Identifier: MIT */
/* What both halves of the docker command share: the config directory and
 * three keys of berth.conf's [daemon], and the argv rewrites that ps and
 * the container-targeting verbs get.  Compiled into the static front
 * (wrapper/front.c, built against musl) and into the policy binary, so both
 * find the same real docker and rewrite a command the same way. */
#pragma once

#include <stdbool.h>

#include <jansson.h>

#include "policy/dockercli.h"

/* How long the policy half waits for berth-slicemgr; the front waits
 * WRAPPER_FRONT_TIMEOUT_MS and then leaves the command to the policy half. */
#define WRAPPER_SLICEMGR_TIMEOUT_MS 15000
#define WRAPPER_FRONT_TIMEOUT_MS 2000

struct daemon_keys {
        char *real_docker;    /* absolute path, or NULL: BERTH_DEFAULT_REAL_DOCKER */
        char *control_socket; /* absolute path, or NULL */
        char *admin_group;    /* or NULL */
};

/* $BERTH_CONFIG if root owns it and nobody else may write it, else
 * BERTH_CONFIG_DIR. */
const char *wrapper_config_dir(void);
/* Read [daemon] real_docker, control_socket and admin_group of
 * DIR/berth.conf into *k (fields left NULL when absent or unreadable). */
void wrapper_daemon_keys(const char *dir, struct daemon_keys *k);
void wrapper_daemon_keys_free(struct daemon_keys *k);

/* docker ps for a non-admin: argv[0..args_at) "--filter"
 * "label=berth.user=USER" argv[args_at..argc).  *ret is a new strv. */
int wrapper_ps_argv(int argc, char *const *argv, int args_at, const char *user, char ***ret);

/* A container-targeting verb whose rules are more than "every target is the
 * caller's": exec --privileged, update (limits), rename (the new name),
 * stats with no names.  The front leaves these to the policy half. */
bool wrapper_targets_need_policy(const struct docker_invocation *inv, const struct docker_args *a);

/* The word docker gets for a target: when berth-slicemgr found the plain
 * NAME as FULL = NAME._.USER, FULL (with the ":path" of a cp argument
 * kept); *ret is NULL when the word stays as typed.  Negative errno. */
int wrapper_target_word(const char *word, bool colon, const char *name, const char *full, const char *user, char **ret);

/* The names a container-targeting command's targets give (the part before
 * ':' of a cp argument), in order; *ret is a new strv. */
int wrapper_target_names(char *const *argv, const struct docker_args *a, char ***ret);

/* Ask berth-slicemgr at SOCKET who owns each name (containers, or images);
 * *ret is its "targets" array, one entry per name, and *ret_admin whether
 * the caller is an admin.  -EPERM with the daemon's sentence in err when it
 * says no; other negative errno when it cannot be asked. */
int wrapper_ask_owner(const char *socket, char **names, bool images, int timeout_ms, json_t **ret, bool *ret_admin,
                      struct berth_error *err);
