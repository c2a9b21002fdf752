/* SPDX-License-Identifier: MIT */
#include "basic/csv.h"

#include "basic/macro.h"
#include "basic/strv.h"

/* Split a CSV record the way Go's encoding/csv does for one line: fields
 * separated by ',', a field in double quotes may hold ',' and "" for '"'. */
int csv_split(const char *s, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        _cleanup_free_ char *field = malloc(strlen(s) + 1);
        if (!field)
                return -ENOMEM;
        const char *p = s;
        for (;;) {
                size_t o = 0;
                if (*p == '"') {
                        p++;
                        for (;;) {
                                if (!*p)
                                        return -EINVAL; /* unterminated quote */
                                if (*p == '"') {
                                        if (p[1] == '"') {
                                                field[o++] = '"';
                                                p += 2;
                                                continue;
                                        }
                                        p++;
                                        break;
                                }
                                field[o++] = *p++;
                        }
                        if (*p && *p != ',')
                                return -EINVAL;
                } else {
                        while (*p && *p != ',') {
                                if (*p == '"')
                                        return -EINVAL; /* bare quote in an unquoted field */
                                field[o++] = *p++;
                        }
                }
                field[o] = 0;
                if (strv_push(&v, field) < 0)
                        return -ENOMEM;
                if (!*p)
                        break;
                p++; /* ',' */
        }
        *ret = TAKE_PTR(v);
        return 0;
}
