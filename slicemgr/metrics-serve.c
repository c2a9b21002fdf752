/* SPDX-License-Identifier: MIT */
/* The metrics endpoint and the textfile.  The endpoint is small on
 * purpose: one request per connection, a head of at most
 * METRICS_REQUEST_MAX bytes that must arrive whole within
 * METRICS_CONN_TIMEOUT_USEC, at most METRICS_CONNS_MAX connections at once,
 * every socket non-blocking; so a client that sends garbage, a huge head or
 * a byte a minute costs the loop nothing but its own socket. */
#include "metrics-serve.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic/util.h"
#include "core/listen-address.h"
#include "core/metrics.h"
#include "metrics-http.h"
#include "ops.h"

#define METRICS_CONNS_MAX 16
#define METRICS_CONN_TIMEOUT_USEC (5ULL * 1000000)

struct conn {
        MetricsServe *s;
        int fd;
        sd_event_source *io, *timer;
        char in[METRICS_REQUEST_MAX];
        size_t n_in;
        char *out;
        size_t n_out, sent;
        struct conn *next;
};

struct MetricsServe {
        Manager *m;
        char *listen; /* what the listener is bound to, NULL: none */
        int listen_fd;
        sd_event_source *accept_io;
        sd_event_source *textfile_timer;
        struct conn *conns;
        size_t n_conns;
};

/* --- the text ------------------------------------------------------------- */

/* What the status op answers root, as metrics text. */
static char *render(Manager *m) {
        static const char req[] = "{\"op\":\"status\"}";
        struct ucred root = { .pid = getpid(), .uid = 0, .gid = 0 };
        _cleanup_free_ char *line = ops_handle(m, &root, req, sizeof(req) - 1);
        _cleanup_json_ json_t *status = line ? json_loads(line, JSON_REJECT_DUPLICATES, NULL) : NULL;
        char *text = NULL;
        if (!status || !json_is_true(json_object_get(status, "ok")) || metrics_render(status, &text) < 0)
                return NULL;
        return text;
}

/* --- connections ----------------------------------------------------------- */

static int close_fd(int fd) {
        if (fd >= 0)
                close(fd);
        return -1;
}

static void conn_free(struct conn *c) {
        MetricsServe *s = c->s;
        for (struct conn **p = &s->conns; *p; p = &(*p)->next)
                if (*p == c) {
                        *p = c->next;
                        break;
                }
        s->n_conns--;
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->timer);
        close_fd(c->fd);
        free(c->out);
        free(c);
}

static int conn_flush(struct conn *c) {
        while (c->sent < c->n_out) {
                ssize_t k = send(c->fd, c->out + c->sent, c->n_out - c->sent, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (k < 0 && (errno == EAGAIN || errno == EINTR))
                        return 0;
                if (k <= 0) {
                        conn_free(c);
                        return 0;
                }
                c->sent += (size_t) k;
        }
        conn_free(c);
        return 0;
}

static void conn_answer(struct conn *c, enum metrics_request r) {
        _cleanup_free_ char *text = r == METRICS_REQUEST_METRICS ? render(c->s->m) : NULL;
        if (r == METRICS_REQUEST_METRICS && !text) {
                conn_free(c); /* out of memory: nothing better to say */
                return;
        }
        c->out = metrics_response(r, text, &c->n_out);
        if (!c->out || sd_event_source_set_io_events(c->io, EPOLLOUT) < 0) {
                conn_free(c);
                return;
        }
        (void) shutdown(c->fd, SHUT_RD);
        conn_flush(c);
}

static int on_conn_io(sd_event_source *es, int fd, uint32_t events, void *userdata) {
        struct conn *c = userdata;
        if (c->out)
                return conn_flush(c);
        ssize_t k = recv(fd, c->in + c->n_in, sizeof(c->in) - c->n_in, MSG_DONTWAIT);
        if (k < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (k <= 0) { /* gone, or closed before a whole head */
                conn_free(c);
                return 0;
        }
        c->n_in += (size_t) k;
        enum metrics_request r = metrics_request_parse(c->in, c->n_in);
        if (r == METRICS_REQUEST_PARTIAL && c->n_in < sizeof(c->in))
                return 0;
        conn_answer(c, r); /* a full buffer still partial: 431 */
        return 0;
}

static int on_conn_timeout(sd_event_source *es, uint64_t usec, void *userdata) {
        conn_free(userdata); /* too slow: dropped without an answer */
        return 0;
}

static int on_accept(sd_event_source *es, int fd, uint32_t events, void *userdata) {
        MetricsServe *s = userdata;
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        uint64_t now;
        if (cfd < 0)
                return 0;
        if (s->n_conns >= METRICS_CONNS_MAX) {
                close(cfd); /* busy: Prometheus tries again at the next scrape */
                return 0;
        }
        struct conn *c = calloc(1, sizeof(*c));
        if (!c) {
                close(cfd);
                return 0;
        }
        *c = (struct conn) { .s = s, .fd = cfd, .next = s->conns };
        s->conns = c;
        s->n_conns++;
        sd_event_now(s->m->event, CLOCK_MONOTONIC, &now);
        if (sd_event_add_io(s->m->event, &c->io, cfd, EPOLLIN, on_conn_io, c) < 0 ||
            sd_event_add_time(s->m->event, &c->timer, CLOCK_MONOTONIC, now + METRICS_CONN_TIMEOUT_USEC, 0,
                              on_conn_timeout, c) < 0)
                conn_free(c);
        return 0;
}

/* --- the listener ---------------------------------------------------------- */

static void listener_close(MetricsServe *s) {
        s->accept_io = sd_event_source_disable_unref(s->accept_io);
        s->listen_fd = close_fd(s->listen_fd);
        s->listen = mfree(s->listen);
}

static int listener_open(MetricsServe *s, const char *address) {
        struct listen_address a;
        int one = 1, r;
        if (listen_address_parse(address, &a) < 0)
                return -EINVAL; /* the config parser took it: not reached */
        _cleanup_close_ int fd = socket(a.sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (a.sa.ss_family == AF_INET6)
                (void) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *) &a.sa, a.len) < 0 || listen(fd, METRICS_CONNS_MAX) < 0)
                return -errno;
        r = sd_event_add_io(s->m->event, &s->accept_io, fd, EPOLLIN, on_accept, s);
        if (r < 0)
                return r;
        s->listen = strdup(address);
        if (!s->listen) {
                s->accept_io = sd_event_source_disable_unref(s->accept_io);
                return -ENOMEM;
        }
        s->listen_fd = TAKE_FD(fd);
        return 0;
}

