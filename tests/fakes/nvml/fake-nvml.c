/* SPDX-License-Identifier: MIT */
/* A fake libnvidia-ml.so.1 for tests: the GPUs and MIG instances it reports
 * come from the JSON file named by $BERTH_FAKE_NVML, read at nvmlInit:
 *
 *   {"driver_version": "550.54.15",                          (optional)
 *    "gpus": [{"uuid": "GPU-…", "pci": "0000:17:00.0",
 *              "numa": 0,                                     (optional, -1 = none)
 *              "name": "NVIDIA A100-SXM4-80GB",               (optional)
 *              "memory": 85899345920,                         (optional, bytes)
 *              "mig_capable": true,                           (optional)
 *              "mig": [{"uuid": "MIG-…", "slices": 3,         (slices out of 7)
 *                       "memory": 42949672960,                (optional)
 *                       "gi": 1, "compute_slices": 1}]}]}     (optional)
 *
 * A GPU with a "mig" array (even an empty one) is MIG-capable with MIG mode
 * enabled; "mig_capable": true without "mig" is a MIG-capable GPU with MIG
 * disabled; otherwise nvmlDeviceGetMigMode says NOT_SUPPORTED, as on pre-Ampere
 * parts.  Each "mig" entry is one MIG device, that is one compute instance:
 * by default a GPU instance of its own (ids 1, 2, … in order) holding one
 * compute instance as large as itself.  Entries that share a "gi" (give it to
 * all entries of a GPU or to none) are compute instances of one GPU instance
 * of "slices" slices, each "compute_slices" large.  GPU instances are 1, 2,
 * 3, 4 or 7 slices, at most 7 per GPU, as on A100/H100.
 *
 * Every GPU and MIG entry may also carry "utilization": 0…100 (percent),
 * "memory_used": bytes of its "memory" in use (0 by default) and
 * "processes": [PID, …] (compute processes, host PIDs), what
 * nvmlDeviceGetUtilizationRates(), nvmlDeviceGetMemoryInfo() and
 * nvmlDeviceGetComputeRunningProcesses() report.  They are live: the file is
 * looked at again on each of those calls and, when it changed, only these
 * three keys are read from it again (the inventory stays what nvmlInit read,
 * as a real machine's does).
 *
 * "numa" cannot change sysfs, so it is reported through
 * nvmlDeviceGetMemoryAffinity(), which berth consults only for GPUs whose PCI
 * address does not exist under /sys (as in the test sandbox).
 *
 * Semantics follow the real library: reference-counted init, every call
 * before init says NVML_ERROR_UNINITIALIZED, short buffers
 * NVML_ERROR_INSUFFICIENT_SIZE, unknown handles NVML_ERROR_INVALID_ARGUMENT.
 * A missing inventory makes nvmlInit fail with NVML_ERROR_DRIVER_NOT_LOADED,
 * a malformed one with NVML_ERROR_UNKNOWN; in both cases nvmlErrorString() of
 * that code appends the reason, and $BERTH_FAKE_NVML_DEBUG prints it. */
#include "nvml-fake.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#define MIG_SLICES 7
#define MAX_NUMA_NODE 1023
#define DEFAULT_NAME "NVIDIA A100-SXM4-80GB"
#define DEFAULT_MEMORY (80ULL << 30)
#define DEFAULT_DRIVER_VERSION "550.54.15"
#define MAX_PROCESSES 64

