/* SPDX-License-Identifier: MIT */
#pragma once

#include "common/usercmd.h"

/* Every verb of `container`, run by the framework (common/cmd.h) with its
 * parsed command line.  Returns the exit status. */
int verb_deploy(struct cmd *u, const struct cmd_args *a);
int verb_retire(struct cmd *u, const struct cmd_args *a);
int verb_list(struct cmd *u, const struct cmd_args *a);
int verb_shell(struct cmd *u, const struct cmd_args *a);
int verb_stop(struct cmd *u, const struct cmd_args *a);
int verb_start(struct cmd *u, const struct cmd_args *a);
int verb_restart(struct cmd *u, const struct cmd_args *a);
int verb_logs(struct cmd *u, const struct cmd_args *a);
int verb_stats(struct cmd *u, const struct cmd_args *a);
int verb_queue(struct cmd *u, const struct cmd_args *a);
