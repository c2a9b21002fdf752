/* SPDX-License-Identifier: MIT */
/* The cgroup files of berth's slices and containers: what the kernel
 * holds (limits read back and compared with what was set) and what a
 * cgroup uses now.  cgroup v2 and v1 (hybrid) layouts. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "basic/util.h"
#include "policy/slice-plan.h"

#define SLICE_CGROUP_ROOT "/sys/fs/cgroup"

/* cgroup v1 prints "unlimited" memory as LONG_MAX rounded down to the page
 * size (9223372036854771712 with 4 KiB pages); anything from LONG_MAX
 * rounded down to 64 KiB up is read as unlimited. */
#define SLICE_V1_MEMORY_UNLIMITED_MIN (UINT64_C(0x7fffffffffffffff) - UINT64_C(0xffff))
/* The limits the kernel holds for a cgroup (cgroup_path as in
 * ControlGroup), from the cgroup files under cgroup_root (NULL:
 * SLICE_CGROUP_ROOT).  cgroup v2 (<root>/cgroup.controllers exists):
 * cpu.max, memory.max, memory.high, pids.max, cpuset.cpus, cpuset.mems;
 * v1: cpu/…/cpu.cfs_quota_us and cpu.cfs_period_us,
 * memory/…/memory.limit_in_bytes, pids/…/pids.max (memory_high and the
 * cpusets are never known on v1).  ret->known says which values were
 * found; -ENOENT when none was. */
int slice_read_back(const char *cgroup_root, const char *cgroup_path, struct slice_limits *ret);

/* Reads the cgroup back and compares it with want: cpus within
 * SLICE_CPUS_TOLERANCE, memory rounded down by less than a page, tasks
 * exactly, CPU and node lists as sets (only when want names them),
 * memory_high only on cgroup v2.  -EREMOTEIO on a mismatch, with err naming
 * the unit, the file and the values expected and found. */
int slice_verify(const char *cgroup_root, const char *cgroup_path, const char *unit,
                 const struct slice_limits *want, struct berth_error *err);
/* --- pure parts, exposed for the unit tests and `berthctl slices` ---------- */

/* Whether one value the kernel holds (found) matches what was set (want),
 * with the tolerances of slice_verify(); page_size for the memory rounding. */
bool slice_value_matches(enum slice_key k, const struct slice_limits *want, const struct slice_limits *found,
                         uint64_t page_size);

/* The file in the cgroup's directory a key is read from ("cpu.max" on v2,
 * "cpu.cfs_quota_us" on v1), NULL when the key has none on that version. */
const char *slice_key_file(enum slice_key k, bool unified);
/* v1 keeps each controller in its own hierarchy: "cpu", "memory", "pids";
 * NULL on v2 or for keys v1 cannot hold. */
const char *slice_key_controller(enum slice_key k, bool unified);
/* Whether cgroup_root (NULL: SLICE_CGROUP_ROOT) is a cgroup v2 tree. */
bool slice_cgroup_unified(const char *cgroup_root);

/* The cpuset controller is usable under cgroup_root: cgroup v2 lists it at
 * the root. */
bool cgroup_cpuset_supported(const char *cgroup_root);

/* Parsers of cgroup file contents (a trailing newline is fine).
 * "max" or a decimal (pids.max, memory.max, memory.high); "max" is
 * LIMIT_INFINITY. */
int slice_parse_max_u64(const char *text, uint64_t *ret);
/* v1 memory.limit_in_bytes: from SLICE_V1_MEMORY_UNLIMITED_MIN up is
 * LIMIT_INFINITY. */
int slice_parse_v1_memory(const char *text, uint64_t *ret);
/* v2 cpu.max "max 100000" / "800000 100000" into CPUs (0: no quota). */
int slice_parse_cpu_max(const char *text, double *ret_cpus);
/* v1 cpu.cfs_quota_us ("-1" = no quota) and cpu.cfs_period_us into CPUs. */
int slice_parse_cfs(const char *quota, const char *period, double *ret_cpus);

/* --- what a cgroup uses now ---------------------------------------------- */

enum {
        CGROUP_USE_MEMORY = 1u << 0,
        CGROUP_USE_TASKS = 1u << 1,
        CGROUP_USE_CPU = 1u << 2,
};

/* What a cgroup uses now: memory.current (v2) or memory.usage_in_bytes
 * (v1), pids.current, and CPU time (cpu.stat usage_usec on v2,
 * cpuacct.usage on v1, else the hybrid layout's unified cpu.stat).  known
 * says which were found. */
struct cgroup_use {
        uint64_t memory;
        uint64_t tasks;
        uint64_t cpu_nsec;
        unsigned known;
};

/* cgroup_root NULL: SLICE_CGROUP_ROOT.  -ENOENT when nothing was found. */
int cgroup_use_read(const char *cgroup_root, const char *cgroup_path, struct cgroup_use *ret);
/* Whether process pid runs in the cgroup at cgroup_path or below it, in any
 * hierarchy its <proc_root>/PID/cgroup lists (proc_root NULL: "/proc"):
 * 1 yes, 0 no (or the process is gone), -EINVAL for a bad path. */
int cgroup_pid_within(const char *proc_root, unsigned pid, const char *cgroup_path);

/* The cgroup path (as in /proc/PID/cgroup) of a container with this id and
 * cgroup parent: a systemd slice ("berth-students-alice.slice") expands to
 * "/berth.slice/berth-students.slice/berth-students-alice.slice/docker-ID.scope"
 * (dockerd's systemd driver), a path ("/mine") gives "/mine/ID" (cgroupfs
 * driver).  Pure. */
int cgroup_container_path(const char *cgroup_parent, const char *id, char **ret);
/* The cgroup path of a systemd slice: "berth-students-alice.slice" is
 * "/berth.slice/berth-students.slice/berth-students-alice.slice".  Pure. */
int cgroup_slice_path(const char *slice, char **ret);
