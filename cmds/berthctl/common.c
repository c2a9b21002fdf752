/* SPDX-License-Identifier: MIT */
/* What every verb of berthctl shares: the config, the daemon, tables and
 * the way values are written for people and for scripts. */
#include "berthctl.h"

#include <getopt.h>
#include "system/slicemgr-client.h"

#include <math.h>
#include <stdarg.h>
#include <time.h>

#define CTL_TIMEOUT_MS 10000

int ctl_load_config(const char *dir, struct berth_config **ret) {
        size_t n = 0;
        int r = config_load_report(dir, stderr, ret, NULL, &n);

        if (r == -EINVAL) {
                fprintf(stderr, "berthctl: %s is not valid (%zu error%s); fix it, then run 'berthctl check-config'.\n",
                        dir, n, n == 1 ? "" : "s");
                return EXIT_REFUSED;
        }
        if (r < 0) {
                log_error_errno(r, "cannot load the configuration in %s: %m", dir);
                return EXIT_SYSTEM;
        }
        return EXIT_OK;
}

int ctl_call(const struct berth_config *c, json_t *request, bool quiet_refusal, json_t **ret, char **ret_kind) {
        struct berth_error err = { 0 };
        _cleanup_free_ char *kind = NULL;
        json_t *reply = NULL;

        int r = slicemgr_call(c->control_socket, request, CTL_TIMEOUT_MS, &reply, &kind, &err);
        if (r == -EPERM) {
                if (!quiet_refusal)
                        fprintf(stderr, "%s\n", err.message);
                json_decref(reply);
                if (ret_kind)
                        *ret_kind = TAKE_PTR(kind);
                return EXIT_REFUSED;
        }
        if (r < 0) {
                fprintf(stderr, "%s\n", err.message[0] ? err.message : "berth: the berth daemon did not answer.");
                return EXIT_SYSTEM;
        }
        *ret = reply;
        return EXIT_OK;
}

int ctl_print_json(json_t *o) {
        if (json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0) {
                fprintf(stderr, "berthctl: could not write the JSON output.\n");
                return EXIT_SYSTEM;
        }
        putchar('\n');
        return EXIT_OK;
}

const char *ctl_fmt_time(uint64_t usec, char *buf, size_t n) {
        time_t t = (time_t) (usec / 1000000);
        struct tm tm;
        if (!localtime_r(&t, &tm) || strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm) == 0)
                return "?";
        return buf;
}

/* ---- tables ------------------------------------------------------------------ */

struct table {
        size_t n_cols;
        char **cells; /* row-major, the header first */
        size_t n_cells;
};

void table_free(struct table *t) {
        if (!t)
                return;
        for (size_t i = 0; i < t->n_cells; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t);
}

static int table_addv(struct table *t, va_list ap) {
        char **cells = reallocarray(t->cells, t->n_cells + t->n_cols, sizeof(char *));
        if (!cells)
                return -ENOMEM;
        t->cells = cells;
        for (size_t i = 0; i < t->n_cols; i++) {
                const char *s = va_arg(ap, const char *);
                char *copy = strdup(s ? s : "-");
                if (!copy) {
                        for (size_t j = 0; j < i; j++)
                                free(t->cells[t->n_cells + j]);
                        return -ENOMEM;
                }
                /* one line per row: a newline in a value would break the columns */
                for (char *p = copy; *p; p++)
                        if (*p == '\n' || *p == '\t')
                                *p = ' ';
                t->cells[t->n_cells + i] = copy;
        }
        t->n_cells += t->n_cols;
        return 0;
}

struct table *table_new(size_t n_cols, ...) {
        struct table *t = calloc(1, sizeof(*t));
        va_list ap;
        if (!t || n_cols == 0) {
                free(t);
                return NULL;
        }
        t->n_cols = n_cols;
        va_start(ap, n_cols);
        int r = table_addv(t, ap);
        va_end(ap);
        if (r < 0) {
                table_free(t);
                return NULL;
        }
        return t;
}

int table_add(struct table *t, ...) {
        va_list ap;
        va_start(ap, t);
        int r = table_addv(t, ap);
        va_end(ap);
        return r;
}

size_t table_rows(const struct table *t) {
        return t->n_cells / t->n_cols - 1;
}

/* display width of UTF-8 text: one column per code point is enough here */
static size_t text_width(const char *s) {
        size_t w = 0;
        for (; *s; s++)
                if (((unsigned char) *s & 0xc0) != 0x80)
                        w++;
        return w;
}

void table_print(const struct table *t, FILE *f) {
        _cleanup_free_ size_t *width = calloc(t->n_cols, sizeof(size_t));
        if (!width)
                return;
        for (size_t i = 0; i < t->n_cells; i++) {
                size_t w = text_width(t->cells[i]);
                if (w > width[i % t->n_cols])
                        width[i % t->n_cols] = w;
        }
        for (size_t i = 0; i < t->n_cells; i++) {
                size_t col = i % t->n_cols;
                bool last = col == t->n_cols - 1;
                fputs(t->cells[i], f);
                if (last)
                        fputc('\n', f);
                else
                        fprintf(f, "%*s", (int) (width[col] - text_width(t->cells[i]) + 2), "");
        }
}

int ctl_parse_simple(int argc, char **argv, const char *usage, bool *ret_json) {
        static const struct option options[] = {
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int opt;
        while ((opt = getopt_long(argc, argv, "jh", options, NULL)) >= 0)
                switch (opt) {
                case 'j':
                        *ret_json = true;
                        break;
                case 'h':
                        printf("usage: %s\n", usage);
                        return EXIT_OK;
                default:
                        return EXIT_USAGE;
                }
        return -1; /* go on */
}
