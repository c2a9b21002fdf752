/* SPDX-License-Identifier: MIT */
/* The image rules of DESIGN §2 and §5, one place for the wrapper (docker's
 * argv) and berth-gate (the Engine API): the names a user may give, pull,
 * move and remove, the labels commit and import --change may not set, who
 * may load, and the labels every build gets.  Pure: berth-slicemgr's owner
 * answers (one object per name, as slicemgr/owner.c builds them) come in.
 * They are asked only for callers who are not admins; each fills a verdict
 * (allowed, or refused with rule, reason and hint) and returns 0, or
 * -ENOMEM. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include "policy/policy.h"

/* Is the image the owner answer o is about (asked as ref) the caller's: in
 * their berth/<user>/ namespace, or labelled berth.user=them? */
bool policy_image_mine(json_t *o, const char *ref, const char *user);

/* Names typed as the targets of build -t, tag, commit and import: *ret_full
 * the names docker gets, in order (name_image_typed()), *ret_asked the names
 * the owner op must be asked about, two for each: as typed (":latest"
 * added) and as docker gets it, since neither may be someone else's.
 * Refused (rule "image-namespace") for a name in another user's namespace,
 * (rule "image-name") for one Docker would not take as a tag. */
int policy_image_targets(char *const *typed, const char *user, char ***ret_full, char ***ret_asked,
                         struct policy_verdict *ret);

/* The owner answers for what policy_image_targets() said to ask, in order:
 * refused (rule "image-owner") when one is an existing image of another
 * user's or a shared one (a shared image changes only by pull or an admin). */
int policy_image_targets_owned(char *const *asked, json_t *answers, const char *user, struct policy_verdict *ret);

/* rmi REF (force: -f), from the name alone: refused (rule "image-id") by
 * image id with force, which would drop every tag on it, other users' too;
 * (rule "image-owner") for a name in another user's namespace. */
int policy_image_remove_named(const char *ref, bool force, const char *user, struct policy_verdict *ret);

/* rmi REF with the owner answer o for it: refused (rule "image-owner") when
 * it exists and is not the caller's. */
int policy_image_remove_owned(json_t *o, const char *ref, const char *user, struct policy_verdict *ret);

/* pull REF: refused (rule "image-pull") when it names a repository under
 * berth/ outside the caller's own namespace: a registry's copy would move
 * another user's tag. */
int policy_image_pull(const char *ref, const char *user, struct policy_verdict *ret);

/* commit/import --change values (the API's changes), as docker reads them:
 * joined by newlines into one Dockerfile (a line ending in '\' or '`' goes
 * on), each LABEL (or ONBUILD LABEL) instruction's words checked.  1 when
 * one sets a reserved label (policy_label_reserved()) or has a key with a
 * variable ($X: berth cannot tell what it becomes), *ret_key that key; 0
 * when none; -ENOMEM. */
int policy_changes_reserved_label(char *const *changes, char **ret_key);

/* The same as a verdict: refused (rule "label") with the sentence. */
int policy_check_changes(char *const *changes, struct policy_verdict *ret);

/* docker load (POST /images/load) is for admins: an archive's image names
 * and labels are the archive's, and could be any user's.  An admin is
 * allowed, with admin_override and the reason a user would get. */
int policy_check_load(const struct policy_identity *id, struct policy_verdict *ret);

/* The labels every build by user gets, "berth.user=USER" and
 * "berth.uid=UID", as a new strv. */
int policy_build_labels(const char *user, uid_t uid, char ***ret);
