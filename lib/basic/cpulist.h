/* SPDX-License-Identifier: MIT */
/* CPU and NUMA node lists as the kernel and systemd write them ("0-3,8"):
 * one parser, in two grammars. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define CPULIST_MAX_CPU 65535
#define CPULIST_LOOSE_LIMIT 8192 /* systemd's own bound on CPUs and NUMA nodes in a list */

enum {
        /* The kernel's canonical form (sysfs cpulist files, what berth itself
         * writes): items "N" or "N-M" (N < M), separated by single commas,
         * ascending without overlap, decimal without signs, spaces or leading
         * zeros, CPU numbers at most CPULIST_MAX_CPU; "" is the empty list.
         * Anything else is -EINVAL. */
        CPULIST_CANONICAL = 0,
        /* What systemd's AllowedCPUs= takes and cgroup files print: items
         * separated by commas or white space (a trailing newline included),
         * in any order, overlapping, "N-N" allowed; numbers from
         * CPULIST_LOOSE_LIMIT up are -ERANGE. */
        CPULIST_LOOSE = 1,
};

/* Parse a list.  ret_mask (may be NULL) gets the little-endian bitmask that
 * systemd's AllowedCPUs takes as "ay" (bit n of byte n/8 is CPU n; NULL and
 * size 0 for an empty list), ret_count (may be NULL) the number of CPUs
 * named (overlaps counted twice in the loose grammar). */
int cpulist_parse(const char *list, unsigned flags, uint8_t **ret_mask, size_t *ret_size, int *ret_count);

/* The number of CPUs in a canonical list; -EINVAL for anything else. */
int cpulist_count(const char *cpulist);
