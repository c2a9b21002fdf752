/* SPDX-License-Identifier: MIT */
/* A request's or an answer's head as libhttp-parser hands it over in
 * pieces: the target and the headers, with the limits that keep one
 * client's head small, and the framing rules berth refuses to guess at
 * (DESIGN §5b).  Pure, so the fuzzer drives it as conn.c does. */
#pragma once

#include <http_parser.h>
#include <stdbool.h>
#include <stddef.h>

#define HTTP_HEAD_MAX (64 * 1024) /* request line and headers */
#define HTTP_HEADERS_MAX 100
#define HTTP_TARGET_MAX (8 * 1024)

struct http_header {
        const char *name, *value; /* NUL-terminated, in the head's text */
        size_t name_at, value_at; /* where in it (SIZE_MAX: no value given) */
};

struct http_head {
        char *url;
        size_t url_len;
        struct http_header *headers;
        size_t n_headers, headers_max;
        char *text; /* every name and value, each ended by a NUL: one allocation */
        size_t text_len, text_max;
        bool in_value;
        size_t bytes;
        bool too_big; /* past a limit: refused once the head ends */
};

void http_head_clear(struct http_head *h);

/* The parser's on_url, on_header_field and on_header_value: 0 to go on,
 * -1 to stop it (a head past the limits is not read any further). */
int http_head_url(struct http_head *h, const char *at, size_t n);
int http_head_field(struct http_head *h, const char *at, size_t n);
int http_head_value(struct http_head *h, const char *at, size_t n);

/* The last value of header name (any case), NULL when absent; *ret_count
 * (may be NULL) how many times it was given. */
const char *http_head_get(const struct http_head *h, const char *name, size_t *ret_count);

/* A request head berth does not forward, whatever its route: one sentence
 * ("berth: …"), or NULL when the framing is unambiguous.  p is the parser
 * stopped at the end of the head. */
const char *http_head_refusal(const http_parser *p, const struct http_head *h);

/* n bytes onto *buf (kept NUL-terminated), -E2BIG past max bytes. */
int http_append(char **buf, size_t *len, const char *data, size_t n, size_t max);

/* Hop-by-hop and framing headers: the gate writes those itself. */
bool http_hop_by_hop(const char *name);
