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

#include "util.h"

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

/* Load the inventory from an NVML library (normally "libnvidia-ml.so.1"):
 * dlopen, init, enumerate GPUs and MIG instances, shutdown, dlclose.  NUMA
 * nodes are read from <sysfs_root>/bus/pci/devices/<pci>/numa_node (sysfs_root
 * NULL means "/sys"); for a GPU that has no such directory, NVML's memory
 * affinity is asked instead.  Two devices with one UUID are an error. */
int gpu_inventory_load_nvml(const char *library, const char *sysfs_root, struct gpu_inventory **ret,
                            struct berth_error *err);

/* The inventory of `gpus = none`: no devices. */
int gpu_inventory_none(struct gpu_inventory **ret);

void gpu_inventory_free(struct gpu_inventory *inv);
static inline void gpu_inventory_freep(struct gpu_inventory **inv) {
        gpu_inventory_free(*inv);
}
#define _cleanup_gpu_inventory_ _cleanup_(gpu_inventory_freep)

/* The device handed out under this UUID (exact match), or NULL. */
const struct gpu_device *gpu_inventory_find(const struct gpu_inventory *inv, const char *uuid);

/* NVML's "00000000:3B:00.0" (or a 4-digit-domain form, any case) to sysfs's
 * "0000:3b:00.0". */
int gpu_pci_bus_id_normalize(const char *bus_id, char **ret);

/* The CPUs of a NUMA node in canonical cpulist form ("0-15,32-47"; "" for a
 * node without CPUs).  With sysfs_root NULL or "/sys" libnuma answers (when
 * the kernel has NUMA support); otherwise
 * <sysfs_root>/devices/system/node/node<N>/cpulist is read.  -ENOENT when
 * the node does not exist, -EBADMSG when its cpulist file is not one. */
int gpu_numa_node_cpus(const char *sysfs_root, int node, char **ret_cpulist);

/* The number of CPUs in a cpulist: items "N" or "N-M" (N < M), separated by
 * single commas, in ascending order without overlap, decimal without signs,
 * spaces or leading zeros, CPU numbers at most CPULIST_MAX_CPU.  "" is an
 * empty list (0).  -EINVAL for anything else. */
#define CPULIST_MAX_CPU 65535
int cpulist_count(const char *cpulist);
