/* SPDX-License-Identifier: MIT */
#pragma once

/* Lexically normalise an absolute path: "//", "/./", "/../" folded, no
 * trailing slash.  Returns -EINVAL for a relative path. */
int path_normalize(const char *path, char **ret);
