/* SPDX-License-Identifier: MIT */
#include "basic/path.h"

#include "basic/macro.h"

int path_normalize(const char *path, char **ret) {
        if (!path || path[0] != '/')
                return -EINVAL;
        size_t n = strlen(path);
        _cleanup_free_ char *out = malloc(n + 2);
        if (!out)
                return -ENOMEM;
        size_t o = 0;
        const char *p = path;
        while (*p) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                const char *e = strchrnul(p, '/');
                size_t len = (size_t) (e - p);
                if (len == 1 && p[0] == '.') {
                        /* nothing */
                } else if (len == 2 && p[0] == '.' && p[1] == '.') {
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--; /* the slash before the dropped component */
                } else {
                        out[o++] = '/';
                        memcpy(out + o, p, len);
                        o += len;
                }
                p = e;
        }
        if (o == 0)
                out[o++] = '/';
        out[o] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}
