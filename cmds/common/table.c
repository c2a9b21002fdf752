/* SPDX-License-Identifier: MIT */
#include "common/table.h"

#include <errno.h>
#include <libsmartcols.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct cmd_table {
        struct libscols_table *tb;
        size_t n_cols;
        size_t n_rows;
};

void cmd_table_free(struct cmd_table *t) {
        if (!t)
                return;
        scols_unref_table(t->tb);
        free(t);
}

struct cmd_table *cmd_table_new(size_t n_cols, ...) {
        struct cmd_table *t = calloc(1, sizeof(*t));
        va_list ap;
        if (!t || n_cols == 0 || !(t->tb = scols_new_table())) {
                cmd_table_free(t);
                return NULL;
        }
        t->n_cols = n_cols;
        va_start(ap, n_cols);
        for (size_t i = 0; i < n_cols; i++) {
                const char *h = va_arg(ap, const char *);
                /* never cut a cell short: scripts grep these tables */
                if (!scols_table_new_column(t->tb, h, 0, i + 1 == n_cols ? 0 : SCOLS_FL_NOEXTREMES)) {
                        va_end(ap);
                        cmd_table_free(t);
                        return NULL;
                }
        }
        va_end(ap);
        scols_table_set_column_separator(t->tb, "  ");
        return t;
}

int cmd_table_add(struct cmd_table *t, ...) {
        struct libscols_line *ln = scols_table_new_line(t->tb, NULL);
        va_list ap;
        int r = 0;
        if (!ln)
                return -ENOMEM;
        va_start(ap, t);
        for (size_t i = 0; i < t->n_cols && r >= 0; i++) {
                const char *s = va_arg(ap, const char *);
                char *copy = strdup(s ? s : "-");
                if (!copy) {
                        r = -ENOMEM;
                        break;
                }
                /* one line per row: a newline in a value would break the columns */
                for (char *p = copy; *p; p++)
                        if (*p == '\n' || *p == '\t')
                                *p = ' ';
                r = scols_line_refer_data(ln, i, copy);
                if (r < 0)
                        free(copy);
        }
        va_end(ap);
        if (r < 0)
                return r;
        t->n_rows++;
        return 0;
}

size_t cmd_table_rows(const struct cmd_table *t) {
        return t->n_rows;
}

int cmd_table_print(const struct cmd_table *t, FILE *f) {
        scols_table_set_stream(t->tb, f);
        int r = scols_print_table(t->tb);
        fflush(f);
        return r;
}
