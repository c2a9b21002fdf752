/* SPDX-License-Identifier: MIT */
/* Host paths as Docker will meet them. */
#pragma once


/* Resolve a host path as the kernel would for Docker: relative to cwd,
 * "~" is NOT expanded (docker does not), symlinks followed, ".." folded; a
 * missing tail (Docker creates bind sources) is appended to the resolved
 * existing prefix.  I/O: used by the callers, never by policy_check(). */
int path_resolve_host(const char *path, const char *cwd, char **ret);
