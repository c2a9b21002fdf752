/* SPDX-License-Identifier: MIT */
#include "system/slicemgr-client.h"
#include "core/proto.h"
#include "basic/time-util.h"
#include "basic/units.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

struct slicemgr_client {
        int fd;
        char *buf; /* bytes read past the last reply */
        size_t len;
};

int slicemgr_client_connect(const char *socket_path, int timeout_ms, struct slicemgr_client **ret,
                            struct berth_error *err) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        uint64_t deadline = deadline_ms(timeout_ms);

        if (strlen(socket_path) >= sizeof(sa.sun_path))
                return berth_error_set(err, -ENAMETOOLONG, "berth: control socket path '%s' is too long.", socket_path);
        strcpy(sa.sun_path, socket_path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return berth_error_set(err, -errno, "berth: cannot create a socket: %s.", strerror(errno));
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                if (errno != EINPROGRESS && errno != EAGAIN)
                        return berth_error_set(err, -errno,
                                               "berth: the berth daemon is not reachable at %s (%s); ask an admin to start berth-slicemgr.",
                                               socket_path, strerror(errno));
                int r = fd_wait_until(fd, POLLOUT, deadline);
                if (r < 0)
                        return berth_error_set(err, r, "berth: the berth daemon at %s did not answer in time.",
                                               socket_path);
        }
        struct slicemgr_client *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->fd = TAKE_FD(fd);
        *ret = c;
        return 0;
}

void slicemgr_client_free(struct slicemgr_client *c) {
        if (!c)
                return;
        if (c->fd >= 0)
                close(c->fd);
        free(c->buf);
        free(c);
}

/* The next line the daemon sends, by deadline. */
static int read_reply(struct slicemgr_client *c, uint64_t deadline, int send_errno, json_t **ret,
                      struct berth_error *err) {
        int r;
        for (;;) {
                char *end = c->buf ? memchr(c->buf, '\n', c->len) : NULL;
                if (end) {
                        json_error_t jerr;
                        size_t ll = (size_t) (end - c->buf);
                        json_t *reply = json_loadb(c->buf, ll, JSON_REJECT_DUPLICATES, &jerr);
                        memmove(c->buf, end + 1, c->len - ll - 1);
                        c->len -= ll + 1;
                        if (!reply || !json_is_object(reply)) {
                                json_decref(reply);
                                return berth_error_set(err, -EBADMSG, "berth: the berth daemon sent a malformed reply.");
                        }
                        *ret = reply;
                        return 0;
                }
                if (c->len >= PROTO_MAX_REPLY)
                        return berth_error_set(err, -EBADMSG, "berth: the berth daemon's reply is too long.");
                char *nb = realloc(c->buf, c->len + 65536);
                if (!nb)
                        return -ENOMEM;
                c->buf = nb;
                ssize_t n = recv(c->fd, c->buf + c->len, 65536, 0);
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                        r = fd_wait_until(c->fd, POLLIN, deadline);
                        if (r < 0)
                                return berth_error_set(err, r, "berth: the berth daemon did not answer in time.");
                        continue;
                }
                if (n <= 0 && send_errno)
                        return berth_error_set(err, -send_errno, "berth: lost the connection to the berth daemon: %s.",
                                               strerror(send_errno));
                if (n < 0)
                        return berth_error_set(err, -errno, "berth: lost the connection to the berth daemon: %s.",
                                               strerror(errno));
                if (n == 0)
                        return berth_error_set(err, -ECONNRESET, "berth: the berth daemon closed the connection.");
                c->len += (size_t) n;
        }
}

