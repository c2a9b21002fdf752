/* SPDX-License-Identifier: MIT */
/* The operations of the control socket (ops.c). */
#pragma once

#include <stddef.h>
#include <sys/socket.h>

#include "manager.h"
#include "system/docker.h"

/* One reply line (newline included) for one request line (without its
 * newline) from peer; NULL only when out of memory. */
char *ops_handle(Manager *m, const struct ucred *peer, const char *line, size_t len);

/* A request that must ask Docker (an owner question the mirror cannot
 * answer), held while it is asked off the loop. */
struct ops_deferred;

/* As ops_handle(), but a request that must ask Docker returns NULL with
 * *ret_deferred set: run ops_deferred_run() on it from another thread (it
 * touches nothing of m), then ops_deferred_finish() on the loop.  NULL with
 * *ret_deferred NULL: out of memory. */
char *ops_handle_deferrable(Manager *m, const struct ucred *peer, const char *line, size_t len,
                            struct ops_deferred **ret_deferred);
/* Who asked (to share the Docker thread fairly between callers). */
uid_t ops_deferred_uid(const struct ops_deferred *x);
/* Asks d (NULL: Docker cannot be reached) what the mirror did not know. */
void ops_deferred_run(struct ops_deferred *x, struct docker *d);
/* The reply line (NULL when out of memory); x is freed. */
char *ops_deferred_finish(struct ops_deferred *x);
void ops_deferred_free(struct ops_deferred *x);
