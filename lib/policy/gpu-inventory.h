/* SPDX-License-Identifier: MIT */
/* The GPU inventory the slicemgr ledger hands out, read from NVML through
 * dlopen, and the NUMA facts that go with it.
 *
 * What is handed out: every whole GPU that is not in MIG mode, and every MIG
 * instance of a GPU that is.  A GPU in MIG mode is never handed out itself:
 * its instances are, each counting as slices/7 of a GPU (NVIDIA A100/H100
 * have 7 slices; on 4-slice parts such as the A30 the count is still k/7, so
 * an A30 instance is under-counted).  A MIG instance is what NVML calls a
 * MIG device, one compute instance: alone in its GPU instance it counts the
 * GPU instance's slices (the rest of it is of no use to anyone else); when
 * several share a GPU instance, each counts its own compute slices.  A GPU in
 * MIG mode with no instances cannot run CUDA work and is left out.  MIG
 * instances carry their parent's PCI address and NUMA node. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "basic/util.h"


#define GPU_SLICES 7

struct gpu_device {
        char *uuid;        /* "GPU-…" or "MIG-…": what --gpus device= and NVIDIA_VISIBLE_DEVICES take */
        char *pci_bus_id;  /* sysfs form, "0000:17:00.0"; the parent's for a MIG instance */
        int numa_node;     /* -1 unknown */
        char *name;        /* "NVIDIA A100-SXM4-80GB", "NVIDIA A100-SXM4-80GB MIG 3g.40gb" */
        unsigned slices;   /* GPU_SLICES for a whole GPU, k for a MIG instance of k/7 */
        char *parent_uuid; /* NULL for whole GPUs */
        uint64_t memory;   /* bytes, 0 when NVML did not say */
};

struct gpu_inventory {
        struct gpu_device *devices; /* in NVML index order, MIG instances in place of their parent */
        size_t n_devices;
};

/* The inventory of `gpus = none`: no devices. */
int gpu_inventory_none(struct gpu_inventory **ret);

void gpu_inventory_free(struct gpu_inventory *inv);
static inline void gpu_inventory_freep(struct gpu_inventory **inv) {
        gpu_inventory_free(*inv);
}
#define _cleanup_gpu_inventory_ _cleanup_(gpu_inventory_freep)

/* Append one device (the strings are copied); -ENOMEM. */
int gpu_inventory_add(struct gpu_inventory *inv, const char *uuid, const char *pci_bus_id, int numa_node,
                      const char *name, unsigned slices, const char *parent_uuid, uint64_t memory);

/* The device handed out under this UUID (exact match), or NULL. */
const struct gpu_device *gpu_inventory_find(const struct gpu_inventory *inv, const char *uuid);