int slicemgr_client_call(struct slicemgr_client *c, json_t *request, int timeout_ms, json_t **ret,
                         struct berth_error *err) {
        uint64_t deadline = deadline_ms(timeout_ms);
        _cleanup_free_ char *line = json_dumps(request, JSON_COMPACT);
        int r;

        if (!line)
                return -ENOMEM;
        size_t l = strlen(line), off = 0;
        char *nl = realloc(line, l + 2);
        if (!nl)
                return -ENOMEM;
        line = nl;
        line[l++] = '\n';
        line[l] = 0;
        if (l > PROTO_MAX_LINE)
                return berth_error_set(err, -E2BIG, "berth: request too large for the control socket.");

        /* A daemon that refuses the connection (too many of this uid's)
         * says why in one line and closes: read that line rather than
         * report the broken pipe. */
        int send_errno = 0;
        while (off < l) {
                ssize_t n = send(c->fd, line + off, l - off, MSG_NOSIGNAL);
                if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
                        send_errno = errno;
                        break;
                }
                if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                        r = fd_wait_until(c->fd, POLLOUT, deadline);
                        if (r < 0)
                                return berth_error_set(err, r, "berth: the berth daemon did not take the request in time.");
                        continue;
                }
                if (n < 0)
                        return berth_error_set(err, -errno, "berth: lost the connection to the berth daemon: %s.",
                                               strerror(errno));
                off += (size_t) n;
        }

        return read_reply(c, deadline, send_errno, ret, err);
}

/* A reply that says "ok":false is -EPERM with the daemon's sentence in err
 * and its "error" kind in *ret_kind (may be NULL); the reply stays the
 * caller's. */
static int reply_refusal(json_t *reply, char **ret_kind, struct berth_error *err) {
        if (json_is_true(json_object_get(reply, "ok")))
                return 0;
        const char *kind = json_string_value(json_object_get(reply, "error"));
        const char *msg = json_string_value(json_object_get(reply, "message"));
        berth_error_set(err, -EPERM, "%s", msg ? msg : "berth: the berth daemon refused the request.");
        if (ret_kind)
                *ret_kind = strdup(kind ? kind : "error");
        return -EPERM;
}

/* The refusal of reply (see reply_refusal()); the reply goes to *ret, or
 * is freed when ret is NULL. */
static int reply_keep(json_t *reply, json_t **ret, char **ret_kind, struct berth_error *err) {
        int r = reply_refusal(reply, ret_kind, err);
        if (ret)
                *ret = reply;
        else
                json_decref(reply);
        return r;
}

int slicemgr_call(const char *socket_path, json_t *request, int timeout_ms, json_t **ret, char **ret_kind,
                  struct berth_error *err) {
        _cleanup_slicemgr_client_ struct slicemgr_client *c = NULL;
        json_t *reply = NULL;
        int r;

        r = slicemgr_client_connect(socket_path, timeout_ms, &c, err);
        if (r < 0)
                return r;
        r = slicemgr_client_call(c, request, timeout_ms, &reply, err);
        if (r < 0)
                return r;
        return reply_keep(reply, ret, ret_kind, err);
}

static json_t *owner_request(json_t *on_behalf, const char *kind, char **names) {
        _cleanup_json_ json_t *list = json_array();
        for (char **n = names; n && *n && list; n++)
                if (json_array_append_new(list, json_string(*n)) < 0)
                        return NULL;
        json_t *req = list ? json_pack("{s:s,s:O,s:s}", "op", "owner", "targets", list, "kind", kind) : NULL;
        if (req && on_behalf && json_object_set(req, "for", on_behalf) < 0) {
                json_decref(req);
                return NULL;
        }
        return req;
}

static int owner_targets(json_t *reply, char **names, json_t **ret_targets, bool *ret_admin, struct berth_error *err) {
        json_t *t = json_object_get(reply, "targets");
        if (!json_is_array(t) || json_array_size(t) != strv_length(names))
                return berth_error_set(err, -EBADMSG, "berth: berth-slicemgr gave an answer berth cannot use.");
        *ret_targets = json_incref(t);
        if (ret_admin)
                *ret_admin = json_is_true(json_object_get(reply, "admin"));
        return 0;
}