struct nvmlDevice_st {
        bool is_mig;
        char uuid[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
        char name[NVML_DEVICE_NAME_V2_BUFFER_SIZE];
        unsigned long long memory;
        /* whole GPUs */
        unsigned domain, bus, slot, function;
        int numa;
        bool mig_capable, mig_enabled;
        size_t first_mig, n_mig; /* range in state.migs */
        /* MIG instances */
        unsigned slices, compute_slices, gpu_instance_id, compute_instance_id;
        size_t parent; /* index in state.gpus */
        /* live: re-read when the file changes */
        unsigned utilization;
        unsigned long long memory_used; /* at most memory */
        unsigned pids[MAX_PROCESSES];
        size_t n_pids;
};

static struct {
        pthread_mutex_t lock;
        unsigned refs;
        struct nvmlDevice_st *gpus, *migs;
        size_t n_gpus, n_migs;
        char driver_version[NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE];
        nvmlReturn_t failed_with; /* last nvmlInit failure, for nvmlErrorString */
        char failure[512];
        char message[640];
        struct timespec mtime; /* of the inventory file when live values were read */
        off_t size;
        ino_t ino;
} state = {
        .lock = PTHREAD_MUTEX_INITIALIZER,
};

static void free_inventory(void) {
        free(state.gpus);
        free(state.migs);
        state.gpus = state.migs = NULL;
        state.n_gpus = state.n_migs = 0;
}

__attribute__((destructor)) static void fake_nvml_unload(void) {
        free_inventory();
}

__attribute__((format(printf, 2, 3))) static nvmlReturn_t init_failed(nvmlReturn_t r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(state.failure, sizeof(state.failure), fmt, ap);
        va_end(ap);
        state.failed_with = r;
        if (getenv("BERTH_FAKE_NVML_DEBUG"))
                fprintf(stderr, "fake-nvml: %s\n", state.failure);
        return r;
}

static int parse_hex(const char **p, unsigned min_digits, unsigned max_digits, unsigned *ret) {
        unsigned v = 0, n = 0;
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

/* "0000:17:00.0" or "00000000:17:00.0", either case. */
static int parse_pci(const char *s, struct nvmlDevice_st *d) {
        const char *p = s;
        unsigned domain, bus, slot, function;
        if (parse_hex(&p, 4, 8, &domain) < 0 || (p - s != 4 && p - s != 8) || *p++ != ':' ||
            parse_hex(&p, 2, 2, &bus) < 0 || *p++ != ':' ||
            parse_hex(&p, 2, 2, &slot) < 0 || *p++ != '.' ||
            parse_hex(&p, 1, 1, &function) < 0 || *p != 0)
                return -EINVAL;
        if (slot > 0x1f || function > 7)
                return -EINVAL;
        d->domain = domain;
        d->bus = bus;
        d->slot = slot;
        d->function = function;
        return 0;
}

static bool valid_uuid(const char *s, const char *prefix) {
        size_t n = strlen(s);
        if (strncmp(s, prefix, strlen(prefix)) != 0 || n <= strlen(prefix) || n >= NVML_DEVICE_UUID_V2_BUFFER_SIZE)
                return false;
        for (const char *c = s; *c; c++)
                if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                      *c == '-' || *c == '/'))
                        return false;
        return true;
}

/* "utilization", "memory_used" and "processes" of one device entry: 1 when
 * key was one of them (and valid), 0 when it is another key, -1 when it is
 * invalid.  memory_used is checked against memory once the entry is read. */
static int parse_live(const char *key, json_t *v, struct nvmlDevice_st *d) {
        if (strcmp(key, "memory_used") == 0) {
                if (!json_is_integer(v) || json_integer_value(v) < 0)
                        return -1;
                d->memory_used = (unsigned long long) json_integer_value(v);
                return 1;
        }
        if (strcmp(key, "utilization") == 0) {
                json_int_t u = json_is_integer(v) ? json_integer_value(v) : -1;
                if (u < 0 || u > 100)
                        return -1;
                d->utilization = (unsigned) u;
                return 1;
        }
        if (strcmp(key, "processes") == 0) {
                size_t i;
                json_t *p;
                if (!json_is_array(v) || json_array_size(v) > MAX_PROCESSES)
                        return -1;
                json_array_foreach(v, i, p) {
                        if (!json_is_integer(p) || json_integer_value(p) <= 0 || json_integer_value(p) > 4194304)
                                return -1;
                        d->pids[i] = (unsigned) json_integer_value(p);
                }
                d->n_pids = json_array_size(v);
                return 1;
        }
        return 0;
}

