/* SPDX-License-Identifier: MIT */
/* The operations of the control socket (ops.c). */
#pragma once

#include <stddef.h>
#include <sys/socket.h>

#include "manager.h"

/* One reply line (newline included) for one request line (without its
 * newline) from peer; NULL only when out of memory. */
char *ops_handle(Manager *m, const struct ucred *peer, const char *line, size_t len);
