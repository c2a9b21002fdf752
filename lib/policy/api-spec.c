/* SPDX-License-Identifier: MIT */
/* Docker Engine API bodies → struct container_spec, and the bodies the gate
 * forwards; see api-spec.h.  The key sets are moby's api/types
 * (container.Config, HostConfig with its embedded Resources, mount.Mount,
 * network.EndpointSettings, ExecOptions, UpdateConfig) from v20.10 (API
 * 1.41) to v27.5 (API 1.47), spelled as their JSON tags spell them.  Each
 * body is checked against its schema first (keys, types, fields that must
 * stay unset), then read into the spec as dockercli-spec.c reads argv. */
#include "policy/api-spec.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <strings.h>

#include "basic/util.h"
#include "policy/policy.h"

/* ---- the schemas -------------------------------------------------------- */

enum field_type {
        F_STRING,
        F_BOOL,
        F_INT,       /* int64 */
        F_UINT,      /* 0 or more */
        F_UINT16,
        F_UINT32,
        F_STRV,      /* []string */
        F_STRSLICE,  /* strslice.StrSlice: a string or []string */
        F_STRVV,     /* [][]string */
        F_MAP,       /* map[string]string */
        F_SET,       /* map[string]struct{} */
        F_CONSOLE,   /* [2]uint */
        F_OBJECT,    /* a struct, per sub */
        F_OBJECTS,   /* []struct */
        F_OBJECT_MAP, /* map[string]*struct */
        F_PORTMAP,   /* nat.PortMap: map[string][]struct */
};

enum field_use {
        USE_ANY,
        USE_ZERO, /* refused unless null or its type's zero value */
        USE_NULL, /* refused unless null: even the empty value means something */
};

struct schema;

struct field {
        const char *name;
        enum field_type type;
        enum field_use use;
        const struct schema *sub;
        const char *why;   /* USE_ZERO, USE_NULL: why not, and what to do */
        bool update;       /* docker update may change it */
};

struct schema {
        const struct field *fields;
        size_t n_fields;
        const struct schema *more; /* an embedded struct (HostConfig's Resources) */
};

#define FIELD(n, t) { .name = (n), .type = (t) }
#define FIELD_SUB(n, t, s) { .name = (n), .type = (t), .sub = (s) }
#define FIELD_ZERO(n, t, w) { .name = (n), .type = (t), .use = USE_ZERO, .why = (w) }
#define FIELD_ZERO_SUB(n, t, s, w) { .name = (n), .type = (t), .use = USE_ZERO, .sub = (s), .why = (w) }
#define FIELD_UPDATE(n, t) { .name = (n), .type = (t), .update = true }
#define SCHEMA(f, m) { .fields = (f), .n_fields = ELEMENTSOF(f), .more = (m) }

static const struct schema empty_schema = { 0 };

static const struct field health_fields[] = {
        FIELD("Test", F_STRV),          FIELD("Interval", F_INT),      FIELD("Timeout", F_INT),
        FIELD("StartPeriod", F_INT),    FIELD("StartInterval", F_INT), FIELD("Retries", F_INT),
};
static const struct schema health_schema = SCHEMA(health_fields, NULL);

static const struct field log_fields[] = { FIELD("Type", F_STRING), FIELD("Config", F_MAP) };
static const struct schema log_schema = SCHEMA(log_fields, NULL);

static const struct field restart_fields[] = { FIELD("Name", F_STRING), FIELD("MaximumRetryCount", F_INT) };
static const struct schema restart_schema = SCHEMA(restart_fields, NULL);

static const struct field port_fields[] = { FIELD("HostIp", F_STRING), FIELD("HostPort", F_STRING) };
static const struct schema port_schema = SCHEMA(port_fields, NULL);

static const struct field bind_opt_fields[] = {
        FIELD("Propagation", F_STRING),
        FIELD("NonRecursive", F_BOOL),
        FIELD_ZERO("CreateMountpoint", F_BOOL, "dockerd would create the host directory as root; create it yourself first."),
        FIELD("ReadOnlyNonRecursive", F_BOOL),
        FIELD("ReadOnlyForceRecursive", F_BOOL),
};
static const struct schema bind_opt_schema = SCHEMA(bind_opt_fields, NULL);

static const struct field driver_fields[] = { FIELD("Name", F_STRING), FIELD("Options", F_MAP) };
static const struct schema driver_schema = SCHEMA(driver_fields, NULL);

static const struct field volume_opt_fields[] = {
        FIELD("NoCopy", F_BOOL),
        FIELD("Labels", F_MAP),
        FIELD("Subpath", F_STRING),
        FIELD_SUB("DriverConfig", F_OBJECT, &driver_schema),
};
static const struct schema volume_opt_schema = SCHEMA(volume_opt_fields, NULL);

static const struct field tmpfs_opt_fields[] = {
        FIELD("SizeBytes", F_INT), FIELD("Mode", F_UINT32), FIELD("Options", F_STRVV),
};
static const struct schema tmpfs_opt_schema = SCHEMA(tmpfs_opt_fields, NULL);

static const struct field mount_fields[] = {
        FIELD("Type", F_STRING),
        FIELD("Source", F_STRING),
        FIELD("Target", F_STRING),
        FIELD("ReadOnly", F_BOOL),
        FIELD("Consistency", F_STRING),
        FIELD_SUB("BindOptions", F_OBJECT, &bind_opt_schema),
        FIELD_SUB("VolumeOptions", F_OBJECT, &volume_opt_schema),
        FIELD_SUB("TmpfsOptions", F_OBJECT, &tmpfs_opt_schema),
        FIELD_SUB("ClusterOptions", F_OBJECT, &empty_schema),
};
static const struct schema mount_schema = SCHEMA(mount_fields, NULL);

static const struct field weight_device_fields[] = { FIELD("Path", F_STRING), FIELD("Weight", F_UINT16) };
static const struct schema weight_device_schema = SCHEMA(weight_device_fields, NULL);

static const struct field throttle_device_fields[] = { FIELD("Path", F_STRING), FIELD("Rate", F_UINT) };
static const struct schema throttle_device_schema = SCHEMA(throttle_device_fields, NULL);

static const struct field device_fields[] = {
        FIELD("PathOnHost", F_STRING), FIELD("PathInContainer", F_STRING), FIELD("CgroupPermissions", F_STRING),
};
static const struct schema device_schema = SCHEMA(device_fields, NULL);

static const struct field device_request_fields[] = {
        FIELD("Driver", F_STRING), FIELD("Count", F_INT),  FIELD("DeviceIDs", F_STRV),
        FIELD("Capabilities", F_STRVV), FIELD("Options", F_MAP),
};
static const struct schema device_request_schema = SCHEMA(device_request_fields, NULL);

static const struct field ulimit_fields[] = { FIELD("Name", F_STRING), FIELD("Hard", F_INT), FIELD("Soft", F_INT) };
static const struct schema ulimit_schema = SCHEMA(ulimit_fields, NULL);

static const char blkio_why[] = "dockerd would look its device paths up on the host as root; leave it out.";
static const char windows_why[] = "it is a Windows option; leave it out (NanoCpus and Memory are the limits here).";

/* Resources, embedded in HostConfig and in docker update's UpdateConfig. */
static const struct field resource_fields[] = {
        FIELD_UPDATE("CpuShares", F_INT),
        FIELD_UPDATE("Memory", F_INT),
        FIELD_UPDATE("NanoCpus", F_INT),
        FIELD("CgroupParent", F_STRING),
        FIELD_UPDATE("BlkioWeight", F_UINT16),
        FIELD_ZERO_SUB("BlkioWeightDevice", F_OBJECTS, &weight_device_schema, blkio_why),
        FIELD_ZERO_SUB("BlkioDeviceReadBps", F_OBJECTS, &throttle_device_schema, blkio_why),
        FIELD_ZERO_SUB("BlkioDeviceWriteBps", F_OBJECTS, &throttle_device_schema, blkio_why),
        FIELD_ZERO_SUB("BlkioDeviceReadIOps", F_OBJECTS, &throttle_device_schema, blkio_why),
        FIELD_ZERO_SUB("BlkioDeviceWriteIOps", F_OBJECTS, &throttle_device_schema, blkio_why),
        FIELD_UPDATE("CpuPeriod", F_INT),
        FIELD_UPDATE("CpuQuota", F_INT),
        FIELD_UPDATE("CpuRealtimePeriod", F_INT),
        FIELD_UPDATE("CpuRealtimeRuntime", F_INT),
        FIELD_UPDATE("CpusetCpus", F_STRING),
        FIELD_UPDATE("CpusetMems", F_STRING),
        FIELD_SUB("Devices", F_OBJECTS, &device_schema),
        FIELD("DeviceCgroupRules", F_STRV),
        FIELD_SUB("DeviceRequests", F_OBJECTS, &device_request_schema),
        FIELD_ZERO("KernelMemory", F_INT, "kernel memory limits are deprecated and berth has no rule for them; use Memory."),
        FIELD_ZERO("KernelMemoryTCP", F_INT, "berth has no rule for kernel TCP memory limits; leave it out."),
        FIELD_UPDATE("MemoryReservation", F_INT),
        FIELD_UPDATE("MemorySwap", F_INT),
        FIELD_UPDATE("MemorySwappiness", F_INT),
        FIELD("OomKillDisable", F_BOOL),
        FIELD_UPDATE("PidsLimit", F_INT),
        FIELD_SUB("Ulimits", F_OBJECTS, &ulimit_schema),
        FIELD_ZERO("CpuCount", F_INT, windows_why),
        FIELD_ZERO("CpuPercent", F_INT, windows_why),
        FIELD_ZERO("IOMaximumIOps", F_UINT, windows_why),
        FIELD_ZERO("IOMaximumBandwidth", F_UINT, windows_why),
};
static const struct schema resource_schema = SCHEMA(resource_fields, NULL);

