/* SPDX-License-Identifier: MIT */
/* What the gate does with one request (DESIGN §5b): forward it as is,
 * forward what berth rewrote, or refuse it with one sentence.  The rules
 * themselves live in lib/policy; this file finds the facts they need
 * (owners through berth-slicemgr, exec ids through Docker) and turns the
 * verdict into the request dockerd gets. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "decision.h"


/* On the loop, from the head alone: true when it is decided (no I/O was
 * needed), false when decide_run() must run on a worker. */
bool decide_early(struct decision *d);
/* On a worker thread: asks what it must, then decides. */
void decide_run(struct decision *d);

/* On a worker thread, once dockerd answered a request that holds a
 * reservation: commit on 201, cancel otherwise. */
void decide_settle(const char *control_socket, const struct gate_identity *who, const char *reservation,
                   int http_status);

/* On a worker thread: who->uid's name (NSS) and whether they are an admin
 * (identity_is_admin(), with who->gid as the gid they run with). */
void decide_identity(const struct berth_config *config, struct gate_identity *who);

/* dockerd's answer (status, body) as the client gets it, for a decision
 * whose answer is not DECISION_ANSWER_AS_IS: /system/df with only the
 * caller's containers and volumes, /version with ApiVersion no newer than
 * berth speaks. */
int decide_answer_body(const struct decision *d, int status, const char *body, size_t len, char **ret);
/* An Api-Version header's value as the client gets it: dockerd's, but no
 * newer than ROUTE_VERSION_MAX, so clients negotiate a version the gate
 * accepts. */
const char *decide_api_version(const char *v);

