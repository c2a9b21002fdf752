/* SPDX-License-Identifier: MIT */
/* The monotonic clock, deadlines and waiting on a file descriptor. */
#pragma once

#include <stdint.h>

/* CLOCK_MONOTONIC in microseconds. */
uint64_t now_usec(void);
/* Deadlines in CLOCK_MONOTONIC milliseconds: one TIMEOUT_MS from now, and
 * the milliseconds left until one (0 once it has passed). */
uint64_t deadline_ms(int timeout_ms);
int deadline_left_ms(uint64_t deadline);
/* poll() FD for EVENTS until DEADLINE (deadline_ms()), retrying on EINTR:
 * 0 when ready, -ETIMEDOUT, or -errno. */
int fd_wait_until(int fd, short events, uint64_t deadline);
