/* SPDX-License-Identifier: MIT */
/* The control socket: many clients at once, JSON lines of at most 64 KiB,
 * identity from SO_PEERCRED only.  A client can waste its own connection,
 * never the daemon nor anyone else's turn: at most 32 connections per uid
 * (root excepted), one request at a time per connection, a request that
 * must be complete within a few seconds of its first byte (a trickle does
 * not keep it alive), an idle connection closed 30 s after its last
 * request, and questions Docker must answer asked off the loop.  A reserve
 * that waits in the GPU queue (queue.h) holds its connection, untimed,
 * until it is served or the client closes it. */
#include "control.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "basic/util.h"
#include "core/proto.h"
#include "lookup.h"
#include "ops.h"
#include "queue.h"

#define CONNECTION_IDLE_USEC (30ULL * 1000000) /* a client may sit idle this long */
#define REQUEST_USEC (5ULL * 1000000)          /* from a request's first byte to its newline */
#define CONNECTION_MAX 1024
#define CONNECTIONS_PER_UID 32
#define OUTPUT_MAX (2 * PROTO_MAX_REPLY) /* a client that does not read is dropped */

struct Control {
        Manager *m;
        Lookup *lookup; /* asks Docker off the loop; NULL: ask at once */
        int listen_fd;
        sd_event_source *listen_source;
        struct connection *connections;
        size_t n_connections;
};

struct connection {
        Control *ctl;
        struct connection *prev, *next;
        int fd;
        struct ucred peer;
        sd_event_source *io, *idle;
        char in[PROTO_MAX_LINE + 1];
        size_t in_len;
        bool discarding; /* skipping the rest of an overlong line */
        bool in_request; /* a request's first byte came; its deadline runs */
        struct deferred_job *job; /* the request being asked of Docker */
        struct waiter *waiter;    /* the reserve waiting in the GPU queue */
        char *out;
        size_t out_len, out_off;
        bool closing;    /* close once the output is written */
};

/* A request handed to the Docker worker; conn is NULL once the client went. */
struct deferred_job {
        struct connection *conn;
        struct ops_deferred *x;
};

static void connection_free(struct connection *c) {
        Control *ctl = c->ctl;
        if (c->job)
                c->job->conn = NULL; /* the answer is dropped when it comes */
        if (c->waiter)
                queue_remove(ctl->m->queue, c->waiter); /* it leaves the queue, holding nothing */
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->idle);
        if (c->fd >= 0)
                close(c->fd);
        if (c->prev)
                c->prev->next = c->next;
        else
                ctl->connections = c->next;
        if (c->next)
                c->next->prev = c->prev;
        ctl->n_connections--;
        free(c->out);
        free(c);
}

void control_free(Control *ctl) {
        if (!ctl)
                return;
        while (ctl->connections)
                connection_free(ctl->connections);
        sd_event_source_disable_unref(ctl->listen_source);
        if (ctl->listen_fd >= 0)
                close(ctl->listen_fd);
        free(ctl);
}

static int connection_update_events(struct connection *c) {
        /* nothing is read while a request waits for Docker or a GPU: one at
         * a time (a closed client still shows as EPOLLHUP) */
        uint32_t ev = c->closing || c->job || c->waiter ? 0 : EPOLLIN;
        if (c->out_len > c->out_off)
                ev |= EPOLLOUT;
        return sd_event_source_set_io_events(c->io, ev);
}

static int connection_queue(struct connection *c, const char *line) {
        size_t l = strlen(line);
        if (c->out_len - c->out_off + l > OUTPUT_MAX)
                return -ENOBUFS;
        if (c->out_off > 0) { /* compact what was already written */
                memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
                c->out_len -= c->out_off;
                c->out_off = 0;
        }
        char *n = realloc(c->out, c->out_len + l);
        if (!n)
                return -ENOMEM;
        c->out = n;
        memcpy(c->out + c->out_len, line, l);
        c->out_len += l;
        return 0;
}

/* Write what we can; 1 when everything went out, 0 when more remains. */
static int connection_flush(struct connection *c) {
        while (c->out_off < c->out_len) {
                ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return -errno;
                }
                c->out_off += (size_t) n;
        }
        c->out_off = c->out_len = 0;
        return 1;
}

static void connection_reply_error(struct connection *c, const char *kind, const char *message) {
        _cleanup_free_ char *line = proto_error_line(kind, message);
        if (line)
                (void) connection_queue(c, line);
}

/* The connection's deadline: 30 s after its last complete request when
 * idle; 5 s after the first byte of the request now coming in, whatever
 * trickles in after it; 30 s while Docker is being asked. */
static int connection_arm(struct connection *c, bool completed) {
        uint64_t now;
        sd_event_now(c->ctl->m->event, CLOCK_MONOTONIC, &now);
        if (c->waiter) { /* a wait for a GPU may take hours */
                c->in_request = false;
                return sd_event_source_set_enabled(c->idle, SD_EVENT_OFF);
        }
        (void) sd_event_source_set_enabled(c->idle, SD_EVENT_ONESHOT);
        if (c->job || (c->in_len == 0 && !c->discarding)) {
                c->in_request = false;
                return sd_event_source_set_time(c->idle, now + CONNECTION_IDLE_USEC);
        }
        if (c->in_request && !completed)
                return 0;
        c->in_request = true;
        return sd_event_source_set_time(c->idle, now + REQUEST_USEC);
}

