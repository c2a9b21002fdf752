/* SPDX-License-Identifier: MIT */
/* Every name berth gives to something outside itself: systemd slices,
 * Docker containers, projects and user images (DESIGN §2).  Pure string
 * functions, no I/O, so the unit tests and the fuzzer can cover them all.
 *
 * Every function returns 0 or a negative errno (-EINVAL for malformed or
 * missing input, -ENAMETOOLONG past the limits below, -ENOMEM) and leaves
 * its ret_ parameters untouched on failure; results are malloc'ed.
 *
 * Docker token rule (user and project names inside container and image
 * names).  A token is "plain" when it matches ^[a-z0-9]+([._-][a-z0-9]+)*$:
 * lower-case letters and digits, single '.', '_' or '-' separators between
 * them, starting and ending with a letter or digit.  A plain name is used
 * verbatim.  Any other non-empty name (upper case, '@', a leading or doubled
 * separator, UTF-8…) becomes "x__" followed by the lower-case hex of each of
 * its bytes: "A" -> "x__41", "a@dom.org" -> "x__6140646f6d2e6f7267",
 * "-" -> "x__2d".  A plain token never contains "__", so the two forms never
 * meet and the mapping is injective; decoding refuses an "x__" form whose
 * value would have been plain, so it is the exact inverse.  Every token is a
 * valid Docker container-name component and a valid image repository path
 * component, and never contains "._.", the container-name separator. */
#pragma once

#include <stddef.h>

/* Longest name (user, group, project, image name, container name part)
 * accepted, in bytes; systemd's and Docker's limits are both 255. */
#define NAME_MAX_INPUT 255

/* Longest container name part (before "._."): room for a project token of
 * a NAME_MAX_INPUT name (up to 3 + 2 * 255 bytes) and a "-<n>" suffix. */
#define NAME_CONTAINER_PART_MAX 1024

/* systemd unit-name escaping, byte for byte what `systemd-escape STRING`
 * prints: [A-Za-z0-9:_.] stay (a leading '.' does not), '/' becomes '-',
 * every other byte becomes \xNN in lower-case hex.  "" is -EINVAL. */
int name_unit_escape(const char *s, char **ret);

/* The exact inverse of name_unit_escape(): refuses (-EINVAL) anything
 * name_unit_escape() would never have produced (upper-case hex, an escaped
 * byte that needed none, a raw byte that needed escaping, \x00, "").  */
int name_unit_unescape(const char *s, char **ret);

/* "berth-<esc(group)>.slice" and "berth-<esc(group)>-<esc(user)>.slice".
 * Group and user must be non-empty and contain no '/' (which escaping
 * would turn into '-', the slice hierarchy separator); the unit name must
 * fit systemd's 255 bytes (-ENAMETOOLONG). */
int name_slice_group(const char *group, char **ret);
int name_slice_user(const char *group, const char *user, char **ret);

/* Reverse of the two above: ret_user gets NULL for a group slice.  Either
 * ret may be NULL.  -EINVAL for anything that is not a berth group or user
 * slice (including the root "berth.slice"). */
int name_slice_parse(const char *slice, char **ret_group, char **ret_user);

/* The Docker token rule above.  Input at most NAME_MAX_INPUT bytes. */
int name_docker_token(const char *s, char **ret);
int name_docker_token_decode(const char *tok, char **ret);

/* Docker's rule for a container name, ^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$
 * (so at least two characters; Docker strips the leading '/').  1 or 0. */
int name_container_valid(const char *name);

/* "<name>._.<token(user)>".  name must match [a-zA-Z0-9][a-zA-Z0-9_.-]*,
 * not contain "._." and be at most NAME_CONTAINER_PART_MAX bytes. */
int name_container(const char *name, const char *user, char **ret);

/* The one rule for a container name a user types (--name, a target, a new
 * name for rename): a plain NAME becomes "NAME._.<token(user)>"; a name
 * that already carries user's own suffix (with or without Docker's leading
 * '/') is taken as it is.  -EPERM when the name carries another user's
 * suffix (or one berth never built), -EINVAL when NAME is not a valid
 * container name part, -ENOMEM. */
