/* SPDX-License-Identifier: MIT */
/* The reserve replies of pending reservations, by reservation id (claims.c):
 * berth-gate claims the reservation the wrapper made and must inject exactly
 * what the wrapper was told (the same labels, seal and berth.created). */
#pragma once

#include <jansson.h>

#include "policy/ledger.h"

struct claims {
        json_t *replies; /* reservation id -> reserve's reply, without "ok" */
};

/* Keep a copy of reply for id, replacing any before. */
int claims_keep(struct claims *c, const char *id, json_t *reply);
/* The reply kept for id (borrowed), NULL when none. */
json_t *claims_get(const struct claims *c, const char *id);
void claims_forget(struct claims *c, const char *id);
/* Forget the replies of reservations the ledger no longer holds pending
 * (cancelled, expired, bound, released): run after every ledger change. */
void claims_prune(struct claims *c, const struct ledger *l);
void claims_clear(struct claims *c);
