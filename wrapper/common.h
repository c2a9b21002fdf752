/* SPDX-License-Identifier: MIT */
/* What both halves of the docker command share: the config directory and
 * three keys of berth.conf's [daemon], and the argv rewrites that ps and
 * the container-targeting verbs get.  Compiled into the static front
 * (wrapper/front.c, built against musl) and into the policy binary, so both
 * find the same real docker and rewrite a command the same way. */
#pragma once

#include <stdbool.h>

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
 * caller's": exec --privileged or with environment (GPU variables), update
 * (limits), rename (the new name), stats with no names, commit (the image
 * name and --change), checkpoints and start --checkpoint (admins only).  The front leaves
 * these to the policy half, and exec and cp into a container with host
 * paths (owner_host_paths()). */
bool wrapper_targets_need_policy(const struct docker_invocation *inv, const struct docker_args *a);

/* A command docker would pass through that berth refuses or polices all
 * the same: compose, buildx bake, buildx create|inspect --bootstrap (they
 * start containers berth cannot see; the API gate will hold them), volume
 * and network rm|remove|inspect (other users' volumes and networks), pull
 * (and image pull) with a word in berth/ (name_image_berth_part(): it
 * could move another user's tag).  A few string compares: the front asks
 * this on its pass-through path. */
bool wrapper_pass_needs_policy(const struct docker_invocation *inv, int argc, char *const *argv);


/* The word docker gets for a target: when berth-slicemgr found the plain
 * NAME as FULL = NAME._.USER, FULL (with the ":path" of a cp argument
 * kept); *ret is NULL when the word stays as typed.  Negative errno. */
int wrapper_target_word(const char *word, bool colon, const char *name, const char *full, const char *user, char **ret);

/* The word docker gets for a target the owner op found with its full id:
 * ID (with the ":path" of a cp argument kept), so that the container checked
 * is the one docker acts on even if the name moves meanwhile.  *ret is NULL
 * when id is not a full id (the word stays, or wrapper_target_word()). */
int wrapper_target_id_word(const char *word, bool colon, const char *name, const char *id, char **ret);

/* The names a container-targeting command's targets give (the part before
 * ':' of a cp argument), in order; *ret is a new strv. */
int wrapper_target_names(char *const *argv, const struct docker_args *a, char ***ret);
