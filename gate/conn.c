/* SPDX-License-Identifier: MIT */
/* The byte mover.  Each connection has two flows, the request (client to
 * dockerd) and the response (dockerd to client), each framed by its own
 * http_parser.  A head is read whole and judged before anything goes on;
 * the gate then writes the head dockerd gets itself.  Body bytes go on as
 * they came: what the parser has seen is written out, and the data of a
 * Content-Length body or of a chunk beyond what was read is spliced through
 * a pipe without entering user space (the parser is then fed as many
 * zeros, which it skips over without looking, so it stays in step).  Once
 * dockerd hijacks an attach or exec, both flows are raw and spliced, and
 * an end of input on one side becomes a shutdown of writing on the other
 * (`echo x | docker exec -i C cat` ends). */
#include "conn.h"

#include <fcntl.h>
#include <limits.h>
#include <http_parser.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "basic/util.h"
#include "decide.h"
#include "http-head.h"

/* What one read takes: about all a Unix socket holds (its default send
 * buffer is 208 KiB), so a wake-up moves what has come in one read and one
 * send.  Body data is spliced only when at least as much of it is still to
 * come: dockerd's chunks (32 KiB for cp, one log line for logs) are cheaper
 * read with their neighbours than spliced one by one (bench/gate.sh). */
#define READ_CHUNK (256 * 1024)
#define SPLICE_CHUNK (1024 * 1024)

/* What goes out is written in as few sends as it can: each send to a peer
 * that waits wakes it, and a wake-up costs far more than copying a few
 * KiB.  Pieces under EMIT_DIRECT (a head, a small body, a refusal) are
 * queued and written together at the next flush, so an answer's head and
 * body reach the client in one send; bigger ones go straight out when
 * nothing waits ahead of them.  A flow reads on while less than
 * OUT_BACKLOG waits to be written. */
#define EMIT_DIRECT (16 * 1024)
#define OUT_BACKLOG (64 * 1024)

/* A download, which nobody watches as it comes (cp out, export, save,
 * logs without follow), is read in batches.  dockerd writes it a piece at
 * a time (32 KiB for cp, a log line for logs), and a gate woken for every
 * piece spends more on waking, and on waking the client, than on moving
 * bytes, on the CPUs dockerd and the client need.  After a read that found
 * less than PACE_FULL the gate waits before reading again; the wait doubles
 * (up to PACE_MAX_USEC) while reads find less than PACE_LITTLE and halves
 * (down to PACE_MIN_USEC) when one finds PACE_FULL or more, so a socket
 * does not stay full and dockerd is not held up. */
#define PACE_LITTLE (32 * 1024)
#define PACE_FULL (128 * 1024)
#define PACE_MIN_USEC 125ULL
#define PACE_START_USEC 500ULL
#define PACE_MAX_USEC 2000ULL

struct flow {
        int *src, *dst;          /* the connection's fds */
        http_parser parser;
        bool raw;                /* no framing any more: bytes as they come */
        bool forward;            /* what the parser consumed goes to dst as it was */
        bool zero_feed;          /* the parser is being fed zeros for spliced data */
        bool headers_done, message_done; /* set by the callbacks (the parser pauses) */
        uint64_t remaining;      /* data bytes left in the body or chunk being read */
        char *stash;             /* read from src, not yet parsed */
        size_t stash_len;
        char *out;               /* to write to dst */
        size_t out_len, out_off;
        int pipe[2];
        size_t piped;            /* bytes in the pipe, not yet written to dst */
        bool eof;                /* src has ended */
        bool drained;            /* src held no more a moment ago: epoll says when it has */
        bool shut;               /* dst's writing side is shut */
};

enum req_state {
        RQ_HEAD,     /* reading a head */
        RQ_COLLECT,  /* reading a JSON body whole */
        RQ_DECIDING, /* a worker judges it */
        RQ_BODY,     /* forwarding the body as it comes */
        RQ_DONE,     /* sent; waiting for the answer */
        RQ_RAW,      /* hijacked */
};

enum resp_state {
        RS_IDLE,    /* nothing asked */
        RS_HEAD,    /* reading dockerd's head */
        RS_BODY,    /* forwarding its body */
        RS_COLLECT, /* reading its body whole (to cut /system/df) */
        RS_RAW,     /* hijacked */
};

struct Conn {
        Gate *g;
        Conn *prev, *next;
        int cfd, ufd;
        sd_event_source *csrc, *usrc, *timer;
        uint64_t deadline;     /* when the wait in progress runs out (UINT64_MAX: none) */
        uint64_t timer_at;     /* when timer is set to fire (UINT64_MAX: off); never after deadline */
        sd_event_source *pace; /* a download's wait between reads, made at its first */
        struct gate_identity who;
        bool who_known;   /* whoami answered (or uid 0) */
        bool busy;        /* a worker holds this connection's job */
        bool unasked;     /* the client's socket woke the gate for input nobody wanted */

        enum req_state rq;
        enum resp_state rs;
        struct flow req, resp;

        struct http_head head;  /* the request head being read */
        struct http_head rhead; /* dockerd's, kept for an answer berth rewrites */
        char *body;            /* a JSON body read whole, or dockerd's body to cut */
        size_t body_len;
        bool body_error;

        /* the request in flight */
        struct decision *d;
        bool is_head;          /* HEAD: the answer has no body */
        bool hijack;           /* attach or exec start */
        bool close_after;      /* close once the answer is out */
        bool download;         /* the answer is a download: read in batches */
        bool pacing;           /* waiting before the next read of it */
        uint64_t pace_usec;
        uint64_t content_length; /* the request's Content-Length, as its head said */
        bool closing;          /* nothing more is read; freed once written */
        bool discarding;       /* the body of a refused request is read and dropped */
        uint64_t discarded;
        int status;
};

static char scratch[READ_CHUNK];
static const char zeros[64 * 1024]; /* fed to the parser for spliced data, a piece at a time */

static void conn_update(Conn *c);
static void conn_run(Conn *c);
static void conn_pump(Conn *c);
static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata);

/* --- small helpers -------------------------------------------------------- */

static void headers_clear(Conn *c) {
        http_head_clear(&c->head);
        c->body = mfree(c->body);
        c->body_len = 0;
        c->body_error = false;
}

static void rheaders_clear(Conn *c) {
        http_head_clear(&c->rhead);
}

static const char *header_get(Conn *c, const char *name, size_t *ret_count) {
        return http_head_get(&c->head, name, ret_count);
}

static void flow_reset_pipe(struct flow *f) {
        if (f->pipe[0] >= 0)
                close(f->pipe[0]);
        if (f->pipe[1] >= 0)
                close(f->pipe[1]);
        f->pipe[0] = f->pipe[1] = -1;
        f->piped = 0;
}

static void flow_done(struct flow *f) {
        free(f->stash);
        free(f->out);
        flow_reset_pipe(f);
}

static bool flow_has_output(const struct flow *f) {
        return f->out_len > f->out_off || f->piped > 0;
}

/* Too much waits for dst to read more for it (spliced bytes wait alone:
 * what is read next must not pass them). */
