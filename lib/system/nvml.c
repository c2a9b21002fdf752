/* SPDX-License-Identifier: MIT */
#include "system/nvml.h"
#include "system/numa.h"
#include "basic/fileio.h"

#include <dlfcn.h>
#include <limits.h>
#include <numa.h>
#include <stdbool.h>

/* The slice of nvml.h's ABI used here, so berth builds without the CUDA
 * headers: nvmlReturn_t is an int-sized enum, nvmlDevice_t an opaque
 * pointer, and the structs have the real header's layout. */
typedef int nvml_return_t;
typedef struct nvml_device_opaque *nvml_device_t;

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_NO_PERMISSION 4
#define NVML_ERROR_NOT_FOUND 6
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_DRIVER_NOT_LOADED 9
#define NVML_ERROR_TIMEOUT 10
#define NVML_ERROR_LIBRARY_NOT_FOUND 12
#define NVML_ERROR_FUNCTION_NOT_FOUND 13
#define NVML_ERROR_GPU_IS_LOST 15
#define NVML_ERROR_MEMORY 20

#define NVML_DEVICE_MIG_ENABLE 1
#define NVML_AFFINITY_SCOPE_NODE 0
#define NVML_UUID_SIZE 96 /* NVML_DEVICE_UUID_V2_BUFFER_SIZE */
#define NVML_NAME_SIZE 96 /* NVML_DEVICE_NAME_V2_BUFFER_SIZE */

struct nvml_pci_info {
        char bus_id_legacy[16];
        unsigned domain, bus, device, pci_device_id, pci_subsystem_id;
        char bus_id[32];
};

struct nvml_memory {
        unsigned long long total, free, used;
};

struct nvml_device_attributes {
        unsigned multiprocessor_count, shared_copy_engine_count, shared_decoder_count, shared_encoder_count,
                shared_jpeg_count, shared_ofa_count, gpu_instance_slice_count, compute_instance_slice_count;
        unsigned long long memory_size_mb;
};


struct nvml {
        const char *library;
        void *dl;
        bool initialized;

        nvml_return_t (*init)(void);
        nvml_return_t (*shutdown)(void);
        const char *(*error_string)(nvml_return_t);
        nvml_return_t (*get_count)(unsigned *);
        nvml_return_t (*get_handle_by_index)(unsigned, nvml_device_t *);
        nvml_return_t (*get_uuid)(nvml_device_t, char *, unsigned);
        nvml_return_t (*get_name)(nvml_device_t, char *, unsigned);
        nvml_return_t (*get_pci_info)(nvml_device_t, struct nvml_pci_info *);
        nvml_return_t (*get_memory_info)(nvml_device_t, struct nvml_memory *);

        /* Optional: older drivers lack MIG, and memory affinity is a fallback. */
        nvml_return_t (*get_memory_affinity)(nvml_device_t, unsigned, unsigned long *, unsigned);
        nvml_return_t (*get_mig_mode)(nvml_device_t, unsigned *, unsigned *);
        nvml_return_t (*get_max_mig_device_count)(nvml_device_t, unsigned *);
        nvml_return_t (*get_mig_device_handle_by_index)(nvml_device_t, unsigned, nvml_device_t *);
        nvml_return_t (*get_attributes)(nvml_device_t, struct nvml_device_attributes *);
        nvml_return_t (*get_gpu_instance_id)(nvml_device_t, unsigned *);
};

static void nvml_close(struct nvml *nv) {
        if (nv->initialized)
                nv->shutdown();
        nv->initialized = false;
        if (nv->dl)
                dlclose(nv->dl);
        nv->dl = NULL;
}

static int nvml_errno(nvml_return_t n) {
        switch (n) {
        case NVML_SUCCESS: return 0;
        case NVML_ERROR_INVALID_ARGUMENT: return -EINVAL;
        case NVML_ERROR_NOT_SUPPORTED: return -EOPNOTSUPP;
        case NVML_ERROR_NO_PERMISSION: return -EACCES;
        case NVML_ERROR_NOT_FOUND: return -ENOENT;
        case NVML_ERROR_INSUFFICIENT_SIZE: return -ENOBUFS;
        case NVML_ERROR_DRIVER_NOT_LOADED: return -ENODEV;
        case NVML_ERROR_TIMEOUT: return -ETIMEDOUT;
        case NVML_ERROR_LIBRARY_NOT_FOUND: return -ELIBACC;
        case NVML_ERROR_FUNCTION_NOT_FOUND: return -ENOSYS;
        case NVML_ERROR_GPU_IS_LOST: return -ENODEV;
        case NVML_ERROR_MEMORY: return -ENOMEM;
        default: return -EIO;
        }
}

