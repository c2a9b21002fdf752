/* SPDX-License-Identifier: MIT */
/* Which configuration directory a program uses, and whether it is root's:
 * the front ends (wrapper and commands, running as the user) take policy
 * from a directory only when root owns it and nobody else may write it
 * (DESIGN §5: a user's own --config or $BERTH_CONFIG may point at sockets,
 * never loosen a rule).  Kept apart from the loader so the static docker
 * front links only this. */
#include "core/config.h"

#include <stdlib.h>
#include <sys/stat.h>

const char *config_dir_resolve(const char *arg) {
        const char *env = getenv("BERTH_CONFIG");
        if (arg && *arg)
                return arg;
        return env && *env ? env : BERTH_CONFIG_DIR;
}

bool config_dir_trusted(const char *dir) {
        struct stat st;
        return dir && dir[0] == '/' && stat(dir, &st) >= 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
               !(st.st_mode & (S_IWGRP | S_IWOTH));
}
