/* SPDX-License-Identifier: MIT */
/* One request as the gate judges it: what came in (who, the route, the
 * JSON body) and what is decided (forward what, or refuse with what
 * sentence).  Filled by conn.c, judged by decide*.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/audit.h"
#include "core/config.h"
#include "gate.h"
#include "route.h"

enum decision_outcome {
        DECISION_FORWARD,
        DECISION_REFUSE,
};

struct decision {
        /* in (conn.c) */
        const struct berth_config *config;
        const char *upstream; /* dockerd's socket */
        struct gate_identity who;
        char *method;
        struct route_match match;
        char *content_type;   /* the request's, NULL: none */
        char *body;           /* a JSON body read whole (ROUTE_BODY_JSON), NULL: none */
        size_t body_len;
        OwnerCache *owners;   /* owner answers kept a moment (shared) */

        /* out */
        enum decision_outcome outcome;
        int status;            /* refusal: 403, or 400 for a malformed request, 503 when berth cannot tell */
        char message[640];     /* refusal: "berth: …" */
        enum audit_event audit;
        char *target;          /* forward: the request-target dockerd gets */
        bool replace_body;     /* forward: new_body instead of the client's */
        char *new_body;
        size_t new_body_len;
        char *reservation;     /* forward: commit on 201, cancel otherwise */
        char *container;       /* what the request is about, for the journal */
        bool forget_owners;    /* once dockerd has answered: names may lead elsewhere now */
        enum decision_answer {
                DECISION_ANSWER_AS_IS,
                DECISION_ANSWER_DF,      /* /system/df cut to the caller's own */
                DECISION_ANSWER_VERSION, /* /_ping, /version: the API version berth speaks at most */
        } answer;                        /* what becomes of dockerd's answer */
};

void decision_free(struct decision *d);

/* The "for" object that makes berth-slicemgr answer for who. */
json_t *decide_for(const struct gate_identity *who);
