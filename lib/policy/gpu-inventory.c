/* SPDX-License-Identifier: MIT */
#include "policy/gpu-inventory.h"

#include "basic/util.h"

/* --- the inventory ----------------------------------------------------------- */

static void gpu_device_done(struct gpu_device *d) {
        free(d->uuid);
        free(d->pci_bus_id);
        free(d->name);
        free(d->parent_uuid);
}

void gpu_inventory_free(struct gpu_inventory *inv) {
        if (!inv)
                return;
        for (size_t i = 0; i < inv->n_devices; i++)
                gpu_device_done(&inv->devices[i]);
        free(inv->devices);
        free(inv);
}

int gpu_inventory_none(struct gpu_inventory **ret) {
        struct gpu_inventory *inv = calloc(1, sizeof(*inv));
        if (!inv)
                return -ENOMEM;
        *ret = inv;
        return 0;
}

const struct gpu_device *gpu_inventory_find(const struct gpu_inventory *inv, const char *uuid) {
        if (!inv || !uuid)
                return NULL;
        for (size_t i = 0; i < inv->n_devices; i++)
                if (streq(inv->devices[i].uuid, uuid))
                        return &inv->devices[i];
        return NULL;
}

int gpu_inventory_add(struct gpu_inventory *inv, const char *uuid, const char *pci_bus_id, int numa_node,
                      const char *name, unsigned slices, const char *parent_uuid, uint64_t memory) {
        struct gpu_device d = {
                .uuid = strdup(uuid),
                .pci_bus_id = strdup(pci_bus_id),
                .numa_node = numa_node,
                .name = strdup(name),
                .slices = slices,
                .parent_uuid = parent_uuid ? strdup(parent_uuid) : NULL,
                .memory = memory,
        };
        if (!d.uuid || !d.pci_bus_id || !d.name || (parent_uuid && !d.parent_uuid)) {
                gpu_device_done(&d);
                return -ENOMEM;
        }
        struct gpu_device *n = reallocarray(inv->devices, inv->n_devices + 1, sizeof(*n));
        if (!n) {
                gpu_device_done(&d);
                return -ENOMEM;
        }
        inv->devices = n;
        inv->devices[inv->n_devices++] = d;
        return 0;
}
