/* SPDX-License-Identifier: MIT */
#include "system/hostpath.h"

#include <limits.h>

#include "basic/macro.h"
#include "basic/path.h"

int path_resolve_host(const char *path, const char *cwd, char **ret) {
        _cleanup_free_ char *abs = NULL, *norm = NULL;

        if (!path || !*path)
                return -EINVAL;
        if (path[0] == '/')
                abs = strdup(path);
        else if (!cwd || cwd[0] != '/' || asprintf(&abs, "%s/%s", cwd, path) < 0)
                return cwd && cwd[0] == '/' ? -ENOMEM : -EINVAL;
        if (!abs)
                return -ENOMEM;
        /* Docker cleans a bind source as text (Go's path.Clean) before it
         * mounts it: fold ".." here the same way, first.  Folded after the
         * lookup instead, "~/missing/../link" would pass as "~/link" with
         * link never followed. */
        int r = path_normalize(abs, &norm);
        if (r < 0)
                return r;

        /* Find the longest prefix that exists (symlinks resolved by the
         * kernel's own rules) and append the missing rest, which Docker
         * would create as directories. */
        size_t len = strlen(norm);
        for (;;) {
                char saved = norm[len];
                norm[len] = 0;
                _cleanup_free_ char *real = realpath(norm[0] ? norm : "/", NULL);
                norm[len] = saved;
                if (real) {
                        _cleanup_free_ char *joined = NULL;
                        const char *rest = norm + len;
                        if (asprintf(&joined, "%s/%s", real, rest) < 0)
                                return -ENOMEM;
                        return path_normalize(joined, ret);
                }
                if (errno != ENOENT && errno != ENOTDIR)
                        return -errno;
                /* cut the last component */
                while (len > 0 && norm[len - 1] == '/')
                        len--;
                while (len > 0 && norm[len - 1] != '/')
                        len--;
                if (len == 0)
                        return -ENOENT;
        }
}
