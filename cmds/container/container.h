/* SPDX-License-Identifier: MIT */
#pragma once

#include "common/usercmd.h"

/* Every verb of `container`: argv[0] is the verb.  Returns the exit status. */
int verb_deploy(struct usercmd *u, int argc, char **argv);
int verb_retire(struct usercmd *u, int argc, char **argv);
int verb_list(struct usercmd *u, int argc, char **argv);
int verb_shell(struct usercmd *u, int argc, char **argv);
int verb_stop(struct usercmd *u, int argc, char **argv);
int verb_start(struct usercmd *u, int argc, char **argv);
int verb_restart(struct usercmd *u, int argc, char **argv);
int verb_logs(struct usercmd *u, int argc, char **argv);
int verb_stats(struct usercmd *u, int argc, char **argv);
