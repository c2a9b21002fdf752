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
int verb_reload(struct cmd *ctl, const struct cmd_args *a);
int verb_release(struct cmd *ctl, const struct cmd_args *a);
int verb_doctor(struct cmd *ctl, const struct cmd_args *a);

/* Local time "YYYY-MM-DD HH:MM:SS" of a wall-clock time in microseconds. */
const char *ctl_fmt_time(uint64_t usec, char *buf, size_t n);
