/* SPDX-License-Identifier: MIT */
/* The status object as Prometheus text.  Every family is written whole, in
 * one place (the format wants a family's samples together); what a row or
 * key does not have is left out, never guessed. */
#include "core/metrics.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic/util.h"

struct out {
        FILE *f;
        char **seen; /* the label sets of the family being written */
        bool failed;
};

static void family(struct out *o, const char *name, const char *type, const char *help) {
        strv_free(o->seen);
        o->seen = NULL;
        fprintf(o->f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A number as the format spells it: integers without a fraction. */
static const char *format_value(double v, char *buf, size_t n) {
        if (isnan(v))
                return "NaN";
        if (isinf(v))
                return v > 0 ? "+Inf" : "-Inf";
        if (v == floor(v) && fabs(v) < 1e15)
                snprintf(buf, n, "%.0f", v);
        else
                snprintf(buf, n, "%.15g", v);
        return buf;
}

/* A label value: backslash, double quote and line feed escaped. */
static void escape(FILE *f, const char *s) {
        for (; *s; s++)
                switch (*s) {
                case '\\': fputs("\\\\", f); break;
                case '"': fputs("\\\"", f); break;
                case '\n': fputs("\\n", f); break;
                default: fputc(*s, f); break;
                }
}

/* '{k="v",…}' of row's keys (the label names are the keys), "" for none.
 * The first n_required must be strings, else NULL: a row that cannot be
 * told apart is left out; the others are "" when not strings.  extra is
 * one more label, already a string (a histogram's le), or NULL. */
static char *labels_of(struct out *o, const json_t *row, const char *const *keys, size_t n_required,
                       const char *extra_key, const char *extra) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f) {
                o->failed = true;
                return NULL;
        }
        const char *sep = "{";
        size_t i = 0;
        for (; keys && keys[i]; i++) {
                const char *v = json_string_value(json_object_get(row, keys[i]));
                if (!v && i < n_required)
                        break;
                fprintf(f, "%s%s=\"", sep, keys[i]);
                escape(f, strempty(v));
                fputc('"', f);
                sep = ",";
        }
        if (extra_key)
                fprintf(f, "%s%s=\"%s\"", sep, extra_key, extra), sep = ",";
        if (*sep == ',')
                fputc('}', f);
        bool complete = !keys || !keys[i];
        if (fclose(f) != 0 || !text) {
                o->failed = true;
                free(text);
                return NULL;
        }
        if (!complete) {
                free(text);
                return NULL;
        }
        return text;
}

/* One sample, unless the family has one with this suffix and these labels
 * already (a status with a user twice must not make the text invalid). */
static void sample(struct out *o, const char *name, const char *suffix, char *labels, double v) {
        _cleanup_free_ char *key = NULL;
        char buf[64];
        if (!labels)
                return;
        if (asprintf(&key, "%s%s", suffix, labels) < 0) {
                o->failed = true;
                key = NULL;
        } else if (!strv_contains(o->seen, key)) {
                fprintf(o->f, "%s%s%s %s\n", name, suffix, labels, format_value(v, buf, sizeof(buf)));
                if (strv_push(&o->seen, key) < 0)
                        o->failed = true;
        }
        free(labels);
}

/* The labels of a sample that has none. */
static char *no_labels(struct out *o) {
        char *s = strdup("");
        if (!s)
                o->failed = true;
        return s;
}

/* "a" or "a.b" in o */
static const json_t *lookup(const json_t *o, const char *path) {
        const char *dot = strchr(path, '.');
        if (!dot)
                return json_object_get(o, path);
        char head[64];
        snprintf(head, sizeof(head), "%.*s", (int) (dot - path), path);
        return json_object_get(json_object_get(o, head), dot + 1);
}

enum field_kind {
        FIELD_VALUE,   /* a number; else no sample */
        FIELD_LIMIT,   /* a number; null or missing: no limit, +Inf */
        FIELD_PRESENT, /* 1 when a string is there, else 0 */
};

