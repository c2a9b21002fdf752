/* SPDX-License-Identifier: MIT */
/* The metrics endpoint's HTTP, pure: a request head parsed with
 * libhttp-parser, and the whole answer to it.  Kept apart from the
 * sockets so the unit tests and the fuzzer drive it alone. */
#pragma once

#include <stddef.h>

/* The largest request head read; one that does not fit is answered 431. */
#define METRICS_REQUEST_MAX 8192

/* What a request head asks for, once it is whole. */
enum metrics_request {
        METRICS_REQUEST_PARTIAL,   /* more bytes are needed */
        METRICS_REQUEST_METRICS,   /* GET /metrics (a query string is ignored) */
        METRICS_REQUEST_NOT_FOUND, /* GET of another path: 404 */
        METRICS_REQUEST_BAD_METHOD, /* another method: 405 */
        METRICS_REQUEST_BAD,        /* not HTTP/1.x: 400 */
};
/* Parses data (the whole of what arrived so far) with libhttp-parser. */
enum metrics_request metrics_request_parse(const char *data, size_t n);
/* The whole HTTP/1.1 answer to r (body: the metrics text for
 * METRICS_REQUEST_METRICS, else ignored); NULL when out of memory. */
char *metrics_response(enum metrics_request r, const char *body, size_t *ret_len);
