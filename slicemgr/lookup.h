/* SPDX-License-Identifier: MIT */
/* Docker questions asked off the loop (lookup.c): one worker thread with
 * its own Docker client, so a flood of questions Docker must answer never
 * stalls the control socket, the event stream or the watchdog. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "system/docker.h"

typedef struct Lookup Lookup;

/* Runs on the worker thread: d is its client, NULL when Docker cannot be
 * reached.  It must touch nothing the loop owns. */
typedef void (*lookup_run_t)(void *job, struct docker *d);
/* Runs on the loop once run has: the job is the callback's to free. */
typedef void (*lookup_done_t)(void *job);

/* A worker asking Docker at docker_socket, handing results back to event. */
int lookup_new(sd_event *event, const char *docker_socket, Lookup **ret);
/* Queue a job; uid is who asked, so that one caller's questions never keep
 * another's waiting long (the worker takes turns between callers).
 * -EAGAIN when the queue is full. */
int lookup_submit(Lookup *l, uid_t uid, void *job, lookup_run_t run, lookup_done_t done);
/* Stops the worker; the done of every job not yet handed back is called. */
void lookup_free(Lookup *l);
