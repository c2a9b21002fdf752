/* SPDX-License-Identifier: MIT */
/* What berth-slicemgr's "owner" op answers about one name, read the same
 * way by the wrapper and berth-gate.  Pure: no I/O, one answer object in. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* A name with white space at either end: newer docker CLIs trim it, so the
 * name checked would not be the name docker acts on. */
bool owner_name_untrimmed(const char *name);

/* A network owner answer o for name: may user VERB it (remove: rm)?  Own,
 * shared (no berth.user label) and Docker's own networks may be used and
 * inspected, only one's own removed.  True with the sentence in msg when
 * not; a network that does not exist is left to docker. */
bool owner_network_refused(json_t *o, const char *name, const char *user, const char *verb, bool remove, char *msg,
                           size_t n);

/* Does the owner op's answer for one container say it has a host path
 * mounted?  An answer without "host_paths" (an older daemon) says yes:
 * fail closed. */
bool owner_host_paths(json_t *o);
