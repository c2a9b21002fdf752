/* SPDX-License-Identifier: MIT */
/* The config directory and berth.conf's [daemon] keys, read the same way by
 * the static front and by the policy binary (see quick.h). */
#include "quick.h"

#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"

/* A user could otherwise write a permissive policy of their own and point
 * the variable at it, so it is honoured only for a directory that root owns
 * and nobody else may write (DESIGN §5: no environment variable turns the
 * wrapper off for ordinary users). */
const char *wrapper_config_dir(void) {
        const char *e = secure_getenv("BERTH_CONFIG");
        struct stat st;
        if (!e || !*e || e[0] != '/')
                return BERTH_CONFIG_DIR;
        if (stat(e, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
                return BERTH_CONFIG_DIR;
        return e;
}

static void take(char **field, const char *value) {
        free(*field);
        *field = strdup(value);
}

static int daemon_key(void *userdata, const char *section, const char *name, const char *value) {
        struct daemon_keys *k = userdata;
        if (strcmp(section, "daemon") != 0 || !value)
                return 1;
        if (strcmp(name, "real_docker") == 0 && value[0] == '/')
                take(&k->real_docker, value);
        else if (strcmp(name, "control_socket") == 0 && value[0] == '/')
                take(&k->control_socket, value);
        else if (strcmp(name, "admin_group") == 0)
                take(&k->admin_group, value);
        return 1;
}

void wrapper_daemon_keys(const char *dir, struct daemon_keys *k) {
        char path[PATH_MAX];
        *k = (struct daemon_keys) { 0 };
        if ((size_t) snprintf(path, sizeof(path), "%s/berth.conf", dir) >= sizeof(path))
                return;
        (void) ini_parse(path, daemon_key, k);
}

void wrapper_daemon_keys_free(struct daemon_keys *k) {
        free(k->real_docker);
        free(k->control_socket);
        free(k->admin_group);
        *k = (struct daemon_keys) { 0 };
}
