/* SPDX-License-Identifier: MIT */
/* The client side of the slicemgr control socket, for the wrapper, the
 * commands, pam_berth and berth-gate: one connection, JSON lines, bounded
 * timeouts. */
#pragma once

#include <stdbool.h>

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

/* A request that may wait in the GPU queue ({"op":"reserve",…,"wait":true}):
 * each progress line ({"ok":true,"queued":true,"position":N,…}) goes to
 * on_progress (may be NULL) as it comes; the wait has no time limit (the
 * daemon holds the connection; closing it leaves the queue).  Then as
 * slicemgr_call() with the final reply. */
#define SLICEMGR_WAIT_FIRST_MS 10000
typedef void (*slicemgr_progress_t)(json_t *progress, void *userdata);
int slicemgr_call_waiting(const char *socket_path, json_t *request, slicemgr_progress_t on_progress, void *userdata,
                          json_t **ret, char **ret_kind, struct berth_error *err);
/* A progress line for people on stderr: the daemon's message and when a
 * GPU may be free, one line a terminal overwrites (a slicemgr_progress_t;
 * userdata unused); slicemgr_progress_end() ends that line once the wait is
 * over. */
void slicemgr_progress_show(json_t *progress, void *userdata);
void slicemgr_progress_end(void);

/* Ask berth-slicemgr at SOCKET who owns each of names, of kind "container",
 * "image", "volume" or "network"; on_behalf, when not NULL, goes along as
 * "for" ({"uid":N,"gid":N,"pid":N}: the caller a root daemon asks for,
 * honoured from root only).  *ret_targets is the reply's "targets" array,
 * one answer object per name in order, and *ret_admin (may be NULL) whether
 * the one asked about is an admin.  -EPERM with the daemon's sentence in err
 * when it says no; other negative errno when it cannot be asked. */
int slicemgr_ask_owner(const char *socket, json_t *on_behalf, const char *kind, char **names, int timeout_ms,
                       json_t **ret_targets, bool *ret_admin, struct berth_error *err);

/* The same on a connection the caller keeps (*keep, NULL at first, freed
 * with slicemgr_client_free()): berth-gate's workers ask for nearly every
 * request, and a connection per question is most of its cost.  A kept
 * connection the daemon has closed is made afresh once. */
int slicemgr_ask_owner_kept(struct slicemgr_client **keep, const char *socket, json_t *on_behalf, const char *kind,
                            char **names, int timeout_ms, json_t **ret_targets, bool *ret_admin,
                            struct berth_error *err);
