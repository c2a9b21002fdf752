/* SPDX-License-Identifier: MIT */
/* What the judgements of decide*.c share: the refusal and forward
 * outcomes, the caller as the policy sees them, and the questions to
 * berth-slicemgr asked on the caller's behalf. */
#pragma once

#include "decision.h"
#include "policy/policy.h"

/* Refuse with one sentence (status 403, 400 or 503; ev the audit event,
 * _AUDIT_EVENT_INVALID: none, because berth-slicemgr audited it or nothing
 * was decided).  Always true, so a judgement can "return decide_refuse(…)". */
bool decide_refuse(struct decision *d, int status, enum audit_event ev, const char *fmt, ...) _printf_(4, 5);
/* Forward with the target the route table writes (param: the resolved id,
 * NULL: as received).  True. */
bool decide_forward(struct decision *d, const char *param);

struct decide_ask {
        const char *control_socket;
        const struct gate_identity *who;
};

/* The owner question of lib/system/spec-facts.h, asked for a->who. */
int decide_ask_owner(void *userdata, const char *kind, char **names, json_t **ret, bool *ret_admin,
                     struct berth_error *err);
/* Is the container target names the caller's?  false with *ret (the owner
 * answer) when it is; true (refused: 404 or 403 with the sentence) when not. */
bool decide_container_of_caller(struct decision *d, const char *target, const char *verb, json_t **ret);

/* The caller as lib/policy sees them: identity, groups, home, limits. */
struct decide_caller {
        struct policy_identity id;
        gid_t *gids;
        char *home;
        struct resolved_user ru;
};

int decide_caller_get(const struct decision *d, struct decide_caller *c);
void decide_caller_done(struct decide_caller *c);

/* Volumes and networks (decide-objects.c): create, inspect, remove,
 * connect and disconnect. */
void decide_objects(struct decision *d);
/* Images and builds (decide-images.c): pull, import, tag, push, load,
 * delete, commit, build, BuildKit's session, build cancel. */
void decide_images(struct decision *d);
