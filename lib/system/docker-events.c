/* SPDX-License-Identifier: MIT */
/* Docker's /events stream, blocking or driven by an event loop; see docker.h. */
#include "system/docker.h"

#include <ctype.h>
#include <inttypes.h>
#include <time.h>

#include <curl/curl.h>

#include "system/docker-internal.h"
#include "policy/ledger.h"
#include "basic/time-util.h"


struct docker_event_stream {
        CURLM *multi;
        CURL *curl;
        struct curl_slist *headers;
        char *socket_path;
        int fd;               /* the connection's socket, -1 before/after */
        docker_event_handler_t cb;
        void *userdata;

        long status;          /* 0 until the status line arrived */
        struct buf in;        /* bytes not yet handed out as events */
        size_t scan;          /* scanned up to here … */
        size_t obj_start;     /* … inside an object that starts here */
        unsigned depth;       /* of {} and [] nesting */
        bool in_string, escaped;
        struct buf error_body; /* the reply of a non-200 answer */

        int stop;             /* cb's non-zero value */
        int failure;          /* why the write callback gave up */
        char failure_text[256];
        bool ended;
        int result;           /* once ended: 1 or a negative errno */
        char errbuf[CURL_ERROR_SIZE];
};

/* Hands every complete top-level object in s->in to the callback.  Objects
 * may be split over chunks or several may arrive in one: a small scanner
 * that knows strings and escapes finds their ends. */
static int stream_feed(struct docker_event_stream *s) {
        struct buf *b = &s->in;
        size_t i;
        for (i = s->scan; i < b->len; i++) {
                char ch = b->data[i];
                if (s->depth == 0) {
                        if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t')
                                continue;
                        if (ch != '{') {
                                s->failure = -EBADMSG;
                                snprintf(s->failure_text, sizeof(s->failure_text),
                                         "the Docker event stream sent '%c' where an event object should start", ch);
                                return s->failure;
                        }
                        s->obj_start = i;
                        s->depth = 1;
                        continue;
                }
                if (s->in_string) {
                        if (s->escaped)
                                s->escaped = false;
                        else if (ch == '\\')
                                s->escaped = true;
                        else if (ch == '"')
                                s->in_string = false;
                        continue;
                }
                if (ch == '"')
                        s->in_string = true;
                else if (ch == '{' || ch == '[')
                        s->depth++;
                else if ((ch == '}' || ch == ']') && --s->depth == 0) {
                        json_error_t jerr;
                        json_t *ev = json_loadb(b->data + s->obj_start, i + 1 - s->obj_start,
                                                JSON_REJECT_DUPLICATES, &jerr);
                        if (!ev) {
                                s->failure = -EBADMSG;
                                snprintf(s->failure_text, sizeof(s->failure_text),
                                         "the Docker event stream sent an invalid event: %s", jerr.text);
                                return s->failure;
                        }
                        int r = s->cb(ev, s->userdata);
                        json_decref(ev);
                        if (r != 0) {
                                s->stop = r;
                                return r;
                        }
                }
        }
        /* Keep only the unfinished object, if any. */
        size_t keep_from = s->depth > 0 ? s->obj_start : b->len;
        memmove(b->data, b->data + keep_from, b->len - keep_from);
        b->len -= keep_from;
        if (b->data)
                b->data[b->len] = 0;
        s->scan = b->len;
        s->obj_start = 0;
        return 0;
}

static size_t stream_write_cb(char *p, size_t size, size_t nmemb, void *userdata) {
        struct docker_event_stream *s = userdata;
        size_t n = size * nmemb;

        if (s->status == 0)
                (void) curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->status);
        if (s->status != 200) {
                /* keep the start of an error reply for the message */
                size_t room = s->error_body.max - s->error_body.len;
                (void) docker_buf_append(&s->error_body, p, n < room ? n : room);
                return n;
        }
        if (docker_buf_append(&s->in, p, n) < 0) {
                s->failure = s->in.overflow ? -EFBIG : -ENOMEM;
                if (s->in.overflow)
                        snprintf(s->failure_text, sizeof(s->failure_text), "an event is larger than %u bytes",
                                 DOCKER_EVENT_MAX);
                else
                        snprintf(s->failure_text, sizeof(s->failure_text), "out of memory");
                return 0;
        }
        return stream_feed(s) != 0 ? 0 : n;
}

/* CURLINFO_ACTIVESOCKET knows a multi transfer's socket only once it is
 * over, so note the socket when curl creates and closes it. */
static int stream_sockopt_cb(void *userdata, curl_socket_t fd, curlsocktype purpose) {
        struct docker_event_stream *s = userdata;
        if (purpose == CURLSOCKTYPE_IPCXN)
                s->fd = (int) fd;
        return CURL_SOCKOPT_OK;
}

