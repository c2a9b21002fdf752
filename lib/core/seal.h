/* SPDX-License-Identifier: MIT */
/* The seal on berth's labels (DESIGN §5): an HMAC-SHA256 (OpenSSL) over
 * what makes a container someone's and what it holds — its name, owner,
 * uid and GPUs — with a key only root can read.  berth-slicemgr puts it in
 * the berth.seal label it hands out with a reservation and counts or
 * adopts only containers whose seal verifies, so a container built,
 * committed or created with forged berth.* labels holds nothing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SEAL_KEY_SIZE 32
#define SEAL_LABEL "berth.seal"
/* "v1:" and 64 hex digits */
#define SEAL_TEXT_MAX (3 + 64 + 1)

/* The seal of (name, user, uid, gpus) as label text, "v1:<hex>".  name is
 * the full container name without a leading '/'; gpus the berth.gpus label
 * ("" when none).  -EINVAL for a key of the wrong size or a missing field. */
int seal_compute(const uint8_t *key, size_t key_size, const char *name, const char *user, uid_t uid,
                 const char *gpus, char ret[static SEAL_TEXT_MAX]);

/* Whether seal (a berth.seal label, may be NULL) is the seal of these
 * fields under key; compared in constant time. */
bool seal_verify(const uint8_t *key, size_t key_size, const char *seal, const char *name, const char *user, uid_t uid,
                 const char *gpus);
