/* SPDX-License-Identifier: MIT */
#include "core/listen-address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "9101": 1…65535, digits only */
static int parse_port(const char *s, uint16_t *ret) {
        unsigned long v = 0;
        if (!*s || strlen(s) > 5)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned long) (*p - '0');
        }
        if (v == 0 || v > 65535)
                return -EINVAL;
        *ret = (uint16_t) v;
        return 0;
}

int listen_address_parse(const char *text, struct listen_address *ret) {
        char host[INET6_ADDRSTRLEN + 2];
        struct listen_address a = { 0 };
        const char *colon;
        uint16_t port;

        if (!text)
                return -EINVAL;
        if (text[0] == '[') {
                const char *close = strchr(text, ']');
                if (!close || close[1] != ':' || (size_t) (close - text - 1) >= sizeof(host))
                        return -EINVAL;
                snprintf(host, sizeof(host), "%.*s", (int) (close - text - 1), text + 1);
                colon = close + 1;
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &a.sa;
                if (parse_port(colon + 1, &port) < 0 || inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
                        return -EINVAL;
                in6->sin6_family = AF_INET6;
                in6->sin6_port = htons(port);
                a.len = sizeof(*in6);
                a.loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
        } else {
                colon = strrchr(text, ':');
                if (!colon || (size_t) (colon - text) >= sizeof(host))
                        return -EINVAL;
                snprintf(host, sizeof(host), "%.*s", (int) (colon - text), text);
                struct sockaddr_in *in = (struct sockaddr_in *) &a.sa;
                /* inet_pton takes only the dotted quad, never "127.1" or hex */
                if (parse_port(colon + 1, &port) < 0 || inet_pton(AF_INET, host, &in->sin_addr) != 1)
                        return -EINVAL;
                in->sin_family = AF_INET;
                in->sin_port = htons(port);
                a.len = sizeof(*in);
                a.loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
        }
        *ret = a;
        return 0;
}