int slicemgr_ask_owner(const char *socket, json_t *on_behalf, const char *kind, char **names, int timeout_ms,
                       json_t **ret_targets, bool *ret_admin, struct berth_error *err) {
        _cleanup_json_ json_t *reply = NULL, *req = owner_request(on_behalf, kind, names);
        _cleanup_free_ char *reply_kind = NULL;
        if (!req)
                return -ENOMEM;
        int r = slicemgr_call(socket, req, timeout_ms, &reply, &reply_kind, err);
        if (r < 0)
                return r;
        return owner_targets(reply, names, ret_targets, ret_admin, err);
}

int slicemgr_ask_owner_kept(struct slicemgr_client **keep, const char *socket, json_t *on_behalf, const char *kind,
                            char **names, int timeout_ms, json_t **ret_targets, bool *ret_admin,
                            struct berth_error *err) {
        _cleanup_json_ json_t *reply = NULL, *req = owner_request(on_behalf, kind, names);
        _cleanup_free_ char *reply_kind = NULL;
        int r = -ENOTCONN;
        if (!req)
                return -ENOMEM;
        /* the kept connection first; one the daemon closed (idle, or it
         * restarted) is made afresh once: the question changes nothing, so
         * asking it again is safe */
        for (int attempt = 0; attempt < 2; attempt++) {
                if (!*keep && (r = slicemgr_client_connect(socket, timeout_ms, keep, err)) < 0)
                        return r;
                *err = (struct berth_error) { 0 };
                r = slicemgr_client_call(*keep, req, timeout_ms, &reply, err);
                if (r >= 0)
                        break;
                slicemgr_client_free(TAKE_PTR(*keep));
                if (r == -ETIMEDOUT || r == -ENOMEM)
                        return r;
        }
        if (r < 0)
                return r;
        r = reply_refusal(reply, &reply_kind, err);
        if (r < 0)
                return r;
        return owner_targets(reply, names, ret_targets, ret_admin, err);
}

int slicemgr_call_waiting(const char *socket_path, json_t *request, slicemgr_progress_t on_progress, void *userdata,
                          json_t **ret, char **ret_kind, struct berth_error *err) {
        _cleanup_slicemgr_client_ struct slicemgr_client *c = NULL;
        json_t *reply = NULL;
        int r = slicemgr_client_connect(socket_path, SLICEMGR_WAIT_FIRST_MS, &c, err);
        if (r < 0)
                return r;
        r = slicemgr_client_call(c, request, SLICEMGR_WAIT_FIRST_MS, &reply, err);
        /* progress lines, as long as the wait lasts: the daemon holds the line */
        while (r >= 0 && json_is_true(json_object_get(reply, "queued"))) {
                if (on_progress)
                        on_progress(reply, userdata);
                json_decref(reply);
                reply = NULL;
                do
                        r = read_reply(c, deadline_ms(3600 * 1000), 0, &reply, err);
                while (r == -ETIMEDOUT);
        }
        if (r < 0)
                return r;
        return reply_keep(reply, ret, ret_kind, err);
}

void slicemgr_progress_show(json_t *progress, void *userdata) {
        const char *msg = json_string_value(json_object_get(progress, "message"));
        json_t *estimate = json_object_get(progress, "estimate_s");
        char eta[64] = "";
        if (json_is_integer(estimate)) {
                char d[32];
                snprintf(eta, sizeof(eta), " A GPU may be free in about %s.",
                         format_duration((uint64_t) json_integer_value(estimate) * 1000000, d, sizeof(d)));
        }
        bool tty = isatty(STDERR_FILENO);
        fprintf(stderr, "%s%s%s%s", tty ? "\r\033[K" : "", msg ? msg : "berth: waiting for a GPU.", eta, tty ? "" : "\n");
        fflush(stderr);
}

void slicemgr_progress_end(void) {
        if (isatty(STDERR_FILENO))
                fputc('\n', stderr);
}
