/* SPDX-License-Identifier: MIT */
/* The gate's worker threads: what must wait on berth-slicemgr or Docker
 * (who a caller is, who owns a container, a reservation) runs here, never
 * on the event loop, so one slow answer holds up only the request that
 * asked for it. */
#pragma once

#include <systemd/sd-event.h>

typedef struct Worker Worker;

/* run() is called on a worker thread, done() then on the event loop's
 * thread with the same userdata.  A job is never dropped: done() always
 * comes, and must free what run() left. */
typedef void (*worker_fn)(void *userdata);

int worker_new(sd_event *event, unsigned n_threads, Worker **ret);
/* Stops the threads once the queued jobs have run; their done() calls are
 * made before it returns. */
void worker_free(Worker *w);
int worker_submit(Worker *w, worker_fn run, worker_fn done, void *userdata);
