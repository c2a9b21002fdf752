/* SPDX-License-Identifier: MIT */
/* A line on a user's terminals, like wall(1) for one user: the ttys of
 * their logind sessions.  The daemon writing is root, so a terminal is
 * written only when it is a tty the user owns. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "basic/error.h"

/* Whether a logind session's TTY is a plain terminal name: "pts/N" or
 * "tty" followed by letters and a number ("tty2", "ttyS0"). */
bool terminal_name_valid(const char *tty);
/* Opens /dev/<tty> for writing without blocking or taking it as the
 * controlling terminal; -EINVAL for a name that is not a terminal's,
 * -EPERM unless it is a character device owned by uid (no link followed),
 * -ENOTTY unless that device is a tty. */
int terminal_open(const char *tty, uid_t uid, int *ret_fd);
/* The same with tty relative to dir_fd instead of /dev (for the tests). */
int terminal_open_at(int dir_fd, const char *tty, uid_t uid, int *ret_fd);
/* text as a wall(1)-style message: bell and a new line first, "\r\n" line
 * ends, every other control byte (and anything not printable ASCII) '?'. */
char *terminal_message(const char *text);
/* Writes text (terminal_message()) to each tty of uid's logind sessions
 * once, never blocking: a terminal that would block is skipped.
 * *ret_reached: how many terminals took the whole message. */
int terminals_notify_user(uid_t uid, const char *text, unsigned *ret_reached, struct berth_error *err);
/* The same for a user by name (NSS). */
int terminals_notify_user_name(const char *user, const char *text, unsigned *ret_reached, struct berth_error *err);