struct field {
        const char *path;
        const char *name;
        const char *type;
        const char *help;
        double scale;
        enum field_kind kind;
};

/* One family per field over the rows of an array of status. */
struct table {
        const char *array;
        const char *const *labels; /* all required */
        const struct field *fields;
        size_t n_fields;
};

static bool field_number(const struct field *fd, const json_t *v, double *ret) {
        if (!json_is_number(v))
                return false;
        *ret = json_number_value(v) * fd->scale;
        return true;
}

static bool field_value(const struct field *fd, const json_t *row, double *ret) {
        const json_t *v = lookup(row, fd->path);
        switch (fd->kind) {
        case FIELD_PRESENT:
                *ret = json_is_string(v) ? 1 : 0;
                return true;
        case FIELD_LIMIT:
                if (!v || json_is_null(v)) {
                        *ret = INFINITY;
                        return true;
                }
                return field_number(fd, v, ret);
        case FIELD_VALUE:
        default:
                return field_number(fd, v, ret);
        }
}

static void render_table(struct out *o, const json_t *status, const struct table *t) {
        const json_t *rows = json_object_get(status, t->array);
        size_t n_labels = strv_length((char **) t->labels);
        for (size_t k = 0; k < t->n_fields; k++) {
                const struct field *fd = &t->fields[k];
                const json_t *row;
                size_t i;
                family(o, fd->name, fd->type, fd->help);
                json_array_foreach(rows, i, row) {
                        double v;
                        if (json_is_object(row) && field_value(fd, row, &v))
                                sample(o, fd->name, "", labels_of(o, row, t->labels, n_labels, NULL, NULL), v);
                }
        }
}

static const char *const gpu_labels[] = { "uuid", NULL };
static const struct field gpu_fields[] = {
        { "user", "berth_gpu_held", "gauge", "Whether the GPU or MIG instance is held (reserved or bound) by a container.", 1, FIELD_PRESENT },
        { "fraction", "berth_gpu_fraction", "gauge", "The share of a whole GPU the device is (a MIG instance's slices out of 7).", 1, FIELD_VALUE },
        { "utilization", "berth_gpu_utilization_ratio", "gauge", "Share of time a kernel ran on the GPU at the reaper's last sample (NVML's percent / 100).", 0.01, FIELD_VALUE },
        { "memory_used", "berth_gpu_memory_used_bytes", "gauge", "Device memory in use at the reaper's last sample, in bytes.", 1, FIELD_VALUE },
        { "memory_total", "berth_gpu_memory_total_bytes", "gauge", "Device memory in all, in bytes.", 1, FIELD_VALUE },
};

/* A user's and a group's slice, the same families: what it uses, what it
 * holds, and the limits (a user's resolved ones, a group's [total]). */
#define SLICE_FIELDS(kind, limits)                                                                                  \
        { "cpu_usage_usec", "berth_" kind "_cpu_seconds_total", "counter",                                         \
          "CPU time used by the " kind "'s slice, in seconds.", 1e-6, FIELD_VALUE },                              \
        { "memory", "berth_" kind "_memory_bytes", "gauge", "Memory the " kind "'s slice uses now, in bytes.", 1,  \
          FIELD_VALUE },                                                                                           \
        { "gpus", "berth_" kind "_gpus", "gauge", "GPUs held (MIG instances count as their fraction).", 1,         \
          FIELD_VALUE },                                                                                           \
        { "containers", "berth_" kind "_containers", "gauge", "Containers held, running or stopped.", 1,          \
          FIELD_VALUE },                                                                                           \
        { limits "cpus", "berth_" kind "_cpus_limit", "gauge", "The " kind "'s CPU limit in CPUs (+Inf: none).",  \
          1, FIELD_LIMIT },                                                                                        \
        { limits "memory", "berth_" kind "_memory_limit_bytes", "gauge",                                           \
          "The " kind "'s memory limit in bytes (+Inf: none).", 1, FIELD_LIMIT },                                  \
        { limits "gpus", "berth_" kind "_gpus_limit", "gauge", "GPUs the " kind " may hold at once (+Inf: none).", \
          1, FIELD_LIMIT },                                                                                        \
        { limits "containers", "berth_" kind "_containers_limit", "gauge",                                         \
          "Containers the " kind " may hold at once (+Inf: none).", 1, FIELD_LIMIT }