static nvmlReturn_t parse_mig(const char *path, size_t g, size_t m, json_t *o, struct nvmlDevice_st *gpu,
                              struct nvmlDevice_st *mig) {
        const char *key;
        json_t *v;
        json_int_t gi = (json_int_t) m + 1, compute = 0;

        if (!json_is_object(o))
                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].mig[%zu] is not an object", path, g, m);
        json_object_foreach(o, key, v) {
                int live = parse_live(key, v, mig);
                if (live < 0)
                        return init_failed(NVML_ERROR_UNKNOWN,
                                           "%s: gpus[%zu].mig[%zu].%s: utilization is 0…100, memory_used at least 0, processes up to %d PIDs", path,
                                           g, m, key, MAX_PROCESSES);
                if (live > 0)
                        continue;
                if (strcmp(key, "uuid") == 0) {
                        if (!json_is_string(v) || !valid_uuid(json_string_value(v), "MIG-"))
                                return init_failed(NVML_ERROR_UNKNOWN,
                                                   "%s: gpus[%zu].mig[%zu].uuid must be a string \"MIG-…\"", path, g, m);
                        snprintf(mig->uuid, sizeof(mig->uuid), "%s", json_string_value(v));
                } else if (strcmp(key, "slices") == 0) {
                        json_int_t s = json_is_integer(v) ? json_integer_value(v) : -1;
                        if (s != 1 && s != 2 && s != 3 && s != 4 && s != 7)
                                return init_failed(NVML_ERROR_UNKNOWN,
                                                   "%s: gpus[%zu].mig[%zu].slices must be 1, 2, 3, 4 or 7", path, g, m);
                        mig->slices = (unsigned) s;
                } else if (strcmp(key, "memory") == 0) {
                        if (!json_is_integer(v) || json_integer_value(v) <= 0)
                                return init_failed(NVML_ERROR_UNKNOWN,
                                                   "%s: gpus[%zu].mig[%zu].memory must be a positive integer", path, g, m);
                        mig->memory = (unsigned long long) json_integer_value(v);
                } else if (strcmp(key, "gi") == 0) {
                        gi = json_is_integer(v) ? json_integer_value(v) : -1;
                        if (gi < 0 || gi > 14)
                                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].mig[%zu].gi must be 0…14", path, g, m);
                } else if (strcmp(key, "compute_slices") == 0) {
                        compute = json_is_integer(v) ? json_integer_value(v) : -1;
                        if (compute < 1 || compute > MIG_SLICES)
                                return init_failed(NVML_ERROR_UNKNOWN,
                                                   "%s: gpus[%zu].mig[%zu].compute_slices must be 1…%d", path, g, m,
                                                   MIG_SLICES);
                } else
                        return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].mig[%zu] has unknown key \"%s\"",
                                           path, g, m, key);
        }
        if (!mig->uuid[0] || mig->slices == 0)
                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].mig[%zu] needs \"uuid\" and \"slices\"", path, g, m);
        if (compute > mig->slices)
                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].mig[%zu].compute_slices exceeds its slices",
                                   path, g, m);
        mig->compute_slices = compute ? (unsigned) compute : mig->slices;
        mig->gpu_instance_id = (unsigned) gi;

        /* Memory comes in eighths: 1g, 2g, 3g, 4g and 7g get 1, 2, 4, 4 and 8 of them. */
        static const unsigned eighths[MIG_SLICES + 1] = { 0, 1, 2, 4, 4, 0, 0, 8 };
        if (mig->memory == 0)
                mig->memory = gpu->memory / 8 * eighths[mig->slices];
        if (mig->memory_used > mig->memory)
                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].mig[%zu].memory_used exceeds its memory", path, g, m);
        mig->is_mig = true;
        mig->numa = gpu->numa;
        if (mig->compute_slices < mig->slices)
                snprintf(mig->name, sizeof(mig->name), "%.63s MIG %hhuc.%hhug.%llugb", gpu->name,
                         (unsigned char) mig->compute_slices, (unsigned char) mig->slices, mig->memory >> 30);
        else
                snprintf(mig->name, sizeof(mig->name), "%.63s MIG %hhug.%llugb", gpu->name, (unsigned char) mig->slices,
                         mig->memory >> 30);
        return NVML_SUCCESS;
}

/* The hardware's rules for one GPU's MIG devices migs[0..n): compute
 * instances of one GPU instance agree on its size and fit in it, and the GPU
 * instances fit in the GPU. */
static nvmlReturn_t check_mig_layout(const char *path, size_t g, struct nvmlDevice_st *migs, size_t n) {
        unsigned gpu_slices = 0;

        for (size_t i = 0; i < n; i++) {
                unsigned compute = 0, ci = 0;
                bool first = true;

                for (size_t j = 0; j < n; j++) {
                        if (migs[j].gpu_instance_id != migs[i].gpu_instance_id)
                                continue;
                        if (j < i) {
                                first = false;
                                ci++;
                        }
                        if (migs[j].slices != migs[i].slices)
                                return init_failed(NVML_ERROR_UNKNOWN,
                                                   "%s: gpus[%zu]: MIG devices of GPU instance %u disagree on its slices",
                                                   path, g, migs[i].gpu_instance_id);
                        compute += migs[j].compute_slices;
                }
                if (compute > migs[i].slices)
                        return init_failed(NVML_ERROR_UNKNOWN,
                                           "%s: gpus[%zu]: compute instances of GPU instance %u exceed its %u slices",
                                           path, g, migs[i].gpu_instance_id, migs[i].slices);
                migs[i].compute_instance_id = ci;
                if (first)
                        gpu_slices += migs[i].slices;
        }
        if (gpu_slices > MIG_SLICES)
                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu] has MIG instances of more than %d slices", path, g,
                                   MIG_SLICES);
        return NVML_SUCCESS;
}