static void on_job_run(void *userdata, struct docker *d) {
        struct deferred_job *j = userdata;
        ops_deferred_run(j->x, d);
}

static int connection_continue(struct connection *c, bool completed);

/* A line from the GPU queue.  Never frees c here (the queue is walking its
 * waiters): a connection that cannot take it is closed from its timer. */
static void on_queue_line(void *conn, const char *line, bool last) {
        struct connection *c = conn;
        uint64_t now;
        if (last)
                c->waiter = NULL;
        if (connection_queue(c, line) < 0 || connection_flush(c) < 0) {
                c->closing = true;
                sd_event_now(c->ctl->m->event, CLOCK_MONOTONIC, &now);
                (void) sd_event_source_set_time(c->idle, now);
                (void) sd_event_source_set_enabled(c->idle, SD_EVENT_ONESHOT);
                return;
        }
        if (last) { /* served: a fresh idle timer, and what comes next is read */
                sd_event_now(c->ctl->m->event, CLOCK_MONOTONIC, &now);
                (void) sd_event_source_set_time(c->idle, now + CONNECTION_IDLE_USEC);
                (void) sd_event_source_set_enabled(c->idle, SD_EVENT_ONESHOT);
        }
        (void) connection_update_events(c);
}


static void on_job_done(void *userdata) {
        struct deferred_job *j = userdata;
        struct connection *c = j->conn;
        if (!c) {
                ops_deferred_free(j->x);
                free(j);
                return;
        }
        c->job = NULL;
        _cleanup_free_ char *reply = ops_deferred_finish(j->x);
        free(j);
        if (!reply)
                connection_reply_error(c, "internal", "berth: the daemon ran out of memory; try again.");
        else if (connection_queue(c, reply) < 0) {
                connection_free(c);
                return;
        }
        (void) connection_continue(c, true); /* lines that came behind it */
}

/* Hand x to the Docker worker; the connection waits for its answer. */
static int connection_defer(struct connection *c, struct ops_deferred *x) {
        struct deferred_job *j = calloc(1, sizeof(*j));
        if (!j) {
                ops_deferred_free(x);
                return -ENOMEM;
        }
        *j = (struct deferred_job) { .conn = c, .x = x };
        /* turns go by the user asked for, so berth-gate's clients take theirs */
        int r = lookup_submit(c->ctl->lookup, ops_deferred_uid(x), j, on_job_run, on_job_done);
        if (r < 0) {
                ops_deferred_free(x);
                free(j);
                return r;
        }
        c->job = j;
        return 0;
}

/* Answers every complete line, up to one that must wait for Docker;
 * *ret_completed says whether any line was consumed. */
static int connection_process_input(struct connection *c, bool *ret_completed) {
        size_t start = 0;
        while (!c->job && !c->waiter) {
                char *nl = memchr(c->in + start, '\n', c->in_len - start);
                if (!nl)
                        break;
                size_t l = (size_t) (nl - (c->in + start));
                *ret_completed = true;
                if (c->discarding)
                        c->discarding = false; /* the end of the overlong line */
                else if (l > 0) {
                        struct ops_deferred *x = NULL;
                        struct waiter *waiter = NULL;
                        struct ops_wait w = { .send = on_queue_line, .conn = c, .ret_waiter = &waiter };
                        _cleanup_free_ char *reply =
                                ops_handle_control(c->ctl->m, &c->peer, c->in + start, l, c->ctl->lookup ? &x : NULL,
                                                   c->ctl->m->queue ? &w : NULL);
                        if (!reply && waiter)
                                c->waiter = waiter;
                        else if (!reply && x) {
                                int r = connection_defer(c, x);
                                if (r == -EAGAIN)
                                        connection_reply_error(c, "busy", "berth: the berth daemon has too many questions for Docker waiting; try again in a moment.");
                                else if (r < 0)
                                        connection_reply_error(c, "internal", "berth: the daemon ran out of memory; try again.");
                        } else if (!reply)
                                connection_reply_error(c, "internal", "berth: the daemon ran out of memory; try again.");
                        else if (connection_queue(c, reply) < 0)
                                return -ENOBUFS;
                }
                start += l + 1;
        }
        memmove(c->in, c->in + start, c->in_len - start);
        c->in_len -= start;
        if (c->in_len >= PROTO_MAX_LINE) {
                /* No newline in 64 KiB: refuse the line, skip to its end. */
                if (!c->discarding)
                        connection_reply_error(c, "bad_request", "berth: request longer than 64 KiB.");
                c->discarding = true;
                c->in_len = 0;
        }
        return 0;
}

/* After input or an answer: answer what is complete, write, re-arm; the
 * connection is freed when it is done or broken (then -ECONNRESET). */