static const struct field host_fields[] = {
        FIELD("Binds", F_STRV),
        FIELD("ContainerIDFile", F_STRING), /* the CLI writes the file; dockerd never reads it */
        FIELD_SUB("LogConfig", F_OBJECT, &log_schema),
        FIELD("NetworkMode", F_STRING),
        FIELD_SUB("PortBindings", F_PORTMAP, &port_schema),
        FIELD_SUB("RestartPolicy", F_OBJECT, &restart_schema),
        FIELD("AutoRemove", F_BOOL),
        FIELD("VolumeDriver", F_STRING),
        FIELD("VolumesFrom", F_STRV),
        FIELD("ConsoleSize", F_CONSOLE),
        FIELD("Annotations", F_MAP),
        FIELD("CapAdd", F_STRSLICE),
        FIELD("CapDrop", F_STRSLICE),
        FIELD("CgroupnsMode", F_STRING),
        FIELD("Dns", F_STRV),
        FIELD("DnsOptions", F_STRV),
        FIELD("DnsSearch", F_STRV),
        FIELD("ExtraHosts", F_STRV),
        FIELD("GroupAdd", F_STRV),
        FIELD("IpcMode", F_STRING),
        FIELD_ZERO("Cgroup", F_STRING, "it would put the container into another container's cgroup; leave it out."),
        FIELD("Links", F_STRV),
        FIELD("OomScoreAdj", F_INT),
        FIELD("PidMode", F_STRING),
        FIELD("Privileged", F_BOOL),
        FIELD("PublishAllPorts", F_BOOL),
        FIELD("ReadonlyRootfs", F_BOOL),
        FIELD("SecurityOpt", F_STRV),
        FIELD("StorageOpt", F_MAP),
        FIELD("Tmpfs", F_MAP),
        FIELD("UTSMode", F_STRING),
        FIELD("UsernsMode", F_STRING),
        FIELD("ShmSize", F_INT),
        FIELD("Sysctls", F_MAP),
        FIELD("Runtime", F_STRING),
        FIELD("Isolation", F_STRING),
        FIELD_SUB("Mounts", F_OBJECTS, &mount_schema),
        /* even [] replaces Docker's defaults: it unmasks everything */
        { .name = "MaskedPaths", .type = F_STRV, .use = USE_NULL,
          .why = "it replaces the paths Docker hides from containers and would unmask /proc; leave it out." },
        { .name = "ReadonlyPaths", .type = F_STRV, .use = USE_NULL,
          .why = "it replaces the paths Docker keeps read-only in /proc and /sys; leave it out." },
        FIELD("Init", F_BOOL),
};
static const struct schema host_schema = SCHEMA(host_fields, &resource_schema);

static const struct field ipam_fields[] = {
        FIELD("IPv4Address", F_STRING), FIELD("IPv6Address", F_STRING), FIELD("LinkLocalIPs", F_STRV),
};
static const struct schema ipam_schema = SCHEMA(ipam_fields, NULL);

static const struct field endpoint_fields[] = {
        FIELD_SUB("IPAMConfig", F_OBJECT, &ipam_schema),
        FIELD("Links", F_STRV),
        FIELD("Aliases", F_STRV),
        FIELD("MacAddress", F_STRING),
        FIELD("DriverOpts", F_MAP),
        FIELD("NetworkID", F_STRING),
        FIELD("EndpointID", F_STRING),
        FIELD("Gateway", F_STRING),
        FIELD("IPAddress", F_STRING),
        FIELD("IPPrefixLen", F_INT),
        FIELD("IPv6Gateway", F_STRING),
        FIELD("GlobalIPv6Address", F_STRING),
        FIELD("GlobalIPv6PrefixLen", F_INT),
        FIELD("DNSNames", F_STRV),
        FIELD("GwPriority", F_INT), /* API 1.48; docker-ce 28's CLI sends it at every version */
};
static const struct schema endpoint_schema = SCHEMA(endpoint_fields, NULL);

static const struct field networking_fields[] = { FIELD_SUB("EndpointsConfig", F_OBJECT_MAP, &endpoint_schema) };
static const struct schema networking_schema = SCHEMA(networking_fields, NULL);

/* container.CreateRequest: the embedded Config, HostConfig, NetworkingConfig. */
static const struct field create_fields[] = {
        FIELD("Hostname", F_STRING),
        FIELD("Domainname", F_STRING),
        FIELD("User", F_STRING),
        FIELD("AttachStdin", F_BOOL),
        FIELD("AttachStdout", F_BOOL),
        FIELD("AttachStderr", F_BOOL),
        FIELD("ExposedPorts", F_SET),
        FIELD("Tty", F_BOOL),
        FIELD("OpenStdin", F_BOOL),
        FIELD("StdinOnce", F_BOOL),
        FIELD("Env", F_STRV),
        FIELD("Cmd", F_STRSLICE),
        FIELD_SUB("Healthcheck", F_OBJECT, &health_schema),
        FIELD("ArgsEscaped", F_BOOL),
        FIELD("Image", F_STRING),
        FIELD("Volumes", F_SET),
        FIELD("WorkingDir", F_STRING),
        FIELD("Entrypoint", F_STRSLICE),
        FIELD("NetworkDisabled", F_BOOL),
        FIELD("MacAddress", F_STRING),
        FIELD("OnBuild", F_STRV),
        FIELD("Labels", F_MAP),
        FIELD("StopSignal", F_STRING),
        FIELD("StopTimeout", F_INT),
        FIELD("Shell", F_STRSLICE),
        FIELD_SUB("HostConfig", F_OBJECT, &host_schema),
        FIELD_SUB("NetworkingConfig", F_OBJECT, &networking_schema),
};
static const struct schema create_schema = SCHEMA(create_fields, NULL);

static const struct field exec_fields[] = {
        FIELD("AttachStdin", F_BOOL), FIELD("AttachStdout", F_BOOL), FIELD("AttachStderr", F_BOOL),
        FIELD("ConsoleSize", F_CONSOLE), FIELD("Detach", F_BOOL),    FIELD("DetachKeys", F_STRING),
        FIELD("Tty", F_BOOL),         FIELD("Env", F_STRV),          FIELD("Cmd", F_STRV),
        FIELD("Privileged", F_BOOL),  FIELD("User", F_STRING),       FIELD("WorkingDir", F_STRING),
        /* ExecConfig's old Container field, which Docker ignores: docker-py sends it */
        FIELD("Container", F_STRING),
};
static const struct schema exec_schema = SCHEMA(exec_fields, NULL);

/* container.UpdateConfig: the embedded Resources and RestartPolicy. */
static const struct field update_fields[] = { { .name = "RestartPolicy", .type = F_OBJECT, .sub = &restart_schema, .update = true } };
static const struct schema update_schema = SCHEMA(update_fields, &resource_schema);

static const struct field *schema_find(const struct schema *sc, const char *key, bool fold) {
        for (; sc; sc = sc->more)
                for (size_t i = 0; i < sc->n_fields; i++)
                        if (fold ? strcasecmp(sc->fields[i].name, key) == 0 : streq(sc->fields[i].name, key))
                                return &sc->fields[i];
        return NULL;
}

/* ---- messages ----------------------------------------------------------- */

#define SHOWN_MAX 96
#define PATH_MAX_MSG 192

/* What the user sent, fit for a one-line message: control characters,
 * quotes and backslashes as '?', at most SHOWN_MAX-4 bytes (cut on a
 * character boundary). */
