/* SPDX-License-Identifier: MIT */
/* The operations of the control socket (ops.c). */
#pragma once

#include <stddef.h>
#include <sys/socket.h>

#include "manager.h"
#include "queue.h"
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

/* How a reserve with "wait":true may wait (see queue.h). */
struct ops_wait {
        const struct queue_place *place; /* asked again from the queue; NULL: a new request */
        bool *ret_wait;                  /* with place: set when it must wait on (the reply is NULL) */
        queue_send_t send;               /* without place: where a new waiter's lines go */
        void *conn;
        struct waiter **ret_waiter;      /* without place: set when it joined the queue (the reply is NULL) */
};
/* As ops_handle_deferrable(), and a reserve that may wait joins the queue:
 * NULL with *w->ret_waiter set. */
char *ops_handle_control(Manager *m, const struct ucred *peer, const char *line, size_t len,
                         struct ops_deferred **ret_deferred, const struct ops_wait *w);
/* A waiter's request asked again: its reply, or NULL with *ret_wait set
 * when it still waits (NULL alone: out of memory). */
char *ops_handle_queued(Manager *m, const struct ucred *peer, const char *line, size_t len,
                        const struct queue_place *place, bool *ret_wait);
/* The queue's callbacks (queue_ask_t, queue_times_t), userdata the Manager. */
char *ops_queue_ask(void *userdata, const struct ucred *peer, const char *line, size_t len,
                    const struct queue_place *place, bool *ret_wait);
size_t ops_release_times(void *userdata, uint64_t now_usec, uint64_t **ret);