static const char *const user_labels[] = { "user", "group", NULL };
static const struct field user_fields[] = { SLICE_FIELDS("user", "limits.") };
/* a group's limits are its [total] */
static const char *const group_labels[] = { "group", NULL };
static const struct field group_fields[] = { SLICE_FIELDS("group", "total.") };

static const struct table tables[] = {
        { "gpus", gpu_labels, gpu_fields, ELEMENTSOF(gpu_fields) },
        { "users", user_labels, user_fields, ELEMENTSOF(user_fields) },
        { "groups", group_labels, group_fields, ELEMENTSOF(group_fields) },
};

/* Who holds each GPU, as labels: one sample per held device. */
static void render_holders(struct out *o, const json_t *status) {
        static const char *const keys[] = { "uuid", "user", "container", "state", NULL };
        const json_t *row;
        size_t i;
        family(o, "berth_gpu_holder_info", "gauge", "The holder of a held GPU or MIG instance (always 1).");
        json_array_foreach(json_object_get(status, "gpus"), i, row)
                if (json_is_string(json_object_get(row, "user")))
                        sample(o, "berth_gpu_holder_info", "", labels_of(o, row, keys, 2, NULL, NULL), 1);
}

static const struct field top_fields[] = {
        { "daemon.started", "berth_start_time_seconds", "gauge", "When berth-slicemgr started, in seconds since the epoch.", 1, FIELD_VALUE },
        { "daemon.config_generation", "berth_config_generation", "gauge", "Configurations loaded: 1 at start, one more for each successful reload.", 1, FIELD_VALUE },
        { "docker_synced", "berth_docker_synced", "gauge", "Whether the GPU ledger is rebuilt from Docker and follows its events (1) or not yet (0).", 1, FIELD_VALUE },
        { "reaper.warnings", "berth_reaper_warnings_total", "counter", "Warnings the reaper gave owners before a stop.", 1, FIELD_VALUE },
        { "reaper.stops", "berth_reaper_stops_total", "counter", "Containers the reaper stopped (idle or past max_runtime).", 1, FIELD_VALUE },
};

static void render_top(struct out *o, const json_t *status) {
        for (size_t k = 0; k < ELEMENTSOF(top_fields); k++) {
                const struct field *fd = &top_fields[k];
                const json_t *v = lookup(status, fd->path);
                family(o, fd->name, fd->type, fd->help);
                /* docker_synced is a boolean */
                double x;
                if (json_is_boolean(v))
                        sample(o, fd->name, "", no_labels(o), json_is_true(v));
                else if (field_number(fd, v, &x))
                        sample(o, fd->name, "", no_labels(o), x);
        }
        const json_t *queue = json_object_get(status, "queue");
        family(o, "berth_queue_length", "gauge", "GPU requests waiting in the queue.");
        sample(o, "berth_queue_length", "", no_labels(o), json_is_array(queue) ? (double) json_array_size(queue) : 0);

        static const char *const version[] = { "version", NULL };
        family(o, "berth_build_info", "gauge", "The version of berth-slicemgr (always 1).");
        sample(o, "berth_build_info", "", labels_of(o, json_object_get(status, "daemon"), version, 1, NULL, NULL), 1);
}

/* Whether h is a histogram the format can carry: le finite and rising,
 * counts whole, rising and at most count. */
