/* SPDX-License-Identifier: MIT */
/* berth's metrics in Prometheus's text exposition format (0.0.4), rendered
 * from the very object the daemon's "status" op answers, so every number
 * `berthctl metrics` shows is one `berthctl status --json` shows too. */
#pragma once

#include <jansson.h>

/* The text for status (the "status" reply, "ok" and all).  Pure and total:
 * a missing key or a value of the wrong type leaves out that one sample
 * (a limit that is missing or null is +Inf, a missing queue is empty), label
 * values are escaped, and the text is valid whatever status holds, even when
 * it is not an object.  -ENOMEM is the only failure; *ret_text is the
 * caller's to free. */
int metrics_render(const json_t *status, char **ret_text);

/* The Content-Type of that text, for an HTTP answer. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
