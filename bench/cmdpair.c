/* SPDX-License-Identifier: MIT */
/* cmdpair N A... -- B...: run command A and command B alternately N times
 * each (fork, exec, wait; output to /dev/null) and print the median wall
 * time of each in microseconds and their ratio B/A.  Alternating in one
 * process keeps both sides under the same machine noise. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long run(char **argv, int *ret_status) {
        long long t0 = now_ns();
        pid_t pid = fork();
        if (pid == 0) {
                int fd = open("/dev/null", O_WRONLY);
                if (fd >= 0) {
                        dup2(fd, 1);
                        dup2(fd, 2);
                }
                execv(argv[0], argv);
                _exit(127);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        return now_ns() - t0;
}

static int cmp(const void *a, const void *b) {
        long long x = *(const long long *) a, y = *(const long long *) b;
        return x < y ? -1 : x > y;
}

static double median(long long *v, int n) {
        qsort(v, (size_t) n, sizeof(*v), cmp);
        return n % 2 ? (double) v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

int main(int argc, char **argv) {
        if (argc < 5) {
                fprintf(stderr, "usage: cmdpair N A... -- B...\n");
                return 2;
        }
        int n = atoi(argv[1]), sep = -1;
        for (int i = 2; i < argc; i++)
                if (strcmp(argv[i], "--") == 0) {
                        sep = i;
                        break;
                }
        if (n < 1 || sep < 3 || sep == argc - 1) {
                fprintf(stderr, "usage: cmdpair N A... -- B...\n");
                return 2;
        }
        argv[sep] = NULL;
        char **a = argv + 2, **b = argv + sep + 1;
        long long *ta = calloc((size_t) n, sizeof(long long)), *tb = calloc((size_t) n, sizeof(long long));
        int sa = 0, sb = 0, fails = 0;
        if (!ta || !tb)
                return 1;
        /* one warm-up of each */
        run(a, &sa);
        run(b, &sb);
        for (int i = 0; i < n; i++) {
                if (i % 2) {
                        ta[i] = run(a, &sa);
                        tb[i] = run(b, &sb);
                } else {
                        tb[i] = run(b, &sb);
                        ta[i] = run(a, &sa);
                }
                fails += (sa != 0) + (sb != 0);
        }
        double ma = median(ta, n) / 1000.0, mb = median(tb, n) / 1000.0;
        printf("%.0f %.0f %.3f %d\n", ma, mb, mb / ma, fails);
        return 0;
}