static nvmlReturn_t parse_gpu(const char *path, size_t g, json_t *o, struct nvmlDevice_st *gpu, json_t **ret_mig) {
        const char *key;
        json_t *v, *mig = NULL, *capable = NULL;
        bool have_pci = false;

        if (!json_is_object(o))
                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu] is not an object", path, g);
        snprintf(gpu->name, sizeof(gpu->name), "%s", DEFAULT_NAME);
        gpu->memory = DEFAULT_MEMORY;
        gpu->numa = -1;
        json_object_foreach(o, key, v) {
                int live = parse_live(key, v, gpu);
                if (live < 0)
                        return init_failed(NVML_ERROR_UNKNOWN,
                                           "%s: gpus[%zu].%s: utilization is 0…100, memory_used at least 0, processes up to %d PIDs", path, g, key,
                                           MAX_PROCESSES);
                if (live > 0)
                        continue;
                if (strcmp(key, "uuid") == 0) {
                        if (!json_is_string(v) || !valid_uuid(json_string_value(v), "GPU-"))
                                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].uuid must be a string \"GPU-…\"",
                                                   path, g);
                        snprintf(gpu->uuid, sizeof(gpu->uuid), "%s", json_string_value(v));
                } else if (strcmp(key, "pci") == 0) {
                        if (!json_is_string(v) || parse_pci(json_string_value(v), gpu) < 0)
                                return init_failed(NVML_ERROR_UNKNOWN,
                                                   "%s: gpus[%zu].pci must be a PCI address like \"0000:17:00.0\"", path, g);
                        have_pci = true;
                } else if (strcmp(key, "numa") == 0) {
                        json_int_t n = json_is_integer(v) ? json_integer_value(v) : -2;
                        if (n < -1 || n > MAX_NUMA_NODE)
                                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].numa must be -1…%d", path, g,
                                                   MAX_NUMA_NODE);
                        gpu->numa = (int) n;
                } else if (strcmp(key, "name") == 0) {
                        if (!json_is_string(v) || json_string_length(v) == 0 ||
                            json_string_length(v) >= NVML_DEVICE_NAME_BUFFER_SIZE)
                                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].name must be 1…%d characters",
                                                   path, g, NVML_DEVICE_NAME_BUFFER_SIZE - 1);
                        snprintf(gpu->name, sizeof(gpu->name), "%s", json_string_value(v));
                } else if (strcmp(key, "memory") == 0) {
                        if (!json_is_integer(v) || json_integer_value(v) <= 0)
                                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].memory must be a positive integer",
                                                   path, g);
                        gpu->memory = (unsigned long long) json_integer_value(v);
                } else if (strcmp(key, "mig_capable") == 0) {
                        if (!json_is_boolean(v))
                                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].mig_capable must be a boolean",
                                                   path, g);
                        capable = v;
                } else if (strcmp(key, "mig") == 0) {
                        if (!json_is_array(v) || json_array_size(v) > MIG_SLICES)
                                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].mig must be an array of at most %d",
                                                   path, g, MIG_SLICES);
                        mig = v;
                } else
                        return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu] has unknown key \"%s\"", path, g, key);
        }
        if (!gpu->uuid[0] || !have_pci)
                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu] needs \"uuid\" and \"pci\"", path, g);
        if (gpu->memory_used > gpu->memory)
                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu].memory_used exceeds its memory", path, g);
        if (mig && capable && json_is_false(capable))
                return init_failed(NVML_ERROR_UNKNOWN, "%s: gpus[%zu] has \"mig\" but \"mig_capable\": false", path, g);
        gpu->mig_capable = mig || json_is_true(capable);
        gpu->mig_enabled = mig != NULL;
        *ret_mig = mig;
        return NVML_SUCCESS;
}

