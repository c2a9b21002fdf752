/* SPDX-License-Identifier: MIT */
/* What both halves of the docker command read before anything else: the
 * config directory and three keys of berth.conf's [daemon].  Compiled into
 * the static front (wrapper/front.c, built against musl) and into the
 * policy binary, so both find the same real docker the same way. */
#pragma once

#define WRAPPER_DEFAULT_REAL_DOCKER "/usr/bin/docker"

struct daemon_keys {
        char *real_docker;    /* absolute path, or NULL: WRAPPER_DEFAULT_REAL_DOCKER */
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
