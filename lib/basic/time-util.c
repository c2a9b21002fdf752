/* SPDX-License-Identifier: MIT */
#include "basic/time-util.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

uint64_t deadline_ms(int timeout_ms) {
        return now_usec() / 1000 + (uint64_t) timeout_ms;
}

int deadline_left_ms(uint64_t deadline) {
        uint64_t n = now_usec() / 1000;
        return n >= deadline ? 0 : (int) (deadline - n);
}

int fd_wait_until(int fd, short events, uint64_t deadline) {
        for (;;) {
                struct pollfd p = { .fd = fd, .events = events };
                int t = deadline_left_ms(deadline);
                if (t == 0)
                        return -ETIMEDOUT;
                int r = poll(&p, 1, t);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -errno;
                if (r == 0)
                        return -ETIMEDOUT;
                return 0;
        }
}