static int connection_continue(struct connection *c, bool completed) {
        if (connection_process_input(c, &completed) < 0)
                goto fail;
        if (connection_arm(c, completed) < 0)
                goto fail;
        int r = connection_flush(c);
        if (r < 0 || (r > 0 && c->closing && !c->job))
                goto fail;
        if (connection_update_events(c) < 0)
                goto fail;
        return 0;
fail:
        connection_free(c);
        return -ECONNRESET;
}

static int on_connection_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        struct connection *c = userdata;

        if (revents & EPOLLIN) {
                ssize_t n = recv(fd, c->in + c->in_len, PROTO_MAX_LINE - c->in_len, MSG_DONTWAIT);
                if (n < 0 && errno != EAGAIN && errno != EINTR) {
                        connection_free(c);
                        return 0;
                }
                if (n == 0) /* the client is done sending; answer what it sent, then close */
                        c->closing = true;
                else if (n > 0)
                        c->in_len += (size_t) n;
        } else if (revents & (EPOLLHUP | EPOLLERR)) {
                connection_free(c);
                return 0;
        }
        (void) connection_continue(c, false);
        return 0;
}

static int on_connection_idle(sd_event_source *s, uint64_t usec, void *userdata) {
        connection_free(userdata);
        return 0;
}

static size_t connections_of(Control *ctl, uid_t uid) {
        size_t n = 0;
        for (struct connection *c = ctl->connections; c; c = c->next)
                n += c->peer.uid == uid;
        return n;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Control *ctl = userdata;
        sd_event *event = ctl->m->event;

        for (;;) {
                _cleanup_close_ int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd < 0) {
                        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                                log_error_errno(-errno, "accept() on the control socket failed: %m");
                        return 0;
                }
                if (ctl->n_connections >= CONNECTION_MAX)
                        continue; /* closed at once: too many clients */

                struct connection *c = calloc(1, sizeof(*c));
                if (!c)
                        continue;
                socklen_t sl = sizeof(c->peer);
                if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &c->peer, &sl) < 0 || sl != sizeof(c->peer)) {
                        free(c);
                        continue; /* no identity, no service */
                }
                if (c->peer.uid != 0 && connections_of(ctl, c->peer.uid) >= CONNECTIONS_PER_UID) {
                        /* one user's connections never crowd out everyone else's */
                        _cleanup_free_ char *line = proto_error_line(
                                "too_many_connections",
                                "berth: you hold 32 connections to the berth daemon already; close some and try again.");
                        if (line)
                                (void) !send(cfd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
                        free(c);
                        continue;
                }
                c->ctl = ctl;
                c->fd = TAKE_FD(cfd);
                c->next = ctl->connections;
                if (ctl->connections)
                        ctl->connections->prev = c;
                ctl->connections = c;
                ctl->n_connections++;

                uint64_t now;
                sd_event_now(event, CLOCK_MONOTONIC, &now);
                if (sd_event_add_io(event, &c->io, c->fd, EPOLLIN, on_connection_io, c) < 0 ||
                    sd_event_add_time(event, &c->idle, CLOCK_MONOTONIC, now + CONNECTION_IDLE_USEC, 0,
                                      on_connection_idle, c) < 0)
                        connection_free(c);
        }
}

static void control_freep(Control **c) {
        control_free(*c);
}

int control_new(Manager *m, Lookup *lookup, Control **ret, struct berth_error *err) {
        const char *path = m->config->control_socket;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_(control_freep) Control *ctl = calloc(1, sizeof(*ctl));
        _cleanup_free_ char *dir = strdup(path);
        int r;

        if (!ctl || !dir)
                return berth_error_set(err, -ENOMEM, "out of memory");
        ctl->m = m;
        ctl->lookup = lookup;
        ctl->listen_fd = -1;
        if (strlen(path) >= sizeof(sa.sun_path))
                return berth_error_set(err, -ENAMETOOLONG, "control socket path %s is too long", path);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = 0;
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return berth_error_set(err, -errno, "cannot create %s: %s", dir, strerror(errno));
        }
        strcpy(sa.sun_path, path);

        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return berth_error_set(err, -errno, "cannot create the control socket: %s", strerror(errno));
        (void) unlink(path); /* a stale socket of an earlier run */
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return berth_error_set(err, -errno, "cannot bind %s: %s", path, strerror(errno));
        /* everyone may connect: who they are comes from SO_PEERCRED */
        if (chmod(path, 0666) < 0)
                return berth_error_set(err, -errno, "cannot chmod %s: %s", path, strerror(errno));
        if (listen(fd, SOMAXCONN) < 0)
                return berth_error_set(err, -errno, "cannot listen on %s: %s", path, strerror(errno));
        r = sd_event_add_io(m->event, &ctl->listen_source, fd, EPOLLIN, on_accept, ctl);
        if (r < 0)
                return berth_error_set(err, r, "cannot watch the control socket: %s", strerror(-r));
        ctl->listen_fd = TAKE_FD(fd);
        *ret = TAKE_PTR(ctl);
        return 0;
}
