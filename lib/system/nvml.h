/* SPDX-License-Identifier: MIT */
/* The GPU inventory from NVML, loaded through dlopen (DESIGN §4). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/util.h"
#include "policy/gpu-inventory.h"

/* Load the inventory from an NVML library (normally "libnvidia-ml.so.1"):
 * dlopen, init, enumerate GPUs and MIG instances, shutdown, dlclose.  NUMA
 * nodes are read from <sysfs_root>/bus/pci/devices/<pci>/numa_node (sysfs_root
 * NULL means "/sys"); for a GPU that has no such directory, NVML's memory
 * affinity is asked instead.  Two devices with one UUID are an error. */
int gpu_inventory_load_nvml(const char *library, const char *sysfs_root, struct gpu_inventory **ret,
                            struct berth_error *err);

/* NVML's "00000000:3B:00.0" (or a 4-digit-domain form, any case) to sysfs's
 * "0000:3b:00.0". */
int gpu_pci_bus_id_normalize(const char *bus_id, char **ret);

/* What a GPU or MIG instance is doing now, for the reaper (DESIGN §4). */
struct gpu_sample {
        char *uuid;
        bool found;           /* NVML knows the UUID */
        int utilization;      /* percent of time a kernel ran, -1 when NVML does not say (MIG) */
        bool memory_known;    /* memory_used and memory_total below are NVML's */
        uint64_t memory_used, memory_total; /* bytes of device memory */
        bool processes_known; /* pids below is the whole list */
        unsigned *pids;       /* compute processes, host PIDs */
        size_t n_pids;
};

/* Sample each of uuids (GPU or MIG UUIDs) through the NVML library:
 * utilisation, memory and compute processes.  *ret has one entry per UUID, in
 * order (gpu_samples_free()). */
int gpu_sample_load(const char *library, char *const *uuids, struct gpu_sample **ret, size_t *ret_n,
                    struct berth_error *err);
void gpu_samples_free(struct gpu_sample *s, size_t n);
