/* SPDX-License-Identifier: MIT */
/* Who holds or released which GPUs, in the journal: the daemon's every
 * change of the ledger is told here, whoever made it (a request, Docker's
 * events, an expiry). */
#include "gpu-audit.h"

#include "basic/util.h"

void gpu_audit_entry(enum audit_event ev, const struct ledger_entry *e, const char *reason, bool even_without_gpus) {
        struct audit_fields f = AUDIT_FIELDS_INIT;
        _cleanup_free_ char *uuids = NULL;

        (void) ledger_entry_uuids(e, &uuids);
        if (!even_without_gpus && (!uuids || !*uuids))
                return; /* an entry without GPUs holds only a container slot */
        f.user = e->user;
        f.uid = (long) e->uid;
        f.group = e->group;
        f.container = e->container;
        f.gpus = uuids;
        f.reason = reason;
        audit_log(ev, &f, "berth: %s %s %s (%s)", e->container ? e->container : e->id,
                  ev == AUDIT_GPU_BIND ? "holds" : "released", uuids && *uuids ? uuids : "no GPUs", reason);
}

void gpu_audit_released(const struct ledger_entry *e, void *reason) {
        gpu_audit_entry(AUDIT_GPU_RELEASE, e, reason, false);
}

void gpu_audit_released_by_admin(const struct ledger_entry *e, void *reason) {
        gpu_audit_entry(AUDIT_GPU_RELEASE, e, reason, true);
}
