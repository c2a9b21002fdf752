/* SPDX-License-Identifier: MIT */
#include "metrics-http.h"

#include <http_parser.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "basic/util.h"
#include "core/metrics.h"

#define METRICS_URL_MAX 1024

struct head {
        char url[METRICS_URL_MAX];
        size_t n_url;
        bool url_too_long;
        bool complete;
};

static int on_url(http_parser *p, const char *at, size_t n) {
        struct head *h = p->data;
        if (h->n_url + n >= sizeof(h->url)) {
                h->url_too_long = true;
                return 0;
        }
        memcpy(h->url + h->n_url, at, n);
        h->n_url += n;
        h->url[h->n_url] = 0;
        return 0;
}

static int on_headers_complete(http_parser *p) {
        struct head *h = p->data;
        h->complete = true;
        http_parser_pause(p, 1); /* the head is all we read */
        return 0;
}

static const http_parser_settings head_settings = {
        .on_url = on_url,
        .on_headers_complete = on_headers_complete,
};

enum metrics_request metrics_request_parse(const char *data, size_t n) {
        struct head h = { 0 };
        http_parser p;
        http_parser_init(&p, HTTP_REQUEST);
        p.data = &h;
        (void) http_parser_execute(&p, &head_settings, data, n);
        enum http_errno e = HTTP_PARSER_ERRNO(&p);
        if (!h.complete)
                return e == HPE_OK ? METRICS_REQUEST_PARTIAL : METRICS_REQUEST_BAD;
        if (p.http_major != 1)
                return METRICS_REQUEST_BAD;
        if (p.method != HTTP_GET)
                return METRICS_REQUEST_BAD_METHOD;
        if (h.url_too_long)
                return METRICS_REQUEST_NOT_FOUND;
        size_t path = strcspn(h.url, "?#");
        return path == 8 && strncmp(h.url, "/metrics", 8) == 0 ? METRICS_REQUEST_METRICS : METRICS_REQUEST_NOT_FOUND;
}

char *metrics_response(enum metrics_request r, const char *body, size_t *ret_len) {
        const char *status, *type = "text/plain; charset=utf-8", *extra = "";
        char *out = NULL;
        switch (r) {
        case METRICS_REQUEST_METRICS:
                status = "200 OK";
                type = METRICS_CONTENT_TYPE;
                break;
        case METRICS_REQUEST_NOT_FOUND:
                status = "404 Not Found";
                body = "berth: only /metrics is served here.\n";
                break;
        case METRICS_REQUEST_BAD_METHOD:
                status = "405 Method Not Allowed";
                extra = "Allow: GET\r\n";
                body = "berth: only GET /metrics is served here.\n";
                break;
        case METRICS_REQUEST_PARTIAL: /* the head did not fit, or did not come in time */
                status = "431 Request Header Fields Too Large";
                body = "berth: the request head is too large.\n";
                break;
        case METRICS_REQUEST_BAD:
        default:
                status = "400 Bad Request";
                body = "berth: that is not an HTTP/1.1 request.\n";
                break;
        }
        int n = asprintf(&out, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n%s",
                         status, type, strlen(strempty(body)), extra, strempty(body));
        if (n < 0)
                return NULL;
        *ret_len = (size_t) n;
        return out;
}

