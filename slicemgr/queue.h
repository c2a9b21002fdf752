/* SPDX-License-Identifier: MIT */
/* The GPU queue (queue.c): a reserve with "wait":true that cannot be met
 * because the GPUs are held waits here, on its own connection, first come
 * first served within group priority.  Each change of the ledger tries the
 * waiters in order; the first that still cannot be met stops the round, and
 * no later request (queued or new) takes a GPU before it: a freed GPU goes
 * to the head of the queue.  While waiting, the client gets progress lines
 * {"ok":true,"queued":true,"position":N,…}; its last line is the reserve's
 * own answer.  A closed connection leaves the queue. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <systemd/sd-event.h>

typedef struct Queue Queue;
struct waiter;

/* Where a request stands: higher priority first, then earlier seq. */
struct queue_place {
        int priority;
        uint64_t seq;
};

/* A line for the waiting client; last: the answer, the wait is over (the
 * waiter is freed right after). */
typedef void (*queue_send_t)(void *conn, const char *line, bool last);

/* Asks a waiter's request again (ops_handle_queued()): the answer, or NULL
 * with *ret_wait set while it must wait on. */
typedef char *(*queue_ask_t)(void *userdata, const struct ucred *peer, const char *line, size_t len,
                             const struct queue_place *place, bool *ret_wait);
/* When the GPUs held now are due to be freed, in usec from now, soonest
 * first (*ret is the caller's to free); how many. */
typedef size_t (*queue_times_t)(void *userdata, uint64_t now_usec, uint64_t **ret);

int queue_new(sd_event *event, queue_ask_t ask, queue_times_t times, void *userdata, Queue **ret);
void queue_free(Queue *q);

/* How many waiters stand ahead of place (NULL: a request not in the queue,
 * with priority): while any does, the request must leave GPUs to them. */
size_t queue_ahead(const Queue *q, const struct queue_place *place, int priority);

/* Park a request that was refused for want of free GPUs: line (the request,
 * without newline) is asked again, as peer, whenever the ledger changed.
 * Sends the first progress line at once.  NULL when out of memory. */
struct waiter *queue_add(Queue *q, const struct ucred *peer, const char *line, size_t len, int priority,
                         const char *user, const char *why, queue_send_t send, void *conn);
/* The client went: it leaves the queue, holding nothing. */
void queue_remove(Queue *q, struct waiter *w);
/* The ledger changed: the waiters are tried once the loop is free. */
void queue_kick(Queue *q);

/* The waiters in order: [{"position":1,"user":…,"container":…,"gpus":…,
 * "waiting_s":…,"estimate_s":…|null}]. */
json_t *queue_json(const Queue *q);
size_t queue_length(const Queue *q);
