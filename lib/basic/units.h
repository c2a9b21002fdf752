/* SPDX-License-Identifier: MIT */
/* The units berth.conf and the control protocol write values in (DESIGN §3):
 * sizes, durations, CPUs, GPU counts, booleans and dates. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* A size, task count or duration of "infinity". */
#define LIMIT_INFINITY UINT64_MAX
/* "cpus = infinity" is stored as 0 CPUs meaning "no quota". */
#define CPUS_INFINITY 0.0

/* Value parsers, also used by the control protocol and the commands.
 * Sizes: bytes with K/M/G/T (1024-based, optional trailing B or iB) or
 * "infinity"; durations: s/min/h/d (combinable: "1h30min") or "infinity";
 * CPUs: a decimal > 0 with at most 3 decimals, or "infinity". */
int parse_size(const char *s, uint64_t *ret);
int parse_duration(const char *s, uint64_t *ret_usec);
int parse_cpus(const char *s, double *ret);
int parse_gpus(const char *s, double *ret);
int parse_bool(const char *s, bool *ret);
int parse_date(const char *s, time_t *ret); /* YYYY-MM-DD, UTC midnight after that day */

/* Formatting for people: "16G", "1.5G", "infinity"; "4", "0.5"; "2h", "90min". */
char *format_size(uint64_t v, char *buf, size_t n);
char *format_cpus(double v, char *buf, size_t n);
char *format_duration(uint64_t usec, char *buf, size_t n);
/* The same rounded down for a glance: whole seconds, whole minutes from an
 * hour on ("1h40min", not "1h40min12s"). */
char *format_duration_coarse(uint64_t usec, char *buf, size_t n);
