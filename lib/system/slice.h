/* SPDX-License-Identifier: MIT */
/* berth's systemd slices (DESIGN §4): berth.slice, one berth-<group>.slice
 * per group holding the group's [total], one berth-<group>-<user>.slice per
 * user holding what each member gets.  Created with StartTransientUnit,
 * changed with SetUnitProperties(runtime=true), over sd-bus with a bounded
 * timeout on every call.
 *
 * systemd answers success even when the kernel refused a value (cgroup v1
 * refuses a child's CPU quota above its parent's), so every change is read
 * back from the cgroup files and a mismatch is an error.
 *
 * Functions return 0 (or a count) or a negative errno and leave their ret_
 * parameters untouched on failure; the ones that take a struct berth_error
 * fill it with one sentence. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "basic/util.h"
#include "policy/slice-plan.h"
#include "system/cgroup.h"

#define SLICE_BUS_TIMEOUT_USEC (5ULL * 1000000ULL) /* every bus call */
#define SLICE_JOB_TIMEOUT_USEC (10ULL * 1000000ULL) /* a start or stop job to finish */

/* Makes sure the slice exists, is active and has these limits, then reads
 * them back from the cgroup files under cgroup_root (NULL: SLICE_CGROUP_ROOT)
 * and fails when the kernel holds anything else.  Creates a missing slice
 * with StartTransientUnit (*ret_created = true), else changes it with
 * SetUnitProperties(runtime=true).  systemd creates missing parent slices
 * as plain ones: ensure the group slice (with its totals) before a user
 * slice.  AllowedCPUs/AllowedMemoryNodes need cgroup v2 with the cpuset
 * controller (-EOPNOTSUPP otherwise).  ret_created may be NULL.
 * On a mismatch (-EREMOTEIO) the slice stays as systemd and the kernel
 * left it, created or changed, holding whatever the kernel kept (a refused
 * v1 CPU quota leaves the old value, or none on creation: the parent's
 * quota still caps it); a later call with acceptable limits repairs it. */
int slice_ensure_at(sd_bus *bus, const char *cgroup_root, const char *unit, const struct slice_limits *l,
                    bool *ret_created, struct berth_error *err);

/* The unit's ControlGroup ("/berth.slice/berth-students.slice"); -ENOENT
 * when the unit is not loaded or has no cgroup. */
int slice_cgroup_path(sd_bus *bus, const char *unit, char **ret, struct berth_error *err);

/* Stops the slice (and everything in it) and waits for the job; a slice
 * that is not loaded is already stopped (0). */
int slice_stop(sd_bus *bus, const char *unit, struct berth_error *err);

/* The loaded, not inactive units matching berth.slice and berth-*.slice,
 * sorted; returns their number.  *ret_units is never NULL on success. */
int slice_list(sd_bus *bus, char ***ret_units);
/* Runs the plan with slice_ensure_at() on each step.  A failing step does
 * not stop the others (a reload should get as far as it can); the first
 * error is returned and kept in err. */
int slice_apply_tree(sd_bus *bus, const char *cgroup_root, const char *parent_unit,
                     const struct slice_limits *parent_new, char *const *child_units,
                     const struct slice_limits *children_new, size_t n_children, struct berth_error *err);