static int stream_closesocket_cb(void *userdata, curl_socket_t fd) {
        struct docker_event_stream *s = userdata;
        if (s->fd == (int) fd)
                s->fd = -1;
        return close(fd);
}

void docker_event_stream_free(struct docker_event_stream *s) {
        if (!s)
                return;
        if (s->multi && s->curl)
                curl_multi_remove_handle(s->multi, s->curl);
        if (s->curl)
                curl_easy_cleanup(s->curl);
        if (s->multi)
                curl_multi_cleanup(s->multi);
        curl_slist_free_all(s->headers);
        docker_buf_done(&s->in);
        docker_buf_done(&s->error_body);
        free(s->socket_path);
        free(s);
}

/* Turns a finished transfer into the stream's result. */
static int stream_finish(struct docker_event_stream *s, CURLcode cc, struct berth_error *err) {
        s->ended = true;
        if (s->stop > 0)
                return (s->result = 1);
        if (s->stop < 0) {
                s->result = s->stop;
                return berth_error_set(err, s->stop, "The Docker event handler failed: %s.", strerror(-s->stop));
        }
        if (s->failure < 0) {
                s->result = s->failure;
                if (err)
                        err->http_status = 0;
                return berth_error_set(err, s->failure, "Following Docker events failed: %s.", s->failure_text);
        }
        if (cc != CURLE_OK) {
                s->result = docker_curl_error(s->curl, cc, s->socket_path, s->errbuf, NULL, err);
                return s->result;
        }
        if (s->status == 0)
                (void) curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->status);
        if (s->status != 200)
                return (s->result = docker_http_error(s->status, &s->error_body, err));
        if (s->depth > 0) {
                s->result = -ECONNRESET;
                if (err)
                        err->http_status = 0;
                return berth_error_set(err, -ECONNRESET, "The Docker event stream ended in the middle of an event.");
        }
        return (s->result = 1);
}

/* Runs the transfer as far as it goes without blocking.  0: still running;
 * 1 or a negative errno: ended. */
static int stream_step(struct docker_event_stream *s, struct berth_error *err) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(s->multi, &running);
        if (mc != CURLM_OK) {
                s->ended = true;
                s->result = -EIO;
                if (err)
                        err->http_status = 0;
                return berth_error_set(err, -EIO, "Following Docker events failed: %s.", curl_multi_strerror(mc));
        }
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(s->multi, &left)))
                if (m->msg == CURLMSG_DONE && m->easy_handle == s->curl)
                        return stream_finish(s, m->data.result, err);
        return 0;
}

static int build_events_url(struct docker *d, json_t *filters, char **ret, struct berth_error *err) {
        docker_http_status_clear(err);
        _cleanup_json_ json_t *f = NULL;
        _cleanup_free_ char *query = NULL;
        char *u;

        if (filters && !json_is_object(filters))
                return berth_error_set(err, -EINVAL, "Docker event filters must be an object.");
        f = filters ? json_copy(filters) : json_object();
        if (!f)
                return berth_error_set(err, -ENOMEM, "Out of memory.");

        static const char *const time_keys[] = { "since", "until" };
        for (size_t k = 0; k < ELEMENTSOF(time_keys); k++) {
                json_t *v = json_object_get(f, time_keys[k]);
                _cleanup_free_ char *val = NULL, *eval = NULL;
                if (!v)
                        continue;
                if (json_is_integer(v)) {
                        if (asprintf(&val, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) < 0)
                                val = NULL;
                } else if (json_is_real(v)) {
                        if (asprintf(&val, "%.6f", json_real_value(v)) < 0)
                                val = NULL;
                } else if (json_is_string(v))
                        val = strdup(json_string_value(v));
                else
                        return berth_error_set(err, -EINVAL, "Docker event filter '%s' must be a time.", time_keys[k]);
                if (!val || docker_url_escape(val, NULL, &eval) < 0)
                        return berth_error_set(err, -ENOMEM, "Out of memory.");
                char *nq;
                if (asprintf(&nq, "%s%s%s=%s", strempty(query), query ? "&" : "", time_keys[k], eval) < 0)
                        return berth_error_set(err, -ENOMEM, "Out of memory.");
                free(query);
                query = nq;
                (void) json_object_del(f, time_keys[k]);
        }
        if (json_object_size(f) > 0) {
                _cleanup_free_ char *s = json_dumps(f, JSON_COMPACT), *e = NULL;
                if (!s || docker_url_escape(s, NULL, &e) < 0)
                        return berth_error_set(err, -ENOMEM, "Out of memory.");
                char *nq;
                if (asprintf(&nq, "%s%sfilters=%s", strempty(query), query ? "&" : "", e) < 0)
                        return berth_error_set(err, -ENOMEM, "Out of memory.");
                free(query);
                query = nq;
        }
        if (asprintf(&u, "%s/events%s%s", d->base_url, query ? "?" : "", strempty(query)) < 0)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        *ret = u;
        return 0;
}

