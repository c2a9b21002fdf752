/* SPDX-License-Identifier: MIT */
/* httplat: per-request latency over a unix socket, and connections held.
 *
 *   httplat lat SOCKET-A SOCKET-B N PATH   N GETs of PATH on one kept-alive
 *                                          connection to each socket, taken
 *                                          in turn; prints p50 and p99 (µs)
 *                                          of each and the added p50
 *   httplat hold SOCKET N SECONDS          N connections each answered one
 *                                          /_ping, then held open SECONDS;
 *                                          prints how many were served
 *
 * Answers are framed with libhttp-parser, as the gate frames them. */
#include <errno.h>
#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int connect_to(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
                return -1;
        strcpy(sa.sun_path, path);
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

static int on_complete(http_parser *p) {
        *(int *) p->data = 1;
        return 0;
}

/* One GET and its whole answer; the status, or -1. */
static int get(int fd, const char *path) {
        char req[1024], buf[65536];
        int n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: docker\r\n\r\n", path);
        if (n <= 0 || (size_t) n >= sizeof(req) || write(fd, req, (size_t) n) != n)
                return -1;
        http_parser p;
        http_parser_settings s = { .on_message_complete = on_complete };
        int done = 0;
        http_parser_init(&p, HTTP_RESPONSE);
        p.data = &done;
        while (!done) {
                ssize_t k = read(fd, buf, sizeof(buf));
                if (k <= 0)
                        return -1;
                if (http_parser_execute(&p, &s, buf, (size_t) k) != (size_t) k && !done)
                        return -1;
        }
        return (int) p.status_code;
}

static int cmp(const void *a, const void *b) {
        long long x = *(const long long *) a, y = *(const long long *) b;
        return x < y ? -1 : x > y;
}

static double pct(long long *v, int n, double q) {
        qsort(v, (size_t) n, sizeof(*v), cmp);
        int i = (int) (q * (n - 1) + 0.5);
        return v[i] / 1000.0;
}

static int lat(const char *a, const char *b, int n, const char *path) {
        int fa = connect_to(a), fb = connect_to(b);
        long long *ta = calloc((size_t) n, sizeof(long long)), *tb = calloc((size_t) n, sizeof(long long));
        if (fa < 0 || fb < 0 || !ta || !tb) {
                fprintf(stderr, "httplat: cannot connect\n");
                return 1;
        }
        if (get(fa, path) < 0 || get(fb, path) < 0) { /* warm: the first answer is not counted */
                fprintf(stderr, "httplat: GET %s fails\n", path);
                return 1;
        }
        for (int i = 0; i < n; i++) {
                long long t0 = now_ns();
                if (get(fa, path) < 0)
                        return 1;
                ta[i] = now_ns() - t0;
                t0 = now_ns();
                if (get(fb, path) < 0)
                        return 1;
                tb[i] = now_ns() - t0;
        }
        double a50 = pct(ta, n, 0.5), a99 = pct(ta, n, 0.99), b50 = pct(tb, n, 0.5), b99 = pct(tb, n, 0.99);
        printf("%.1f %.1f %.1f %.1f %.1f\n", a50, a99, b50, b99, b50 - a50);
        free(ta);
        free(tb);
        close(fa);
        close(fb);
        return 0;
}

static int hold(const char *path, int n, int seconds) {
        int *fds = calloc((size_t) n, sizeof(int)), served = 0;
        if (!fds)
                return 1;
        for (int i = 0; i < n; i++) {
                fds[i] = connect_to(path);
                if (fds[i] >= 0 && get(fds[i], "/_ping") == 200)
                        served++;
        }
        printf("%d\n", served);
        fflush(stdout);
        sleep((unsigned) seconds);
        for (int i = 0; i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        free(fds);
        return served == n ? 0 : 1;
}

int main(int argc, char **argv) {
        if (argc == 6 && strcmp(argv[1], "lat") == 0)
                return lat(argv[2], argv[3], atoi(argv[4]), argv[5]);
        if (argc == 5 && strcmp(argv[1], "hold") == 0)
                return hold(argv[2], atoi(argv[3]), atoi(argv[4]));
        fprintf(stderr, "usage: httplat lat SOCKET-A SOCKET-B N PATH | httplat hold SOCKET N SECONDS\n");
        return 2;
}
