/* SPDX-License-Identifier: MIT */
/* berth's metrics in Prometheus's text exposition format (0.0.4), rendered
 * from the very object the daemon's "status" op answers, so every number
 * `berthctl metrics` shows is one `berthctl status --json` shows too. */
#pragma once

#include <jansson.h>
#include <stdint.h>

/* The text for status (the "status" reply, "ok" and all).  Pure and total:
 * a missing key or a value of the wrong type leaves out that one sample
 * (a limit that is missing or null is +Inf, a missing queue is empty), label
 * values are escaped, and the text is valid whatever status holds, even when
 * it is not an object.  -ENOMEM is the only failure; *ret_text is the
 * caller's to free. */
int metrics_render(const json_t *status, char **ret_text);

/* The Content-Type of that text, for an HTTP answer. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* A latency histogram as the status carries it: Prometheus's cumulative
 * buckets, bounds in seconds from half a millisecond to 2.5 s. */
#define METRICS_LATENCY_BUCKETS 12
struct metrics_histogram {
        uint64_t buckets[METRICS_LATENCY_BUCKETS]; /* observations <= each bound */
        uint64_t count;
        double sum;
};
void metrics_histogram_observe(struct metrics_histogram *h, double seconds);
/* {"buckets":[{"le":0.0005,"count":N},…],"count":N,"sum":S}; NULL only
 * when out of memory. */
json_t *metrics_histogram_json(const struct metrics_histogram *h);
