/* SPDX-License-Identifier: MIT */
/* The client side of the slicemgr control socket, for the wrapper, the
 * commands and pam_berth: one connection, JSON lines, bounded timeouts. */
#pragma once

#include "basic/util.h"

struct slicemgr_client;

/* Connect within timeout_ms.  A daemon that is not there is -ECONNREFUSED or
 * -ENOENT with a sentence in err. */
int slicemgr_client_connect(const char *socket_path, int timeout_ms, struct slicemgr_client **ret,
                            struct berth_error *err);
void slicemgr_client_free(struct slicemgr_client *c);
static inline void slicemgr_client_freep(struct slicemgr_client **c) {
        slicemgr_client_free(*c);
}
#define _cleanup_slicemgr_client_ _cleanup_(slicemgr_client_freep)

/* Send one request and wait (timeout_ms in all) for its reply.  The reply is
 * returned whether ok is true or false; transport errors are negative. */
int slicemgr_client_call(struct slicemgr_client *c, json_t *request, int timeout_ms, json_t **ret,
                         struct berth_error *err);

/* Connect, call, close.  A reply with "ok":false gives -EPERM and the
 * daemon's message in err (err->message), its "error" kind in *ret_kind. */
int slicemgr_call(const char *socket_path, json_t *request, int timeout_ms, json_t **ret, char **ret_kind,
                  struct berth_error *err);
