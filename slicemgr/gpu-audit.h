/* SPDX-License-Identifier: MIT */
/* Audit entries about the GPU ledger's entries (gpu-audit.c). */
#pragma once

#include <stdbool.h>

#include "core/audit.h"
#include "policy/ledger.h"

/* One audit entry about a ledger entry: "berth: train._.alice holds GPU-… (why)".
 * Entries without GPUs are skipped unless even_without_gpus. */
void gpu_audit_entry(enum audit_event ev, const struct ledger_entry *e, const char *reason, bool even_without_gpus);
/* A ledger_entry_func: gpu.release with userdata as the reason. */
void gpu_audit_released(const struct ledger_entry *e, void *reason);
/* The same for an admin's release, audited even when it freed no GPU. */
void gpu_audit_released_by_admin(const struct ledger_entry *e, void *reason);