static const char *shown(const char *s, char *buf) {
        size_t n = 0, max = SHOWN_MAX - 4;
        for (; s && s[n] && n < max; n++) {
                unsigned char c = (unsigned char) s[n];
                buf[n] = c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? '?' : (char) c;
        }
        if (s && s[n]) {
                /* s[n] is the first byte left out: no character is cut in two */
                while (n > 0 && ((unsigned char) s[n] & 0xc0) == 0x80)
                        n--;
                memcpy(buf + n, "...", 3);
                n += 3;
        }
        buf[n] = 0;
        return buf;
}

/* A place in the document for messages ("HostConfig.Mounts[0].Source"),
 * cut short when it is too long. */
static void path_printf(char *buf, const char *fmt, ...) _printf_(2, 3);
static void path_printf(char *buf, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, PATH_MAX_MSG, fmt, ap);
        va_end(ap);
}

static void path_key(char *buf, const char *where, const char *key) {
        char k[SHOWN_MAX];
        path_printf(buf, "%s%s%s", where, *where ? "." : "", shown(key, k));
}

static void path_index(char *buf, const char *where, size_t i) {
        path_printf(buf, "%s[%zu]", where, i);
}

static void path_map(char *buf, const char *where, const char *key) {
        char k[SHOWN_MAX];
        path_printf(buf, "%s[\"%s\"]", where, shown(key, k));
}

static const char *const type_words[] = {
        [F_STRING] = "a string",
        [F_BOOL] = "true or false",
        [F_INT] = "a whole number",
        [F_UINT] = "a whole number of 0 or more",
        [F_UINT16] = "a whole number from 0 to 65535",
        [F_UINT32] = "a whole number from 0 to 4294967295",
        [F_STRV] = "a list of strings",
        [F_STRSLICE] = "a string or a list of strings",
        [F_STRVV] = "a list of lists of strings",
        [F_MAP] = "an object whose values are strings",
        [F_SET] = "an object whose values are {}",
        [F_CONSOLE] = "[height, width]",
        [F_OBJECT] = "an object",
        [F_OBJECTS] = "a list of objects",
        [F_OBJECT_MAP] = "an object whose values are objects",
        [F_PORTMAP] = "an object whose values are lists of port bindings",
};

/* ---- the document ------------------------------------------------------- */

static int hex4(const char *p) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
                int c = tolower((unsigned char) p[i]), d;
                if (c >= '0' && c <= '9')
                        d = c - '0';
                else if (c >= 'a' && c <= 'f')
                        d = c - 'a' + 10;
                else
                        return -1;
                v = v * 16 + d;
        }
        return v;
}

/* jansson decodes "Hos\u0074Config" to the same key as "HostConfig", and
 * so does Docker; a key spelled so is refused all the same, because no
 * client writes one and the spelling is the kind used to slip a key past a
 * filter.  The body is valid JSON (jansson read it), so every string ends
 * at the first unescaped quote and a string followed by ':' is a key. */
static int check_raw_keys(const char *body, size_t len, struct berth_error *err) {
        for (size_t i = 0; i < len; i++) {
                if (body[i] != '"')
                        continue;
                size_t start = ++i;
                bool hidden = false;
                for (; i < len && body[i] != '"'; i++) {
                        if (body[i] != '\\')
                                continue;
                        if (++i < len && body[i] == 'u' && i + 4 < len) {
                                int c = hex4(body + i + 1);
                                if (c >= 0 && c < 0x80 && (isalnum(c) || c == '_' || c == '.' || c == '-'))
                                        hidden = true;
                                i += 4;
                        }
                }
                size_t end = i, j = i + 1;
                while (j < len && (body[j] == ' ' || body[j] == '\t' || body[j] == '\r' || body[j] == '\n'))
                        j++;
                if (hidden && j < len && body[j] == ':') {
                        /* the key as it reads, escapes of plain characters undone */
                        char key[SHOWN_MAX], buf[SHOWN_MAX];
                        size_t n = 0;
                        for (size_t k = start; k < end && n < sizeof(key) - 1; k++) {
                                int c = (unsigned char) body[k];
                                if (c == '\\') {
                                        int u = k + 5 < end && body[k + 1] == 'u' ? hex4(body + k + 2) : -1;
                                        c = u >= 0x20 && u < 0x7f ? u : '?';
                                        k += u >= 0 ? 5 : 1;
                                }
                                key[n++] = (char) c;
                        }
                        key[n] = 0;
                        return berth_error_set(err, -EPERM,
                                               "berth: the key \"%s\" is spelled with \\u escapes for plain letters; write keys plainly, as Docker's clients do.",
                                               shown(key, buf));
                }
        }
        return 0;
}

