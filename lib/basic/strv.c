/* SPDX-License-Identifier: MIT */
#include "basic/strv.h"

#include "basic/macro.h"

void strv_free(char **v) {
        if (!v)
                return;
        for (char **s = v; *s; s++)
                free(*s);
        free(v);
}

size_t strv_length(char *const *v) {
        size_t n = 0;
        if (v)
                while (v[n])
                        n++;
        return n;
}

int strv_push(char ***v, const char *s) {
        size_t n = strv_length(*v);
        char **nv = reallocarray(*v, n + 2, sizeof(char *));
        if (!nv)
                return -ENOMEM;
        *v = nv;
        nv[n] = strdup(s);
        if (!nv[n])
                return -ENOMEM;
        nv[n + 1] = NULL;
        return 0;
}

int strv_contains(char *const *v, const char *s) {
        if (v)
                for (char *const *p = v; *p; p++)
                        if (streq(*p, s))
                                return 1;
        return 0;
}
