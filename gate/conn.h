/* SPDX-License-Identifier: MIT */
/* One client connection and its own connection to dockerd: HTTP/1.1 framed
 * by libhttp-parser both ways, one request at a time (pipelined requests
 * wait their turn), bodies moved with splice(2), attach and exec streams
 * spliced both ways with half-close once dockerd hijacks them. */
#pragma once

#include "gate.h"

/* Takes over fd (accepted, non-blocking).  Refused (fd closed) past the
 * per-uid and total limits. */
int conn_new(Gate *g, int fd);
void conn_free(Conn *c);

/* RSS and fds stay bounded: what one connection may hold. */
#define CONN_JSON_BODY_MAX (1024 * 1024) /* a body the gate reads whole */
#define CONN_DF_BODY_MAX (64 * 1024 * 1024)
#define CONN_DISCARD_MAX (256ULL * 1024 * 1024) /* of a refused request's body, read so the refusal is seen */
#define CONN_IDLE_USEC (300ULL * 1000000)  /* keep-alive with no request */
#define CONN_HEAD_USEC (15ULL * 1000000)   /* from a request's first byte to its last header */
#define CONN_BODY_USEC (60ULL * 1000000)   /* a JSON body, once its head came */
