/* SPDX-License-Identifier: MIT */
/* berth-gate [--config DIR]: the Docker socket users reach (DESIGN §5b).
 * In the foreground under systemd (Type=notify), on the socket
 * berth-gate.socket hands it, else on [gate] socket which it binds itself;
 * dockerd's own socket ([daemon] docker_socket) is its upstream, and it
 * will not start when that socket is its own or is open to users. */
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "basic/fileio.h"
#include "basic/util.h"
#include "core/daemon-args.h"
#include "conn.h"
#include "core/config.h"
#include "core/identity.h"
#include "core/paths.h"

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        sd_notify(0, "STOPPING=1");
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Gate *g = userdata;
        for (int i = 0; i < 64; i++) {
                int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd < 0) {
                        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                                log_info("berth-gate: accept: %s", strerror(errno));
                        break;
                }
                (void) conn_new(g, cfd);
        }
        return 0;
}

/* Can someone who is not an admin open dockerd's socket?  It must be
 * root's alone, or shared with root's group or admin_group only. */
static int upstream_check(const struct berth_config *c, struct berth_error *err) {
        struct stat st;
        if (stat(c->docker_socket, &st) < 0)
                return 0; /* dockerd may start after the gate: its socket is checked by berthctl doctor */
        if (!S_ISSOCK(st.st_mode))
                return berth_error_set(err, -ENOTSOCK, "berth-gate: %s ([daemon] docker_socket) is not a socket.",
                                       c->docker_socket);
        gid_t admin_gid = 0;
        int has_admin = identity_group_gid(c->admin_group, &admin_gid);
        if ((st.st_mode & 0002) ||
            ((st.st_mode & 0020) && st.st_gid != 0 && !(has_admin > 0 && st.st_gid == admin_gid)) || st.st_uid != 0)
                return berth_error_set(err, -EPERM,
                                       "berth-gate: dockerd's socket %s is open to users (mode %04o, group %u), so berth would be no boundary; make it root-only (the docker.socket drop-in in berth-gate(8)) and start again.",
                                       c->docker_socket, (unsigned) (st.st_mode & 07777), (unsigned) st.st_gid);
        return 0;
}

/* The listening socket: systemd's (berth-gate.socket) or our own. */
static int listen_open(Gate *g, struct berth_error *err) {
        int n = sd_listen_fds(true);
        if (n > 1)
                return berth_error_set(err, -EINVAL, "berth-gate: systemd passed %d sockets; berth-gate.socket has one.", n);
        if (n == 1) {
                g->listen_fd = SD_LISTEN_FDS_START;
                if (sd_is_socket_unix(g->listen_fd, SOCK_STREAM, 1, NULL, 0) <= 0)
                        return berth_error_set(err, -EINVAL, "berth-gate: the socket systemd passed is not a listening unix socket.");
                /* systemd passes it blocking (NonBlocking=no): on_accept
                 * accepts until EAGAIN, which would then block the loop */
                int fl = fcntl(g->listen_fd, F_GETFL);
                if (fl < 0 || fcntl(g->listen_fd, F_SETFL, fl | O_NONBLOCK) < 0)
                        return berth_error_set(err, -errno, "berth-gate: cannot make systemd's socket non-blocking: %s",
                                               strerror(errno));
                struct sockaddr_un sa;
                socklen_t sl = sizeof(sa);
                if (getsockname(g->listen_fd, (struct sockaddr *) &sa, &sl) == 0 && sl > sizeof(sa.sun_family) &&
                    sa.sun_path[0] && file_same(sa.sun_path, g->config->docker_socket))
                        return berth_error_set(err, -EINVAL,
                                               "berth-gate: its socket %s is dockerd's own ([daemon] docker_socket); give dockerd a socket of its own.",
                                               sa.sun_path);
                return 0;
        }
        const char *path = g->config->gate_socket;
        if (!path)
                return berth_error_set(err, -EINVAL,
                                       "berth-gate: no socket to listen on: set [gate] socket in berth.conf, or start it through berth-gate.socket.");
        if (file_same(path, g->config->docker_socket))
                return berth_error_set(err, -EINVAL,
                                       "berth-gate: [gate] socket and [daemon] docker_socket are the same socket (%s); dockerd needs one of its own.",
                                       path);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return berth_error_set(err, -ENAMETOOLONG, "berth-gate: the socket path %s is too long.", path);
        strcpy(sa.sun_path, path);
        struct stat st;
        if (lstat(path, &st) == 0) {
                if (!S_ISSOCK(st.st_mode))
                        return berth_error_set(err, -EEXIST, "berth-gate: %s exists and is not a socket; not replacing it.", path);
                (void) unlink(path); /* a socket left by an earlier gate */
        }
        g->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (g->listen_fd < 0)
                return berth_error_set(err, -errno, "berth-gate: socket: %s", strerror(errno));
        /* every user may connect: who they are comes from SO_PEERCRED */
        mode_t old = umask(0);
        int r = bind(g->listen_fd, (struct sockaddr *) &sa, sizeof(sa));
        umask(old);
        if (r < 0)
                return berth_error_set(err, -errno, "berth-gate: cannot bind %s: %s", path, strerror(errno));
        g->listen_owned = true;
        if (chmod(path, 0666) < 0 || listen(g->listen_fd, SOMAXCONN) < 0)
                return berth_error_set(err, -errno, "berth-gate: cannot listen on %s: %s", path, strerror(errno));
        return 0;
}