/* --- the textfile ---------------------------------------------------------- */

/* DIR/berth.prom, whole or not at all: written beside it and renamed over. */
static int textfile_write(Manager *m, const char *dir) {
        _cleanup_free_ char *text = render(m), *tmp = NULL, *final = NULL;
        if (!text)
                return -ENOMEM;
        if (asprintf(&tmp, "%s/.berth.prom.XXXXXX", dir) < 0 || asprintf(&final, "%s/berth.prom", dir) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t len = strlen(text);
        bool ok = fchmod(fd, 0644) == 0 && write(fd, text, len) == (ssize_t) len && fsync(fd) == 0;
        int e = errno;
        if (!ok || rename(tmp, final) < 0) {
                if (ok)
                        e = errno;
                (void) unlink(tmp);
                return -e;
        }
        return 0;
}

static int on_textfile(sd_event_source *es, uint64_t usec, void *userdata) {
        MetricsServe *s = userdata;
        const char *dir = s->m->config->metrics_textfile;
        if (dir) {
                int r = textfile_write(s->m, dir);
                if (r < 0)
                        log_info("berth-slicemgr: cannot write %s/berth.prom: %s", dir, strerror(-r));
        }
        sd_event_source_set_time_relative(es, s->m->config->reaper_interval_usec);
        return 0;
}

/* --- the whole ------------------------------------------------------------- */

void metrics_serve_apply(MetricsServe *s) {
        const struct berth_config *c = s->m->config;
        if (!streq_ptr(c->metrics_listen, s->listen)) {
                listener_close(s);
                if (c->metrics_listen) {
                        int r = listener_open(s, c->metrics_listen);
                        if (r < 0)
                                log_info("berth-slicemgr: cannot serve metrics on %s: %s; serving on without them",
                                         c->metrics_listen, strerror(-r));
                        else
                                log_info("berth-slicemgr: metrics on http://%s/metrics", c->metrics_listen);
                }
        }
        if (s->textfile_timer) {
                /* the first right away, then every [reaper] interval */
                sd_event_source_set_time_relative(s->textfile_timer, 0);
                sd_event_source_set_enabled(s->textfile_timer, c->metrics_textfile ? SD_EVENT_ON : SD_EVENT_OFF);
        }
}

static void metrics_serve_reloaded(void *userdata) {
        metrics_serve_apply(userdata);
}

int metrics_serve_new(Manager *m, MetricsServe **ret) {
        MetricsServe *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->m = m;
        s->listen_fd = -1;
        int r = sd_event_add_time_relative(m->event, &s->textfile_timer, CLOCK_MONOTONIC, 0, 0, on_textfile, s);
        if (r < 0) {
                free(s);
                return r;
        }
        metrics_serve_apply(s);
        m->reloaded = metrics_serve_reloaded;
        m->reloaded_userdata = s;
        *ret = s;
        return 0;
}

void metrics_serve_free(MetricsServe *s) {
        if (!s)
                return;
        if (s->m->reloaded_userdata == s)
                s->m->reloaded = NULL;
        while (s->conns)
                conn_free(s->conns);
        listener_close(s);
        sd_event_source_disable_unref(s->textfile_timer);
        free(s);
}
