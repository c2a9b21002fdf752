/* SPDX-License-Identifier: MIT */
/* Image names a user does not own never change under them (DESIGN §2, §5):
 * the names a user types as targets land in berth/<user>/…, a kept
 * registry name moves no tag of another user's or a shared image, and
 * their own berth/<user>/X is found first when they run X.  The rules are
 * lib/policy/image-rules.h; this asks berth-slicemgr what they need. */
#pragma once

#include "context.h"

/* The names docker gets for image names the caller typed as targets
 * (build -t, tag, commit, import), in order, as a new strv in *ret.  One
 * question to berth-slicemgr for all of them.  0, or the caller's exit
 * status after one sentence (WRAPPER_EXIT_REFUSED): a name in another
 * user's namespace, one that is not a valid tag, an existing image of
 * another user's or a shared one under the name as typed. */
int wrapper_image_targets(struct wrapper *w, char *const *typed, char ***ret);

/* run/create IMAGE: when the caller's own berth/<user>/IMAGE exists, *ret
 * is its name; else NULL (the image as typed).  Never refuses. */
int wrapper_image_own(struct wrapper *w, const char *image, char **ret);

/* berth-slicemgr's owner question as spec_facts asks it (userdata: the
 * wrapper, which learns from the answer whether the caller is an admin) */
int wrapper_facts_ask(void *userdata, const char *kind, char **names, json_t **ret_answers, bool *ret_admin,
                      struct berth_error *err);