static bool histogram_valid(const json_t *buckets, const json_t *count, const json_t *sum) {
        const json_t *b;
        size_t i;
        double last_le = -INFINITY, last_count = 0;
        if (!json_is_array(buckets) || !json_is_number(count) || !json_is_number(sum))
                return false;
        double total = json_number_value(count);
        if (total < 0 || total != floor(total) || !isfinite(json_number_value(sum)))
                return false;
        json_array_foreach(buckets, i, b) {
                const json_t *le = json_object_get(b, "le"), *c = json_object_get(b, "count");
                if (!json_is_number(le) || !json_is_number(c))
                        return false;
                double l = json_number_value(le), n = json_number_value(c);
                if (!isfinite(l) || l <= last_le || n < last_count || n > total || n != floor(n))
                        return false;
                last_le = l;
                last_count = n;
        }
        return true;
}

static void render_histogram(struct out *o, const json_t *status) {
        static const char name[] = "berth_reserve_duration_seconds";
        const json_t *h = json_object_get(status, "reserve_latency"), *b;
        const json_t *buckets = json_object_get(h, "buckets"), *count = json_object_get(h, "count"),
                     *sum = json_object_get(h, "sum");
        size_t i;
        char le[64];
        family(o, name, "histogram", "Time berth-slicemgr took to answer a reserve, granted or refused, in seconds.");
        if (!histogram_valid(buckets, count, sum))
                return;
        json_array_foreach(buckets, i, b)
                sample(o, name, "_bucket",
                       labels_of(o, NULL, NULL, 0, "le",
                                 format_value(json_number_value(json_object_get(b, "le")), le, sizeof(le))),
                       json_number_value(json_object_get(b, "count")));
        sample(o, name, "_bucket", labels_of(o, NULL, NULL, 0, "le", "+Inf"), json_number_value(count));
        sample(o, name, "_sum", no_labels(o), json_number_value(sum));
        sample(o, name, "_count", no_labels(o), json_number_value(count));
}

int metrics_render(const json_t *status, char **ret_text) {
        struct out o = { 0 };
        char *text = NULL;
        size_t len = 0;

        o.f = open_memstream(&text, &len);
        if (!o.f)
                return -ENOMEM;
        family(&o, "berth_up", "gauge", "Whether berth-slicemgr answered (always 1 where there is an answer).");
        sample(&o, "berth_up", "", no_labels(&o), 1);
        render_top(&o, status);
        for (size_t t = 0; t < ELEMENTSOF(tables); t++)
                render_table(&o, status, &tables[t]);
        render_holders(&o, status);
        render_histogram(&o, status);
        strv_free(o.seen);
        if (fclose(o.f) != 0 || o.failed || !text) {
                free(text);
                return -ENOMEM;
        }
        *ret_text = text;
        return 0;
}

static const double latency_bounds[METRICS_LATENCY_BUCKETS] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                0.05,   0.1,   0.25,   0.5,   1,    2.5 };

void metrics_histogram_observe(struct metrics_histogram *h, double seconds) {
        if (!(seconds >= 0)) /* NaN or a clock that went back */
                seconds = 0;
        for (size_t i = 0; i < METRICS_LATENCY_BUCKETS; i++)
                if (seconds <= latency_bounds[i])
                        h->buckets[i]++;
        h->count++;
        h->sum += seconds;
}

json_t *metrics_histogram_json(const struct metrics_histogram *h) {
        json_t *buckets = json_array();
        for (size_t i = 0; i < METRICS_LATENCY_BUCKETS && buckets; i++)
                if (json_array_append_new(buckets, json_pack("{s:f,s:I}", "le", latency_bounds[i], "count",
                                                             (json_int_t) h->buckets[i])) < 0) {
                        json_decref(buckets);
                        return NULL;
                }
        return json_pack("{s:o,s:I,s:f}", "buckets", buckets, "count", (json_int_t) h->count, "sum", h->sum);
}
