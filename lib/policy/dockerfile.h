/* SPDX-License-Identifier: MIT */
/* The Dockerfile that `image create` writes under
 * ~/.config/berth/images/NAME/ and `image update` extends: readable, kept,
 * editable by hand.  Pure string functions (no I/O), so every rule is
 * unit-tested.
 *
 * Package names end up in RUN lines that a shell reads, so they are checked
 * against a strict character set first and then single-quoted: a name that
 * is not a plain apt package or pip requirement is refused, never escaped
 * into something that runs. */
#pragma once

#include <stdbool.h>

#include "basic/util.h"

/* Where a requirements file given with --requirements is copied, inside the
 * build context, and where it lands in the image. */
#define DOCKERFILE_REQUIREMENTS "requirements.txt"
#define DOCKERFILE_REQUIREMENTS_TARGET "/tmp/berth-requirements.txt"

struct dockerfile_recipe {
        const char *name;      /* the image name, for the header comment */
        const char *from;      /* base image; NULL when base_text is given */
        const char *base_text; /* a user's Dockerfile (--file), used as is; NULL: none */
        char *const *apt;      /* apt packages, NULL-terminated (may be NULL) */
        char *const *pip;      /* pip requirement specifiers (may be NULL) */
        bool requirements;     /* DOCKERFILE_REQUIREMENTS is in the context */
};

/* An image reference for FROM: [registry[:port]/]path[:tag][@digest] of
 * [A-Za-z0-9._/:@-] characters, starting with a letter or digit.  1 or 0. */
int dockerfile_from_valid(const char *image);

/* A Debian package name ([a-z0-9][a-z0-9+.-]+), optionally with
 * "=VERSION" ([A-Za-z0-9.+~:-]) or ":ARCH".  1 or 0. */
int dockerfile_apt_valid(const char *pkg);

/* A pip requirement: a project name ([A-Za-z0-9][A-Za-z0-9._-]*), optional
 * extras in [] and version clauses made of [A-Za-z0-9.*+!_,<>=~ -].  No
 * URLs, paths, options, quotes or shell characters.  1 or 0. */
int dockerfile_pip_valid(const char *spec);

/* The whole Dockerfile for a recipe: a header comment, FROM (or the user's
 * text), then the apt layer, the requirements layer and the pip layer, in
 * that order, each only when asked for.  -EINVAL with err naming the first
 * invalid value. */
int dockerfile_render(const struct dockerfile_recipe *r, char **ret, struct berth_error *err);

/* Only the layers (apt, requirements, pip), for `image update --add-…` to
 * append to an existing Dockerfile; "" when there is nothing to add. */
int dockerfile_render_layers(char *const *apt, char *const *pip, bool requirements, char **ret,
                             struct berth_error *err);