/* The first of the names (newest version first) the library exports. */
static void *nvml_sym(struct nvml *nv, const char *const *names) {
        for (; *names; names++) {
                void *p = dlsym(nv->dl, *names);
                if (p)
                        return p;
        }
        return NULL;
}
#define NVML_SYM(nv, ...) nvml_sym((nv), (const char *const[]) { __VA_ARGS__, NULL })

static int nvml_open(struct nvml *nv, const char *library, struct berth_error *err) {
        nv->library = library;
        nv->dl = dlopen(library, RTLD_NOW | RTLD_LOCAL);
        if (!nv->dl)
                return berth_error_set(err, -ENOENT,
                                       "cannot load NVML library '%s': %s; install the NVIDIA driver, set nvml_library, "
                                       "or set gpus = none in berth.conf",
                                       library, dlerror());

        nv->init = NVML_SYM(nv, "nvmlInit_v2", "nvmlInit");
        nv->shutdown = NVML_SYM(nv, "nvmlShutdown");
        nv->error_string = NVML_SYM(nv, "nvmlErrorString");
        nv->get_count = NVML_SYM(nv, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount");
        nv->get_handle_by_index = NVML_SYM(nv, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex");
        nv->get_uuid = NVML_SYM(nv, "nvmlDeviceGetUUID");
        nv->get_name = NVML_SYM(nv, "nvmlDeviceGetName");
        /* v1 had another struct layout: no fallback past v2. */
        nv->get_pci_info = NVML_SYM(nv, "nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetPciInfo_v2");
        nv->get_memory_info = NVML_SYM(nv, "nvmlDeviceGetMemoryInfo");

        const struct {
                const char *name;
                bool present;
        } required[] = {
                { "nvmlInit_v2", nv->init },
                { "nvmlShutdown", nv->shutdown },
                { "nvmlErrorString", nv->error_string },
                { "nvmlDeviceGetCount_v2", nv->get_count },
                { "nvmlDeviceGetHandleByIndex_v2", nv->get_handle_by_index },
                { "nvmlDeviceGetUUID", nv->get_uuid },
                { "nvmlDeviceGetName", nv->get_name },
                { "nvmlDeviceGetPciInfo_v3", nv->get_pci_info },
                { "nvmlDeviceGetMemoryInfo", nv->get_memory_info },
        };
        for (size_t i = 0; i < ELEMENTSOF(required); i++)
                if (!required[i].present)
                        return berth_error_set(err, -ENOSYS,
                                               "NVML library '%s' has no %s; point nvml_library at libnvidia-ml.so.1 "
                                               "of a current NVIDIA driver",
                                               library, required[i].name);

        nv->get_memory_affinity = NVML_SYM(nv, "nvmlDeviceGetMemoryAffinity");
        nv->get_mig_mode = NVML_SYM(nv, "nvmlDeviceGetMigMode");
        nv->get_max_mig_device_count = NVML_SYM(nv, "nvmlDeviceGetMaxMigDeviceCount");
        nv->get_mig_device_handle_by_index = NVML_SYM(nv, "nvmlDeviceGetMigDeviceHandleByIndex");
        /* The v1 struct lacks gpuInstanceSliceCount: v2 or nothing. */
        nv->get_attributes = NVML_SYM(nv, "nvmlDeviceGetAttributes_v2");
        nv->get_gpu_instance_id = NVML_SYM(nv, "nvmlDeviceGetGpuInstanceId");
        return 0;
}

/* Fill err from an NVML failure while the library is still loaded (the
 * error string belongs to it). */
_printf_(4, 5) static int nvml_fail(struct nvml *nv, struct berth_error *err, nvml_return_t n, const char *fmt, ...) {
        char what[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        return berth_error_set(err, nvml_errno(n), "%s: NVML says %s", what, strempty(nv->error_string(n)));
}

static int parse_hex_field(const char **p, size_t min_digits, size_t max_digits, unsigned long *ret) {
        unsigned long v = 0;
        size_t n = 0;

        for (; n < max_digits; n++) {
                char c = (*p)[n];
                unsigned d;
                if (c >= '0' && c <= '9')
                        d = (unsigned) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        d = (unsigned) (c - 'A' + 10);
                else
                        break;
                v = v * 16 + d;
        }
        if (n < min_digits)
                return -EINVAL;
        *p += n;
        *ret = v;
        return 0;
}

int gpu_pci_bus_id_normalize(const char *bus_id, char **ret) {
        unsigned long domain, bus, slot, function;
        const char *p = bus_id;
        char *s;

        if (!bus_id || !ret)
                return -EINVAL;
        if (parse_hex_field(&p, 4, 8, &domain) < 0 || *p++ != ':' ||
            parse_hex_field(&p, 2, 2, &bus) < 0 || *p++ != ':' ||
            parse_hex_field(&p, 2, 2, &slot) < 0 || *p++ != '.' ||
            parse_hex_field(&p, 1, 1, &function) < 0 || *p != 0)
                return -EINVAL;
        if (slot > 0x1f || function > 7)
                return -EINVAL;
        /* Linux names PCI devices "%04x:%02x:%02x.%d". */
        if (asprintf(&s, "%04lx:%02lx:%02lx.%lu", domain, bus, slot, function) < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

static int parse_int_strict(const char *s, long min, long max, int *ret) {
        char *end;
        long v;

        if (!(*s == '-' || (*s >= '0' && *s <= '9')))
                return -EINVAL;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno != 0 || end == s || *end != 0 || v < min || v > max)
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

/* <sysfs_root>/bus/pci/devices/<pci>/numa_node: -ENOENT when the device is
 * not there, -1 when the kernel does not know. */
static int sysfs_pci_numa_node(const char *sysfs_root, const char *pci_bus_id, int *ret) {
        _cleanup_free_ char *path = NULL, *s = NULL;
        size_t len;
        int r;

        if (asprintf(&path, "%s/bus/pci/devices/%s/numa_node", sysfs_root, pci_bus_id) < 0)
                return -ENOMEM;
        r = read_full_file(path, 64, &s, &len);
        if (r < 0)
                return r;
        if (len > 0 && s[len - 1] == '\n')
                s[len - 1] = 0;
        return parse_int_strict(s, -1, MAX_NUMA_NODES - 1, ret) < 0 ? -EBADMSG : 0;
}

/* NVML's nearest memory node, for GPUs sysfs does not know (containers,
 * the test sandbox); -1 unless exactly one node is named. */
static int nvml_numa_node(struct nvml *nv, nvml_device_t h) {
        unsigned long set[MAX_NUMA_NODES / (8 * sizeof(unsigned long))] = {};
        const unsigned bits = 8 * sizeof(unsigned long);
        int node = -1;

        if (!nv->get_memory_affinity ||
            nv->get_memory_affinity(h, ELEMENTSOF(set), set, NVML_AFFINITY_SCOPE_NODE) != NVML_SUCCESS)
                return -1;
        for (unsigned i = 0; i < MAX_NUMA_NODES; i++)
                if (set[i / bits] & (1UL << (i % bits))) {
                        if (node >= 0)
                                return -1;
                        node = (int) i;
                }
        return node;
}

/* Whether NVML call n failed with "not supported", which leaves a field
 * empty rather than failing the inventory. */
static bool nvml_unsupported(nvml_return_t n) {
        return n == NVML_ERROR_NOT_SUPPORTED || n == NVML_ERROR_FUNCTION_NOT_FOUND;
}

static int device_strings(struct nvml *nv, nvml_device_t h, const char *what, char uuid[static NVML_UUID_SIZE],
                          char name[static NVML_NAME_SIZE], const char *fallback_name, uint64_t *ret_memory,
                          struct berth_error *err) {
        struct nvml_memory mem = {};
        nvml_return_t n;

        n = nv->get_uuid(h, uuid, NVML_UUID_SIZE);
        if (n != NVML_SUCCESS)
                return nvml_fail(nv, err, n, "cannot read the UUID of %s", what);
        uuid[NVML_UUID_SIZE - 1] = 0;
        if (!uuid[0])
                return berth_error_set(err, -EBADMSG, "NVML reports an empty UUID for %s", what);

        n = nv->get_name(h, name, NVML_NAME_SIZE);
        if (n != NVML_SUCCESS && !(fallback_name && nvml_unsupported(n)))
                return nvml_fail(nv, err, n, "cannot read the name of %s (%s)", what, uuid);
        if (n != NVML_SUCCESS)
                snprintf(name, NVML_NAME_SIZE, "%s", fallback_name);
        name[NVML_NAME_SIZE - 1] = 0;

        n = nv->get_memory_info(h, &mem);
        if (n != NVML_SUCCESS && !nvml_unsupported(n))
                return nvml_fail(nv, err, n, "cannot read the memory size of %s (%s)", what, uuid);
        *ret_memory = n == NVML_SUCCESS ? mem.total : 0;
        return 0;
}

struct mig_device {
        nvml_device_t handle;
        unsigned index, gpu_instance, slices;
        struct nvml_device_attributes attr;
};

/* A MIG device is one compute instance.  Alone in its GPU instance it holds
 * the whole GPU instance (nobody else can use the rest); sharing one, it
 * counts its own compute slices. */
static int load_mig_instances(struct nvml *nv, nvml_device_t gpu, const char *gpu_uuid, const char *gpu_name,
                              const char *pci_bus_id, int numa_node, struct gpu_inventory *inv,
                              struct berth_error *err) {
        _cleanup_free_ struct mig_device *migs = NULL;
        unsigned max = 0, used = 0;
        size_t n_migs = 0;
        nvml_return_t n;
        int r;

        if (!nv->get_max_mig_device_count || !nv->get_mig_device_handle_by_index || !nv->get_attributes)
                return berth_error_set(err, -ENOSYS,
                                       "GPU %s is in MIG mode but NVML library '%s' cannot list MIG instances; "
                                       "update the NVIDIA driver",
                                       gpu_uuid, nv->library);
        n = nv->get_max_mig_device_count(gpu, &max);
        if (n != NVML_SUCCESS)
                return nvml_fail(nv, err, n, "cannot count the MIG instances of GPU %s", gpu_uuid);
        migs = calloc(max ? max : 1, sizeof(*migs));
        if (!migs)
                return berth_error_set(err, -ENOMEM, "out of memory while listing GPUs");

        /* Indices may have gaps: NOT_FOUND just means none at this one. */
        for (unsigned i = 0; i < max; i++) {
                struct mig_device *m = &migs[n_migs];

                n = nv->get_mig_device_handle_by_index(gpu, i, &m->handle);
                if (n == NVML_ERROR_NOT_FOUND)
                        continue;
                if (n != NVML_SUCCESS)
                        return nvml_fail(nv, err, n, "cannot get MIG instance %u of GPU %s", i, gpu_uuid);
                n = nv->get_attributes(m->handle, &m->attr);
                if (n != NVML_SUCCESS)
                        return nvml_fail(nv, err, n, "cannot read the size of MIG instance %u of GPU %s", i, gpu_uuid);
                if (m->attr.gpu_instance_slice_count < 1 || m->attr.gpu_instance_slice_count > GPU_SLICES)
                        return berth_error_set(err, -EBADMSG, "NVML reports %u slices for MIG instance %u of GPU %s",
                                               m->attr.gpu_instance_slice_count, i, gpu_uuid);
                /* Without GPU instance ids, every MIG device is taken for a GPU instance of its own. */
                m->gpu_instance = UINT_MAX - i;
                if (nv->get_gpu_instance_id) {
                        n = nv->get_gpu_instance_id(m->handle, &m->gpu_instance);
                        if (n != NVML_SUCCESS && !nvml_unsupported(n))
                                return nvml_fail(nv, err, n, "cannot read the GPU instance of MIG instance %u of GPU %s",
                                                 i, gpu_uuid);
                        if (n != NVML_SUCCESS)
                                m->gpu_instance = UINT_MAX - i;
                }
                m->index = i;
                n_migs++;
        }

        for (size_t i = 0; i < n_migs; i++) {
                struct mig_device *m = &migs[i];
                size_t sharing = 0;
                bool first = true;

                for (size_t j = 0; j < n_migs; j++)
                        if (migs[j].gpu_instance == m->gpu_instance) {
                                sharing++;
                                if (j < i)
                                        first = false;
                                if (migs[j].attr.gpu_instance_slice_count != m->attr.gpu_instance_slice_count)
                                        return berth_error_set(err, -EBADMSG,
                                                               "NVML reports two sizes for GPU instance %u of GPU %s",
                                                               m->gpu_instance, gpu_uuid);
                        }
                if (first)
                        used += m->attr.gpu_instance_slice_count;
                if (used > GPU_SLICES)
                        return berth_error_set(err, -EBADMSG, "NVML reports MIG instances of more than %d slices on GPU %s",
                                               GPU_SLICES, gpu_uuid);
                m->slices = m->attr.gpu_instance_slice_count;
                if (sharing > 1) {
                        m->slices = m->attr.compute_instance_slice_count;
                        if (m->slices < 1 || m->slices > m->attr.gpu_instance_slice_count)
                                return berth_error_set(err, -EBADMSG,
                                                       "NVML reports %u compute slices for MIG instance %u of GPU %s",
                                                       m->slices, m->index, gpu_uuid);
                }
        }

        for (size_t i = 0; i < n_migs; i++) {
                struct mig_device *m = &migs[i];
                char uuid[NVML_UUID_SIZE], name[NVML_NAME_SIZE], fallback[NVML_NAME_SIZE + 16], what[96];
                uint64_t memory;

                snprintf(what, sizeof(what), "MIG instance %u of GPU %.*s", m->index, 40, gpu_uuid);
                snprintf(fallback, sizeof(fallback), "%.*s MIG %ug", NVML_NAME_SIZE - 16, gpu_name, m->slices);
                r = device_strings(nv, m->handle, what, uuid, name, fallback, &memory, err);
                if (r < 0)
                        return r;
                if (memory == 0)
                        memory = (uint64_t) m->attr.memory_size_mb << 20;

                r = gpu_inventory_add(inv, uuid, pci_bus_id, numa_node, name, m->slices, gpu_uuid, memory);
                if (r < 0)
                        return berth_error_set(err, r, "out of memory while listing GPUs");
        }
        return 0;
}

static int load_gpu(struct nvml *nv, unsigned index, const char *sysfs_root, struct gpu_inventory *inv,
                    struct berth_error *err) {
        char uuid[NVML_UUID_SIZE], name[NVML_NAME_SIZE], what[32];
        struct nvml_pci_info pci = {};
        _cleanup_free_ char *pci_bus_id = NULL;
        unsigned current = 0, pending = 0;
        nvml_device_t h;
        uint64_t memory;
        nvml_return_t n;
        int numa_node, r;

        snprintf(what, sizeof(what), "GPU %u", index);
        n = nv->get_handle_by_index(index, &h);
        if (n != NVML_SUCCESS)
                return nvml_fail(nv, err, n, "cannot open %s", what);
        r = device_strings(nv, h, what, uuid, name, NULL, &memory, err);
        if (r < 0)
                return r;

        n = nv->get_pci_info(h, &pci);
        if (n != NVML_SUCCESS)
                return nvml_fail(nv, err, n, "cannot read the PCI address of GPU %s", uuid);
        pci.bus_id[sizeof(pci.bus_id) - 1] = 0;
        pci.bus_id_legacy[sizeof(pci.bus_id_legacy) - 1] = 0;
        r = gpu_pci_bus_id_normalize(pci.bus_id[0] ? pci.bus_id : pci.bus_id_legacy, &pci_bus_id);
        if (r == -ENOMEM)
                return berth_error_set(err, r, "out of memory while listing GPUs");
        if (r < 0)
                return berth_error_set(err, -EBADMSG, "NVML reports an invalid PCI address '%s' for GPU %s",
                                       pci.bus_id[0] ? pci.bus_id : pci.bus_id_legacy, uuid);

        r = sysfs_pci_numa_node(sysfs_root, pci_bus_id, &numa_node);
        if (r == -ENOENT)
                numa_node = nvml_numa_node(nv, h);
        else if (r < 0)
                return berth_error_set(err, r, "cannot read the NUMA node of GPU %s from %s/bus/pci/devices/%s/numa_node",
                                       uuid, sysfs_root, pci_bus_id);

        if (nv->get_mig_mode) {
                n = nv->get_mig_mode(h, &current, &pending);
                if (n != NVML_SUCCESS && !nvml_unsupported(n))
                        return nvml_fail(nv, err, n, "cannot read the MIG mode of GPU %s", uuid);
                if (n != NVML_SUCCESS)
                        current = 0;
        }
        /* The current mode is what runs; a pending change waits for a GPU reset. */
        if (current == NVML_DEVICE_MIG_ENABLE)
                return load_mig_instances(nv, h, uuid, name, pci_bus_id, numa_node, inv, err);

        r = gpu_inventory_add(inv, uuid, pci_bus_id, numa_node, name, GPU_SLICES, NULL, memory);
        if (r < 0)
                return berth_error_set(err, r, "out of memory while listing GPUs");
        return 0;
}

int gpu_inventory_load_nvml(const char *library, const char *sysfs_root, struct gpu_inventory **ret,
                            struct berth_error *err) {
        _cleanup_(nvml_close) struct nvml nv = {};
        _cleanup_gpu_inventory_ struct gpu_inventory *inv = NULL;
        unsigned count = 0;
        nvml_return_t n;
        int r;

        if (!ret)
                return berth_error_set(err, -EINVAL, "no place to put the GPU inventory");
        if (!library || !*library)
                return berth_error_set(err, -EINVAL, "no NVML library is configured; set nvml_library in berth.conf");
        if (!sysfs_root)
                sysfs_root = "/sys";

        r = nvml_open(&nv, library, err);
        if (r < 0)
                return r;

        n = nv.init();
        if (n != NVML_SUCCESS)
                return berth_error_set(err, nvml_errno(n),
                                       "cannot initialise NVML from '%s': %s; check that the NVIDIA driver is loaded "
                                       "(nvidia-smi), or set gpus = none in berth.conf",
                                       library, strempty(nv.error_string(n)));
        nv.initialized = true;

        n = nv.get_count(&count);
        if (n != NVML_SUCCESS)
                return nvml_fail(&nv, err, n, "cannot count GPUs");

        r = gpu_inventory_none(&inv);
        if (r < 0)
                return berth_error_set(err, r, "out of memory while listing GPUs");
        for (unsigned i = 0; i < count; i++) {
                r = load_gpu(&nv, i, sysfs_root, inv, err);
                if (r < 0)
                        return r;
        }

        /* The ledger keys on UUIDs: one handed out twice would be two holders. */
        for (size_t i = 0; i < inv->n_devices; i++)
                for (size_t j = i + 1; j < inv->n_devices; j++)
                        if (streq(inv->devices[i].uuid, inv->devices[j].uuid))
                                return berth_error_set(err, -EEXIST, "NVML reports two devices with UUID %s",
                                                       inv->devices[i].uuid);

        *ret = TAKE_PTR(inv);
        return 0;
}

/* --- samples: utilisation and compute processes ---------------------------- */

struct nvml_utilization {
        unsigned gpu, memory;
};

/* nvmlProcessInfo_v2_t, filled by the _v2 and _v3 calls */
struct nvml_process_info {
        unsigned pid;
        unsigned long long used_gpu_memory;
        unsigned gpu_instance_id, compute_instance_id;
};

#define SAMPLE_MAX_PROCESSES 1024

void gpu_samples_free(struct gpu_sample *s, size_t n) {
        for (size_t i = 0; s && i < n; i++) {
                free(s[i].uuid);
                free(s[i].pids);
        }
        free(s);
}

static int sample_one(struct nvml *nv, nvml_return_t (*by_uuid)(const char *, nvml_device_t *),
                      nvml_return_t (*util)(nvml_device_t, struct nvml_utilization *),
                      nvml_return_t (*procs)(nvml_device_t, unsigned *, struct nvml_process_info *), const char *uuid,
                      struct gpu_sample *s) {
        nvml_device_t h;
        struct nvml_utilization u;

        *s = (struct gpu_sample) { .utilization = -1, .uuid = strdup(uuid) };
        if (!s->uuid)
                return -ENOMEM;
        if (by_uuid(uuid, &h) != NVML_SUCCESS)
                return 0; /* gone: nothing known, the caller judges */
        s->found = true;
        /* MIG instances have no utilisation of their own on real drivers */
        if (util && util(h, &u) == NVML_SUCCESS)
                s->utilization = (int) (u.gpu > 100 ? 100 : u.gpu);
        struct nvml_memory mem = {};
        if (nv->get_memory_info(h, &mem) == NVML_SUCCESS && mem.used <= mem.total) {
                s->memory_known = true;
                s->memory_used = mem.used;
                s->memory_total = mem.total;
        }
        if (!procs)
                return 0;
        unsigned count = 0;
        nvml_return_t n = procs(h, &count, NULL);
        if (n != NVML_SUCCESS && n != NVML_ERROR_INSUFFICIENT_SIZE)
                return 0;
        if (count == 0) {
                s->processes_known = true;
                return 0;
        }
        if (count > SAMPLE_MAX_PROCESSES)
                count = SAMPLE_MAX_PROCESSES;
        _cleanup_free_ struct nvml_process_info *info = calloc(count, sizeof(*info));
        if (!info)
                return -ENOMEM;
        n = procs(h, &count, info);
        if (n != NVML_SUCCESS)
                return 0; /* more appeared meanwhile: unknown this time */
        s->pids = calloc(count ? count : 1, sizeof(*s->pids));
        if (!s->pids)
                return -ENOMEM;
        for (unsigned i = 0; i < count; i++)
                s->pids[i] = info[i].pid;
        s->n_pids = count;
        s->processes_known = true;
        return 0;
}

int gpu_sample_load(const char *library, char *const *uuids, struct gpu_sample **ret, size_t *ret_n,
                    struct berth_error *err) {
        _cleanup_(nvml_close) struct nvml nv = {};
        struct gpu_sample *s = NULL;
        size_t n = 0;
        int r;

        if (!library || !*library || !ret || !ret_n)
                return berth_error_set(err, -EINVAL, "no NVML library to sample GPUs with");
        r = nvml_open(&nv, library, err);
        if (r < 0)
                return r;
        nvml_return_t e = nv.init();
        if (e != NVML_SUCCESS)
                return berth_error_set(err, nvml_errno(e), "cannot initialise NVML from '%s': %s", library,
                                       strempty(nv.error_string(e)));
        nv.initialized = true;
        nvml_return_t (*by_uuid)(const char *, nvml_device_t *) = NVML_SYM(&nv, "nvmlDeviceGetHandleByUUID");
        nvml_return_t (*util)(nvml_device_t, struct nvml_utilization *) = NVML_SYM(&nv, "nvmlDeviceGetUtilizationRates");
        nvml_return_t (*procs)(nvml_device_t, unsigned *, struct nvml_process_info *) =
                NVML_SYM(&nv, "nvmlDeviceGetComputeRunningProcesses_v3", "nvmlDeviceGetComputeRunningProcesses_v2");
        if (!by_uuid)
                return berth_error_set(err, -ENOSYS, "the NVML library '%s' has no nvmlDeviceGetHandleByUUID", library);

        size_t want = strv_length(uuids);
        s = calloc(want ? want : 1, sizeof(*s));
        if (!s)
                return berth_error_set(err, -ENOMEM, "out of memory");
        for (; n < want; n++) {
                r = sample_one(&nv, by_uuid, util, procs, uuids[n], &s[n]);
                if (r < 0) {
                        gpu_samples_free(s, n + 1);
                        return berth_error_set(err, r, "out of memory while sampling GPUs");
                }
        }
        *ret = s;
        *ret_n = n;
        return 0;
}
