/* SPDX-License-Identifier: MIT */
/* The gate's request framing on arbitrary bytes, as conn.c drives it:
 * libhttp-parser with the head collected under its limits, stopped at each
 * head's end; then the framing rules (http_head_refusal) and the route
 * table on the target; bodies parsed through; pipelined requests one after
 * another.  A refusal is always one "berth: " sentence; nothing crashes,
 * leaks or reads past what it was given.  The same bytes are then fed again
 * a few at a time, as a socket may hand them over, and every head must come
 * out the same: a name or value given in pieces is put together whole. */
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
        char *seen; /* every judged head's target, names and values */
        size_t seen_len;
};

static void note(struct state *st, const char *s, size_t n) {
        check(http_append(&st->seen, &st->seen_len, s, n, SIZE_MAX / 2) == 0);
        check(http_append(&st->seen, &st->seen_len, "", 1, SIZE_MAX / 2) == 0);
}

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
        note(st, st->head.url ? st->head.url : "", st->head.url_len);
        for (size_t i = 0; i < st->head.n_headers; i++) {
                check(st->head.headers[i].name && st->head.headers[i].value);
                note(st, st->head.headers[i].name, strlen(st->head.headers[i].name));
                note(st, st->head.headers[i].value, strlen(st->head.headers[i].value));
        }
        check(st->head.bytes <= HTTP_HEAD_MAX + 1024 * 1024 || st->head.too_big);
}

/* The bytes fed step at a time (0: all at once); what the heads held. */
static void run(const uint8_t *data, size_t size, size_t step, struct state *st) {
        http_parser p;
        http_parser_init(&p, HTTP_REQUEST);
        p.data = st;
        size_t at = 0;
        for (int messages = 0; at < size && messages < 64;) {
                size_t n = step ? MIN(step, size - at) : size - at;
                size_t k = http_parser_execute(&p, &settings, (const char *) data + at, n);
                enum http_errno e = HTTP_PARSER_ERRNO(&p);
                at += k;
                if (e != HPE_OK && e != HPE_PAUSED)
                        break; /* conn.c answers 400 and closes */
                if (st->headers_done) {
                        st->headers_done = false;
                        judge(&p, st);
                }
                if (st->message_done) {
                        st->message_done = false;
                        messages++;
                        http_parser_init(&p, HTTP_REQUEST);
                        p.data = st;
                } else if (e == HPE_PAUSED)
                        http_parser_pause(&p, 0);
                if (p.upgrade)
                        break; /* the rest is a raw stream */
                if (k == 0 && e == HPE_OK)
                        break;
        }
        http_head_clear(&st->head);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct state whole = { 0 }, pieces = { 0 };
        run(data, size, 0, &whole);
        /* in pieces of 1 to 8 bytes, as the input's first byte says */
        run(data, size, size ? 1 + data[0] % 8 : 1, &pieces);
        check(whole.seen_len == pieces.seen_len);
        check(whole.seen_len == 0 || memcmp(whole.seen, pieces.seen, whole.seen_len) == 0);
        free(whole.seen);
        free(pieces.seen);
        return 0;
}
