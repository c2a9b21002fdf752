/* SPDX-License-Identifier: MIT */
/* What a policed verb says about its decision: one sentence to the user
 * when it refuses, one audit entry in the journal. */
#pragma once

#include "core/audit.h"
#include "context.h"

/* Exit status of a refusal: docker's own "the docker command failed". */
#define WRAPPER_EXIT_REFUSED 125

/* Print "berth: …" (one line, hint appended) and return WRAPPER_EXIT_REFUSED. */
int wrapper_refuse(const char *reason, const char *hint);
/* One audit entry for the caller (BERTH_USER, BERTH_UID and what is given;
 * NULL fields are left out).  MESSAGE is message. */
void wrapper_audit(struct wrapper *w, enum audit_event ev, const char *container, const char *gpus, const char *slice,
                   const char *reason, const char *message);