int docker_event_stream_open(struct docker *d, json_t *filters, docker_event_handler_t cb, void *userdata,
                             struct docker_event_stream **ret, struct berth_error *err) {
        docker_http_status_clear(err);
        _cleanup_free_ char *url = NULL;
        _cleanup_(docker_event_stream_freep) struct docker_event_stream *s = NULL;
        int r;

        if (!d || !cb)
                return berth_error_set(err, -EINVAL, "Invalid Docker event stream request.");
        r = build_events_url(d, filters, &url, err);
        if (r < 0)
                return r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        s->fd = -1;
        s->cb = cb;
        s->userdata = userdata;
        s->in.max = DOCKER_EVENT_MAX;
        s->error_body.max = DOCKER_ERROR_BODY_MAX;
        s->socket_path = strdup(d->socket_path);
        s->multi = curl_multi_init();
        s->curl = curl_easy_init();
        s->headers = curl_slist_append(NULL, "Expect:");
        if (!s->socket_path || !s->multi || !s->curl || !s->headers)
                return berth_error_set(err, -ENOMEM, "Out of memory.");

        if (curl_easy_setopt(s->curl, CURLOPT_UNIX_SOCKET_PATH, s->socket_path) != CURLE_OK ||
            curl_easy_setopt(s->curl, CURLOPT_URL, url) != CURLE_OK)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        (void) curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
        (void) curl_easy_setopt(s->curl, CURLOPT_PATH_AS_IS, 1L);
        docker_restrict_to_http(s->curl);
        (void) curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, DOCKER_CONNECT_TIMEOUT_S);
        (void) curl_easy_setopt(s->curl, CURLOPT_USERAGENT, "berth");
        (void) curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, s->headers);
        (void) curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf);
        (void) curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, stream_write_cb);
        (void) curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, s);
        (void) curl_easy_setopt(s->curl, CURLOPT_HTTPGET, 1L);
        (void) curl_easy_setopt(s->curl, CURLOPT_SOCKOPTFUNCTION, stream_sockopt_cb);
        (void) curl_easy_setopt(s->curl, CURLOPT_SOCKOPTDATA, s);
        (void) curl_easy_setopt(s->curl, CURLOPT_CLOSESOCKETFUNCTION, stream_closesocket_cb);
        (void) curl_easy_setopt(s->curl, CURLOPT_CLOSESOCKETDATA, s);
        if (curl_multi_add_handle(s->multi, s->curl) != CURLM_OK)
                return berth_error_set(err, -ENOMEM, "Out of memory.");

        /* Wait (bounded) for the status line, so a refused request fails
         * here (with Docker's message) and the caller gets a live fd. */
        usec_t deadline = now_usec() + DOCKER_STREAM_OPEN_TIMEOUT_MS * 1000;
        for (;;) {
                r = stream_step(s, err);
                if (r < 0)
                        return r;
                if (r > 0) /* over already: cb stopped it, or "until" had passed */
                        break;
                long status = 0;
                (void) curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
                if (status == 200)
                        break;
                /* any other status: go on until the error body is complete */
                if (now_usec() >= deadline) {
                        if (status != 0)
                                return docker_http_error(status, &s->error_body, err);
                        if (err)
                                err->http_status = 0;
                        return berth_error_set(err, -ETIMEDOUT,
                                               "The Docker daemon at unix://%s did not answer the event request in time.",
                                               s->socket_path);
                }
                (void) curl_multi_poll(s->multi, NULL, 0, 100, NULL);
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int docker_event_stream_fd(struct docker_event_stream *s) {
        if (!s || s->ended || s->fd < 0)
                return -EBADF;
        return s->fd;
}

int docker_event_stream_process(struct docker_event_stream *s, struct berth_error *err) {
        if (!s)
                return -EINVAL;
        if (s->ended) {
                if (s->result < 0)
                        return berth_error_set(err, s->result, "The Docker event stream has failed before.");
                return 1;
        }
        return stream_step(s, err);
}

int docker_events(struct docker *d, json_t *filters, docker_event_handler_t cb, void *userdata,
                  struct berth_error *err) {
        _cleanup_(docker_event_stream_freep) struct docker_event_stream *s = NULL;
        int r = docker_event_stream_open(d, filters, cb, userdata, &s, err);
        if (r < 0)
                return r;
        for (;;) {
                r = docker_event_stream_process(s, err);
                if (r < 0)
                        return r;
                if (r > 0)
                        return 0;
                if (curl_multi_poll(s->multi, NULL, 0, 1000, NULL) != CURLM_OK)
                        return berth_error_set(err, -EIO, "Waiting for Docker events failed.");
        }
}
