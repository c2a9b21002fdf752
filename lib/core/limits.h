/* SPDX-License-Identifier: MIT */
/* One resolved limit, as people and scripts see it.  Every part that shows
 * a limit (the daemon's replies, berthctl, container list) goes through
 * these, so "unlimited" is decided once: CPUS_INFINITY for CPUs,
 * LIMIT_INFINITY for sizes, counts and durations, INFINITY for GPUs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/config.h"

/* Whether key k of l has no limit. */
bool limit_is_unlimited(const struct limits *l, enum limit_key k);

/* The value for scripts, as the control protocol writes it: null when
 * unlimited, CPUs and GPUs as reals, sizes and counts as integers, durations
 * in seconds.  NULL only when out of memory. */
json_t *limit_json(const struct limits *l, enum limit_key k);
/* Every key as an object {"cpus":…, "memory":…}, named as in berth.conf;
 * with partial, only the keys l->set has. */
json_t *limits_json(const struct limits *l, bool partial);

/* The value for people, as berth.conf spells it: "infinity", "4", "0.5",
 * "16G", "2h"; GPUs with up to two decimals (MIG fractions are sevenths). */
const char *limit_format(const struct limits *l, enum limit_key k, char *buf, size_t n);

/* The same for one value of a key's kind, without a struct limits. */
const char *limit_format_cpus(double v, char *buf, size_t n);
const char *limit_format_gpus(double v, char *buf, size_t n);
const char *limit_format_size(uint64_t v, char *buf, size_t n);
const char *limit_format_count(uint64_t v, char *buf, size_t n);
json_t *limit_json_cpus(double v);
json_t *limit_json_gpus(double v);
json_t *limit_json_size(uint64_t v); /* also counts */
