/* SPDX-License-Identifier: MIT */
/* The GPU queue; see queue.h.  Waiters are kept in order (priority, then
 * arrival); a round runs from a defer source once per loop iteration after
 * the ledger changed, so a release inside a request never re-enters it. */
#include "queue.h"

#include <stdlib.h>

#include "basic/util.h"
#include "core/proto.h"

#define USEC_PER_SEC 1000000ULL

struct waiter {
        struct waiter *prev, *next;
        struct queue_place place;
        struct ucred peer;
        char *line;
        size_t len;
        char *user;
        char *container; /* what it asked for, for people */
        double gpus;
        uint64_t since;       /* CLOCK_MONOTONIC usec */
        size_t told_position; /* the position the client last heard */
        queue_send_t send;
        void *conn; /* NULL once the client went */
};

struct Queue {
        sd_event *event;
        queue_ask_t ask;
        queue_times_t times;
        void *userdata;
        struct waiter *head, *tail;
        size_t n;
        uint64_t next_seq;
        sd_event_source *defer;
        bool running; /* a round is under way: removals only mark */
};

static void waiter_free(struct waiter *w) {
        free(w->line);
        free(w->user);
        free(w->container);
        free(w);
}

static void unlink_waiter(Queue *q, struct waiter *w) {
        if (w->prev)
                w->prev->next = w->next;
        else
                q->head = w->next;
        if (w->next)
                w->next->prev = w->prev;
        else
                q->tail = w->prev;
        q->n--;
}

static bool before(const struct queue_place *a, const struct queue_place *b) {
        return a->priority > b->priority || (a->priority == b->priority && a->seq < b->seq);
}

size_t queue_ahead(const Queue *q, const struct queue_place *place, int priority) {
        size_t n = 0;
        struct queue_place newcomer = { .priority = priority, .seq = UINT64_MAX };
        const struct queue_place *p = place ? place : &newcomer;
        for (const struct waiter *w = q ? q->head : NULL; w; w = w->next)
                if (w->conn && before(&w->place, p))
                        n++;
        return n;
}

size_t queue_length(const Queue *q) {
        size_t n = 0;
        for (const struct waiter *w = q ? q->head : NULL; w; w = w->next)
                n += w->conn != NULL;
        return n;
}

/* When GPUs are due to be freed, asked once for all the lines of a moment. */
struct estimates {
        uint64_t now;
        uint64_t *times;
        size_t n;
};

static void estimates_get(const Queue *q, struct estimates *e) {
        sd_event_now(q->event, CLOCK_MONOTONIC, &e->now);
        e->n = q->times(q->userdata, e->now, &e->times);
}

static void estimates_done(struct estimates *e) {
        free(e->times);
        *e = (struct estimates) { 0 };
}

/* Whole seconds until a GPU may be free for the waiter at position; null
 * when not that many deadlines are known. */
static json_t *estimate_json(const struct estimates *e, size_t position) {
        if (position == 0 || position > e->n)
                return json_null();
        return json_integer((json_int_t) ((e->times[position - 1] + USEC_PER_SEC - 1) / USEC_PER_SEC));
}

/* The progress line: position 1 is next. */
static char *progress_line(Queue *q, const struct estimates *e, const struct waiter *w, size_t position,
                           const char *why) {
        uint64_t now = e->now;
        json_t *estimate = estimate_json(e, position);
        char msg[512];
        snprintf(msg, sizeof(msg), "berth: waiting for %s; %zu of %zu in the queue (Ctrl-C leaves it).",
                 w->gpus > 0 && w->gpus < 1 ? "a GPU share" : w->gpus > 1 ? "GPUs" : "a GPU", position, queue_length(q));
        _cleanup_json_ json_t *o = json_pack("{s:b,s:b,s:I,s:I,s:o,s:I,s:s,s:s?}", "ok", true, "queued", true, "position",
                                             (json_int_t) position, "waiting", (json_int_t) queue_length(q),
                                             "estimate_s", estimate, "waited_s",
                                             (json_int_t) ((now - w->since) / USEC_PER_SEC), "message", msg, "why", why);
        if (!o)
                return NULL;
        char *s = json_dumps(o, JSON_COMPACT);
        char *line = NULL;
        if (s && asprintf(&line, "%s\n", s) < 0)
                line = NULL;
        free(s);
        return line;
}

/* A line to each waiter whose position changed; e (NULL: asked here when
 * needed) says when GPUs are due. */
static void tell_positions(Queue *q, struct estimates *e) {
        struct estimates own = { 0 };
        bool asked = false;
        size_t pos = 0;
        for (struct waiter *w = q->head; w; w = w->next) {
                if (!w->conn)
                        continue;
                pos++;
                if (pos == w->told_position)
                        continue;
                if (!e && !asked) {
                        estimates_get(q, &own);
                        asked = true;
                }
                w->told_position = pos;
                _cleanup_free_ char *line = progress_line(q, e ? e : &own, w, pos, NULL);
                if (line)
                        w->send(w->conn, line, false);
        }
        estimates_done(&own);
}

static void sweep(Queue *q) {
        for (struct waiter *w = q->head, *next; w; w = next) {
                next = w->next;
                if (!w->conn) {
                        unlink_waiter(q, w);
                        waiter_free(w);
                }
        }
}

