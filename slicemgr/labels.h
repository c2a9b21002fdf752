/* SPDX-License-Identifier: MIT */
/* Which containers' berth.* labels are berth's own (labels.c): only those
 * whose berth.seal verifies over name, user, uid and GPUs.  The rest that
 * claim to be berth's are forged, kept here to be reported. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "core/seal.h"

enum label_trust {
        LABEL_TRUST_NONE,   /* claims nothing of berth's */
        LABEL_TRUST_SEALED, /* the seal verifies: the labels are berth's */
        LABEL_TRUST_FORGED, /* claims an owner, GPUs or a reservation, but the seal does not verify */
};

/* A label's string value, NULL when absent or not a string. */
const char *labels_get(json_t *labels, const char *key);
/* berth.uid as a uid, (uid_t) -1 when absent or not a number. */
uid_t labels_uid(json_t *labels);
/* How far a container's labels are to be trusted; name is its full name,
 * with or without the leading '/'. */
enum label_trust labels_trust(const uint8_t key[static SEAL_KEY_SIZE], const char *name, json_t *labels);

/* Containers whose labels are forged, by Docker id, with what they claim. */
struct forged_container {
        char *id;
        char *name;
        char *user; /* the claimed berth.user, may be NULL */
        char *gpus; /* the claimed berth.gpus, may be NULL */
};

struct forged_set {
        struct forged_container *v;
        size_t n;
};

const struct forged_container *forged_set_find(const struct forged_set *s, const char *id);
/* Record one from its labels; 1 when it is new, 0 when the id was known. */
int forged_set_add(struct forged_set *s, const char *id, const char *name, json_t *labels);
int forged_set_rename(struct forged_set *s, const char *id, const char *name);
void forged_set_remove(struct forged_set *s, const char *id);
void forged_set_clear(struct forged_set *s);
/* [{"container","claims_user","gpus"}, …]; NULL when out of memory. */
json_t *forged_set_json(const struct forged_set *s);