static void gate_free(Gate *g) {
        while (g->conns)
                conn_free(g->conns); /* a connection a worker holds is freed by its job */
        worker_free(g->worker);
        while (g->conns)
                conn_free(g->conns);
        sd_event_source_disable_unref(g->listen_source);
        if (g->listen_fd >= 0)
                close(g->listen_fd);
        if (g->listen_owned && g->config->gate_socket)
                (void) unlink(g->config->gate_socket);
        for (size_t i = 0; i < g->n_identities; i++)
                free(g->identities[i].user);
        free(g->identities);
        owner_cache_free(g->owners);
        config_free(g->config);
        sd_event_unref(g->event);
}

static int run(const char *config_dir) {
        Gate g = { .listen_fd = -1 };
        struct berth_error err = { 0 };
        _cleanup_free_ char *why = NULL;
        int r;

        r = config_load_report(config_dir, stderr, &g.config, &why, NULL);
        if (r < 0) {
                log_error_errno(r, "berth-gate: the configuration in %s is not valid; not starting.", config_dir);
                goto out;
        }
        g.upstream = g.config->docker_socket;
        r = upstream_check(g.config, &err);
        if (r >= 0)
                r = listen_open(&g, &err);
        if (r < 0) {
                log_error_errno(r, "%s", err.message);
                goto out;
        }
        /* two descriptors a connection, more while it splices */
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
        }
        r = sd_event_default(&g.event);
        if (r >= 0)
                r = sd_event_add_signal(g.event, NULL, SIGTERM, on_signal, &g);
        if (r >= 0)
                r = sd_event_add_signal(g.event, NULL, SIGINT, on_signal, &g);
        if (r >= 0)
                r = worker_new(g.event, GATE_WORKER_THREADS, &g.worker);
        if (r >= 0)
                r = owner_cache_new(&g.owners);
        if (r >= 0)
                r = sd_event_add_io(g.event, &g.listen_source, g.listen_fd, EPOLLIN, on_accept, &g);
        if (r < 0) {
                log_error_errno(r, "berth-gate: cannot set up its loop: %m");
                goto out;
        }
        (void) sd_event_set_watchdog(g.event, true);
        sd_notifyf(0, "READY=1\nSTATUS=serving %s for %s\nMAINPID=%d", strempty(g.config->gate_socket), g.upstream,
                   (int) getpid());
        log_info("berth-gate: ready; dockerd is %s", g.upstream);
        r = sd_event_loop(g.event);
        sd_notify(0, "STOPPING=1");
out:
        if (g.config)
                gate_free(&g);
        return r;
}


int main(int argc, char **argv) {
        static const struct daemon_args args = {
                .version = BERTH_VERSION,
                .name = "berth-gate",
                .summary = "The Docker socket users reach: every request is checked against berth's rules, then sent to dockerd.",
                .why_root = "it reaches dockerd's root-only socket",
                .reload = false,
        };
        const char *config_dir = NULL;
        int r = daemon_args_parse(&args, argc, argv, &config_dir);
        if (r >= 0)
                return r;
        return run(config_dir) < 0 ? 1 : 0;
}
