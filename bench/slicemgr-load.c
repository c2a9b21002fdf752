/* SPDX-License-Identifier: MIT */
/* slicemgr-load SOCKET CLIENTS SECONDS: CLIENTS processes, each on its own
 * connection, doing reserve+commit (no GPUs, unique names) for SECONDS;
 * prints the total pairs per second and the median pair latency in µs. */
#include <sys/wait.h>
#include <time.h>

#include "system/slicemgr-client.h"

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static int compare_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static int run_client(const char *sock, int id, double seconds, int out_fd) {
        _cleanup_slicemgr_client_ struct slicemgr_client *c = NULL;
        struct berth_error err = { 0 };
        static uint64_t lat[1 << 20];
        size_t n = 0;

        if (slicemgr_client_connect(sock, 5000, &c, &err) < 0) {
                fprintf(stderr, "%s\n", err.message);
                return 1;
        }
        uint64_t end = now_ns() + (uint64_t) (seconds * 1e9);
        while (now_ns() < end && n < ELEMENTSOF(lat)) {
                char name[64];
                snprintf(name, sizeof(name), "b%d-%zu", id, n);
                uint64_t t0 = now_ns();
                _cleanup_json_ json_t *req = json_pack("{s:s,s:{s:s,s:i}}", "op", "reserve", "spec", "name", name, "gpus", 0);
                _cleanup_json_ json_t *reply = NULL, *reply2 = NULL;
                if (slicemgr_client_call(c, req, 5000, &reply, &err) < 0 || !json_is_true(json_object_get(reply, "ok"))) {
                        fprintf(stderr, "reserve failed: %s\n", reply ? json_string_value(json_object_get(reply, "message")) : err.message);
                        return 1;
                }
                _cleanup_json_ json_t *commit = json_pack("{s:s,s:O}", "op", "commit", "reservation",
                                                           json_object_get(reply, "reservation"));
                if (slicemgr_client_call(c, commit, 5000, &reply2, &err) < 0 || !json_is_true(json_object_get(reply2, "ok"))) {
                        fprintf(stderr, "commit failed\n");
                        return 1;
                }
                lat[n++] = now_ns() - t0;
        }
        qsort(lat, n, sizeof(uint64_t), compare_u64);
        char line[64];
        int l = snprintf(line, sizeof(line), "%zu %llu\n", n, (unsigned long long) (n ? lat[n / 2] : 0));
        return write(out_fd, line, (size_t) l) == l ? 0 : 1;
}

int main(int argc, char **argv) {
        if (argc != 4) {
                fprintf(stderr, "usage: slicemgr-load SOCKET CLIENTS SECONDS\n");
                return 2;
        }
        int clients = atoi(argv[2]);
        double seconds = atof(argv[3]);
        int p[2];
        if (clients < 1 || pipe(p) < 0)
                return 2;
        for (int i = 0; i < clients; i++)
                if (fork() == 0) {
                        close(p[0]);
                        _exit(run_client(argv[1], i, seconds, p[1]));
                }
        close(p[1]);
        int failed = 0, st;
        while (wait(&st) > 0)
                if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                        failed++;
        FILE *f = fdopen(p[0], "r");
        unsigned long long total = 0, med_sum = 0, n, med;
        int k = 0;
        while (f && fscanf(f, "%llu %llu", &n, &med) == 2) {
                total += n;
                med_sum += med;
                k++;
        }
        printf("%.0f %llu\n", (double) total / seconds, k ? med_sum / (unsigned long long) k / 1000 : 0);
        return failed ? 1 : 0;
}