static nvmlReturn_t load_inventory(void) {
        const char *path = getenv("BERTH_FAKE_NVML");
        struct stat st;
        json_error_t e;
        json_t *root, *gpus, *v;
        const char *key;
        nvmlReturn_t r = NVML_SUCCESS;
        size_t g, n_migs = 0;

        if (!path || !*path)
                return init_failed(NVML_ERROR_DRIVER_NOT_LOADED, "BERTH_FAKE_NVML is not set");
        if (stat(path, &st) < 0)
                return init_failed(NVML_ERROR_DRIVER_NOT_LOADED, "%s: %s", path, strerror(errno));

        root = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
        if (!root)
                return init_failed(NVML_ERROR_UNKNOWN, "%s:%d: %s", path, e.line, e.text);
        if (!json_is_object(root)) {
                r = init_failed(NVML_ERROR_UNKNOWN, "%s: the inventory must be a JSON object", path);
                goto out;
        }
        json_object_foreach(root, key, v) {
                if (strcmp(key, "gpus") == 0)
                        continue;
                if (strcmp(key, "driver_version") == 0 && json_is_string(v) &&
                    json_string_length(v) > 0 && json_string_length(v) < NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE)
                        continue;
                r = init_failed(NVML_ERROR_UNKNOWN, "%s: unknown or invalid top-level key \"%s\"", path, key);
                goto out;
        }
        gpus = json_object_get(root, "gpus");
        if (!json_is_array(gpus)) {
                r = init_failed(NVML_ERROR_UNKNOWN, "%s: \"gpus\" must be an array", path);
                goto out;
        }
        json_array_foreach(gpus, g, v) {
                json_t *mig = json_is_object(v) ? json_object_get(v, "mig") : NULL;
                if (json_is_array(mig))
                        n_migs += json_array_size(mig);
        }

        state.gpus = calloc(json_array_size(gpus) + 1, sizeof(*state.gpus));
        state.migs = calloc(n_migs + 1, sizeof(*state.migs));
        if (!state.gpus || !state.migs) {
                r = init_failed(NVML_ERROR_MEMORY, "out of memory");
                goto out;
        }
        json_array_foreach(gpus, g, v) {
                struct nvmlDevice_st *gpu = &state.gpus[g];
                json_t *mig = NULL, *m;
                size_t i;

                r = parse_gpu(path, g, v, gpu, &mig);
                if (r != NVML_SUCCESS)
                        goto out;
                gpu->first_mig = state.n_migs;
                json_array_foreach(mig, i, m) {
                        struct nvmlDevice_st *d = &state.migs[state.n_migs];
                        r = parse_mig(path, g, i, m, gpu, d);
                        if (r != NVML_SUCCESS)
                                goto out;
                        d->parent = g;
                        state.n_migs++;
                }
                gpu->n_mig = state.n_migs - gpu->first_mig;
                r = check_mig_layout(path, g, &state.migs[gpu->first_mig], gpu->n_mig);
                if (r != NVML_SUCCESS)
                        goto out;
                state.n_gpus++;
        }
        v = json_object_get(root, "driver_version");
        snprintf(state.driver_version, sizeof(state.driver_version), "%s",
                 v ? json_string_value(v) : DEFAULT_DRIVER_VERSION);
        state.mtime = st.st_mtim;
        state.size = st.st_size;
        state.ino = st.st_ino;
out:
        json_decref(root);
        if (r != NVML_SUCCESS)
                free_inventory();
        return r;
}

/* --- life cycle ------------------------------------------------------------ */

nvmlReturn_t nvmlInit_v2(void) {
        nvmlReturn_t r = NVML_SUCCESS;
        pthread_mutex_lock(&state.lock);
        if (state.refs == 0) {
                r = load_inventory();
                if (r == NVML_SUCCESS)
                        state.failed_with = NVML_SUCCESS;
        }
        if (r == NVML_SUCCESS)
                state.refs++;
        pthread_mutex_unlock(&state.lock);
        return r;
}

nvmlReturn_t nvmlInit(void) {
        return nvmlInit_v2();
}

nvmlReturn_t nvmlInitWithFlags(unsigned int flags) {
        return nvmlInit_v2();
}

nvmlReturn_t nvmlShutdown(void) {
        nvmlReturn_t r = NVML_SUCCESS;
        pthread_mutex_lock(&state.lock);
        if (state.refs == 0)
                r = NVML_ERROR_UNINITIALIZED;
        else if (--state.refs == 0)
                free_inventory();
        pthread_mutex_unlock(&state.lock);
        return r;
}