static int load_object(const char *body, size_t len, json_t **ret, struct berth_error *err) {
        json_error_t e;
        char buf[SHOWN_MAX];

        if (!body || len == 0)
                return berth_error_set(err, -EINVAL, "berth: the request has no body; send one JSON object.");
        if (len > API_BODY_MAX)
                return berth_error_set(err, -E2BIG, "berth: the request body is larger than 1 MiB; send a smaller one.");
        if (memchr(body, 0, len))
                return berth_error_set(err, -EINVAL, "berth: the request body holds a NUL byte; send plain JSON.");
        _cleanup_json_ json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
        if (!doc) {
                switch (json_error_code(&e)) {
                case json_error_out_of_memory:
                        return -ENOMEM;
                case json_error_duplicate_key: {
                        /* jansson says: duplicate object key near '"KEY"' */
                        const char *near = strstr(e.text, "near '\""), *q = near ? strrchr(near, '\'') : NULL;
                        char key[SHOWN_MAX] = "";
                        if (near && q && q > near + 7 && q[-1] == '"') {
                                size_t n = (size_t) (q - 1 - (near + 7));
                                snprintf(key, sizeof(key), "%.*s", (int) (n < sizeof(key) ? n : sizeof(key) - 1), near + 7);
                        }
                        return berth_error_set(err, -EPERM,
                                               "berth: the request body gives the key \"%s\" twice in one object; give each key once.",
                                               shown(key, buf));
                }
                default:
                        return berth_error_set(err, -EINVAL,
                                               "berth: the request body is not valid JSON (%s, line %d column %d); send one JSON object.",
                                               shown(e.text, buf), e.line, e.column);
                }
        }
        if (!json_is_object(doc))
                return berth_error_set(err, -EINVAL, "berth: the request body must be one JSON object.");
        int r = check_raw_keys(body, len, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(doc);
        return 0;
}

/* ---- checking a document against its schema ----------------------------- */

static bool is_zero(json_t *v) {
        switch (json_typeof(v)) {
        case JSON_NULL:
        case JSON_FALSE:
                return true;
        case JSON_STRING:
                return json_string_length(v) == 0;
        case JSON_INTEGER:
                return json_integer_value(v) == 0;
        case JSON_ARRAY:
                return json_array_size(v) == 0;
        case JSON_OBJECT:
                return json_object_size(v) == 0;
        case JSON_REAL:
        case JSON_TRUE:
        default:
                return false;
        }
}

static bool is_strv(json_t *v) {
        size_t i;
        json_t *e;
        if (!json_is_array(v))
                return false;
        json_array_foreach(v, i, e)
                if (!json_is_string(e))
                        return false;
        return true;
}

static bool int_in(json_t *v, json_int_t min, json_int_t max) {
        return json_is_integer(v) && json_integer_value(v) >= min && json_integer_value(v) <= max;
}

static int check_object(json_t *o, const struct schema *sc, const char *where, struct berth_error *err);

static int check_value(const struct field *f, json_t *v, const char *path, struct berth_error *err) {
        char p[PATH_MAX_MSG];
        const char *key;
        json_t *e, *x;
        size_t i, k;
        bool ok = true;
        int r;

        if (json_is_null(v))
                return 0;
        switch (f->type) {
        case F_STRING:
                ok = json_is_string(v);
                break;
        case F_BOOL:
                ok = json_is_boolean(v);
                break;
        case F_INT:
                ok = json_is_integer(v);
                break;
        case F_UINT:
                ok = int_in(v, 0, INT64_MAX);
                break;
        case F_UINT16:
                ok = int_in(v, 0, UINT16_MAX);
                break;
        case F_UINT32:
                ok = int_in(v, 0, UINT32_MAX);
                break;
        case F_STRV:
                ok = is_strv(v);
                break;
        case F_STRSLICE:
                ok = json_is_string(v) || is_strv(v);
                break;
        case F_STRVV:
                ok = json_is_array(v);
                json_array_foreach(v, i, e)
                        ok = ok && is_strv(e);
                break;
        case F_MAP:
                ok = json_is_object(v);
                json_object_foreach(v, key, e)
                        ok = ok && json_is_string(e);
                break;
        case F_SET:
                ok = json_is_object(v);
                json_object_foreach(v, key, e)
                        ok = ok && (json_is_null(e) || (json_is_object(e) && json_object_size(e) == 0));
                break;
        case F_CONSOLE:
                ok = json_is_array(v) && json_array_size(v) <= 2;
                json_array_foreach(v, i, e)
                        ok = ok && int_in(e, 0, UINT32_MAX);
                break;
        case F_OBJECT:
                if (!json_is_object(v))
                        break;
                r = check_object(v, f->sub, path, err);
                if (r < 0)
                        return r;
                break;
        case F_OBJECTS:
                if (!json_is_array(v)) {
                        ok = false;
                        break;
                }
                json_array_foreach(v, i, e) {
                        path_index(p, path, i);
                        if (!json_is_object(e))
                                return berth_error_set(err, -EINVAL, "berth: %s must be an object.", p);
                        r = check_object(e, f->sub, p, err);
                        if (r < 0)
                                return r;
                }
                break;
        case F_OBJECT_MAP:
                if (!json_is_object(v)) {
                        ok = false;
                        break;
                }
                json_object_foreach(v, key, e) {
                        path_map(p, path, key);
                        if (!json_is_object(e))
                                return berth_error_set(err, -EINVAL, "berth: %s must be an object.", p);
                        r = check_object(e, f->sub, p, err);
                        if (r < 0)
                                return r;
                }
                break;
        case F_PORTMAP:
                if (!json_is_object(v)) {
                        ok = false;
                        break;
                }
                json_object_foreach(v, key, e) {
                        char q[PATH_MAX_MSG];
                        path_map(q, path, key);
                        if (json_is_null(e))
                                continue;
                        if (!json_is_array(e))
                                return berth_error_set(err, -EINVAL, "berth: %s must be a list of port bindings.", q);
                        json_array_foreach(e, k, x) {
                                path_index(p, q, k);
                                if (!json_is_object(x))
                                        return berth_error_set(err, -EINVAL, "berth: %s must be an object.", p);
                                r = check_object(x, f->sub, p, err);
                                if (r < 0)
                                        return r;
                        }
                }
                break;
        default:
                ok = false;
                break;
        }
        if (!ok || (f->type == F_OBJECT && !json_is_object(v)))
                return berth_error_set(err, -EINVAL, "berth: %s must be %s.", path, type_words[f->type]);
        if ((f->use == USE_ZERO && !is_zero(v)) || f->use == USE_NULL)
                return berth_error_set(err, -EPERM, "berth: %s is not allowed: %s", path, f->why);
        return 0;
}

static int check_object(json_t *o, const struct schema *sc, const char *where, struct berth_error *err) {
        const char *key;
        json_t *v;

        json_object_foreach(o, key, v) {
                char path[PATH_MAX_MSG], k[SHOWN_MAX];
                const struct field *f = schema_find(sc, key, false);
                if (!f) {
                        const struct field *like = schema_find(sc, key, true);
                        const char *in = *where ? " in " : " at the top level";
                        if (like)
                                return berth_error_set(err, -EPERM,
                                                       "berth: the key \"%s\"%s%s must be written \"%s\": berth matches keys exactly, as Docker's clients write them.",
                                                       shown(key, k), in, where, like->name);
                        return berth_error_set(err, -EPERM,
                                               "berth: the key \"%s\"%s%s is not one berth knows, so the request is refused; leave it out.",
                                               shown(key, k), in, where);
                }
                path_key(path, where, key);
                int r = check_value(f, v, path, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- reading values into the spec ---------------------------------------- */

static json_int_t int_of(json_t *o, const char *key) {
        return json_integer_value(json_object_get(o, key)); /* 0 for null and absent */
}

static const char *str_of(json_t *o, const char *key) {
        return json_string_value(json_object_get(o, key)); /* NULL for null and absent */
}

/* A non-empty string into *slot; "", null and absent leave it. */
static int set_nonempty(char **slot, json_t *o, const char *key) {
        const char *v = str_of(o, key);
        if (!v || !*v)
                return 0;
        char *c = strdup(v);
        if (!c)
                return -ENOMEM;
        free(*slot);
        *slot = c;
        return 0;
}

/* A string or a list of strings, appended. */
static int push_strings(char ***list, json_t *v) {
        size_t i;
        json_t *e;
        if (json_is_string(v))
                return strv_push(list, json_string_value(v));
        json_array_foreach(v, i, e)
                if (strv_push(list, json_string_value(e)) < 0)
                        return -ENOMEM;
        return 0;
}

/* An object of strings, appended as "key=value". */
static int push_pairs(char ***list, json_t *map) {
        const char *key;
        json_t *v;
        json_object_foreach(map, key, v) {
                _cleanup_free_ char *kv = NULL;
                if (asprintf(&kv, "%s=%s", key, json_string_value(v)) < 0 || strv_push(list, kv) < 0)
                        return -ENOMEM;
        }
        return 0;
}


static int new_mount(struct spec_mount *m, enum spec_mount_kind kind, const char *type, const char *target,
                     const char *flag) {
        *m = (struct spec_mount) { .kind = kind, .type = strdup(type), .target = strdup(target), .flag = strdup(flag) };
        return m->type && m->target && m->flag ? 0 : -ENOMEM;
}

static int push_ref(struct container_spec *s, const char *name, size_t len, const char *flag, const char *where,
                    struct berth_error *err) {
        if (len == 0)
                return berth_error_set(err, -EINVAL, "berth: %s names no container.", where);
        struct spec_ref *v = reallocarray(s->refs, s->n_refs + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        s->refs = v;
        v[s->n_refs] = (struct spec_ref) { .name = strndup(name, len), .flag = strdup(flag) };
        if (!v[s->n_refs].name || !v[s->n_refs].flag) {
                free(v[s->n_refs].name);
                free(v[s->n_refs].flag);
                return -ENOMEM;
        }
        s->n_refs++;
        return 0;
}

/* "container:X" names another container (NetworkMode, PidMode, IpcMode,
 * exactly as Docker's IsContainer() reads it). */
static int ns_ref(struct container_spec *s, const char *value, const char *flag, const char *where,
                  struct berth_error *err) {
        if (!value || strncmp(value, "container:", 10) != 0)
                return 0;
        return push_ref(s, value + 10, strlen(value + 10), flag, where, err);
}

/* A Binds entry, [SOURCE:]TARGET[:MODE] as dockerd's Linux parser splits
 * it: a source that is an absolute path is a bind, one that is a volume
 * name a volume; anything else dockerd takes for a volume name its local
 * driver refuses, and so does berth. */
static int read_bind(struct container_spec *s, const char *value, const char *where, struct berth_error *err) {
        _cleanup_(spec_mount_done) struct spec_mount m = { 0 };
        char buf[SHOWN_MAX];
        const char *parts[3];
        size_t lens[3], n = 0;
        int r;

        for (const char *p = value;; n++) {
                size_t l = strcspn(p, ":");
                if (n == 3)
                        return berth_error_set(err, -EINVAL, "berth: %s '%s' is not SOURCE:TARGET[:MODE].", where,
                                               shown(value, buf));
                parts[n] = p;
                lens[n] = l;
                if (l == 0)
                        return berth_error_set(err, -EINVAL, "berth: %s '%s' has an empty part; write SOURCE:TARGET[:MODE].",
                                               where, shown(value, buf));
                if (!p[l]) {
                        n++;
                        break;
                }
                p += l + 1;
        }
        const char *target = n == 1 ? parts[0] : parts[1];
        size_t target_len = n == 1 ? lens[0] : lens[1];
        if (target[0] != '/')
                return berth_error_set(err, -EINVAL, "berth: %s '%s': the mount point must be an absolute path.", where,
                                       shown(value, buf));
        _cleanup_free_ char *t = strndup(target, target_len), *source = n > 1 ? strndup(parts[0], lens[0]) : NULL;
        if (!t || (n > 1 && !source))
                return -ENOMEM;
        enum spec_mount_kind kind = SPEC_MOUNT_VOLUME;
        if (source) {
                if (source[0] == '~')
                        return berth_error_set(err, -EINVAL,
                                               "berth: %s '%s': docker does not expand '~'; write the host path out.", where,
                                               shown(value, buf));
                if (source[0] == '/')
                        kind = SPEC_MOUNT_BIND;
                else if (!spec_volume_name_valid(source))
                        return berth_error_set(err, -EINVAL,
                                               "berth: %s '%s': the source is neither an absolute host path nor a volume name.",
                                               where, shown(value, buf));
        }
        r = new_mount(&m, kind, kind == SPEC_MOUNT_BIND ? "bind" : "volume", t, "HostConfig.Binds");
        if (r < 0)
                return r;
        m.source = TAKE_PTR(source);
        return spec_mount_push(s, &m);
}

static int read_mount(struct container_spec *s, json_t *o, const char *where, struct berth_error *err) {
        _cleanup_(spec_mount_done) struct spec_mount m = { 0 };
        const char *type = str_of(o, "Type"), *source = str_of(o, "Source"), *target = str_of(o, "Target");
        char buf[SHOWN_MAX];
        enum spec_mount_kind kind;
        int r;

        if (!type || !*type)
                return berth_error_set(err, -EINVAL, "berth: %s has no Type; give bind, volume or tmpfs.", where);
        if (!target || target[0] != '/')
                return berth_error_set(err, -EINVAL, "berth: %s needs a Target that is an absolute path.", where);
        if (source && !*source)
                source = NULL;
        /* dockerd compares the type exactly, so does berth */
        if (streq(type, "bind")) {
                kind = SPEC_MOUNT_BIND;
                if (!source || source[0] != '/')
                        return berth_error_set(err, -EINVAL, "berth: %s is a bind whose Source is not an absolute host path.",
                                               where);
        } else if (streq(type, "volume")) {
                kind = SPEC_MOUNT_VOLUME;
                if (source && !spec_volume_name_valid(source))
                        return berth_error_set(err, -EINVAL, "berth: %s: '%s' is not a volume name.", where,
                                               shown(source, buf));
        } else if (streq(type, "tmpfs"))
                kind = SPEC_MOUNT_TMPFS;
        else
                kind = SPEC_MOUNT_OTHER;
        r = new_mount(&m, kind, type, target, "HostConfig.Mounts");
        if (r < 0)
                return r;
        if (source && !(m.source = strdup(source)))
                return -ENOMEM;

        json_t *vo = json_object_get(o, "VolumeOptions");
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(vo, "Labels"), key, v) {
                _cleanup_free_ char *kv = NULL;
                if (asprintf(&kv, "%s=%s", key, json_string_value(v)) < 0)
                        return -ENOMEM;
                if (policy_label_reserved(kv))
                        return berth_error_set(err, -EPERM,
                                               "berth: the volume label '%s' in %s is berth's own and cannot be set by you.",
                                               shown(key, buf), where);
        }
        json_t *driver = json_object_get(vo, "DriverConfig");
        r = set_nonempty(&m.volume_driver, driver, "Name");
        if (r < 0)
                return r;
        r = push_pairs(&m.volume_opts, json_object_get(driver, "Options"));
        if (r < 0)
                return r;
        return spec_mount_push(s, &m);
}

static int read_device(struct container_spec *s, json_t *o, const char *where, struct berth_error *err) {
        const char *path = str_of(o, "PathOnHost");
        if (!path || !*path)
                return berth_error_set(err, -EINVAL, "berth: %s names no PathOnHost.", where);
        struct spec_device *v = reallocarray(s->devices, s->n_devices + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        s->devices = v;
        v[s->n_devices] = (struct spec_device) { .path = strdup(path) };
        if (!v[s->n_devices].path)
                return -ENOMEM;
        s->n_devices++;
        return 0;
}

static bool gpu_capability(const char *c) {
        static const char *const caps[] = { "gpu", "nvidia", "compute", "compat32", "graphics", "utility", "video", "display" };
        for (size_t i = 0; i < ELEMENTSOF(caps); i++)
                if (streq(c, caps[i]))
                        return true;
        return false;
}

/* A DeviceRequest as the --gpus value the docker CLI made it from ("all",
 * "N", "\"device=A,B\""), for policy_parse_gpus(). */
static int read_device_request(struct container_spec *s, json_t *o, const char *where, struct berth_error *err) {
        const char *driver = str_of(o, "Driver");
        json_t *caps = json_object_get(o, "Capabilities"), *ids = json_object_get(o, "DeviceIDs"), *list, *c;
        json_int_t count = int_of(o, "Count");
        char buf[SHOWN_MAX];
        size_t i, k;

        if (driver && *driver && !streq(driver, "nvidia"))
                return berth_error_set(err, -EPERM,
                                       "berth: %s asks the device driver '%s'; devices come only as GPUs, with --gpus.", where,
                                       shown(driver, buf));
        if (json_array_size(caps) == 0 && !(driver && *driver))
                return berth_error_set(err, -EINVAL, "berth: %s names neither a driver nor capabilities; ask for [[\"gpu\"]].",
                                       where);
        json_array_foreach(caps, i, list) {
                if (json_array_size(list) == 0)
                        return berth_error_set(err, -EINVAL, "berth: %s has an empty capability list.", where);
                json_array_foreach(list, k, c)
                        if (!gpu_capability(json_string_value(c)))
                                return berth_error_set(err, -EPERM,
                                                       "berth: %s asks for the capability '%s'; only GPU capabilities may be asked for.",
                                                       where, shown(json_string_value(c), buf));
        }
        if (count < -1)
                return berth_error_set(err, -EINVAL, "berth: %s has Count %lld; give -1 (all) or a number of GPUs.", where,
                                       (long long) count);
        _cleanup_free_ char *text = NULL;
        if (json_array_size(ids) > 0) {
                if (count != 0)
                        return berth_error_set(err, -EINVAL, "berth: %s gives both Count and DeviceIDs; give one of them.", where);
                size_t n_out = 0;
                FILE *f = open_memstream(&text, &n_out);
                if (!f)
                        return -ENOMEM;
                /* one CSV field, quoted: "device=A,B" with "" for a quote */
                fputs("\"device=", f);
                json_array_foreach(ids, i, c) {
                        const char *id = json_string_value(c);
                        if (strchr(id, ',')) {
                                fclose(f);
                                return berth_error_set(err, -EINVAL, "berth: %s has a device id with a comma ('%s').", where,
                                                       shown(id, buf));
                        }
                        if (i > 0)
                                fputc(',', f);
                        for (const char *p = id; *p; p++) {
                                if (*p == '"')
                                        fputc('"', f);
                                fputc(*p, f);
                        }
                }
                fputc('"', f);
                if (fclose(f) != 0 || !text)
                        return -ENOMEM;
        } else if (count == -1)
                text = strdup("all");
        else if (asprintf(&text, "%lld", (long long) count) < 0)
                text = NULL;
        if (!text)
                return -ENOMEM;
        return strv_push(&s->gpus, text);
}

/* Port keys and host ports as nat.ParsePortRange takes them: digits, a
 * range, the key with a protocol.  No ':' gets through, so the host port is
 * what the policy's -p reading finds before the last ':'. */
static bool port_range_valid(const char *p, bool proto) {
        if (!isdigit((unsigned char) *p))
                return false;
        while (isdigit((unsigned char) *p))
                p++;
        if (*p == '-') {
                if (!isdigit((unsigned char) *++p))
                        return false;
                while (isdigit((unsigned char) *p))
                        p++;
        }
        if (proto && *p == '/') {
                if (!isalpha((unsigned char) *++p))
                        return false;
                while (isalpha((unsigned char) *p))
                        p++;
        }
        return *p == 0;
}

static int read_port_bindings(struct container_spec *s, json_t *map, struct berth_error *err) {
        const char *port;
        json_t *list, *b;
        char buf[SHOWN_MAX];
        size_t i;

        json_object_foreach(map, port, list) {
                if (!port_range_valid(port, true))
                        return berth_error_set(err, -EINVAL, "berth: HostConfig.PortBindings key '%s' is not a port such as 80/tcp.",
                                               shown(port, buf));
                json_array_foreach(list, i, b) {
                        const char *ip = strempty(str_of(b, "HostIp")), *host = strempty(str_of(b, "HostPort"));
                        _cleanup_free_ char *p = NULL;
                        if (*host && !port_range_valid(host, false))
                                return berth_error_set(err, -EINVAL,
                                                       "berth: HostConfig.PortBindings HostPort '%s' is not a port or a range of ports.",
                                                       shown(host, buf));
                        int r = *ip ? asprintf(&p, "%s:%s:%s", ip, host, port)
                                : *host ? asprintf(&p, "%s:%s", host, port)
                                        : asprintf(&p, "%s", port);
                        if (r < 0 || strv_push(&s->publish, p) < 0)
                                return -ENOMEM;
                }
        }
        return 0;
}

static int push_network(struct container_spec *s, const char *net, const char *where, struct berth_error *err) {
        if (strv_contains(s->networks, net))
                return 0;
        int r = ns_ref(s, net, "--network", where, err);
        return r < 0 ? r : strv_push(&s->networks, net);
}

/* The resources of HostConfig and of docker update, as the wrapper reads
 * --cpus, --memory … (0 is Docker's "not set" for each of them). */
static int read_resources(struct container_spec *s, json_t *o, const char *where, struct berth_error *err) {
        static const char *const quota[] = { "CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime" };
        json_int_t v;
        json_t *e;
        size_t i;
        int r;

        if ((v = int_of(o, "CpuShares")) != 0) {
                s->cpu_shares_given = true;
                s->cpu_shares = v;
        }
        if ((v = int_of(o, "Memory")) < 0)
                return berth_error_set(err, -EINVAL, "berth: %sMemory must not be negative.", where);
        if (v > 0) {
                s->memory_given = true;
                s->memory = (uint64_t) v;
        }
        if ((v = int_of(o, "NanoCpus")) != 0) {
                s->cpus_given = true;
                s->cpus = (double) v / 1e9;
        }
        for (i = 0; i < ELEMENTSOF(quota); i++)
                if (int_of(o, quota[i]) != 0)
                        s->cpu_quota_given = true;
        if ((r = set_nonempty(&s->cpuset_cpus, o, "CpusetCpus")) < 0 ||
            (r = set_nonempty(&s->cpuset_mems, o, "CpusetMems")) < 0 ||
            (r = set_nonempty(&s->cgroup_parent, o, "CgroupParent")) < 0)
                return r;
        if ((v = int_of(o, "MemorySwap")) < -1)
                return berth_error_set(err, -EINVAL, "berth: %sMemorySwap must be -1 (unlimited) or a size.", where);
        if (v != 0) {
                s->memory_swap_given = true;
                s->memory_swap = v;
        }
        s->oom_kill_disable = json_is_true(json_object_get(o, "OomKillDisable"));
        json_array_foreach(json_object_get(o, "Devices"), i, e) {
                char p[PATH_MAX_MSG];
                path_printf(p, "%sDevices[%zu]", where, i);
                if ((r = read_device(s, e, p, err)) < 0)
                        return r;
        }
        if ((r = push_strings(&s->device_cgroup_rules, json_object_get(o, "DeviceCgroupRules"))) < 0)
                return r;
        json_t *reqs = json_object_get(o, "DeviceRequests");
        if (json_array_size(reqs) > 1)
                return berth_error_set(err, -EPERM, "berth: %sDeviceRequests holds more than one request; ask for GPUs once.",
                                       where);
        json_array_foreach(reqs, i, e) {
                char p[PATH_MAX_MSG];
                path_printf(p, "%sDeviceRequests[%zu]", where, i);
                if ((r = read_device_request(s, e, p, err)) < 0)
                        return r;
        }
        json_array_foreach(json_object_get(o, "Ulimits"), i, e) {
                _cleanup_free_ char *u = NULL;
                const char *name = str_of(e, "Name");
                if (!name || !*name)
                        return berth_error_set(err, -EINVAL, "berth: %sUlimits[%zu] has no Name.", where, i);
                if (asprintf(&u, "%s=%lld:%lld", name, (long long) int_of(e, "Soft"), (long long) int_of(e, "Hard")) < 0 ||
                    strv_push(&s->ulimits, u) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int read_host_config(struct container_spec *s, json_t *hc, struct berth_error *err) {
        const char *key;
        json_t *e;
        char p[PATH_MAX_MSG], buf[SHOWN_MAX];
        size_t i;
        int r;

        json_array_foreach(json_object_get(hc, "Binds"), i, e) {
                path_index(p, "HostConfig.Binds", i);
                if ((r = read_bind(s, json_string_value(e), p, err)) < 0)
                        return r;
        }
        json_array_foreach(json_object_get(hc, "Mounts"), i, e) {
                path_index(p, "HostConfig.Mounts", i);
                if ((r = read_mount(s, e, p, err)) < 0)
                        return r;
        }
        json_object_foreach(json_object_get(hc, "Tmpfs"), key, e) {
                _cleanup_(spec_mount_done) struct spec_mount m = { 0 };
                if (key[0] != '/')
                        return berth_error_set(err, -EINVAL, "berth: HostConfig.Tmpfs '%s' must be an absolute path.",
                                               shown(key, buf));
                if ((r = new_mount(&m, SPEC_MOUNT_TMPFS, "tmpfs", key, "HostConfig.Tmpfs")) < 0 ||
                    (r = spec_mount_push(s, &m)) < 0)
                        return r;
        }

        json_t *log = json_object_get(hc, "LogConfig");
        if ((r = set_nonempty(&s->log_driver, log, "Type")) < 0 ||
            (r = push_pairs(&s->log_opts, json_object_get(log, "Config"))) < 0)
                return r;
        const char *net = str_of(hc, "NetworkMode");
        if (net && *net && (r = push_network(s, net, "HostConfig.NetworkMode", err)) < 0)
                return r;
        if ((r = read_port_bindings(s, json_object_get(hc, "PortBindings"), err)) < 0 ||
            (r = set_nonempty(&s->volume_driver, hc, "VolumeDriver")) < 0)
                return r;
        const struct {
                const char *key, *flag;
        } lists[] = { { "VolumesFrom", "--volumes-from" }, { "Links", "--link" } };
        for (size_t l = 0; l < ELEMENTSOF(lists); l++)
                json_array_foreach(json_object_get(hc, lists[l].key), i, e) {
                        const char *v = json_string_value(e);
                        path_printf(p, "HostConfig.%s[%zu]", lists[l].key, i);
                        if ((r = push_ref(s, v, strcspn(v, ":"), lists[l].flag, p, err)) < 0)
                                return r;
                }
        if ((r = push_pairs(&s->annotations, json_object_get(hc, "Annotations"))) < 0 ||
            (r = push_strings(&s->cap_add, json_object_get(hc, "CapAdd"))) < 0 ||
            (r = set_nonempty(&s->cgroupns, hc, "CgroupnsMode")) < 0 ||
            (r = push_strings(&s->group_add, json_object_get(hc, "GroupAdd"))) < 0 ||
            (r = set_nonempty(&s->ipc, hc, "IpcMode")) < 0 ||
            (r = ns_ref(s, s->ipc, "--ipc", "HostConfig.IpcMode", err)) < 0 ||
            (r = set_nonempty(&s->pid, hc, "PidMode")) < 0 ||
            (r = ns_ref(s, s->pid, "--pid", "HostConfig.PidMode", err)) < 0 ||
            (r = push_strings(&s->security_opts, json_object_get(hc, "SecurityOpt"))) < 0 ||
            (r = push_pairs(&s->storage_opts, json_object_get(hc, "StorageOpt"))) < 0 ||
            (r = set_nonempty(&s->uts, hc, "UTSMode")) < 0 || (r = set_nonempty(&s->userns, hc, "UsernsMode")) < 0 ||
            (r = push_pairs(&s->sysctls, json_object_get(hc, "Sysctls"))) < 0 ||
            (r = set_nonempty(&s->runtime, hc, "Runtime")) < 0)
                return r;
        json_int_t adj = int_of(hc, "OomScoreAdj");
        if (adj < -1000 || adj > 1000)
                return berth_error_set(err, -EINVAL, "berth: HostConfig.OomScoreAdj must be between -1000 and 1000.");
        if (adj != 0) {
                s->oom_score_adj_given = true;
                s->oom_score_adj = (long) adj;
        }
        s->privileged = json_is_true(json_object_get(hc, "Privileged"));
        const char *iso = str_of(hc, "Isolation");
        if (iso && *iso && !streq(iso, "default"))
                return berth_error_set(err, -EPERM,
                                       "berth: HostConfig.Isolation '%s' is not allowed: Linux containers have only the default isolation; leave it out.",
                                       shown(iso, buf));
        return read_resources(s, hc, "HostConfig.", err);
}

static int read_networking(struct container_spec *s, json_t *nc, struct berth_error *err) {
        const char *net;
        json_t *ep, *e;
        char p[PATH_MAX_MSG];
        size_t i;
        int r;

        json_object_foreach(json_object_get(nc, "EndpointsConfig"), net, ep) {
                path_map(p, "NetworkingConfig.EndpointsConfig", net);
                if (!*net)
                        return berth_error_set(err, -EINVAL, "berth: %s names no network.", p);
                if ((r = push_network(s, net, p, err)) < 0)
                        return r;
                json_array_foreach(json_object_get(ep, "Links"), i, e) {
                        const char *v = json_string_value(e);
                        if ((r = push_ref(s, v, strcspn(v, ":"), "--link", p, err)) < 0)
                                return r;
                }
        }
        return 0;
}

/* The top level may not carry HostConfig's fields: dockerd up to 20.10
 * read them there (and "Cpuset") when "HostConfig" was absent. */
static int check_top_level(json_t *doc, struct berth_error *err) {
        const char *key;
        json_t *v;
        json_object_foreach(doc, key, v) {
                char k[SHOWN_MAX];
                if (schema_find(&create_schema, key, false))
                        continue;
                if (schema_find(&host_schema, key, true) || strcasecmp(key, "Cpuset") == 0)
                        return berth_error_set(err, -EPERM,
                                               "berth: HostConfig fields at the top level of a create request are refused (\"%s\"); put them inside \"HostConfig\".",
                                               shown(key, k));
        }
        return 0;
}

int api_create_parse(const char *body, size_t len, struct container_spec *ret, json_t **ret_doc,
                     struct berth_error *err) {
        _cleanup_(container_spec_done) struct container_spec s = { 0 };
        _cleanup_json_ json_t *doc = NULL;
        const char *key;
        json_t *e;
        char buf[SHOWN_MAX];
        int r;

        if (!ret)
                return -EINVAL;
        if ((r = load_object(body, len, &doc, err)) < 0 || (r = check_top_level(doc, err)) < 0 ||
            (r = check_object(doc, &create_schema, "", err)) < 0)
                return r;

        const char *image = str_of(doc, "Image");
        if (!image || !*image)
                return berth_error_set(err, -EINVAL, "berth: a create request needs an \"Image\".");
        if (!(s.image = strdup(image)))
                return -ENOMEM;
        if ((r = set_nonempty(&s.user, doc, "User")) < 0 || (r = push_strings(&s.env, json_object_get(doc, "Env"))) < 0 ||
            (r = push_pairs(&s.labels, json_object_get(doc, "Labels"))) < 0)
                goto fail;
        if ((r = read_host_config(&s, json_object_get(doc, "HostConfig"), err)) < 0)
                goto fail;
        json_object_foreach(json_object_get(doc, "Volumes"), key, e) {
                _cleanup_(spec_mount_done) struct spec_mount m = { 0 };
                if (key[0] != '/') {
                        r = berth_error_set(err, -EINVAL, "berth: Volumes '%s' must be an absolute path.", shown(key, buf));
                        goto fail;
                }
                if ((r = new_mount(&m, SPEC_MOUNT_VOLUME, "volume", key, "Volumes")) < 0 || (r = spec_mount_push(&s, &m)) < 0)
                        goto fail;
        }
        if ((r = read_networking(&s, json_object_get(doc, "NetworkingConfig"), err)) < 0)
                goto fail;

        *ret = s;
        s = (struct container_spec) { 0 };
        if (ret_doc)
                *ret_doc = TAKE_PTR(doc);
        return 0;
fail:
        return r == -ENOMEM ? berth_error_set(err, r, "berth: out of memory.") : r;
}

/* ---- the body to forward ------------------------------------------------ */

int api_body_dump(const json_t *doc, char **ret_body) {
        if (!doc || !ret_body)
                return -EINVAL;
        char *s = json_dumps(doc, JSON_COMPACT);
        if (!s)
                return -ENOMEM;
        *ret_body = s;
        return 0;
}

/* The object at o[key], made one when it is absent or null. */
static json_t *object_at(json_t *o, const char *key) {
        json_t *v = json_object_get(o, key);
        if (json_is_object(v))
                return v;
        v = json_object();
        if (!v || json_object_set_new(o, key, v) < 0)
                return NULL;
        return v;
}

static bool is_string_map(json_t *v) {
        const char *key;
        json_t *e;
        if (!json_is_object(v))
                return false;
        json_object_foreach(v, key, e)
                if (!json_is_string(e))
                        return false;
        return true;
}

/* Bind sources, volume driver options and device paths as the caller
 * resolved them, found by walking the document in the order the spec was
 * made from it. */
static int write_resolved(json_t *hc, const struct container_spec *spec) {
        size_t i, k = 0;
        json_t *e;

        json_array_foreach(json_object_get(hc, "Binds"), i, e) {
                if (k >= spec->n_mounts || !streq_ptr(spec->mounts[k].flag, "HostConfig.Binds"))
                        return -EINVAL;
                const struct spec_mount *m = &spec->mounts[k++];
                const char *v = json_string_value(e);
                if (!v)
                        return -EINVAL;
                if (m->kind != SPEC_MOUNT_BIND || !m->source || !m->resolved || streq(m->source, m->resolved))
                        continue;
                size_t n = strlen(m->source);
                if (strncmp(v, m->source, n) != 0 || v[n] != ':' || strchr(m->resolved, ':'))
                        return -EINVAL;
                _cleanup_free_ char *nv = NULL;
                if (asprintf(&nv, "%s%s", m->resolved, v + n) < 0 ||
                    json_array_set_new(json_object_get(hc, "Binds"), i, json_string(nv)) < 0)
                        return -ENOMEM;
        }
        json_array_foreach(json_object_get(hc, "Mounts"), i, e) {
                if (k >= spec->n_mounts || !streq_ptr(spec->mounts[k].flag, "HostConfig.Mounts"))
                        return -EINVAL;
                const struct spec_mount *m = &spec->mounts[k++];
                if (m->kind == SPEC_MOUNT_BIND && m->resolved &&
                    json_object_set_new(e, "Source", json_string(m->resolved)) < 0)
                        return -ENOMEM;
                /* the options the user gave, with the values the caller
                 * resolved (device=); options the caller added from an
                 * existing volume are Docker's already */
                json_t *driver = json_object_get(json_object_get(e, "VolumeOptions"), "DriverConfig");
                json_t *opts = json_object_get(driver, "Options");
                if (json_object_size(opts) == 0)
                        continue;
                _cleanup_json_ json_t *nopts = json_object();
                const char *key;
                json_t *v;
                size_t n = 0;
                if (!nopts)
                        return -ENOMEM;
                json_object_foreach(opts, key, v) {
                        const char *opt = n < strv_length(m->volume_opts) ? m->volume_opts[n] : NULL;
                        size_t kl = strlen(key);
                        n++;
                        if (opt && strncmp(opt, key, kl) == 0 && opt[kl] == '=')
                                v = json_string(opt + kl + 1);
                        else
                                json_incref(v);
                        if (json_object_set_new(nopts, key, v) < 0)
                                return -ENOMEM;
                }
                if (json_object_set(driver, "Options", nopts) < 0)
                        return -ENOMEM;
        }
        size_t d = 0;
        json_array_foreach(json_object_get(hc, "Devices"), i, e) {
                if (d >= spec->n_devices)
                        return -EINVAL;
                const struct spec_device *dev = &spec->devices[d++];
                if (!streq_ptr(str_of(e, "PathOnHost"), dev->path))
                        return -EINVAL;
                if (dev->resolved && !streq(dev->resolved, dev->path) &&
                    json_object_set_new(e, "PathOnHost", json_string(dev->resolved)) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static bool label_is_berths(const char *key) {
        while (isspace((unsigned char) *key))
                key++;
        return strncasecmp(key, "berth.", 6) == 0;
}

static int write_labels(json_t *doc, json_t *labels) {
        json_t *have = object_at(doc, "Labels"), *v;
        const char *key;
        void *tmp;

        if (!have)
                return -ENOMEM;
        json_object_foreach_safe(have, tmp, key, v)
                if (label_is_berths(key) && json_object_del(have, key) < 0)
                        return -ENOMEM;
        json_object_foreach(labels, key, v)
                if (json_object_set(have, key, v) < 0)
                        return -ENOMEM;
        return 0;
}

/* The user's GPU variables (and any the inject sets) go; the inject's are
 * appended. */
static int write_env(json_t *doc, json_t *env) {
        _cleanup_json_ json_t *out = json_array();
        const char *key;
        json_t *e, *x;
        size_t i;

        if (!out)
                return -ENOMEM;
        json_array_foreach(json_object_get(doc, "Env"), i, e) {
                const char *v = json_string_value(e);
                size_t n = strcspn(v, "=");
                bool drop = policy_env_is_gpu(v);
                json_object_foreach(env, key, x)
                        drop = drop || (strlen(key) == n && strncmp(v, key, n) == 0);
                if (!drop && json_array_append_new(out, json_string(v)) < 0)
                        return -ENOMEM;
        }
        json_object_foreach(env, key, e) {
                _cleanup_free_ char *kv = NULL;
                if (asprintf(&kv, "%s=%s", key, json_string_value(e)) < 0 || json_array_append_new(out, json_string(kv)) < 0)
                        return -ENOMEM;
        }
        return json_object_set(doc, "Env", out) < 0 ? -ENOMEM : 0;
}

/* One request for the reserved GPUs ("device=UUID,…"), as the docker CLI
 * makes it from --gpus device=…; none without GPUs. */
static int write_gpus(json_t *hc, const char *gpus) {
        if (!gpus) {
                (void) json_object_del(hc, "DeviceRequests"); /* -1: there was none */
                return 0;
        }
        _cleanup_json_ json_t *ids = json_array();
        if (!ids)
                return -ENOMEM;
        for (const char *p = gpus + 7;;) {
                size_t n = strcspn(p, ",");
                if (n > 0 && json_array_append_new(ids, json_stringn(p, n)) < 0)
                        return -ENOMEM;
                if (!p[n])
                        break;
                p += n + 1;
        }
        json_t *req = json_pack("[{s:s,s:i,s:O,s:[[s]],s:{}}]", "Driver", "", "Count", 0, "DeviceIDs", ids,
                                "Capabilities", "gpu", "Options");
        return !req || json_object_set_new(hc, "DeviceRequests", req) < 0 ? -ENOMEM : 0;
}

/* The slice's defaults for what the user left unsaid (the wrapper's
 * --cpus "%.3f", --memory, --cpuset-cpus/--cpuset-mems together). */
static int write_limits(json_t *hc, const struct container_spec *spec, json_t *inject) {
        json_t *cpus = json_object_get(inject, "cpus"), *mem = json_object_get(inject, "memory");
        if (!spec->cpus_given && json_is_number(cpus) && json_number_value(cpus) > 0 &&
            json_object_set_new(hc, "NanoCpus", json_integer((json_int_t) llround(json_number_value(cpus) * 1000) * 1000000)) < 0)
                return -ENOMEM;
        if (!spec->memory_given && json_is_integer(mem) && json_integer_value(mem) > 0 &&
            json_object_set_new(hc, "Memory", json_integer(json_integer_value(mem))) < 0)
                return -ENOMEM;
        const char *cpuset = str_of(inject, "cpuset_cpus"), *mems = str_of(inject, "cpuset_mems");
        if (cpuset && mems && !spec->cpuset_cpus && !spec->cpuset_mems &&
            (json_object_set_new(hc, "CpusetCpus", json_string(cpuset)) < 0 ||
             json_object_set_new(hc, "CpusetMems", json_string(mems)) < 0))
                return -ENOMEM;
        return 0;
}

/* User UID:GID, GroupAdd the owner's other groups, no-new-privileges. */
static int write_owner(json_t *doc, json_t *hc, const struct api_owner *owner) {
        char buf[64];
        json_t *e;
        size_t i;

        snprintf(buf, sizeof(buf), "%u:%u", (unsigned) owner->uid, (unsigned) owner->gid);
        if (json_object_set_new(doc, "User", json_string(buf)) < 0)
                return -ENOMEM;
        _cleanup_json_ json_t *groups = json_array();
        if (!groups)
                return -ENOMEM;
        for (i = 0; i < owner->n_gids; i++) {
                bool seen = owner->gids[i] == owner->gid;
                for (size_t j = 0; j < i && !seen; j++)
                        seen = owner->gids[j] == owner->gids[i];
                if (seen)
                        continue;
                snprintf(buf, sizeof(buf), "%u", (unsigned) owner->gids[i]);
                if (json_array_append_new(groups, json_string(buf)) < 0)
                        return -ENOMEM;
        }
        if (json_object_set(hc, "GroupAdd", groups) < 0)
                return -ENOMEM;
        json_t *opts = json_object_get(hc, "SecurityOpt");
        if (!json_is_array(opts)) {
                opts = json_array();
                if (!opts || json_object_set_new(hc, "SecurityOpt", opts) < 0)
                        return -ENOMEM;
        }
        json_array_foreach(opts, i, e)
                if (streq_ptr(json_string_value(e), "no-new-privileges"))
                        return 0;
        return json_array_append_new(opts, json_string("no-new-privileges")) < 0 ? -ENOMEM : 0;
}

int api_create_rewrite(const json_t *doc, const struct container_spec *spec, json_t *inject,
                       const struct api_owner *owner, char **ret_body) {
        if (!json_is_object(doc) || !spec || !ret_body)
                return -EINVAL;
        if (!json_is_object(inject))
                return -EBADMSG;

        /* what slicemgr said, checked before anything is written */
        const char *name = str_of(inject, "name"), *parent = str_of(inject, "cgroup_parent");
        json_t *labels = json_object_get(inject, "labels"), *env = json_object_get(inject, "env"),
               *gpus = json_object_get(inject, "gpus");
        if (!name || !parent || (labels && !is_string_map(labels)) || (env && !is_string_map(env)) ||
            (gpus && !json_is_null(gpus) && (!json_is_string(gpus) || strncmp(json_string_value(gpus), "device=", 7) != 0)))
                return -EBADMSG;

        _cleanup_json_ json_t *d = json_deep_copy(doc);
        if (!d)
                return -ENOMEM;
        json_t *hc = object_at(d, "HostConfig");
        if (!hc)
                return -ENOMEM;
        int r = write_resolved(hc, spec);
        if (r < 0)
                return r;
        /* the image as the spec resolved it (the caller's own berth/<user>/… first) */
        if (spec->image && json_object_set_new(d, "Image", json_string(spec->image)) < 0)
                return -ENOMEM;
        if (write_labels(d, labels) < 0 || json_object_set_new(hc, "CgroupParent", json_string(parent)) < 0 ||
            write_gpus(hc, json_string_value(gpus)) < 0 || write_env(d, env) < 0 || write_limits(hc, spec, inject) < 0 ||
            (owner && write_owner(d, hc, owner) < 0))
                return -ENOMEM;
        return api_body_dump(d, ret_body);
}

/* ---- exec and update ---------------------------------------------------- */

void api_exec_done(struct api_exec *e) {
        if (!e)
                return;
        free(e->user);
        strv_free(e->env);
        *e = (struct api_exec) { 0 };
}

int api_exec_parse(const char *body, size_t len, struct api_exec *ret, json_t **ret_doc, struct berth_error *err) {
        _cleanup_(api_exec_done) struct api_exec x = { 0 };
        _cleanup_json_ json_t *doc = NULL;
        int r;

        if (!ret)
                return -EINVAL;
        if ((r = load_object(body, len, &doc, err)) < 0 || (r = check_object(doc, &exec_schema, "", err)) < 0)
                return r;
        if ((r = set_nonempty(&x.user, doc, "User")) < 0 || (r = push_strings(&x.env, json_object_get(doc, "Env"))) < 0)
                return berth_error_set(err, r, "berth: out of memory.");
        x.privileged = json_is_true(json_object_get(doc, "Privileged"));
        *ret = x;
        x = (struct api_exec) { 0 };
        if (ret_doc)
                *ret_doc = TAKE_PTR(doc);
        return 0;
}

int api_exec_rewrite(const json_t *doc, const struct api_owner *owner, char **ret_body) {
        char buf[64];

        if (!json_is_object(doc) || !ret_body)
                return -EINVAL;
        _cleanup_json_ json_t *d = json_deep_copy(doc);
        if (!d)
                return -ENOMEM;
        if (owner) {
                snprintf(buf, sizeof(buf), "%u:%u", (unsigned) owner->uid, (unsigned) owner->gid);
                if (json_object_set_new(d, "User", json_string(buf)) < 0)
                        return -ENOMEM;
        }
        return api_body_dump(d, ret_body);
}

int api_update_parse(const char *body, size_t len, struct container_spec *ret, json_t **ret_doc,
                     struct berth_error *err) {
        _cleanup_(container_spec_done) struct container_spec s = { 0 };
        _cleanup_json_ json_t *doc = NULL;
        const char *key;
        json_t *v;
        int r;

        if (!ret)
                return -EINVAL;
        if ((r = load_object(body, len, &doc, err)) < 0 || (r = check_object(doc, &update_schema, "", err)) < 0)
                return r;
        /* dockerd's update applies the resources docker update has options
         * for and ignores the rest: those must stay unset */
        json_object_foreach(doc, key, v) {
                const struct field *f = schema_find(&update_schema, key, false);
                if (f && !f->update && !is_zero(v))
                        return berth_error_set(err, -EPERM,
                                               "berth: %s cannot be changed by docker update; only CPUs, memory, pids, block IO weight and the restart policy can.",
                                               f->name);
        }
        r = read_resources(&s, doc, "", err);
        if (r < 0)
                return r == -ENOMEM ? berth_error_set(err, r, "berth: out of memory.") : r;
        *ret = s;
        s = (struct container_spec) { 0 };
        if (ret_doc)
                *ret_doc = TAKE_PTR(doc);
        return 0;
}
