/* SPDX-License-Identifier: MIT */
/* The metrics off the daemon ([metrics] in berth.conf): GET /metrics over
 * HTTP on [metrics] listen, and DIR/berth.prom for node-exporter's textfile
 * collector every [reaper] interval.  Both render the "status" op's answer
 * (lib/core/metrics.h), so they say what `berthctl metrics` says. */
#pragma once

#include "manager.h"

typedef struct MetricsServe MetricsServe;

/* Binds and arms what m->config asks for; an address that cannot be bound
 * is logged and left off (the daemon serves on without it). */
int metrics_serve_new(Manager *m, MetricsServe **ret);
void metrics_serve_free(MetricsServe *s);
/* After a reload: rebinds when listen changed, re-arms the textfile timer. */
void metrics_serve_apply(MetricsServe *s);