static const char *error_string(nvmlReturn_t result) {
        switch (result) {
        case NVML_SUCCESS: return "Success";
        case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
        case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
        case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
        case NVML_ERROR_NO_PERMISSION: return "Insufficient Permissions";
        case NVML_ERROR_ALREADY_INITIALIZED: return "Already Initialized";
        case NVML_ERROR_NOT_FOUND: return "Not Found";
        case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
        case NVML_ERROR_INSUFFICIENT_POWER: return "Insufficient External Power";
        case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
        case NVML_ERROR_TIMEOUT: return "Timeout";
        case NVML_ERROR_IRQ_ISSUE: return "Interrupt Request Issue";
        case NVML_ERROR_LIBRARY_NOT_FOUND: return "NVML Shared Library Not Found";
        case NVML_ERROR_FUNCTION_NOT_FOUND: return "Function Not Found";
        case NVML_ERROR_CORRUPTED_INFOROM: return "Corrupted infoROM";
        case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
        case NVML_ERROR_RESET_REQUIRED: return "GPU requires restart";
        case NVML_ERROR_OPERATING_SYSTEM: return "The operating system has blocked the request.";
        case NVML_ERROR_LIB_RM_VERSION_MISMATCH: return "RM has detected an NVML/RM version mismatch.";
        case NVML_ERROR_IN_USE: return "In use by another client";
        case NVML_ERROR_MEMORY: return "Insufficient Memory";
        case NVML_ERROR_NO_DATA: return "No data";
        case NVML_ERROR_VGPU_ECC_NOT_ENABLED: return "vGPU ECC is not enabled";
        case NVML_ERROR_INSUFFICIENT_RESOURCES: return "Insufficient resources";
        case NVML_ERROR_FREQ_NOT_SUPPORTED: return "Frequency not supported";
        case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument version mismatch";
        case NVML_ERROR_DEPRECATED: return "Deprecated";
        case NVML_ERROR_NOT_READY: return "Not ready";
        case NVML_ERROR_GPU_NOT_FOUND: return "GPU not found";
        case NVML_ERROR_INVALID_STATE: return "Invalid state";
        case NVML_ERROR_UNKNOWN: return "Unknown Error";
        default: return "Unknown Error";
        }
}

const char *nvmlErrorString(nvmlReturn_t result) {
        const char *s = error_string(result);
        pthread_mutex_lock(&state.lock);
        if (result != NVML_SUCCESS && result == state.failed_with) {
                snprintf(state.message, sizeof(state.message), "%s (fake NVML: %s)", s, state.failure);
                s = state.message;
        }
        pthread_mutex_unlock(&state.lock);
        return s;
}

/* --- calls on an initialised library ---------------------------------------- */

/* Take the lock when the library is initialised; otherwise say so. */
static nvmlReturn_t enter(void) {
        pthread_mutex_lock(&state.lock);
        if (state.refs > 0)
                return NVML_SUCCESS;
        pthread_mutex_unlock(&state.lock);
        return NVML_ERROR_UNINITIALIZED;
}

static nvmlReturn_t leave(nvmlReturn_t r) {
        pthread_mutex_unlock(&state.lock);
        return r;
}

static bool in_array(const struct nvmlDevice_st *base, size_t n, uintptr_t p) {
        uintptr_t b = (uintptr_t) base;
        return base && p >= b && p < b + n * sizeof(*base) && (p - b) % sizeof(*base) == 0;
}

/* Handles are only ever compared by address before they are trusted, so a
 * stale or made-up one is refused rather than followed. */
static struct nvmlDevice_st *lookup(nvmlDevice_t device) {
        uintptr_t p = (uintptr_t) device;
        if (in_array(state.gpus, state.n_gpus, p) || in_array(state.migs, state.n_migs, p))
                return device;
        return NULL;
}

static nvmlReturn_t copy_string(char *buf, unsigned int length, const char *s) {
        if (!buf)
                return NVML_ERROR_INVALID_ARGUMENT;
        if (strlen(s) + 1 > length)
                return NVML_ERROR_INSUFFICIENT_SIZE;
        memcpy(buf, s, strlen(s) + 1);
        return NVML_SUCCESS;
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        return leave(copy_string(version, length, state.driver_version));
}

nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length) {
        char v[NVML_SYSTEM_NVML_VERSION_BUFFER_SIZE + 8];
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        snprintf(v, sizeof(v), "12.%s", state.driver_version);
        return leave(copy_string(version, length, v));
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        if (!deviceCount)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        *deviceCount = (unsigned) state.n_gpus;
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetCount(unsigned int *deviceCount) {
        return nvmlDeviceGetCount_v2(deviceCount);
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        if (!device || index >= state.n_gpus)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        *device = &state.gpus[index];
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, nvmlDevice_t *device) {
        return nvmlDeviceGetHandleByIndex_v2(index, device);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(device);
        if (!d)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        return leave(copy_string(uuid, length, d->uuid));
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(device);
        if (!d)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        return leave(copy_string(name, length, d->name));
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(device);
        if (!d || !pci)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        /* Like the real library: ask the parent for a MIG instance's PCI address. */
        if (d->is_mig)
                return leave(NVML_ERROR_NOT_SUPPORTED);
        memset(pci, 0, sizeof(*pci));
        snprintf(pci->busIdLegacy, sizeof(pci->busIdLegacy), "%04X:%02X:%02X.%X",
                 d->domain & 0xffff, d->bus, d->slot, d->function);
        snprintf(pci->busId, sizeof(pci->busId), "%08X:%02X:%02X.%X", d->domain, d->bus, d->slot, d->function);
        pci->domain = d->domain;
        pci->bus = d->bus;
        pci->device = d->slot;
        pci->pciDeviceId = 0x20b210deU;    /* A100-SXM4-80GB, NVIDIA */
        pci->pciSubSystemId = 0x147f10deU;
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetPciInfo_v2(nvmlDevice_t device, nvmlPciInfo_t *pci) {
        return nvmlDeviceGetPciInfo_v3(device, pci);
}

static void refresh_live(void);

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(device);
        if (!d || !memory)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        refresh_live();
        memory->total = d->memory;
        memory->used = d->memory_used;
        memory->free = d->memory - d->memory_used;
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetMemoryAffinity(nvmlDevice_t device, unsigned int nodeSetSize, unsigned long *nodeSet,
                                         nvmlAffinityScope_t scope) {
        const unsigned bits = 8 * sizeof(unsigned long);
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(device);
        if (!d || !nodeSet || nodeSetSize == 0 ||
            (scope != NVML_AFFINITY_SCOPE_NODE && scope != NVML_AFFINITY_SCOPE_SOCKET))
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        if (d->numa < 0)
                return leave(NVML_ERROR_NOT_SUPPORTED);
        if ((unsigned) d->numa >= nodeSetSize * bits)
                return leave(NVML_ERROR_INSUFFICIENT_SIZE);
        memset(nodeSet, 0, nodeSetSize * sizeof(unsigned long));
        nodeSet[(unsigned) d->numa / bits] = 1UL << ((unsigned) d->numa % bits);
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *currentMode, unsigned int *pendingMode) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(device);
        if (!d || !currentMode || !pendingMode)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        if (d->is_mig || !d->mig_capable)
                return leave(NVML_ERROR_NOT_SUPPORTED);
        *currentMode = *pendingMode = d->mig_enabled ? NVML_DEVICE_MIG_ENABLE : NVML_DEVICE_MIG_DISABLE;
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(device);
        if (!d || !count || d->is_mig)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        /* Zero when MIG is unsupported or disabled, as documented. */
        *count = d->mig_enabled ? MIG_SLICES : 0;
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index, nvmlDevice_t *migDevice) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(device);
        if (!d || !migDevice || d->is_mig)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        if (!d->mig_enabled)
                return leave(NVML_ERROR_NOT_SUPPORTED);
        if (index >= MIG_SLICES)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        if (index >= d->n_mig)
                return leave(NVML_ERROR_NOT_FOUND);
        *migDevice = &state.migs[d->first_mig + index];
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceIsMigDeviceHandle(nvmlDevice_t device, unsigned int *isMigDevice) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(device);
        if (!d || !isMigDevice)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        *isMigDevice = d->is_mig;
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetDeviceHandleFromMigDeviceHandle(nvmlDevice_t migDevice, nvmlDevice_t *device) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(migDevice);
        if (!d || !device || !d->is_mig)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        *device = &state.gpus[d->parent];
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int *id) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(device);
        if (!d || !id)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        if (!d->is_mig)
                return leave(NVML_ERROR_NOT_SUPPORTED);
        *id = d->gpu_instance_id;
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, unsigned int *id) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(device);
        if (!d || !id)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        if (!d->is_mig)
                return leave(NVML_ERROR_NOT_SUPPORTED);
        *id = d->compute_instance_id;
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetAttributes_v2(nvmlDevice_t device, nvmlDeviceAttributes_t *attributes) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        struct nvmlDevice_st *d = lookup(device);
        if (!d || !attributes)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        /* The real call, too, only answers for MIG device handles. */
        if (!d->is_mig)
                return leave(NVML_ERROR_NOT_SUPPORTED);
        *attributes = (nvmlDeviceAttributes_t) {
                .multiprocessorCount = 14 * d->compute_slices,
                .sharedCopyEngineCount = d->slices,
                .sharedDecoderCount = d->slices * 5 / 7,
                .sharedEncoderCount = 0,
                .sharedJpegCount = d->slices == MIG_SLICES ? 1 : 0,
                .sharedOfaCount = d->slices == MIG_SLICES ? 1 : 0,
                .gpuInstanceSliceCount = d->slices,
                .computeInstanceSliceCount = d->compute_slices,
                .memorySizeMB = d->memory >> 20,
        };
        return leave(NVML_SUCCESS);
}

/* --- live values: utilisation and processes ----------------------------------- */

