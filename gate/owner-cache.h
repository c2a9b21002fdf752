/* SPDX-License-Identifier: MIT */
/* What berth-slicemgr said of a caller's own containers, kept a moment.
 * Nearly every request names a container, and asking whose it is costs
 * more than the rest of what the gate does for it.  Only answers that a
 * container is the caller's are kept, under (uid, the name or id as typed):
 * an answer names the container by its full id, and a container's id and
 * its sealed owner never change, so a kept answer can only ever lead to
 * the caller's own container, or to none once it is gone (Docker's 404).
 * What could make a name lead elsewhere (create, rename, remove, prune)
 * forgets the caller's answers; the rest end after OWNER_CACHE_TTL_USEC.
 * Shared by the event loop and the workers, under a lock. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#define OWNER_CACHE_TTL_USEC (2ULL * 1000000)
#define OWNER_CACHE_SLOTS 1024 /* a power of two; a newer answer takes an older one's slot */

typedef struct OwnerCache OwnerCache;

int owner_cache_new(OwnerCache **ret);
OwnerCache *owner_cache_free(OwnerCache *c);

/* A copy of the answer kept for (uid, target), or NULL (none, or past its
 * time).  now: CLOCK_MONOTONIC, usec. */
json_t *owner_cache_get(OwnerCache *c, uid_t uid, const char *target, uint64_t now);

/* Keep answer (an owner answer object that says "mine") for (uid, target).
 * Anything else is not kept. */
void owner_cache_put(OwnerCache *c, uid_t uid, const char *target, const json_t *answer, uint64_t now);

/* Forget every answer kept for uid. */
void owner_cache_forget(OwnerCache *c, uid_t uid);
