/* SPDX-License-Identifier: MIT */
/* [metrics] listen: a numeric "HOST:PORT", IPv4 "127.0.0.1:9101" or IPv6
 * "[::1]:9101".  No names: the config is read before the network is up, and
 * an address that resolves differently tomorrow is not a config. */
#pragma once

#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

struct listen_address {
        struct sockaddr_storage sa;
        socklen_t len;
        bool loopback; /* 127.0.0.0/8 or ::1: only this machine can connect */
};

/* -EINVAL when text is not such an address (a port of 1…65535 included). */
int listen_address_parse(const char *text, struct listen_address *ret);