int name_container_typed(const char *typed, const char *user, char **ret);

/* Split a full container name (a leading '/', as `docker inspect` prints
 * it, is allowed) at its last "._." into the name part and the decoded
 * user.  -EINVAL for anything name_container() would not have built.
 * Either ret may be NULL. */
int name_container_parse(const char *full, char **ret_name, char **ret_user);

/* The project: the first non-empty of label (--label berth.project=), env
 * (the value of $BERTH_PROJECT, passed in) and the last component of cwd,
 * mapped through name_docker_token().  A cwd of "/" (no last component)
 * gives "root".  -EINVAL when all three are NULL or empty. */
int name_project(const char *label, const char *env, const char *cwd, char **ret);

/* The n-th candidate name part for a container with no --name: n == 1 gives
 * project, n >= 2 gives "<project>-<n>".  Only a candidate: the caller takes
 * the first that is free, so "thesis-2" from ("thesis", 2) and from
 * ("thesis-2", 1) meeting is harmless. */
int name_project_next(const char *project, unsigned n, char **ret);

/* "berth/<token(user)>/<token(name)>:latest"; the repository part must fit
 * Docker's 255 characters (-ENAMETOOLONG). */
int name_user_image(const char *user, const char *name, char **ret);

/* The one rule for an image name a user types as the target of build -t,
 * tag, commit and import (DESIGN §2, §5): names land in the user's own
 * namespace.  "NAME[:TAG]" and "PATH/NAME[:TAG]" become
 * "berth/<token(user)>/PATH…/NAME:TAG" (TAG "latest" when none); the
 * user's own "berth/<token(user)>/…" stays as it is.  A name with a
 * registry host ("ghcr.io/…", "host:5000/…", "localhost/…") stays as typed
 * so that push works; *ret_kept says so (the caller then checks it moves no
 * tag of another user's or a shared image).  "docker.io/berth/…" and
 * "index.docker.io/berth/…" are Docker's spellings of "berth/…" and are
 * read as that.  -EPERM for another user's
 * berth/ namespace, -EINVAL for what Docker would not take as a tag
 * (upper case, a digest, empty parts), -ENAMETOOLONG past Docker's 255. */
int name_image_typed(const char *ref, const char *user, char **ret, int *ret_kept);

/* The "berth/…" part of an image reference typed as berth/…, docker.io/berth/…
 * or index.docker.io/berth/… (the names Docker files under berth/), else
 * NULL. */
const char *name_image_berth_part(const char *ref);

/* Whose namespace an image reference is in: "berth/<token>/…" (with or
 * without "docker.io/" ahead) gives the decoded user in *ret; anything else
 * (and a token berth never made) *ret NULL.  -ENOMEM only. */
int name_image_namespace(const char *ref, char **ret);

/* "berth/<token(user)>/", where user's images are.  -EINVAL, -ENOMEM. */
int name_user_image_prefix(const char *user, char **ret);

/* Is ref (as pull takes it) under berth/ but outside user's own namespace?
 * 1 or 0; -EINVAL when user has no namespace, -ENOMEM. */
int name_image_foreign(const char *ref, const char *user);

/* ref as the owner op should ask for it: ":latest" added when it has no
 * tag and no digest, so that a name is never taken for an id prefix. */
int name_image_tagged(const char *ref, char **ret);

/* The reference the Engine API's repo and tag parameters name together, as
 * Docker's RepoTagReference reads them: tag, when not empty, in place of
 * repo's own.  -EINVAL for an empty repo. */
int name_image_repo_tag(const char *repo, const char *tag, char **ret);

/* The image user's run (or tag) of image finds first: their own
 * berth/<token(user)>/IMAGE[:TAG] when image is a plain name that is not
 * already theirs, else *ret NULL (the image as typed).  Only a candidate:
 * the caller checks that it exists. */
int name_image_own(const char *image, const char *user, char **ret);

/* Reverse, accepting the reference with or without ":latest"; any other
 * tag, a digest, a registry prefix or anything outside berth/ is -EINVAL.
 * Either ret may be NULL. */
int name_user_image_parse(const char *ref, char **ret_user, char **ret_name);
