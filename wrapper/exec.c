/* SPDX-License-Identifier: MIT */
/* The real docker CLI, exec'ed or spawned with the argv berth decided on. */
#include "exec.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

void wrapper_exec(struct wrapper *w, char **argv) {
        execv(w->real_docker, argv);
        fprintf(stderr, "berth: cannot run the real docker at %s: %s.\n", w->real_docker, strerror(errno));
        _exit(127);
}

static volatile pid_t child_pid;

/* Signals someone sent us with kill(1) go on to docker.  Those the terminal
 * raised (Ctrl-C, Ctrl-\, a hang-up) reach docker by themselves, as it is
 * in our process group: forwarding them would deliver them twice. */
static void forward(int sig, siginfo_t *info, void *ctx) {
        if (child_pid > 0 && info && info->si_code <= 0)
                kill(child_pid, sig);
}

int wrapper_spawn(struct wrapper *w, char **argv) {
        static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
        struct sigaction sa = { .sa_sigaction = forward, .sa_flags = SA_SIGINFO | SA_RESTART }, old[ELEMENTSOF(sigs)];
        sigset_t block, saved;
        int status;

        sigemptyset(&block);
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                sigaddset(&block, sigs[i]);
        sigprocmask(SIG_BLOCK, &block, &saved);
        pid_t pid = fork();
        if (pid < 0) {
                sigprocmask(SIG_SETMASK, &saved, NULL);
                fprintf(stderr, "berth: cannot start docker: %s.\n", strerror(errno));
                return 125;
        }
        if (pid == 0) {
                sigprocmask(SIG_SETMASK, &saved, NULL);
                wrapper_exec(w, argv);
        }
        child_pid = pid;
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                sigaction(sigs[i], &sa, &old[i]);
        sigprocmask(SIG_SETMASK, &saved, NULL);

        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR) {
                        status = 125 << 8;
                        break;
                }
        child_pid = 0;
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                sigaction(sigs[i], &old[i], NULL);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 125;
}

int wrapper_capture(struct wrapper *w, char **argv, char **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0, max = 64 * 1024;
        int fds[2], status;

        *ret = NULL;
        buf = malloc(max + 1);
        if (!buf || pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(fds[0]);
                close(fds[1]);
                return -e;
        }
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
                if (dup2(fds[1], STDOUT_FILENO) < 0 || (null >= 0 && dup2(null, STDERR_FILENO) < 0))
                        _exit(127);
                execv(w->real_docker, argv);
                _exit(127);
        }
        close(fds[1]);
        for (;;) {
                ssize_t k = n < max ? read(fds[0], buf + n, max - n) : 0;
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                n += (size_t) k;
        }
        close(fds[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -EIO;
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}