/* One round: each waiter in order is asked again; the first that still has
 * to wait ends the round (nobody behind it overtakes). */
static int on_round(sd_event_source *s, void *userdata) {
        Queue *q = userdata;
        q->running = true;
        for (struct waiter *w = q->head; w; w = w->next) {
                if (!w->conn)
                        continue;
                bool wait = false;
                _cleanup_free_ char *reply = q->ask(q->userdata, &w->peer, w->line, w->len, &w->place, &wait);
                if (wait)
                        break;
                if (!reply)
                        reply = proto_error_line("internal", "berth: the daemon ran out of memory; try again.");
                if (reply) {
                        uint64_t now;
                        sd_event_now(q->event, CLOCK_MONOTONIC, &now);
                        log_info("berth-slicemgr: %s leaves the GPU queue after %llu s", w->user,
                                 (unsigned long long) ((now - w->since) / USEC_PER_SEC));
                        void *conn = w->conn;
                        w->conn = NULL;
                        w->send(conn, reply, true);
                }
        }
        q->running = false;
        sweep(q);
        tell_positions(q, NULL);
        return 0;
}

void queue_kick(Queue *q) {
        if (q && q->n > 0)
                sd_event_source_set_enabled(q->defer, SD_EVENT_ONESHOT);
}

struct waiter *queue_add(Queue *q, const struct ucred *peer, const char *line, size_t len, int priority,
                         const char *user, const char *why, queue_send_t send, void *conn) {
        struct waiter *w = calloc(1, sizeof(*w));
        if (!w)
                return NULL;
        w->line = strndup(line, len);
        w->len = len;
        w->user = strdup(strempty(user));
        if (!w->line || !w->user) {
                waiter_free(w);
                return NULL;
        }
        _cleanup_json_ json_t *req = json_loadb(line, len, 0, NULL);
        json_t *spec = json_object_get(req, "spec");
        const char *name = json_string_value(json_object_get(spec, "name"));
        json_t *gpus = json_object_get(spec, "gpus");
        w->container = name ? strdup(name) : NULL;
        w->gpus = json_is_number(gpus) ? json_number_value(gpus) : 1;
        w->peer = *peer;
        w->place = (struct queue_place) { .priority = priority, .seq = q->next_seq++ };
        sd_event_now(q->event, CLOCK_MONOTONIC, &w->since);
        w->send = send;
        w->conn = conn;

        /* in order: behind everyone of its priority or higher */
        struct waiter *at = q->head;
        while (at && before(&at->place, &w->place))
                at = at->next;
        w->next = at;
        w->prev = at ? at->prev : q->tail;
        if (w->prev)
                w->prev->next = w;
        else
                q->head = w;
        if (at)
                at->prev = w;
        else
                q->tail = w;
        q->n++;

        size_t pos = 1 + queue_ahead(q, &w->place, priority);
        w->told_position = pos;
        log_info("berth-slicemgr: %s waits for GPUs, %zu of %zu in the queue", w->user, pos, queue_length(q));
        struct estimates e = { 0 };
        estimates_get(q, &e);
        _cleanup_free_ char *first = progress_line(q, &e, w, pos, why);
        if (first)
                send(conn, first, false);
        tell_positions(q, &e); /* those it went ahead of (a higher priority) */
        estimates_done(&e);
        return w;
}

void queue_remove(Queue *q, struct waiter *w) {
        if (!q || !w)
                return;
        w->conn = NULL;
        if (q->running)
                return; /* the round sweeps it */
        log_info("berth-slicemgr: %s left the GPU queue", w->user);
        unlink_waiter(q, w);
        waiter_free(w);
        tell_positions(q, NULL);
}

json_t *queue_json(const Queue *q) {
        json_t *a = json_array();
        struct estimates e = { 0 };
        size_t pos = 0;
        if (!a || !q)
                return a;
        estimates_get(q, &e);
        for (const struct waiter *w = q->head; w; w = w->next) {
                if (!w->conn)
                        continue;
                pos++;
                json_array_append_new(
                        a, json_pack("{s:I,s:s,s:s?,s:f,s:i,s:I,s:o}", "position", (json_int_t) pos, "user", w->user,
                                     "container", w->container, "gpus", w->gpus, "priority", w->place.priority,
                                     "waiting_s", (json_int_t) ((e.now - w->since) / USEC_PER_SEC), "estimate_s",
                                     estimate_json(&e, pos)));
        }
        estimates_done(&e);
        return a;
}

int queue_new(sd_event *event, queue_ask_t ask, queue_times_t times, void *userdata, Queue **ret) {
        Queue *q = calloc(1, sizeof(*q));
        if (!q)
                return -ENOMEM;
        *q = (struct Queue) { .event = event, .ask = ask, .times = times, .userdata = userdata };
        int r = sd_event_add_defer(event, &q->defer, on_round, q);
        if (r < 0) {
                free(q);
                return r;
        }
        sd_event_source_set_enabled(q->defer, SD_EVENT_OFF);
        *ret = q;
        return 0;
}

void queue_free(Queue *q) {
        if (!q)
                return;
        sd_event_source_disable_unref(q->defer);
        while (q->head) {
                struct waiter *w = q->head;
                unlink_waiter(q, w);
                waiter_free(w);
        }
        free(q);
}
