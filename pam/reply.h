/* SPDX-License-Identifier: MIT */
/* What pam_berth makes of the daemon's replies: the greeting line and the
 * limits handed to pam_systemd.  Pure, for the unit tests. */
#pragma once

#include "basic/util.h"

/* One line from a whoami reply: group, CPUs, memory, GPUs, containers held.
 * -EBADMSG when the reply lacks what the line needs. */
int greeting_format(json_t *whoami, char **ret);

/* The strings pam_systemd takes as systemd.memory_max, systemd.tasks_max and
 * systemd.cpu_weight; an empty string: unlimited, leave it unset. */
struct session_limits {
        char memory_max[32]; /* bytes: the user's memory */
        char tasks_max[32];  /* the user's tasks */
        char cpu_weight[16]; /* 100 per CPU of the user's quota, 1 to 10000 */
};

/* From the "limits" object of an ensure-slice or whoami reply. */
int session_limits_from_json(json_t *limits, struct session_limits *ret);
