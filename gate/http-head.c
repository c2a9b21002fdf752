/* SPDX-License-Identifier: MIT */
#include "http-head.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "basic/util.h"

void http_head_clear(struct http_head *h) {
        free(h->headers);
        free(h->text);
        free(h->url);
        *h = (struct http_head) { 0 };
}

int http_append(char **buf, size_t *len, const char *data, size_t n, size_t max) {
        if (*len + n > max)
                return -E2BIG;
        char *b = realloc(*buf, *len + n + 1);
        if (!b)
                return -ENOMEM;
        memcpy(b + *len, data, n);
        *len += n;
        b[*len] = 0;
        *buf = b;
        return 0;
}

static bool count(struct http_head *h, size_t n) {
        h->bytes += n;
        if (h->bytes > HTTP_HEAD_MAX)
                h->too_big = true;
        return !h->too_big;
}

int http_head_url(struct http_head *h, const char *at, size_t n) {
        if (!count(h, n) || http_append(&h->url, &h->url_len, at, n, HTTP_TARGET_MAX) < 0) {
                h->too_big = true;
                return -1;
        }
        return 0;
}

/* Room for n more bytes of text; the headers' pointers follow it. */
static int text_room(struct http_head *h, size_t n) {
        if (h->text_max - h->text_len >= n)
                return 0;
        size_t max = MAX(MAX(h->text_max * 2, h->text_len + n), (size_t) 1024);
        char *t = realloc(h->text, max);
        if (!t)
                return -1;
        h->text = t;
        h->text_max = max;
        for (size_t i = 0; i < h->n_headers; i++) {
                h->headers[i].name = t + h->headers[i].name_at;
                h->headers[i].value = h->headers[i].value_at == SIZE_MAX ? "" : t + h->headers[i].value_at;
        }
        return 0;
}

/* A new, empty piece of text at its end: where it starts. */
static size_t text_open(struct http_head *h) {
        h->text[h->text_len] = 0;
        return h->text_len++;
}

/* A header's name or value comes in pieces, one after the other: each
 * goes on the end of the text, which the last name or value ends. */
static int piece(struct http_head *h, bool value, const char *at, size_t n) {
        if (!count(h, n))
                return -1;
        if (!value && (h->in_value || h->n_headers == 0)) {
                if (h->n_headers >= HTTP_HEADERS_MAX) {
                        h->too_big = true;
                        return -1;
                }
                if (h->n_headers == h->headers_max) {
                        size_t max = MAX(h->headers_max * 2, (size_t) 16);
                        struct http_header *l = reallocarray(h->headers, max, sizeof(*l));
                        if (!l)
                                return -1;
                        h->headers = l;
                        h->headers_max = max;
                }
                if (text_room(h, 1) < 0)
                        return -1;
                size_t at_name = text_open(h);
                h->headers[h->n_headers++] = (struct http_header) {
                        .name = h->text + at_name, .value = "", .name_at = at_name, .value_at = SIZE_MAX };
                h->in_value = false;
        }
        if (value && h->n_headers == 0)
                return -1;
        struct http_header *x = &h->headers[h->n_headers - 1];
        if (text_room(h, n + 1) < 0) /* the room a value's first piece opens with */
                return -1;
        if (value && !h->in_value) {
                x->value_at = text_open(h);
                x->value = h->text + x->value_at;
                h->in_value = true;
        }
        /* the open piece is the last: its NUL is the text's last byte */
        memcpy(h->text + h->text_len - 1, at, n);
        h->text_len += n;
        h->text[h->text_len - 1] = 0;
        return 0;
}

int http_head_field(struct http_head *h, const char *at, size_t n) {
        return piece(h, false, at, n);
}

int http_head_value(struct http_head *h, const char *at, size_t n) {
        return piece(h, true, at, n);
}

const char *http_head_get(const struct http_head *h, const char *name, size_t *ret_count) {
        const char *v = NULL;
        size_t n = 0;
        for (size_t i = 0; i < h->n_headers; i++)
                if (strcasecmp(h->headers[i].name, name) == 0) {
                        v = h->headers[i].value;
                        n++;
                }
        if (ret_count)
                *ret_count = n;
        return v;
}

const char *http_head_refusal(const http_parser *p, const struct http_head *h) {
        size_t n_cl = 0, n_te = 0;
        const char *te = http_head_get(h, "Transfer-Encoding", &n_te);
        const char *ctype = http_head_get(h, "Content-Type", NULL);
        (void) http_head_get(h, "Content-Length", &n_cl);

        if (h->too_big)
                return "berth: the request line or its headers are too long.";
        if (p->http_major != 1 || p->http_minor > 1)
                return "berth: only HTTP/1.0 and HTTP/1.1 are spoken here.";
        if (n_cl > 1 || n_te > 1 || (n_te && n_cl))
                return "berth: a request may give its length once, as Content-Length or as chunked, not both.";
        if (te && strcasecmp(te, "chunked") != 0)
                return "berth: the only Transfer-Encoding understood is chunked.";
        /* Go's ParseForm would read such a body's fields as query parameters
         * (an empty one says nothing: libcurl labels a bare POST so) */
        bool body = (p->flags & F_CHUNKED) || ((p->flags & F_CONTENTLENGTH) && p->content_length > 0);
        if (body && ctype && strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0)
                return "berth: form-encoded request bodies are refused; Docker's API takes parameters in the query.";
        return NULL;
}

bool http_hop_by_hop(const char *name) {
        /* asked for every header of every request and answer: the length first */
        static const struct {
                const char *name;
                size_t len;
        } drop[] = {
#define DROP(s) { s, sizeof(s) - 1 }
                DROP("Content-Length"), DROP("Transfer-Encoding"), DROP("Expect"),
                DROP("Connection"),     DROP("Keep-Alive"),        DROP("Upgrade"),
                DROP("Proxy-Connection"), DROP("TE"),              DROP("Trailer"),
#undef DROP
        };
        size_t n = strlen(name);
        for (size_t i = 0; i < ELEMENTSOF(drop); i++)
                if (n == drop[i].len && strcasecmp(name, drop[i].name) == 0)
                        return true;
        return false;
}
