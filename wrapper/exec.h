/* SPDX-License-Identifier: MIT */
/* Running the real docker: in our place, or as a child whose status we
 * report. */
#pragma once

#include "basic/macro.h"
#include "context.h"

_noreturn_ void wrapper_exec(struct wrapper *w, char **argv);
/* Run real docker with argv as a child, forwarding signals sent to us;
 * returns its exit status the way a shell reports it. */
int wrapper_spawn(struct wrapper *w, char **argv);
/* Run real docker with argv as a child, its stdout read into *ret (at most
 * 64 KiB, stderr dropped); 0 when it exited 0, else negative errno. */
int wrapper_capture(struct wrapper *w, char **argv, char **ret);
