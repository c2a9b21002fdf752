/* SPDX-License-Identifier: MIT */
/* A line on a user's terminals.  logind says which ttys the user's sessions
 * have; the daemon that writes is root, so a name logind reports is only a
 * hint: the node is looked at through O_PATH first (no driver's open runs)
 * and written only when it is a tty character device the user owns, opened
 * without blocking and never as a controlling terminal. */
#include "system/terminals.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <systemd/sd-login.h>

#include "basic/util.h"

bool terminal_name_valid(const char *tty) {
        const char *p;
        if (!tty)
                return false;
        if (strncmp(tty, "pts/", 4) == 0)
                p = tty + 4;
        else if (strncmp(tty, "tty", 3) == 0) {
                p = tty + 3;
                while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
                        p++;
        } else
                return false;
        /* a number, nothing after it: no "..", no further slash */
        if (*p < '0' || *p > '9' || strlen(p) > 9)
                return false;
        for (; *p; p++)
                if (*p < '0' || *p > '9')
                        return false;
        return true;
}

int terminal_open_at(int dir_fd, const char *tty, uid_t uid, int *ret_fd) {
        struct stat st, again;
        char self[64];
        if (!terminal_name_valid(tty))
                return -EINVAL;
        _cleanup_close_ int node = openat(dir_fd, tty, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (node < 0)
                return -errno;
        if (fstat(node, &st) < 0)
                return -errno;
        /* `mesg n` (group write off) is not asked: Debian's logins set 0600
         * (login.defs TTYPERM), and root's wall(1) writes regardless too */
        if (!S_ISCHR(st.st_mode) || st.st_uid != uid)
                return -EPERM;
        /* the very node just looked at, not whatever the name means now */
        snprintf(self, sizeof(self), "/proc/self/fd/%d", node);
        _cleanup_close_ int fd = open(self, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &again) < 0)
                return -errno;
        if (again.st_rdev != st.st_rdev || again.st_ino != st.st_ino || again.st_dev != st.st_dev)
                return -EPERM;
        if (!isatty(fd))
                return -ENOTTY;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int terminal_open(const char *tty, uid_t uid, int *ret_fd) {
        _cleanup_close_ int dev = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dev < 0)
                return -errno;
        return terminal_open_at(dev, tty, uid, ret_fd);
}

char *terminal_message(const char *text) {
        size_t n = strlen(text);
        /* "\a\r\n", each byte at most "\r\n", "\r\n", NUL */
        char *m = malloc(3 + 2 * n + 3);
        char *p = m;
        if (!m)
                return NULL;
        *p++ = '\a';
        *p++ = '\r';
        *p++ = '\n';
        for (const unsigned char *s = (const unsigned char *) text; *s; s++) {
                if (*s == '\n') {
                        *p++ = '\r';
                        *p++ = '\n';
                } else
                        *p++ = *s >= 0x20 && *s < 0x7f ? (char) *s : '?';
        }
        *p++ = '\r';
        *p++ = '\n';
        *p = 0;
        return m;
}

/* The whole message went out in one non-blocking write. */
static bool write_all_now(int fd, const char *m, size_t n) {
        ssize_t k = write(fd, m, n);
        return k >= 0 && (size_t) k == n;
}

int terminals_notify_user(uid_t uid, const char *text, unsigned *ret_reached, struct berth_error *err) {
        _cleanup_strv_free_ char **sessions = NULL;
        _cleanup_free_ char *msg = terminal_message(text);
        _cleanup_free_ dev_t *seen = NULL;
        size_t n_seen = 0;
        unsigned reached = 0;
        if (!msg)
                return berth_error_set(err, -ENOMEM, "out of memory");
        int r = sd_uid_get_sessions(uid, 0, &sessions);
        if (r < 0)
                return berth_error_set(err, r, "could not ask logind for the sessions of uid %u: %s", (unsigned) uid,
                                       strerror(-r));
        if (r > 0 && !(seen = calloc((size_t) r, sizeof(*seen))))
                return berth_error_set(err, -ENOMEM, "out of memory");
        for (char **s = sessions; s && *s; s++) {
                _cleanup_free_ char *tty = NULL, *state = NULL;
                _cleanup_close_ int fd = -1;
                struct stat st;
                bool again = false;
                if (sd_session_get_state(*s, &state) >= 0 && streq(state, "closing"))
                        continue;
                if (sd_session_get_tty(*s, &tty) < 0 || terminal_open(tty, uid, &fd) < 0 || fstat(fd, &st) < 0)
                        continue;
                for (size_t i = 0; i < n_seen; i++)
                        again = again || seen[i] == st.st_rdev;
                if (again || n_seen >= (size_t) r)
                        continue;
                seen[n_seen++] = st.st_rdev;
                if (write_all_now(fd, msg, strlen(msg)))
                        reached++;
        }
        if (ret_reached)
                *ret_reached = reached;
        return 0;
}

int terminals_notify_user_name(const char *user, const char *text, unsigned *ret_reached, struct berth_error *err) {
        struct passwd pw, *res = NULL;
        char buf[4096];
        if (!user)
                return berth_error_set(err, -EINVAL, "no user to notify");
        int e = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
        if (e || !res)
                return berth_error_set(err, e ? -e : -ENOENT, "user %s is not known", user);
        return terminals_notify_user(pw.pw_uid, text, ret_reached, err);
}
