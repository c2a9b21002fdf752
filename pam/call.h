/* SPDX-License-Identifier: MIT */
/* Talking to berth-slicemgr as the user who logs in.  The daemon knows its
 * callers only by SO_PEERCRED, and a PAM session module runs as root, so
 * the requests go out from a forked child that has become the user. */
#pragma once

#include <sys/types.h>

#include "basic/util.h"

/* Sends each request of the JSON array requests over one connection to
 * socket_path, from a child running as uid/gid with no supplementary groups,
 * and returns the daemon's replies (ok or not) as a JSON array in *ret.
 * Everything, fork and connect included, ends within timeout_ms: a child
 * still running then is killed and reaped.  Transport failures are negative
 * (-ETIMEDOUT, -ECONNREFUSED, -ENOENT, …) with one sentence in err. */
int call_as_user(const char *socket_path, uid_t uid, gid_t gid, json_t *requests, int timeout_ms, json_t **ret,
                 struct berth_error *err);
