/* SPDX-License-Identifier: MIT */
/* The gate's request framing on arbitrary bytes, as conn.c drives it:
 * libhttp-parser with the head collected under its limits, stopped at each
 * head's end; then the framing rules (http_head_refusal) and the route
 * table on the target; bodies parsed through; pipelined requests one after
 * another.  A refusal is always one "berth: " sentence; nothing crashes,
 * leaks or reads past what it was given. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "basic/util.h"
#include "http-head.h"
#include "route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define check(x)                          \
        do {                              \
                if (!(x))                 \
                        __builtin_trap(); \
        } while (0)

struct state {
        struct http_head head;
        bool headers_done, message_done;
};

static int on_begin(http_parser *p) {
        struct state *st = p->data;
        http_head_clear(&st->head);
        return 0;
}
static int on_url(http_parser *p, const char *at, size_t n) {
        return http_head_url(&((struct state *) p->data)->head, at, n);
}
static int on_field(http_parser *p, const char *at, size_t n) {
        return http_head_field(&((struct state *) p->data)->head, at, n);
}
static int on_value(http_parser *p, const char *at, size_t n) {
        return http_head_value(&((struct state *) p->data)->head, at, n);
}
static int on_headers(http_parser *p) {
        ((struct state *) p->data)->headers_done = true;
        http_parser_pause(p, 1);
        return 0;
}
static int on_complete(http_parser *p) {
        ((struct state *) p->data)->message_done = true;
        http_parser_pause(p, 1);
        return 0;
}

static const http_parser_settings settings = {
        .on_message_begin = on_begin,
        .on_url = on_url,
        .on_header_field = on_field,
        .on_header_value = on_value,
        .on_headers_complete = on_headers,
        .on_message_complete = on_complete,
};

static void judge(http_parser *p, struct state *st) {
        const char *why = http_head_refusal(p, &st->head);
        if (why) {
                check(strncmp(why, "berth: ", 7) == 0);
                return;
        }
        struct route_match m = { 0 };
        char reason[256] = "";
        const char *method = http_method_str(p->method);
        int r = route_parse(method, st->head.url ? st->head.url : "", st->head.url_len, &m, reason, sizeof(reason));
        if (r < 0) {
                check(strncmp(reason, "berth: ", 7) == 0);
        } else {
                _cleanup_free_ char *t = NULL;
                check(route_format_target(&m, NULL, &t) >= 0 || !m.param);
        }
        route_match_done(&m);
        for (size_t i = 0; i < st->head.n_headers; i++)
                check(st->head.headers[i].name && st->head.headers[i].value);
        check(st->head.bytes <= HTTP_HEAD_MAX + 1024 * 1024 || st->head.too_big);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct state st = { 0 };
        http_parser p;
        http_parser_init(&p, HTTP_REQUEST);
        p.data = &st;
        size_t at = 0;
        for (int rounds = 0; at < size && rounds < 64; rounds++) {
                size_t k = http_parser_execute(&p, &settings, (const char *) data + at, size - at);
                enum http_errno e = HTTP_PARSER_ERRNO(&p);
                at += k;
                if (e != HPE_OK && e != HPE_PAUSED)
                        break; /* conn.c answers 400 and closes */
                if (st.headers_done) {
                        st.headers_done = false;
                        judge(&p, &st);
                }
                if (st.message_done) {
                        st.message_done = false;
                        http_parser_init(&p, HTTP_REQUEST);
                        p.data = &st;
                } else if (e == HPE_PAUSED)
                        http_parser_pause(&p, 0);
                if (p.upgrade)
                        break; /* the rest is a raw stream */
                if (k == 0 && e == HPE_OK)
                        break;
        }
        http_head_clear(&st.head);
        return 0;
}
