/* SPDX-License-Identifier: MIT */
/* The Manager the slicemgr unit tests drive, built without sd-bus or Docker:
 * a config parsed from text, a ledger over two hand-made GPUs, Docker marked
 * synced (the ledger is taken as Docker's: there are no containers), and
 * slices made by the test's stand-in for slices_ensure_user(). */
#pragma once
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-event.h>

#include "core/config.h"
#include "policy/gpu-inventory.h"
#include "policy/ledger.h"
#include "slicemgr/manager.h"

#define GPU0 "GPU-00000000-0000-4000-8000-000000000000"
#define GPU1 "GPU-11111111-1111-4111-8111-111111111111"

typedef int (*fixture_ensure_fn)(struct slices *s, const struct resolved_user *u, char **ret_slice,
                                 struct berth_error *err);

static inline Manager *fixture_manager_new(const char *config_text, fixture_ensure_fn ensure_user_slice) {
        struct config_errors errs = { 0 };
        Manager *m = calloc(1, sizeof(*m));

        ck_assert_ptr_nonnull(m);
        m->config_dir = strdup("/nonexistent");
        ck_assert_int_eq(config_new(m->config_dir, &m->config), 0);
        ck_assert_int_eq(config_parse_buffer(m->config, CONFIG_FILE_MAIN, "berth.conf", "berth", config_text,
                                             strlen(config_text), &errs),
                         0);
        config_errors_clear(&errs);
        ck_assert_int_eq(gpu_inventory_none(&m->inventory), 0);
        ck_assert_int_eq(gpu_inventory_add(m->inventory, GPU0, "0000:17:00.0", -1, "H100", GPU_SLICES, NULL, 0), 0);
        ck_assert_int_eq(gpu_inventory_add(m->inventory, GPU1, "0000:3b:00.0", -1, "H100", GPU_SLICES, NULL, 0), 0);
        ck_assert_int_eq(ledger_new(m->inventory, &m->ledger), 0);
        ck_assert_int_eq(sd_event_new(&m->event), 0);
        m->ensure_user_slice = ensure_user_slice;
        m->docker_synced = true;
        return m;
}
