/* SPDX-License-Identifier: MIT */
/* The option tables of dockercli.c (generated data in dockercli-tables.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "basic/util.h"

enum docker_flag_kind {
        DOCKER_FLAG_BOOL,     /* --x, --x=true|false; -x bundles */
        DOCKER_FLAG_VALUE,    /* --x v, --x=v, -xv, -x v, -x=v */
        DOCKER_FLAG_OPTIONAL, /* pflag NoOptDefVal: --x alone, or --x=v only */
};

/* A flag that only some commands sharing a table have. */
enum {
        DOCKER_FLAG_ONLY_RUN = 1u << 0, /* run has it, create does not (--detach, --sig-proxy …) */
};

struct docker_flag {
        const char *name; /* long name, no dashes */
        char shorthand;   /* 0: none */
        enum docker_flag_kind kind;
        unsigned only;    /* DOCKER_FLAG_ONLY_*: left out of tables that exclude it */
};

struct docker_flag_table {
        const struct docker_flag *flags;
        size_t n_flags;
        unsigned exclude; /* flags whose only has one of these bits are not this command's */
};

enum docker_flags_id {
        DOCKER_FLAGS_GLOBAL,
        DOCKER_FLAGS_RUN,
        DOCKER_FLAGS_CREATE,
        DOCKER_FLAGS_EXEC,
        DOCKER_FLAGS_LOGS,
        DOCKER_FLAGS_STATS,
        DOCKER_FLAGS_ATTACH,
        DOCKER_FLAGS_TOP,
        DOCKER_FLAGS_PORT,
        DOCKER_FLAGS_DIFF,
        DOCKER_FLAGS_EXPORT,
        DOCKER_FLAGS_WAIT,
        DOCKER_FLAGS_CP,
        DOCKER_FLAGS_COMMIT,
        DOCKER_FLAGS_STOP,
        DOCKER_FLAGS_START,
        DOCKER_FLAGS_RESTART,
        DOCKER_FLAGS_PAUSE,
        DOCKER_FLAGS_UNPAUSE,
        DOCKER_FLAGS_KILL,
        DOCKER_FLAGS_RM,
        DOCKER_FLAGS_RENAME,
        DOCKER_FLAGS_UPDATE,
        DOCKER_FLAGS_INSPECT,
        DOCKER_FLAGS_CONTAINER_INSPECT,
        DOCKER_FLAGS_PS,
        DOCKER_FLAGS_BUILD,
        DOCKER_FLAGS_RMI,
        DOCKER_FLAGS_TAG,
        DOCKER_FLAGS_IMPORT,
        DOCKER_FLAGS_LOAD,
        DOCKER_FLAGS_CONTAINER_PRUNE,
        DOCKER_FLAGS_IMAGE_PRUNE,
        DOCKER_FLAGS_VOLUME_PRUNE,
        DOCKER_FLAGS_NETWORK_PRUNE,
        DOCKER_FLAGS_SYSTEM_PRUNE,
        DOCKER_FLAGS_BUILDER_PRUNE,
        DOCKER_FLAGS_NETWORK_CONNECT,
        DOCKER_FLAGS_NETWORK_DISCONNECT,
        DOCKER_FLAGS_VOLUME_CREATE,
        DOCKER_FLAGS_NETWORK_CREATE,
        DOCKER_FLAGS_CHECKPOINT_CREATE,
        DOCKER_FLAGS_CHECKPOINT_LS,
        DOCKER_FLAGS_CHECKPOINT_RM,
        _DOCKER_FLAGS_MAX,
};

extern const struct docker_flag_table docker_flag_tables[_DOCKER_FLAGS_MAX];
