/* SPDX-License-Identifier: MIT */
/* The root-only key that seals berth's labels ([gate] seal_key). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "basic/util.h"
#include "core/seal.h"

/* Read the key: a regular file of exactly SEAL_KEY_SIZE bytes, owned by
 * root and readable by nobody else (mode 0600 or stricter, no link).
 * -ENOENT when there is none, -EPERM when anyone but root could read or
 * replace it, -EBADMSG for a file of the wrong size; err says which. */
int seal_key_load(const char *path, uint8_t ret[static SEAL_KEY_SIZE], struct berth_error *err);

/* Make a new key from getrandom(2) where there is none (mode 0600, the
 * directory made 0700 if missing); an existing key is kept.  1 when a key
 * was made, 0 when one was there. */
int seal_key_create(const char *path, struct berth_error *err);
