/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <stdio.h>

#include "common/cmd.h"
#include "common/table.h"
#include "core/config.h"
#include "core/limits.h"

/* Every verb of berthctl, run by the framework (common/cmd.h) with the
 * config loaded (check-config loads its own).  Returns the exit status. */
int verb_check_config(struct cmd *ctl, const struct cmd_args *a);
int verb_status(struct cmd *ctl, const struct cmd_args *a);
int verb_quota(struct cmd *ctl, const struct cmd_args *a);
int verb_audit(struct cmd *ctl, const struct cmd_args *a);
int verb_slices(struct cmd *ctl, const struct cmd_args *a);
int verb_metrics(struct cmd *ctl, const struct cmd_args *a);
int verb_reload(struct cmd *ctl, const struct cmd_args *a);
int verb_release(struct cmd *ctl, const struct cmd_args *a);
int verb_exempt(struct cmd *ctl, const struct cmd_args *a);
/* A point in time, in wall-clock microseconds: "YYYY-MM-DD", "YYYY-MM-DD
 * HH:MM[:SS]" (local time), "-1h" (before now), "+2h" (after now), "today",
 * "yesterday", "now", "@EPOCH". */
int ctl_parse_time(const char *s, uint64_t *ret);
int verb_doctor(struct cmd *ctl, const struct cmd_args *a);

/* Local time "YYYY-MM-DD HH:MM:SS" of a wall-clock time in microseconds. */
const char *ctl_fmt_time(uint64_t usec, char *buf, size_t n);

/* What [daemon] real_docker names (doctor's row, check-config's warning). */
enum real_docker_state {
        REAL_DOCKER_OK,
        REAL_DOCKER_MISSING,     /* cannot be opened: *ret_errno says why */
        REAL_DOCKER_NOT_PROGRAM, /* not a regular file, or not executable */
        REAL_DOCKER_FRONT,       /* berth's own front: the wrapper would run itself */
};
enum real_docker_state real_docker_inspect(const char *path, int *ret_errno);
