/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/limits.h"
#include "basic/util.h"

/* Exit statuses of every verb (berthctl(8), EXIT STATUS). */
enum {
        EXIT_OK = 0,      /* done */
        EXIT_REFUSED = 1, /* refused, not found, or an invalid config */
        EXIT_USAGE = 2,   /* bad arguments */
        EXIT_SYSTEM = 3,  /* the daemon, the journal, the bus or a file failed */
};

/* Every verb of berthctl: argv[0] is the verb; config_dir is --config,
 * else $BERTH_CONFIG, else /etc/berth.  Returns the exit status. */
int verb_check_config(int argc, char **argv, const char *config_dir);
int verb_status(int argc, char **argv, const char *config_dir);
int verb_quota(int argc, char **argv, const char *config_dir);
int verb_audit(int argc, char **argv, const char *config_dir);
int verb_slices(int argc, char **argv, const char *config_dir);
int verb_reload(int argc, char **argv, const char *config_dir);
int verb_release(int argc, char **argv, const char *config_dir);

/* --- common.c ------------------------------------------------------------- */

/* Load the config tree; on failure print why (every error of an invalid
 * tree) and return the exit status to use, EXIT_OK on success. */
int ctl_load_config(const char *dir, struct berth_config **ret);
/* A verb's options when it has only --json and --help: EXIT_OK after
 * printing "usage: USAGE" for --help, EXIT_USAGE for anything else it does
 * not know, -1 to go on (arguments from optind on are the verb's). */
int ctl_parse_simple(int argc, char **argv, const char *usage, bool *ret_json);

/* One request to the daemon at the config's control socket.  Returns
 * EXIT_OK with the reply, EXIT_REFUSED when the daemon said no (its
 * message printed unless quiet_refusal; *ret_kind gets its error kind when
 * not NULL), EXIT_SYSTEM when it could not be reached. */
int ctl_call(const struct berth_config *c, json_t *request, bool quiet_refusal, json_t **ret, char **ret_kind);

/* Print a JSON document on stdout, indented, with a newline. */
int ctl_print_json(json_t *o);

/* Local time "YYYY-MM-DD HH:MM:SS" of a wall-clock time in microseconds. */
const char *ctl_fmt_time(uint64_t usec, char *buf, size_t n);

/* A table for people: columns padded to their widest cell, two spaces
 * apart, the last column never padded. */
struct table;
struct table *table_new(size_t n_cols, ...); /* the headers, n_cols strings */
void table_free(struct table *t);
static inline void table_freep(struct table **t) {
        table_free(*t);
}
#define _cleanup_table_ _cleanup_(table_freep)
int table_add(struct table *t, ...); /* n_cols strings; NULL prints as "-" */
size_t table_rows(const struct table *t);
void table_print(const struct table *t, FILE *f);
