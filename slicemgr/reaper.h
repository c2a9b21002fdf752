/* SPDX-License-Identifier: MIT */
/* The reaper (reaper.c): every [reaper] interval it samples each running
 * berth container's CPU (its cgroup) and GPUs (NVML), and stops, never
 * removes, one that stayed idle for its owner's idle_timeout or ran for
 * max_runtime, warning in the journal at each [reaper] warn offset first. */
#pragma once

#include <jansson.h>
#include <stdint.h>

#include "lookup.h"
#include "manager.h"
#include "system/nvml.h"

/* Arms the timer on m's loop; Docker is asked (inspect, stop) through l. */
int reaper_new(Manager *m, Lookup *l, Reaper **ret);
void reaper_free(Reaper *r);
/* A managed container runs (Docker's start event, or the listing): started
 * is its start in CLOCK_REALTIME usec, 0 when not known (then Docker is
 * asked).  Its cgroup is asked of Docker off the loop. */
void reaper_container_running(Reaper *r, const char *id, const char *name, const char *user, uint64_t started);
/* It stopped or went away: no longer watched. */
void reaper_container_stopped(Reaper *r, const char *id);
/* After a listing: every container not in running_ids stopped. */
void reaper_keep_only(Reaper *r, char *const *running_ids);
/* {"idle_usec":…,"stops_in_usec":…,"reason":…} of a watched container
 * (stops_in_usec null when no limit applies), NULL when not watched. */
json_t *reaper_container_json(const Reaper *r, const char *id);
/* The last tick's NVML sample of a device (GPU or MIG UUID); NULL before
 * the first, or when NVML could not say. */
const struct gpu_sample *reaper_gpu_sample(const Reaper *r, const char *uuid);
/* How long until the reaper stops a watched container, in usec as of the
 * last tick; UINT64_MAX when nothing will (or it is not watched). */
uint64_t reaper_stops_in(const Reaper *r, const char *id);
/* Warnings given and containers stopped since the daemon started. */
void reaper_counters(const Reaper *r, uint64_t *ret_warnings, uint64_t *ret_stops);
/* Stop the container now (off the loop), audited as container.reap with
 * reason: it started though the ledger could not give it its GPUs. */
void reaper_stop_now(Reaper *r, const char *id, const char *name, const char *user, const char *reason);
