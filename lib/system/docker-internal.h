/* SPDX-License-Identifier: MIT */
/* What docker.c (requests) and docker-events.c (the event stream) share:
 * the connection, the reply buffer and the error mapping.  Not for use
 * outside lib/system/docker*.c. */
#pragma once

#include <stdbool.h>

#include <curl/curl.h>

#include "basic/util.h"

#define DOCKER_REPLY_MAX (16u * 1024 * 1024) /* a container list of thousands still fits */
#define DOCKER_ERROR_BODY_MAX (64u * 1024)
#define DOCKER_EVENT_MAX (1u * 1024 * 1024) /* one event object */
#define DOCKER_CONNECT_TIMEOUT_S 5L
#define DOCKER_STREAM_OPEN_TIMEOUT_MS 30000L

typedef unsigned long long usec_t;
static inline void curl_slist_free_allp(struct curl_slist **l) {
        if (*l)
                curl_slist_free_all(*l);
}

struct docker {
        char *socket_path;
        char api_version[16];
        char *base_url; /* "http://localhost/v1.41" */
        CURL *curl;
        char errbuf[CURL_ERROR_SIZE];
};

/* A growing reply buffer that refuses to grow past max. */
struct buf {
        char *data;
        size_t len, cap, max;
        bool overflow;
};

void docker_buf_done(struct buf *b);
int docker_buf_append(struct buf *b, const char *p, size_t n);
/* Only plain HTTP over the unix socket: no redirect to another protocol. */
void docker_restrict_to_http(CURL *c);
/* berth_error_set() leaves http_status alone; 0 unless an HTTP status is
 * the cause. */
void docker_http_status_clear(struct berth_error *err);
/* Percent-encode all but RFC 3986's unreserved characters and those in keep. */
int docker_url_escape(const char *s, const char *keep, char **ret);
/* An HTTP status that is not success, with Docker's "message" from body. */
int docker_http_error(long status, const struct buf *body, struct berth_error *err);
/* A transport failure, with a sentence naming the socket. */
int docker_curl_error(CURL *c, CURLcode cc, const char *socket_path, const char *errbuf, const struct buf *body,
                      struct berth_error *err);