/* The entry of a device in a freshly read inventory, by UUID. */
static json_t *entry_of(json_t *root, const struct nvmlDevice_st *d) {
        size_t g, m;
        json_t *gpu, *mig;
        json_array_foreach(json_object_get(root, "gpus"), g, gpu) {
                if (!d->is_mig) {
                        if (strcmp(json_string_value(json_object_get(gpu, "uuid")) ?: "", d->uuid) == 0)
                                return gpu;
                        continue;
                }
                json_array_foreach(json_object_get(gpu, "mig"), m, mig)
                        if (strcmp(json_string_value(json_object_get(mig, "uuid")) ?: "", d->uuid) == 0)
                                return mig;
        }
        return NULL;
}

static void refresh_device(json_t *root, struct nvmlDevice_st *d) {
        json_t *e = entry_of(root, d), *v;
        struct nvmlDevice_st fresh = { 0 };
        const char *key;
        if (!e)
                return;
        json_object_foreach(e, key, v)
                if (parse_live(key, v, &fresh) < 0)
                        return; /* a half-written file: keep what was there */
        if (fresh.memory_used > d->memory)
                return;
        d->utilization = fresh.utilization;
        d->memory_used = fresh.memory_used;
        memcpy(d->pids, fresh.pids, sizeof(d->pids));
        d->n_pids = fresh.n_pids;
}

/* With the lock held: read the live keys again when the file changed (a
 * test rewrites it to make a GPU busy or idle). */
static void refresh_live(void) {
        const char *path = getenv("BERTH_FAKE_NVML");
        struct stat st;
        if (!path || stat(path, &st) < 0)
                return;
        if (st.st_ino == state.ino && st.st_size == state.size && st.st_mtim.tv_sec == state.mtime.tv_sec &&
            st.st_mtim.tv_nsec == state.mtime.tv_nsec)
                return;
        json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, NULL);
        if (!root)
                return; /* being rewritten: try again on the next call */
        for (size_t i = 0; i < state.n_gpus; i++)
                refresh_device(root, &state.gpus[i]);
        for (size_t i = 0; i < state.n_migs; i++)
                refresh_device(root, &state.migs[i]);
        json_decref(root);
        state.mtime = st.st_mtim;
        state.size = st.st_size;
        state.ino = st.st_ino;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
        nvmlReturn_t r = enter();
        struct nvmlDevice_st *d;
        if (r != NVML_SUCCESS)
                return r;
        if (!(d = lookup(device)) || !utilization)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        refresh_live();
        utilization->gpu = d->utilization;
        utilization->memory = d->utilization; /* what the fake knows of it */
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *infoCount,
                                                     nvmlProcessInfo_t *infos) {
        nvmlReturn_t r = enter();
        struct nvmlDevice_st *d;
        if (r != NVML_SUCCESS)
                return r;
        if (!(d = lookup(device)) || !infoCount)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        refresh_live();
        if (!infos || *infoCount < d->n_pids) {
                unsigned want = (unsigned) d->n_pids;
                *infoCount = want;
                return leave(want == 0 ? NVML_SUCCESS : NVML_ERROR_INSUFFICIENT_SIZE);
        }
        for (size_t i = 0; i < d->n_pids; i++)
                infos[i] = (nvmlProcessInfo_t) {
                        .pid = d->pids[i],
                        .usedGpuMemory = 1ULL << 30,
                        .gpuInstanceId = d->is_mig ? d->gpu_instance_id : 0xFFFFFFFFu,
                        .computeInstanceId = d->is_mig ? d->compute_instance_id : 0xFFFFFFFFu,
                };
        *infoCount = (unsigned) d->n_pids;
        return leave(NVML_SUCCESS);
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, unsigned int *infoCount,
                                                     nvmlProcessInfo_t *infos) {
        return nvmlDeviceGetComputeRunningProcesses_v3(device, infoCount, infos);
}

nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device) {
        nvmlReturn_t r = enter();
        if (r != NVML_SUCCESS)
                return r;
        if (!uuid || !device)
                return leave(NVML_ERROR_INVALID_ARGUMENT);
        for (size_t i = 0; i < state.n_gpus; i++)
                if (strcmp(state.gpus[i].uuid, uuid) == 0) {
                        *device = &state.gpus[i];
                        return leave(NVML_SUCCESS);
                }
        for (size_t i = 0; i < state.n_migs; i++)
                if (strcmp(state.migs[i].uuid, uuid) == 0) {
                        *device = &state.migs[i];
                        return leave(NVML_SUCCESS);
                }
        return leave(NVML_ERROR_NOT_FOUND);
}