static bool flow_backlogged(const struct flow *f) {
        return f->piped > 0 || f->out_len - f->out_off >= OUT_BACKLOG;
}

/* Queue n bytes for dst (written by flow_flush()). */
static int flow_emit(struct flow *f, const char *data, size_t n) {
        if (n == 0)
                return 0;
        if (n >= EMIT_DIRECT && f->out_off == f->out_len && f->piped == 0 && *f->dst >= 0) {
                /* nothing waits ahead of it: straight out, and only what dst
                 * would not take yet is kept (an error shows at the next flush) */
                ssize_t k = send(*f->dst, data, n, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (k > 0) {
                        data += k;
                        n -= (size_t) k;
                        if (n == 0)
                                return 0;
                }
        }
        if (f->out_off > 0 && f->out_off == f->out_len)
                f->out_off = f->out_len = 0;
        size_t cap = f->out_len + n;
        char *b = realloc(f->out, cap);
        if (!b)
                return -ENOMEM;
        memcpy(b + f->out_len, data, n);
        f->out = b;
        f->out_len += n;
        return 0;
}

/* Write what can be written: 0 when all is out, -EAGAIN when dst is full,
 * another negative errno when dst is gone. */
static int flow_flush(struct flow *f) {
        while (f->out_off < f->out_len) {
                ssize_t n = send(*f->dst, f->out + f->out_off, f->out_len - f->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return errno == EAGAIN ? -EAGAIN : -errno;
                f->out_off += (size_t) n;
        }
        if (f->out_off == f->out_len && f->out_len > 0) {
                /* a big buffer is not kept around for an idle connection */
                f->out = mfree(f->out);
                f->out_off = f->out_len = 0;
        }
        while (f->piped > 0) {
                ssize_t n = splice(f->pipe[0], NULL, *f->dst, NULL, f->piped, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return errno == EAGAIN ? -EAGAIN : -errno;
                if (n == 0)
                        return -EPIPE;
                f->piped -= (size_t) n;
        }
        return 0;
}

static int flow_stash(struct flow *f, const char *data, size_t n) {
        if (n == 0)
                return 0;
        if (f->stash_len > 0 && data >= f->stash && data < f->stash + f->stash_len) {
                memmove(f->stash, data, n); /* what is left of the stash itself */
                f->stash_len = n;
                return 0;
        }
        char *b = realloc(f->stash, f->stash_len + n);
        if (!b)
                return -ENOMEM;
        memcpy(b + f->stash_len, data, n);
        f->stash = b;
        f->stash_len += n;
        return 0;
}

/* --- deadlines ----------------------------------------------------------- */

static void timer_set(Conn *c, uint64_t at) {
        if (c->timer && sd_event_source_set_time(c->timer, at) >= 0 &&
            sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT) >= 0)
                c->timer_at = at;
}

/* What the connection waits for now must come within usec (UINT64_MAX: no
 * limit).  Each request moves the deadline twice (a head's, then the idle
 * one), but the timer only when the deadline comes sooner than the timer is
 * set for; on_timer() sets it again for a deadline that moved on.  So a
 * kept-alive connection sets its timer about once a CONN_HEAD_USEC, not
 * twice a request. */
static void conn_wait(Conn *c, uint64_t usec) {
        if (usec == UINT64_MAX) {
                c->deadline = UINT64_MAX;
                return;
        }
        uint64_t now;
        sd_event_now(c->g->event, CLOCK_MONOTONIC, &now);
        c->deadline = now + usec;
        if (c->deadline < c->timer_at)
                timer_set(c, c->deadline);
}

/* --- parser callbacks ----------------------------------------------------- */

static Conn *conn_of(http_parser *p) {
        return p->data;
}

static int on_req_begin(http_parser *p) {
        Conn *c = conn_of(p);
        headers_clear(c);
        conn_wait(c, CONN_HEAD_USEC);
        return 0;
}

static int on_url(http_parser *p, const char *at, size_t n) {
        return http_head_url(&conn_of(p)->head, at, n);
}

static int on_header_field(http_parser *p, const char *at, size_t n) {
        return http_head_field(&conn_of(p)->head, at, n);
}

static int on_header_value(http_parser *p, const char *at, size_t n) {
        return http_head_value(&conn_of(p)->head, at, n);
}

/* dockerd's headers are kept only for an answer berth writes again */
static bool keeps_rheaders(Conn *c) {
        return c->d && c->d->answer != DECISION_ANSWER_AS_IS;
}

static int on_resp_header_field(http_parser *p, const char *at, size_t n) {
        Conn *c = conn_of(p);
        return keeps_rheaders(c) ? http_head_field(&c->rhead, at, n) : 0;
}

static int on_resp_header_value(http_parser *p, const char *at, size_t n) {
        Conn *c = conn_of(p);
        return keeps_rheaders(c) ? http_head_value(&c->rhead, at, n) : 0;
}

static int on_req_headers(http_parser *p) {
        Conn *c = conn_of(p);
        c->req.headers_done = true;
        c->req.remaining = p->content_length == ULLONG_MAX ? 0 : p->content_length;
        c->content_length = c->req.remaining;
        http_parser_pause(p, 1);
        return 0;
}

static int on_req_body(http_parser *p, const char *at, size_t n) {
        Conn *c = conn_of(p);
        if (c->discarding && (c->discarded += n) > CONN_DISCARD_MAX)
                c->closing = true; /* the refusal is out; the rest is not worth reading */
        c->req.remaining = c->req.remaining >= n ? c->req.remaining - n : 0;
        if (c->rq == RQ_COLLECT && !c->req.zero_feed && http_append(&c->body, &c->body_len, at, n, CONN_JSON_BODY_MAX) < 0)
                c->body_error = true;
        return 0;
}

static int on_chunk_header(http_parser *p) {
        struct flow *f = p->type == HTTP_REQUEST ? &conn_of(p)->req : &conn_of(p)->resp;
        f->remaining = p->content_length;
        return 0;
}

static int on_req_complete(http_parser *p) {
        conn_of(p)->req.message_done = true;
        http_parser_pause(p, 1);
        return 0;
}

static int on_resp_headers(http_parser *p) {
        Conn *c = conn_of(p);
        c->resp.headers_done = true;
        c->resp.remaining = p->content_length == ULLONG_MAX ? 0 : p->content_length;
        c->status = p->status_code;
        http_parser_pause(p, 1);
        return c->is_head ? 1 : 0; /* an answer to HEAD has no body */
}

static int on_resp_body(http_parser *p, const char *at, size_t n) {
        Conn *c = conn_of(p);
        c->resp.remaining = c->resp.remaining >= n ? c->resp.remaining - n : 0;
        if (c->rs == RS_COLLECT && http_append(&c->body, &c->body_len, at, n, CONN_DF_BODY_MAX) < 0)
                c->body_error = true;
        return 0;
}

static int on_resp_complete(http_parser *p) {
        conn_of(p)->resp.message_done = true;
        http_parser_pause(p, 1);
        return 0;
}

static const http_parser_settings req_settings = {
        .on_message_begin = on_req_begin,
        .on_url = on_url,
        .on_header_field = on_header_field,
        .on_header_value = on_header_value,
        .on_headers_complete = on_req_headers,
        .on_body = on_req_body,
        .on_chunk_header = on_chunk_header,
        .on_message_complete = on_req_complete,
};

static const http_parser_settings resp_settings = {
        .on_header_field = on_resp_header_field,
        .on_header_value = on_resp_header_value,
        .on_headers_complete = on_resp_headers,
        .on_body = on_resp_body,
        .on_chunk_header = on_chunk_header,
        .on_message_complete = on_resp_complete,
};

/* Feed the parser n bytes (zeros: data that was spliced, not to be
 * forwarded).  Stops at a head's end or a message's end (the parser
 * pauses there); *ret_used says how far it got.  A head's end is taken
 * through its last line feed, so that what follows is exactly the body. */
static int flow_parse(struct flow *f, const http_parser_settings *s, const char *data, size_t n, bool zero,
                      size_t *ret_used) {
        size_t used = 0;
        f->zero_feed = zero;
        while (used < n) {
                size_t k = http_parser_execute(&f->parser, s, data + used, n - used);
                enum http_errno e = HTTP_PARSER_ERRNO(&f->parser);
                if (e != HPE_OK && e != HPE_PAUSED) {
                        f->zero_feed = false;
                        return -EBADMSG;
                }
                if (f->forward && !zero && flow_emit(f, data + used, k) < 0)
                        return -ENOMEM;
                used += k;
                if (e == HPE_PAUSED && f->headers_done && !f->message_done && used < n && data[used] == '\n') {
                        /* the head's last LF: the parser stopped just before it */
                        http_parser_pause(&f->parser, 0);
                        k = http_parser_execute(&f->parser, s, data + used, 1);
                        e = HTTP_PARSER_ERRNO(&f->parser);
                        if (e != HPE_OK && e != HPE_PAUSED)
                                return -EBADMSG;
                        if (f->forward && !zero && flow_emit(f, data + used, k) < 0)
                                return -ENOMEM;
                        used += k;
                        if (e == HPE_OK)
                                http_parser_pause(&f->parser, 1); /* still stopped at the head */
                }
                if (e == HPE_PAUSED || HTTP_PARSER_ERRNO(&f->parser) == HPE_PAUSED)
                        break;
                if (f->parser.upgrade)
                        break; /* the rest is another protocol */
        }
        f->zero_feed = false;
        *ret_used = used;
        return 0;
}

/* --- writing answers of our own -------------------------------------------- */

static const char *status_text(int status) {
        switch (status) {
        case 200:
                return "OK";
        case 400:
                return "Bad Request";
        case 403:
                return "Forbidden";
        case 404:
                return "Not Found";
        case 413:
                return "Payload Too Large";
        case 503:
                return "Service Unavailable";
        default:
                return "Error";
        }
}

/* An answer every Docker client shows as "Error response from daemon:
 * berth: …": one JSON message, on the client's side of the connection.
 * An answer to HEAD says the length and sends no body (RFC 9110 9.3.2):
 * a client would read those bytes as the start of its next answer. */
static void conn_answer(Conn *c, int status, const char *message, bool close_after) {
        _cleanup_json_ json_t *o = json_pack("{s:s}", "message", message);
        if (!o) {
                /* a sentence cut inside a UTF-8 character (or a client's bytes in it): JSON wants UTF-8 */
                _cleanup_free_ char *ascii = strdup(message);
                for (char *p = ascii; p && *p; p++)
                        if ((unsigned char) *p >= 0x80)
                                *p = '?';
                o = ascii ? json_pack("{s:s}", "message", ascii) : NULL;
        }
        _cleanup_free_ char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
        _cleanup_free_ char *head = NULL;
        if (!body || asprintf(&head,
                              "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n",
                              status, status_text(status), strlen(body) + 1,
                              close_after ? "Connection: close\r\n" : "") < 0 ||
            flow_emit(&c->resp, head, strlen(head)) < 0 ||
            (!c->is_head && (flow_emit(&c->resp, body, strlen(body)) < 0 || flow_emit(&c->resp, "\n", 1) < 0))) {
                c->closing = true;
                return;
        }
        if (close_after)
                c->closing = true;
}

static void audit_refusal(Conn *c, const struct decision *d, enum audit_event ev, const char *message) {
        struct audit_fields f = AUDIT_FIELDS_INIT;
        f.user = c->who.user;
        f.uid = (long) c->who.uid;
        f.container = d ? d->container : NULL;
        f.reason = message;
        (void) audit_log(ev, &f, "%s (%s %s)", message, d && d->method ? d->method : "?",
                         d && d->match.path ? d->match.path : "?");
}

/* --- the request --------------------------------------------------------- */

static void next_request(Conn *c);

static int upstream_connect(Conn *c) {
        if (c->ufd >= 0)
                return 0;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(c->g->upstream) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, c->g->upstream);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        int r = sd_event_add_io(c->g->event, &c->usrc, fd, EPOLLIN, on_io, c);
        if (r < 0) {
                close(fd);
                return r;
        }
        c->ufd = fd;
        return 1;
}

/* A head is written twice: the first time (p NULL) only to measure it, the
 * second into a buffer of that size.  A stdio stream would cost more than
 * the rest of a short request together. */
struct text {
        char *p;
        size_t n;
};

static void text_putn(struct text *t, const char *s, size_t l) {
        if (t->p)
                memcpy(t->p + t->n, s, l);
        t->n += l;
}

static void text_put(struct text *t, const char *s) {
        text_putn(t, s, strlen(s));
}

static void text_number(struct text *t, uint64_t v) {
        char b[20];
        size_t i = sizeof(b);
        do
                b[--i] = (char) ('0' + v % 10);
        while ((v /= 10) > 0);
        text_putn(t, b + i, sizeof(b) - i);
}

static void text_header(struct text *t, const char *name, const char *value) {
        text_put(t, name);
        text_put(t, ": ");
        text_put(t, value);
        text_put(t, "\r\n");
}

/* The framing berth writes itself into the head dockerd gets. */
struct framing {
        bool length; /* Content-Length: n */
        uint64_t n;
        bool chunked;
        bool upgrade;
};

/* The head dockerd gets: the method, the target berth settled on, the
 * client's end-to-end headers, and the framing. */
static void request_text(const Conn *c, const struct decision *d, const struct framing *f, struct text *t) {
        text_put(t, d->method);
        text_put(t, " ");
        text_put(t, d->target);
        text_put(t, " HTTP/1.1\r\n");
        for (size_t i = 0; i < c->head.n_headers; i++)
                if (!http_hop_by_hop(c->head.headers[i].name))
                        text_header(t, c->head.headers[i].name, c->head.headers[i].value);
        if (f->length) {
                text_put(t, "Content-Length: ");
                text_number(t, f->n);
                text_put(t, "\r\n");
        } else if (f->chunked)
                text_put(t, "Transfer-Encoding: chunked\r\n");
        if (f->upgrade)
                text_put(t, "Connection: Upgrade\r\nUpgrade: tcp\r\n");
        text_put(t, "\r\n");
}

static int write_head(Conn *c, const struct decision *d) {
        struct framing f = { .upgrade = c->hijack && header_get(c, "Upgrade", NULL) };
        if (d->replace_body) {
                f.length = true;
                f.n = d->new_body_len;
        } else if (c->req.parser.flags & F_CHUNKED)
                f.chunked = true;
        else if (c->req.parser.flags & F_CONTENTLENGTH) {
                f.length = true;
                f.n = c->content_length;
        }

        struct text t = {};
        request_text(c, d, &f, &t);
        _cleanup_free_ char *head = t.p = malloc(t.n);
        if (!head)
                return -ENOMEM;
        t.n = 0;
        request_text(c, d, &f, &t);
        int r = flow_emit(&c->req, head, t.n);
        if (r >= 0 && d->replace_body)
                r = flow_emit(&c->req, d->new_body, d->new_body_len);
        return r;
}

static void settle_run(void *userdata);
static void settle_done(void *userdata);

struct settle {
        char *control_socket;
        struct gate_identity who;
        char *reservation;
        int status;
};

/* A reservation is committed or cancelled off the loop; the connection
 * does not wait for it. */
static void settle_reservation(Conn *c) {
        struct decision *d = c->d;
        if (d && d->forget_owners)
                owner_cache_forget(c->g->owners, c->who.uid); /* again: an answer may have been kept meanwhile */
        if (!d || !d->reservation)
                return;
        struct settle *s = calloc(1, sizeof(*s));
        if (!s)
                return; /* the reservation's TTL frees it */
        s->control_socket = strdup(c->g->config->control_socket);
        s->who = (struct gate_identity) { .uid = c->who.uid, .gid = c->who.gid, .pid = c->who.pid };
        s->reservation = TAKE_PTR(d->reservation);
        s->status = c->status;
        if (!s->control_socket || worker_submit(c->g->worker, settle_run, settle_done, s) < 0) {
                settle_done(s);
                return;
        }
}

static void settle_run(void *userdata) {
        struct settle *s = userdata;
        decide_settle(s->control_socket, &s->who, s->reservation, s->status);
}

static void settle_done(void *userdata) {
        struct settle *s = userdata;
        free(s->control_socket);
        free(s->reservation);
        free(s);
}

/* The decision is in: refuse, or send dockerd the head (and body). */
static void request_decided(Conn *c) {
        struct decision *d = c->d;
        c->busy = false;
        if (d->outcome == DECISION_REFUSE) {
                if (d->audit >= 0)
                        audit_refusal(c, d, d->audit, d->message);
                conn_answer(c, d->status ? d->status : 403, d->message, c->close_after);
                c->rs = RS_IDLE;
                decision_free(TAKE_PTR(c->d));
                if (!c->req.message_done && !c->closing) {
                        /* the client sends its body before it reads: it is read and dropped, so the
                         * refusal reaches it (and the next request is found where it starts) */
                        c->discarding = true;
                        c->discarded = 0;
                        c->rq = RQ_BODY;
                        c->req.forward = false;
                        http_parser_pause(&c->req.parser, 0);
                        return;
                }
                c->rq = RQ_DONE;
                if (!c->closing)
                        next_request(c);
                return;
        }
        if (!d->replace_body && d->body) {
                /* a body read whole and let through as it came */
                d->new_body = TAKE_PTR(d->body);
                d->new_body_len = d->body_len;
                d->replace_body = true;
        }
        int r = upstream_connect(c);
        if (r < 0) {
                conn_answer(c, 503, "berth: Docker cannot be reached right now; try again in a moment, or ask an admin.", true);
                return;
        }
        if (write_head(c, d) < 0) {
                c->closing = true;
                return;
        }
        c->rs = RS_HEAD;
        http_parser_init(&c->resp.parser, HTTP_RESPONSE);
        c->resp.parser.data = c;
        c->resp.headers_done = c->resp.message_done = false;
        c->resp.forward = d->answer == DECISION_ANSWER_AS_IS;
        rheaders_clear(c);
        if (c->req.message_done || d->replace_body) {
                c->rq = c->hijack ? RQ_RAW : RQ_DONE;
                c->req.raw = c->hijack;
                c->req.forward = c->hijack;
        } else {
                c->rq = RQ_BODY;
                c->req.forward = true;
                http_parser_pause(&c->req.parser, 0); /* it stopped at the head */
        }
}

static void decide_job_run(void *userdata) {
        Conn *c = userdata;
        decide_run(c->d);
}

static void decide_job_done(void *userdata) {
        Conn *c = userdata;
        c->busy = false;
        if (c->closing) {
                conn_free(c); /* the client went while it was judged */
                return;
        }
        request_decided(c);
        conn_pump(c);
}

/* The head (and for some routes the body) is read: judge it. */
static void request_judge(Conn *c) {
        struct decision *d = c->d;
        c->rq = RQ_DECIDING;
        d->body = TAKE_PTR(c->body);
        d->body_len = c->body_len;
        c->body_len = 0;
        if (decide_early(d)) {
                request_decided(c);
                return;
        }
        c->busy = true;
        if (worker_submit(c->g->worker, decide_job_run, decide_job_done, c) < 0) {
                c->busy = false;
                d->outcome = DECISION_REFUSE;
                d->status = 503;
                snprintf(d->message, sizeof(d->message), "berth: the gate is out of memory; try again in a moment.");
                request_decided(c);
        }
}

/* A whole head came.  Framing berth cannot be sure Docker reads the same
 * way is refused here, before anything is asked. */
static void request_head(Conn *c) {
        http_parser *p = &c->req.parser;
        const char *ctype = header_get(c, "Content-Type", NULL);
        const char *conn_hdr = header_get(c, "Connection", NULL);

        conn_wait(c, UINT64_MAX);
        c->is_head = p->method == HTTP_HEAD;
        const char *why = http_head_refusal(p, &c->head);
        if (why) {
                c->d = calloc(1, sizeof(*c->d));
                conn_answer(c, 400, why, true);
                audit_refusal(c, c->d, AUDIT_ACCESS_DENY, why);
                decision_free(TAKE_PTR(c->d));
                c->rq = RQ_DONE;
                return;
        }

        struct decision *d = calloc(1, sizeof(*d));
        if (!d) {
                c->closing = true;
                return;
        }
        c->d = d;
        d->config = c->g->config;
        d->upstream = c->g->upstream;
        d->owners = c->g->owners;
        d->who = (struct gate_identity) { .uid = c->who.uid, .gid = c->who.gid, .pid = c->who.pid,
                                          .user = c->who.user ? strdup(c->who.user) : NULL, .admin = c->who.admin,
                                          .error = c->who.error ? strdup(c->who.error) : NULL };
        d->method = strdup(http_method_str(p->method));
        d->content_type = ctype ? strdup(ctype) : NULL;
        d->audit = AUDIT_ACCESS_DENY;
        if (!d->method || (ctype && !d->content_type)) {
                c->closing = true; /* out of memory: nothing half-judged goes on */
                return;
        }
        c->close_after = !http_should_keep_alive(p) || (conn_hdr && strcasestr(conn_hdr, "close"));

        char reason[256] = "";
        int r = route_parse(d->method, c->head.url ? c->head.url : "", c->head.url_len, &d->match, reason, sizeof(reason));
        if (r == -ENOENT && c->who.admin && c->head.url) {
                /* admins pass everything, what the table does not know too */
                d->target = strdup(c->head.url);
                d->outcome = d->target ? DECISION_FORWARD : DECISION_REFUSE;
                d->status = 503;
                request_decided(c);
                return;
        }
        if (r < 0 && r != -EPERM) {
                d->outcome = DECISION_REFUSE;
                d->status = r == -EINVAL ? 400 : 403;
                snprintf(d->message, sizeof(d->message), "%s",
                         reason[0] ? reason : "berth: this request is not one berth understands; it is refused.");
                request_decided(c);
                return;
        }
        if (r == -EPERM && !c->who.admin) {
                d->outcome = DECISION_REFUSE;
                d->status = 403;
                snprintf(d->message, sizeof(d->message), "%s", reason);
                request_decided(c);
                return;
        }
        const struct route *rt = d->match.route;
        c->hijack = rt && (rt->flags & ROUTE_HIJACK);
        if (p->upgrade && !c->hijack) {
                d->outcome = DECISION_REFUSE;
                d->status = 400;
                snprintf(d->message, sizeof(d->message), "berth: only attach and exec switch protocols; this request may not.");
                request_decided(c);
                return;
        }
        if (rt && (rt->flags & ROUTE_BODY_NONE) && !c->who.admin &&
            ((p->flags & F_CHUNKED) || c->content_length > ROUTE_BODY_NONE_MAX)) {
                /* what Docker would not read is not forwarded either: a start
                 * body (a HostConfig, before API 1.24) would be read by a
                 * dockerd that still knows it, unchecked */
                d->outcome = DECISION_REFUSE;
                d->status = 400;
                snprintf(d->message, sizeof(d->message),
                         "berth: %s %s takes no request body; send it without one.", d->method, rt->pattern);
                request_decided(c);
                return;
        }
        if (header_get(c, "Expect", NULL)) {
                /* dockerd never sees Expect: the gate answers it once it will read the body */
                static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
                if (flow_emit(&c->resp, cont, sizeof(cont) - 1) < 0) {
                        c->closing = true;
                        return;
                }
        }
        if (rt && (rt->flags & ROUTE_BODY_JSON) && !c->hijack && !c->req.message_done) {
                c->rq = RQ_COLLECT;
                http_parser_pause(p, 0);
                conn_wait(c, CONN_BODY_USEC);
                return;
        }
        request_judge(c);
}

/* Ready for the next request on this connection (keep-alive). */
static void next_request(Conn *c) {
        if (c->closing || c->close_after || c->hijack) {
                c->closing = true;
                return;
        }
        c->rq = RQ_HEAD;
        c->rs = RS_IDLE;
        c->hijack = false;
        c->status = 0;
        decision_free(TAKE_PTR(c->d));
        headers_clear(c);
        http_parser_init(&c->req.parser, HTTP_REQUEST);
        c->req.parser.data = c;
        c->req.headers_done = c->req.message_done = false;
        c->req.forward = false;
        c->req.remaining = 0;
        conn_wait(c, CONN_IDLE_USEC);
}

/* --- the answer ---------------------------------------------------------- */

/* The head of an answer berth rewrote: dockerd's status and headers (an
 * API version capped), a length of its own. */
static void answer_text(const Conn *c, size_t length, struct text *t) {
        text_put(t, "HTTP/1.1 ");
        text_number(t, (uint64_t) c->status);
        text_put(t, " ");
        text_put(t, status_text(c->status));
        text_put(t, "\r\n");
        for (size_t i = 0; i < c->rhead.n_headers; i++) {
                const char *n = c->rhead.headers[i].name, *v = c->rhead.headers[i].value;
                if (!http_hop_by_hop(n))
                        text_header(t, n, strcasecmp(n, "Api-Version") == 0 ? decide_api_version(v) : v);
        }
        text_put(t, "Content-Length: ");
        text_number(t, length);
        text_put(t, "\r\n\r\n");
}

/* An answer berth rewrote (/system/df cut, an API version capped): dockerd's
 * status and headers, the new body, a length of its own. */
static void answer_collected(Conn *c) {
        _cleanup_free_ char *body = NULL, *head = NULL;
        if (c->body_error || decide_answer_body(c->d, c->status, c->body, c->body_len, &body) < 0) {
                conn_answer(c, 503, "berth: Docker's answer could not be read; try again.", true);
                return;
        }
        size_t length = c->is_head ? 0 : strlen(body);
        struct text t = {};
        answer_text(c, length, &t);
        head = t.p = malloc(t.n);
        if (head) {
                t.n = 0;
                answer_text(c, length, &t);
        }
        if (!head || flow_emit(&c->resp, head, t.n) < 0 ||
            (!c->is_head && flow_emit(&c->resp, body, strlen(body)) < 0))
                c->closing = true;
        c->body = mfree(c->body);
        c->body_len = 0;
        rheaders_clear(c);
}

static void response_head(Conn *c) {
        http_parser *p = &c->resp.parser;
        bool framed = (p->flags & (F_CHUNKED | F_CONTENTLENGTH)) || c->is_head || p->status_code == 204 ||
                      p->status_code == 304;
        if (c->hijack && (p->status_code == 101 || (p->status_code / 100 == 2 && !framed))) {
                /* dockerd took the connection over: raw both ways from here */
                c->rs = RS_RAW;
                c->resp.raw = true;
                c->resp.forward = true;
                c->rq = RQ_RAW;
                c->req.raw = true;
                c->req.forward = true;
                return;
        }
        c->download = c->d && route_download(&c->d->match) && p->status_code / 100 == 2;
        c->pace_usec = PACE_START_USEC;
        if (!framed && p->status_code / 100 != 1) {
                /* a body until dockerd closes: moved raw, and the connection ends with it */
                c->rs = RS_RAW;
                c->resp.raw = true;
                c->close_after = true;
                return;
        }
        if (keeps_rheaders(c)) {
                c->rs = RS_COLLECT; /* an error is passed on as it came, with its status */
                c->body = mfree(c->body);
                c->body_len = 0;
        } else
                c->rs = RS_BODY;
        http_parser_pause(p, 0);
}

static void response_complete(Conn *c) {
        c->download = c->pacing = false;
        if (c->pace)
                (void) sd_event_source_set_enabled(c->pace, SD_EVENT_OFF);
        if (c->rs == RS_COLLECT)
                answer_collected(c);
        settle_reservation(c);
        c->rs = RS_IDLE;
        if (c->rq == RQ_DONE)
                next_request(c);
}

/* --- moving bytes --------------------------------------------------------- */

static int flow_pipe(struct flow *f) {
        if (f->pipe[0] >= 0)
                return 0;
        if (pipe2(f->pipe, O_CLOEXEC | O_NONBLOCK) < 0)
                return -errno;
        return 0;
}

/* Splice up to max bytes from src into the pipe: >0 moved, 0 EOF, -EAGAIN. */
static ssize_t flow_splice_in(struct flow *f, size_t max) {
        if (flow_pipe(f) < 0)
                return -EIO;
        for (;;) {
                ssize_t n = splice(*f->src, NULL, f->pipe[1], NULL, max, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                f->piped += (size_t) n;
                return n;
        }
}

/* Feed what was read (or stashed) to the flow's parser and act on where it
 * stopped.  Returns 1 when progress was made, 0 when nothing more can be
 * done now, negative when the connection must end. */
static int flow_take(Conn *c, struct flow *f, const char *data, size_t n) {
        const http_parser_settings *s = f == &c->req ? &req_settings : &resp_settings;
        size_t used = 0;
        if (f->raw)
                return flow_emit(f, data, n) < 0 ? -ENOMEM : 1;
        int r = flow_parse(f, s, data, n, false, &used);
        if (r < 0)
                return r;
        if (used < n && flow_stash(f, data + used, n - used) < 0)
                return -ENOMEM;
        return 1;
}

/* Where the request flow may read from now. */
static bool req_wants_input(Conn *c) {
        if (c->closing || c->busy || !c->who_known || c->req.eof || flow_backlogged(&c->req))
                return false;
        switch (c->rq) {
        case RQ_HEAD:
        case RQ_COLLECT:
        case RQ_BODY:
        case RQ_RAW:
                return true;
        default:
                return false;
        }
}

static bool resp_wants_input(Conn *c) {
        if (c->ufd < 0 || c->resp.eof || c->pacing || flow_backlogged(&c->resp))
                return false;
        if (c->closing && c->rs != RS_RAW)
                return false;
        return true; /* RS_IDLE too: an end or stray bytes from dockerd are noticed */
}

/* Act on the parser stopping at a head or a message's end. */
static int req_events(Conn *c) {
        struct flow *f = &c->req;
        if (f->headers_done && c->rq == RQ_HEAD) {
                f->headers_done = false; /* a body without its message done is judged too */
                request_head(c);
                return 1;
        }
        if (f->message_done && c->rq == RQ_COLLECT) {
                if (c->body_error) {
                        conn_answer(c, 413, "berth: the request body is larger than berth reads (1 MiB).", true);
                        return 1;
                }
                request_judge(c);
                return 1;
        }
        if (f->message_done && c->rq == RQ_BODY && c->discarding) {
                c->discarding = false;
                c->rq = RQ_DONE;
                next_request(c);
                return 1;
        }
        if (f->message_done && c->rq == RQ_BODY) {
                if (c->hijack) {
                        c->rq = RQ_RAW;
                        f->raw = true;
                } else {
                        c->rq = RQ_DONE;
                        if (c->rs == RS_IDLE)
                                next_request(c);
                }
                return 1;
        }
        return 0;
}

static int resp_events(Conn *c) {
        struct flow *f = &c->resp;
        if (f->headers_done && c->rs == RS_HEAD) {
                f->headers_done = false;
                if (c->resp.parser.status_code / 100 == 1 && c->resp.parser.status_code != 101) {
                        /* an interim answer: the real one follows */
                        f->message_done = false;
                        http_parser_pause(&f->parser, 0);
                        return 1;
                }
                response_head(c);
                return 1;
        }
        if (f->message_done && (c->rs == RS_BODY || c->rs == RS_COLLECT || c->rs == RS_HEAD)) {
                f->message_done = false;
                response_complete(c);
                return 1;
        }
        return 0;
}

static int on_pace(sd_event_source *s, uint64_t usec, void *userdata) {
        Conn *c = userdata;
        c->pacing = false;
        conn_pump(c);
        return 0;
}

/* After flow f read n bytes: if they are part of a download, wait a moment
 * before the next read, unless the socket was nearly full. */
static void download_pace(Conn *c, const struct flow *f, size_t n) {
        if (f != &c->resp || !c->download || f->message_done)
                return;
        if (n >= PACE_FULL) {
                c->pace_usec = MAX(c->pace_usec / 2, PACE_MIN_USEC);
                return;
        }
        if (n < PACE_LITTLE)
                c->pace_usec = MIN(c->pace_usec * 2, PACE_MAX_USEC);
        uint64_t now;
        sd_event_now(c->g->event, CLOCK_MONOTONIC, &now);
        int r = c->pace ? sd_event_source_set_time(c->pace, now + c->pace_usec)
                        : sd_event_add_time(c->g->event, &c->pace, CLOCK_MONOTONIC, now + c->pace_usec, 1, on_pace, c);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->pace, SD_EVENT_ONESHOT);
        c->pacing = r >= 0; /* without a timer, read on at once */
}

/* One step of one flow: stashed bytes first, then a splice when the
 * parser waits for plain data, else a read. */
static int flow_step(Conn *c, struct flow *f, bool is_req) {
        if (!(is_req ? req_wants_input(c) : resp_wants_input(c)))
                return 0;
        if (f->stash_len > 0) {
                _cleanup_free_ char *s = TAKE_PTR(f->stash);
                size_t n = f->stash_len;
                f->stash_len = 0;
                int r = flow_take(c, f, s, n);
                if (r < 0)
                        return r;
                return 1;
        }
        if (f->drained)
                return 0;
        bool spliceable = f->raw || (f->forward && f->remaining >= READ_CHUNK && !f->headers_done);
        if (is_req && c->rq != RQ_BODY && c->rq != RQ_RAW)
                spliceable = false;
        if (!is_req && c->rs != RS_BODY && c->rs != RS_RAW)
                spliceable = false;
        if (spliceable) {
                size_t max = f->raw ? SPLICE_CHUNK : (size_t) MIN(f->remaining, (uint64_t) SPLICE_CHUNK);
                ssize_t n = flow_splice_in(f, max);
                if (n == -EAGAIN) {
                        f->drained = true;
                        return 0;
                }
                if (n == -EINVAL || n == -ENOSYS) {
                        /* no splice on this pair: read below */
                } else if (n < 0) {
                        return (int) n;
                } else if (n == 0) {
                        f->eof = true;
                        return 1;
                } else {
                        if (!f->raw) { /* the parser skips over as many bytes */
                                size_t left = (size_t) n;
                                while (left > 0) {
                                        size_t used = 0, k = MIN(left, sizeof(zeros));
                                        int r = flow_parse(f, is_req ? &req_settings : &resp_settings, zeros, k, true,
                                                           &used);
                                        if (r < 0)
                                                return r;
                                        if (used != k)
                                                return -EBADMSG; /* cannot happen: data never pauses */
                                        left -= k;
                                }
                        }
                        download_pace(c, f, (size_t) n);
                        return 1;
                }
        }
        ssize_t n = recv(*f->src, scratch, sizeof(scratch), MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n > 0 && (size_t) n < sizeof(scratch))
                f->drained = true; /* a stream socket gives all it holds */
        if (n < 0 && !is_req && c->rs == RS_IDLE)
                n = 0; /* a kept-alive connection dockerd dropped */
        if (n < 0)
                return -errno;
        if (n == 0) {
                f->eof = true;
                return 1;
        }
        if (!is_req && c->rs == RS_IDLE) {
                f->eof = true; /* dockerd spoke unasked: that connection is not used again */
                return 1;
        }
        int r = flow_take(c, f, scratch, (size_t) n);
        if (r > 0)
                download_pace(c, f, (size_t) n);
        return r;
}

/* An end of input: what it means in each state. */
static int flow_ended(Conn *c) {
        if (c->req.eof) {
                if (c->rq == RQ_RAW) {
                        if (!flow_has_output(&c->req) && !c->req.shut && c->ufd >= 0) {
                                (void) shutdown(c->ufd, SHUT_WR);
                                c->req.shut = true;
                        }
                } else if (c->rq == RQ_HEAD || c->rq == RQ_COLLECT || c->rq == RQ_BODY) {
                        /* the client went in the middle of a request, or between two */
                        if (c->rq == RQ_BODY && c->ufd >= 0 && !flow_has_output(&c->req))
                                (void) shutdown(c->ufd, SHUT_WR);
                        if (c->rs == RS_IDLE && !flow_has_output(&c->resp))
                                return -ECONNRESET;
                        c->closing = true;
                }
        }
        if (c->resp.eof) {
                if (c->rs == RS_RAW) {
                        if (!flow_has_output(&c->resp) && !c->resp.shut) {
                                if (c->rq == RQ_RAW)
                                        (void) shutdown(c->cfd, SHUT_WR);
                                c->resp.shut = true;
                                if (c->rq != RQ_RAW)
                                        c->closing = true;
                        }
                } else if (c->rs == RS_IDLE) {
                        /* dockerd closed a kept-alive connection: a new one next time */
                        sd_event_source_disable_unref(TAKE_PTR(c->usrc));
                        close(TAKE_FD(c->ufd));
                        c->resp.eof = false;
                        c->req.shut = false;
                } else if (!c->resp.message_done) {
                        if (c->rs == RS_HEAD)
                                conn_answer(c, 503, "berth: Docker closed the connection without an answer.", true);
                        c->closing = true;
                }
        }
        if (c->rq == RQ_RAW && c->req.shut && c->resp.shut)
                return -ECONNRESET; /* both ways ended: done */
        return 0;
}

/* Will this round's step parse bytes the flow holds?  Then what they give
 * is written with what waits now (a head with its body), one send later. */
static bool flow_parses_next(Conn *c, struct flow *f, bool is_req) {
        return f->stash_len > 0 && (is_req ? req_wants_input(c) : resp_wants_input(c));
}

/* Move what can be moved, both ways, then ask epoll for what is wanted. */
static void conn_run(Conn *c) {
        for (int rounds = 0; rounds < 64; rounds++) {
                int progress = 0, r;

                r = flow_parses_next(c, &c->req, true) ? 0 : flow_flush(&c->req);
                if (r < 0 && r != -EAGAIN)
                        goto fail;
                r = flow_parses_next(c, &c->resp, false) ? 0 : flow_flush(&c->resp);
                if (r < 0 && r != -EAGAIN)
                        goto fail;

                r = flow_step(c, &c->req, true);
                if (r == -EBADMSG && (c->rq == RQ_HEAD || c->rq == RQ_COLLECT)) {
                        /* not HTTP/1.x berth can read (an HTTP/2 preface, bad framing): said once, then closed */
                        conn_answer(c, 400, "berth: the request is not HTTP/1.1 that berth can read; it is refused.", true);
                        audit_refusal(c, NULL, AUDIT_ACCESS_DENY, "berth: a request that is not HTTP/1.1 was refused.");
                        c->rq = RQ_DONE;
                        c->req.eof = true;
                        r = 1;
                }
                if (r < 0)
                        goto fail;
                progress += r;
                while ((r = req_events(c)) > 0)
                        progress++;

                r = flow_step(c, &c->resp, false);
                if (r < 0)
                        goto fail;
                progress += r;
                while ((r = resp_events(c)) > 0)
                        progress++;

                if (flow_ended(c) < 0)
                        goto fail;
                if (c->closing && !flow_has_output(&c->resp) && !c->busy && (c->rs != RS_RAW || c->resp.shut))
                        goto fail;
                if (!progress)
                        break;
        }
        conn_update(c);
        return;
fail:
        if (c->busy) {
                /* the worker still holds the decision: freed when it is done */
                c->closing = true;
                conn_update(c);
                return;
        }
        conn_free(c);
}

/* Run a connection from outside epoll (a decision, a timer): both flows
 * may read. */
static void conn_pump(Conn *c) {
        c->req.drained = c->resp.drained = false;
        conn_run(c);
}

/* Ask epoll for events (only what changed reaches the kernel).  With lazy,
 * an EPOLLIN no longer wanted stays asked for until it wakes the gate
 * unasked: a client waiting for its answer sends nothing, so its socket is
 * not taken out of epoll and put back for every request. */
static void io_want(sd_event_source *s, uint32_t want, bool lazy) {
        uint32_t have = 0;
        int on = SD_EVENT_OFF;
        if (sd_event_source_get_enabled(s, &on) >= 0 && on != SD_EVENT_OFF)
                (void) sd_event_source_get_io_events(s, &have);
        if (lazy)
                want |= have & EPOLLIN;
        if (want == 0) {
                if (on != SD_EVENT_OFF)
                        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
                return;
        }
        if (want != have)
                (void) sd_event_source_set_io_events(s, want);
        if (on == SD_EVENT_OFF)
                (void) sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static void conn_update(Conn *c) {
        uint32_t ce = 0, ue = 0;
        if (req_wants_input(c))
                ce |= EPOLLIN;
        if (flow_has_output(&c->resp))
                ce |= EPOLLOUT;
        if (resp_wants_input(c))
                ue |= EPOLLIN;
        if (flow_has_output(&c->req))
                ue |= EPOLLOUT;
        /* the client's side lazily, dockerd's exactly: a download's pause
         * between reads must not be woken by what dockerd writes meanwhile */
        io_want(c->csrc, ce, !c->closing && !c->req.eof && !c->unasked);
        c->unasked = false;
        if (c->usrc)
                io_want(c->usrc, ue, false);
}

/* A flow reads again once its source has more, or its destination took
 * what waited (it may have stopped reading for that); a flow that found
 * its source empty is not asked again until then. */
static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Conn *c = userdata;
        bool client = s == c->csrc;
        if (client && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !req_wants_input(c))
                c->unasked = true;
        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                (client ? &c->req : &c->resp)->drained = false;
        if (revents & (EPOLLOUT | EPOLLHUP | EPOLLERR))
                (client ? &c->resp : &c->req)->drained = false;
        conn_run(c);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Conn *c = userdata;
        uint64_t now;
        c->timer_at = UINT64_MAX; /* a oneshot: off now */
        sd_event_now(c->g->event, CLOCK_MONOTONIC, &now);
        if (c->deadline == UINT64_MAX)
                return 0;
        if (now < c->deadline) {
                timer_set(c, c->deadline); /* the deadline moved on since */
                return 0;
        }
        if (c->rq == RQ_HEAD && c->head.url == NULL && c->head.n_headers == 0) {
                conn_free(c); /* idle: closed quietly, as dockerd does */
                return 0;
        }
        if (c->rq == RQ_HEAD || c->rq == RQ_COLLECT) {
                conn_answer(c, 400, "berth: the request did not arrive in time.", true);
                c->rq = RQ_DONE;
                conn_pump(c);
        }
        return 0;
}

/* --- identity ------------------------------------------------------------ */

struct identity_job {
        Conn *c;
        const struct berth_config *config;
        struct gate_identity who;
};

static void identity_run(void *userdata) {
        struct identity_job *j = userdata;
        decide_identity(j->config, &j->who);
}

static void identity_remember(Gate *g, const struct gate_identity *who) {
        uint64_t now;
        sd_event_now(g->event, CLOCK_MONOTONIC, &now);
        if (!who->user)
                return; /* a failure is asked again next time */
        for (size_t i = 0; i < g->n_identities; i++)
                if (g->identities[i].uid == who->uid && g->identities[i].gid == who->gid) {
                        free(g->identities[i].user);
                        g->identities[i].user = strdup(who->user);
                        g->identities[i].admin = who->admin;
                        g->identities[i].until = now + GATE_IDENTITY_TTL_USEC;
                        return;
                }
        if (g->n_identities >= 4096)
                return;
        struct gate_identity_cached *n = realloc(g->identities, (g->n_identities + 1) * sizeof(*n));
        if (!n)
                return;
        g->identities = n;
        n[g->n_identities++] = (struct gate_identity_cached) { .uid = who->uid, .gid = who->gid,
                                                               .user = strdup(who->user), .admin = who->admin,
                                                               .until = now + GATE_IDENTITY_TTL_USEC };
}

static bool identity_recall(Gate *g, struct gate_identity *who) {
        uint64_t now;
        sd_event_now(g->event, CLOCK_MONOTONIC, &now);
        for (size_t i = 0; i < g->n_identities; i++) {
                struct gate_identity_cached *e = &g->identities[i];
                if (e->uid == who->uid && e->gid == who->gid && e->until > now && e->user) {
                        who->user = strdup(e->user);
                        who->admin = e->admin;
                        return who->user != NULL;
                }
        }
        return false;
}

static void identity_done(void *userdata) {
        struct identity_job *j = userdata;
        Conn *c = j->c;
        if (c) {
                c->busy = false;
                c->who.user = TAKE_PTR(j->who.user);
                c->who.error = TAKE_PTR(j->who.error);
                c->who.admin = j->who.admin;
                c->who_known = true;
                identity_remember(c->g, &c->who);
        }
        gate_identity_done(&j->who);
        free(j);
        if (!c)
                return;
        if (c->closing) {
                conn_free(c);
                return;
        }
        conn_pump(c);
}

/* --- the connection ------------------------------------------------------ */

static size_t conns_of(Gate *g, uid_t uid) {
        size_t n = 0;
        for (Conn *c = g->conns; c; c = c->next)
                n += c->who.uid == uid;
        return n;
}

int conn_new(Gate *g, int fd) {
        struct ucred peer;
        socklen_t sl = sizeof(peer);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &sl) < 0 || sl != sizeof(peer)) {
                close(fd);
                return -EIO;
        }
        if (g->n_conns >= GATE_CONNECTIONS_MAX ||
            (peer.uid != 0 && conns_of(g, peer.uid) >= GATE_CONNECTIONS_PER_UID)) {
                close(fd); /* a client that holds too many waits for its own to end */
                return -EMFILE;
        }
        Conn *c = calloc(1, sizeof(*c));
        if (!c) {
                close(fd);
                return -ENOMEM;
        }
        c->g = g;
        c->cfd = fd;
        c->ufd = -1;
        c->who = (struct gate_identity) { .uid = peer.uid, .gid = peer.gid, .pid = peer.pid };
        c->req = (struct flow) { .src = &c->cfd, .dst = &c->ufd, .pipe = { -1, -1 } };
        c->resp = (struct flow) { .src = &c->ufd, .dst = &c->cfd, .pipe = { -1, -1 } };
        http_parser_init(&c->req.parser, HTTP_REQUEST);
        c->req.parser.data = c;
        c->next = g->conns;
        if (g->conns)
                g->conns->prev = c;
        g->conns = c;
        g->n_conns++;

        uint64_t now;
        sd_event_now(g->event, CLOCK_MONOTONIC, &now);
        int r = sd_event_add_io(g->event, &c->csrc, fd, EPOLLIN, on_io, c);
        if (r >= 0)
                r = sd_event_add_time(g->event, &c->timer, CLOCK_MONOTONIC, now + CONN_IDLE_USEC, 0, on_timer, c);
        c->deadline = c->timer_at = now + CONN_IDLE_USEC;
        if (r < 0) {
                conn_free(c);
                return r;
        }

        if (peer.uid == 0) {
                /* root is an admin by the one rule whatever NSS says */
                c->who.user = strdup("root");
                c->who.admin = true;
                c->who_known = true;
        } else if (identity_recall(g, &c->who)) {
                c->who_known = true;
        } else {
                struct identity_job *j = calloc(1, sizeof(*j));
                if (!j) {
                        conn_free(c);
                        return -ENOMEM;
                }
                j->c = c;
                j->config = g->config;
                j->who = (struct gate_identity) { .uid = peer.uid, .gid = peer.gid, .pid = peer.pid };
                c->busy = true;
                c->d = NULL;
                if (worker_submit(g->worker, identity_run, identity_done, j) < 0) {
                        free(j);
                        conn_free(c);
                        return -ENOMEM;
                }
        }
        conn_update(c);
        return 0;
}

void conn_free(Conn *c) {
        if (!c)
                return;
        if (c->busy) {
                /* a worker still holds it: its done() frees it */
                c->closing = true;
                return;
        }
        Gate *g = c->g;
        sd_event_source_disable_unref(c->csrc);
        sd_event_source_disable_unref(c->usrc);
        sd_event_source_disable_unref(c->timer);
        sd_event_source_disable_unref(c->pace);
        if (c->cfd >= 0)
                close(c->cfd);
        if (c->ufd >= 0)
                close(c->ufd);
        if (c->d) {
                /* dockerd never answered a request holding a reservation: cancel it */
                if (c->d->reservation && c->status == 0)
                        settle_reservation(c);
                decision_free(c->d);
        }
        flow_done(&c->req);
        flow_done(&c->resp);
        headers_clear(c);
        rheaders_clear(c);
        gate_identity_done(&c->who);
        if (c->prev)
                c->prev->next = c->next;
        else
                g->conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        g->n_conns--;
        free(c);
}
