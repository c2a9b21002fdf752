/* SPDX-License-Identifier: MIT */
#include "call.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "system/slicemgr-client.h"
#include "basic/time-util.h"

#define CHILD_OUTPUT_MAX (1024 * 1024) /* replies to ensure-slice and whoami are small */


static int become_user(uid_t uid, gid_t gid) {
        if (geteuid() == uid && getegid() == gid)
                return 0; /* already the user: nothing to drop */
        if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                return -errno;
        /* never back: the saved ids are the user's too */
        if (setresuid(0, 0, 0) == 0 && uid != 0)
                return -EPERM;
        return 0;
}

/* The child's answer: {"replies":[…]} or {"errno":N,"message":"…"}. */
static json_t *child_calls(const char *socket_path, uid_t uid, gid_t gid, json_t *requests, pid_t parent,
                           uint64_t deadline) {
        _cleanup_slicemgr_client_ struct slicemgr_client *c = NULL;
        struct berth_error err = { 0 };
        size_t i;
        json_t *req;
        int r;

        r = become_user(uid, gid);
        if (r < 0) {
                berth_error_set(&err, r, "berth: cannot take on the identity of uid %u: %s.", (unsigned) uid,
                                strerror(-r));
                goto fail;
        }
        /* our memory is the login program's: the user may not read it */
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* die with the login program (set after the uid change, which clears it) */
        (void) prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getppid() != parent)
                _exit(1);

        r = slicemgr_client_connect(socket_path, deadline_left_ms(deadline), &c, &err);
        if (r < 0)
                goto fail;
        json_t *replies = json_array();
        if (!replies)
                return NULL;
        json_array_foreach(requests, i, req) {
                json_t *reply = NULL;
                r = slicemgr_client_call(c, req, deadline_left_ms(deadline), &reply, &err);
                if (r < 0) {
                        json_decref(replies);
                        goto fail;
                }
                json_array_append_new(replies, reply);
        }
        return json_pack("{s:o}", "replies", replies);
fail:
        return json_pack("{s:i,s:s}", "errno", -r, "message",
                         err.message[0] ? err.message : "berth: the call to the berth daemon failed.");
}

static _noreturn_ void child_run(int fd, const char *socket_path, uid_t uid, gid_t gid, json_t *requests,
                                 pid_t parent, uint64_t deadline) {
        /* hold none of the login program's other files */
        if (fd != 3) {
                if (dup2(fd, 3) < 0)
                        _exit(1);
                fd = 3;
        }
        (void) close_range(4, ~0U, 0);

        json_t *out = child_calls(socket_path, uid, gid, requests, parent, deadline);
        _exit(out && json_dumpfd(out, fd, JSON_COMPACT) == 0 ? 0 : 1);
}

/* Read what the child writes until it closes the pipe or the deadline. */
static int read_child(int fd, uint64_t deadline, char **ret, size_t *ret_len) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, size = 0;

        for (;;) {
                int r = fd_wait_until(fd, POLLIN, deadline);
                if (r < 0)
                        return r;
                if (len + 4096 + 1 > size) {
                        if (size >= CHILD_OUTPUT_MAX)
                                return -EBADMSG;
                        size_t ns = size ? size * 2 : 8192;
                        char *nb = realloc(buf, ns);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        size = ns;
                }
                ssize_t n = read(fd, buf + len, size - len - 1);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        if (!buf)
                return -EBADMSG;
        buf[len] = 0;
        *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

int call_as_user(const char *socket_path, uid_t uid, gid_t gid, json_t *requests, int timeout_ms, json_t **ret,
                 struct berth_error *err) {
        uint64_t deadline = deadline_ms(timeout_ms);
        _cleanup_close_ int rfd = -1, wfd = -1;
        _cleanup_free_ char *out = NULL;
        size_t out_len = 0;
        int pipefd[2], r, status;

        if (!json_is_array(requests))
                return -EINVAL;
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return berth_error_set(err, -errno, "berth: cannot create a pipe: %s.", strerror(errno));
        rfd = pipefd[0];
        wfd = pipefd[1];
        if (fcntl(rfd, F_SETFL, O_NONBLOCK) < 0)
                return berth_error_set(err, -errno, "berth: cannot set up a pipe: %s.", strerror(errno));

        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0)
                return berth_error_set(err, -errno, "berth: cannot fork: %s.", strerror(errno));
        if (pid == 0)
                child_run(wfd, socket_path, uid, gid, requests, parent, deadline);
        close(TAKE_FD(wfd));

        r = read_child(rfd, deadline, &out, &out_len);
        if (r < 0)
                (void) kill(pid, SIGKILL);
        /* A program whose SIGCHLD handler reaps for itself may have taken the
         * child already (ECHILD): it is gone either way. */
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r == -ETIMEDOUT)
                return berth_error_set(err, r, "berth: the berth daemon at %s did not answer within %d ms.",
                                       socket_path, timeout_ms);
        if (r < 0)
                return berth_error_set(err, r, "berth: cannot read the reply of the berth daemon: %s.", strerror(-r));

        json_error_t jerr;
        _cleanup_json_ json_t *answer = json_loadb(out, out_len, JSON_REJECT_DUPLICATES, &jerr);
        json_t *replies = json_object_get(answer, "replies");
        if (json_is_array(replies) && json_array_size(replies) == json_array_size(requests)) {
                *ret = json_incref(replies);
                return 0;
        }
        json_int_t e = json_integer_value(json_object_get(answer, "errno"));
        const char *msg = json_string_value(json_object_get(answer, "message"));
        if (e <= 0 || e > 4095 || !msg)
                return berth_error_set(err, -EBADMSG, "berth: the call to the berth daemon at %s failed.", socket_path);
        return berth_error_set(err, -(int) e, "%s", msg);
}
