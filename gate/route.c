/* SPDX-License-Identifier: MIT */
#include "route.h"

#include <stdbool.h>
#include <stdint.h>

#include "basic/util.h"

/* The table: every route dockerd's router registers (moby
 * api/server/router/…, v20.10 for API 1.41 to v27.5 for API 1.47), in the
 * order of its routers.  Literal routes come before the {…} routes they
 * could be mistaken for. */

#define FORWARD(m, p, f, ...) { .method = m, .pattern = p, .kind = ROUTE_FORWARD, .flags = f, __VA_ARGS__ }
#define OWNER(m, p, o, f, ...) { .method = m, .pattern = p, .kind = ROUTE_OWNER, .op = o, .flags = f, __VA_ARGS__ }
#define EXEC(m, p, o, f) { .method = m, .pattern = p, .kind = ROUTE_EXEC, .op = o, .flags = f }
#define POLICY(m, p, o, f, ...) { .method = m, .pattern = p, .kind = ROUTE_POLICY, .op = o, .flags = f, __VA_ARGS__ }
#define FILTER(m, p, o, f, ...) { .method = m, .pattern = p, .kind = ROUTE_FILTER, .op = o, .flags = f, __VA_ARGS__ }
#define DENY(m, p, f, why) { .method = m, .pattern = p, .kind = ROUTE_DENY, .flags = f, .deny_reason = why }

#define NOBODY ROUTE_BODY_NONE
#define JSONBODY ROUTE_BODY_JSON
#define BULKBODY ROUTE_BODY_BULK
#define STREAM ROUTE_STREAM
#define DOWNLOAD ROUTE_DOWNLOAD
#define HIJACK ROUTE_HIJACK

static const char deny_swarm[] =
        "berth: swarm mode is not available on this shared machine; run containers with 'docker run' or 'docker compose' instead.";
static const char deny_services[] = "berth: swarm services are not available on this shared machine.";
static const char deny_nodes[] = "berth: swarm nodes are not available on this shared machine.";
static const char deny_tasks[] = "berth: swarm tasks are not available on this shared machine.";
static const char deny_secrets[] = "berth: swarm secrets are not available on this shared machine.";
static const char deny_configs[] = "berth: swarm configs are not available on this shared machine.";
static const char deny_cluster_volumes[] =
        "berth: cluster volumes belong to swarm mode, which is not available on this shared machine.";
static const char deny_plugins[] =
        "berth: Docker plugins are managed by the administrators of this shared machine; ask them to install one.";
static const char deny_checkpoints[] =
        "berth: container checkpoints are not available on this shared machine.";
static const char deny_grpc[] =
        "berth: BuildKit's gRPC endpoint (docker buildx) is not available on this shared machine; use plain 'docker build' instead.";
static const char deny_debug[] = "berth: dockerd's debug endpoints are for the administrators of this shared machine.";
static const char deny_options[] = "berth: OPTIONS (CORS preflight) requests are not served on this shared machine.";

static const struct route routes[] = {
        /* System (router/system): all callers may ask; events and df are narrowed. */
        FORWARD("GET", "/_ping", NOBODY),
        FORWARD("HEAD", "/_ping", NOBODY),
        FORWARD("GET", "/version", NOBODY),
        FORWARD("GET", "/info", NOBODY),
        FORWARD("POST", "/auth", JSONBODY),
        FILTER("GET", "/events", ROUTE_OP_EVENTS, STREAM | NOBODY),
        FILTER("GET", "/system/df", ROUTE_OP_SYSTEM_DF, NOBODY, .repeatable = "type"),

        /* Containers as a collection (router/container). */
        POLICY("POST", "/containers/create", ROUTE_OP_CONTAINER_CREATE, JSONBODY),
        FILTER("GET", "/containers/json", ROUTE_OP_CONTAINER_LIST, NOBODY),
        FILTER("POST", "/containers/prune", ROUTE_OP_CONTAINER_PRUNE, NOBODY),

        /* One container named in the path; dockerd's {name:.*} is one segment
         * here, since no container name or id contains '/'. */
        OWNER("GET", "/containers/{id}/json", ROUTE_OP_NONE, NOBODY),
        OWNER("GET", "/containers/{id}/top", ROUTE_OP_NONE, NOBODY),
        OWNER("GET", "/containers/{id}/logs", ROUTE_OP_NONE, STREAM | DOWNLOAD | NOBODY, .live = "follow"),
        OWNER("GET", "/containers/{id}/changes", ROUTE_OP_NONE, NOBODY),
        OWNER("GET", "/containers/{id}/export", ROUTE_OP_NONE, STREAM | DOWNLOAD | NOBODY),
        OWNER("GET", "/containers/{id}/stats", ROUTE_OP_NONE, STREAM | NOBODY),
        OWNER("POST", "/containers/{id}/resize", ROUTE_OP_NONE, NOBODY),
        OWNER("POST", "/containers/{id}/start", ROUTE_OP_CONTAINER_START, NOBODY),
        OWNER("POST", "/containers/{id}/stop", ROUTE_OP_NONE, NOBODY),
        OWNER("POST", "/containers/{id}/restart", ROUTE_OP_CONTAINER_START, NOBODY),
        OWNER("POST", "/containers/{id}/kill", ROUTE_OP_NONE, NOBODY),
        OWNER("POST", "/containers/{id}/pause", ROUTE_OP_NONE, NOBODY),
        OWNER("POST", "/containers/{id}/unpause", ROUTE_OP_NONE, NOBODY),
        POLICY("POST", "/containers/{id}/update", ROUTE_OP_CONTAINER_UPDATE, JSONBODY),
        OWNER("POST", "/containers/{id}/rename", ROUTE_OP_CONTAINER_RENAME, NOBODY),
        OWNER("POST", "/containers/{id}/attach", ROUTE_OP_CONTAINER_ATTACH, HIJACK | NOBODY),
        OWNER("GET", "/containers/{id}/attach/ws", ROUTE_OP_CONTAINER_ATTACH, HIJACK | NOBODY),
        OWNER("POST", "/containers/{id}/wait", ROUTE_OP_NONE, STREAM | NOBODY),
        OWNER("DELETE", "/containers/{id}", ROUTE_OP_CONTAINER_DELETE, NOBODY),
        OWNER("GET", "/containers/{id}/archive", ROUTE_OP_CONTAINER_ARCHIVE, STREAM | DOWNLOAD | NOBODY),
        OWNER("HEAD", "/containers/{id}/archive", ROUTE_OP_CONTAINER_ARCHIVE, NOBODY),
        OWNER("PUT", "/containers/{id}/archive", ROUTE_OP_CONTAINER_ARCHIVE, BULKBODY),
        POLICY("POST", "/containers/{id}/exec", ROUTE_OP_EXEC_CREATE, JSONBODY),

        /* Checkpoints (router/checkpoint, experimental): CRIU is no shared-box tool. */
        DENY("GET", "/containers/{id}/checkpoints", NOBODY, deny_checkpoints),
        DENY("POST", "/containers/{id}/checkpoints", JSONBODY, deny_checkpoints),
        DENY("DELETE", "/containers/{id}/checkpoints/{checkpoint}", NOBODY, deny_checkpoints),

        /* Exec instances (router/container/exec.go): the engine maps the id to its container. */
        EXEC("POST", "/exec/{id}/start", ROUTE_OP_EXEC_START, HIJACK | JSONBODY),
        EXEC("POST", "/exec/{id}/resize", ROUTE_OP_NONE, NOBODY),
        EXEC("GET", "/exec/{id}/json", ROUTE_OP_NONE, NOBODY),

        /* Images (router/image): reads are free, writes land in the caller's namespace. */
        FILTER("GET", "/images/json", ROUTE_OP_IMAGE_LIST, NOBODY),
        FORWARD("GET", "/images/search", NOBODY),
        FORWARD("GET", "/images/get", STREAM | DOWNLOAD | NOBODY, .repeatable = "names"),
        FORWARD("GET", "/images/{name:.*}/get", STREAM | DOWNLOAD | NOBODY),
        FORWARD("GET", "/images/{name:.*}/history", NOBODY),
        FORWARD("GET", "/images/{name:.*}/json", NOBODY),
        /* dockerd pulls when fromImage is non-empty and imports otherwise. */
        POLICY("POST", "/images/create", ROUTE_OP_IMAGE_PULL, STREAM | NOBODY, .when = "fromImage"),
        POLICY("POST", "/images/create", ROUTE_OP_IMAGE_IMPORT, STREAM | BULKBODY, .repeatable = "changes"),
        POLICY("POST", "/images/load", ROUTE_OP_IMAGE_LOAD, STREAM | BULKBODY),
        FILTER("POST", "/images/prune", ROUTE_OP_IMAGE_PRUNE, NOBODY),
        POLICY("POST", "/images/{name:.*}/push", ROUTE_OP_IMAGE_PUSH, STREAM | NOBODY),
        POLICY("POST", "/images/{name:.*}/tag", ROUTE_OP_IMAGE_TAG, NOBODY),
        POLICY("DELETE", "/images/{name:.*}", ROUTE_OP_IMAGE_DELETE, NOBODY),
        POLICY("POST", "/commit", ROUTE_OP_COMMIT, JSONBODY, .repeatable = "changes"),

        /* Distribution (router/distribution): a registry lookup by name. */
        FORWARD("GET", "/distribution/{name:.*}/json", NOBODY),

        /* Build (router/build, router/session, router/grpc). */
        POLICY("POST", "/build", ROUTE_OP_BUILD, STREAM | BULKBODY, .repeatable = "t extrahosts securityopt"),
        FILTER("POST", "/build/prune", ROUTE_OP_BUILD_PRUNE, NOBODY),
        POLICY("POST", "/build/cancel", ROUTE_OP_BUILD_CANCEL, NOBODY),
        POLICY("POST", "/session", ROUTE_OP_SESSION, HIJACK | NOBODY),
        DENY("POST", "/grpc", HIJACK | NOBODY, deny_grpc),

        /* Volumes (router/volume): owned by label; {name:.*} is one segment here. */
        POLICY("POST", "/volumes/create", ROUTE_OP_VOLUME_CREATE, JSONBODY),
        FILTER("GET", "/volumes", ROUTE_OP_VOLUME_LIST, NOBODY),
        FILTER("POST", "/volumes/prune", ROUTE_OP_VOLUME_PRUNE, NOBODY),
        POLICY("GET", "/volumes/{name}", ROUTE_OP_VOLUME_TARGET, NOBODY),
        POLICY("DELETE", "/volumes/{name}", ROUTE_OP_VOLUME_TARGET, NOBODY),
        DENY("PUT", "/volumes/{name}", JSONBODY, deny_cluster_volumes),

        /* Networks (router/network): owned by label; {id:.*} is one segment here. */
        POLICY("POST", "/networks/create", ROUTE_OP_NETWORK_CREATE, JSONBODY),
        FILTER("GET", "/networks", ROUTE_OP_NETWORK_LIST, NOBODY),
        FILTER("GET", "/networks/", ROUTE_OP_NETWORK_LIST, NOBODY),
        FILTER("POST", "/networks/prune", ROUTE_OP_NETWORK_PRUNE, NOBODY),
        POLICY("GET", "/networks/{id}", ROUTE_OP_NETWORK_TARGET, NOBODY),
        POLICY("DELETE", "/networks/{id}", ROUTE_OP_NETWORK_TARGET, NOBODY),
        POLICY("POST", "/networks/{id}/connect", ROUTE_OP_NETWORK_CONNECT, JSONBODY),
        POLICY("POST", "/networks/{id}/disconnect", ROUTE_OP_NETWORK_DISCONNECT, JSONBODY),

        /* Swarm (router/swarm): one machine, many users, no cluster. */
        DENY("GET", "/swarm", NOBODY, deny_swarm),
        DENY("GET", "/swarm/unlockkey", NOBODY, deny_swarm),
        DENY("POST", "/swarm/init", JSONBODY, deny_swarm),
        DENY("POST", "/swarm/join", JSONBODY, deny_swarm),
        DENY("POST", "/swarm/leave", NOBODY, deny_swarm),
        DENY("POST", "/swarm/unlock", JSONBODY, deny_swarm),
        DENY("POST", "/swarm/update", JSONBODY, deny_swarm),
        DENY("GET", "/services", NOBODY, deny_services),
        DENY("POST", "/services/create", JSONBODY, deny_services),
        DENY("GET", "/services/{id}", NOBODY, deny_services),
        DENY("POST", "/services/{id}/update", JSONBODY, deny_services),
        DENY("DELETE", "/services/{id}", NOBODY, deny_services),
        DENY("GET", "/services/{id}/logs", STREAM | NOBODY, deny_services),
        DENY("GET", "/nodes", NOBODY, deny_nodes),
        DENY("GET", "/nodes/{id}", NOBODY, deny_nodes),
        DENY("POST", "/nodes/{id}/update", JSONBODY, deny_nodes),
        DENY("DELETE", "/nodes/{id}", NOBODY, deny_nodes),
        DENY("GET", "/tasks", NOBODY, deny_tasks),
        DENY("GET", "/tasks/{id}", NOBODY, deny_tasks),
        DENY("GET", "/tasks/{id}/logs", STREAM | NOBODY, deny_tasks),
        DENY("GET", "/secrets", NOBODY, deny_secrets),
        DENY("POST", "/secrets/create", JSONBODY, deny_secrets),
        DENY("GET", "/secrets/{id}", NOBODY, deny_secrets),
        DENY("POST", "/secrets/{id}/update", JSONBODY, deny_secrets),
        DENY("DELETE", "/secrets/{id}", NOBODY, deny_secrets),
        DENY("GET", "/configs", NOBODY, deny_configs),
        DENY("POST", "/configs/create", JSONBODY, deny_configs),
        DENY("GET", "/configs/{id}", NOBODY, deny_configs),
        DENY("POST", "/configs/{id}/update", JSONBODY, deny_configs),
        DENY("DELETE", "/configs/{id}", NOBODY, deny_configs),

        /* Plugins (router/plugin): they run as root on the host. */
        /* reading which plugins are installed is harmless, and `docker inspect NAME`
         * asks for a plugin of that name before it says "No such object" */
        FORWARD("GET", "/plugins", NOBODY),
        DENY("GET", "/plugins/privileges", NOBODY, deny_plugins),
        DENY("POST", "/plugins/pull", STREAM | JSONBODY, deny_plugins),
        DENY("POST", "/plugins/create", BULKBODY, deny_plugins),
        FORWARD("GET", "/plugins/{name:.*}/json", NOBODY),
        DENY("POST", "/plugins/{name:.*}/enable", NOBODY, deny_plugins),
        DENY("POST", "/plugins/{name:.*}/disable", NOBODY, deny_plugins),
        DENY("POST", "/plugins/{name:.*}/push", STREAM | NOBODY, deny_plugins),
        DENY("POST", "/plugins/{name:.*}/upgrade", STREAM | JSONBODY, deny_plugins),
        DENY("POST", "/plugins/{name:.*}/set", JSONBODY, deny_plugins),
        DENY("DELETE", "/plugins/{name:.*}", NOBODY, deny_plugins),

        /* dockerd's debug router (router/debug) and the CORS handler of api/server. */
        DENY("GET", "/debug/vars", NOBODY, deny_debug),
        DENY("GET", "/debug/pprof/", NOBODY, deny_debug),
        DENY("GET", "/debug/pprof/cmdline", NOBODY, deny_debug),
        DENY("GET", "/debug/pprof/profile", STREAM | NOBODY, deny_debug),
        DENY("GET", "/debug/pprof/symbol", NOBODY, deny_debug),
        DENY("GET", "/debug/pprof/trace", STREAM | NOBODY, deny_debug),
        DENY("GET", "/debug/pprof/{name}", NOBODY, deny_debug),
        DENY("OPTIONS", "/{anyroute:.*}", NOBODY, deny_options),
};

#undef FORWARD
#undef OWNER
#undef EXEC
#undef POLICY
#undef FILTER
#undef DENY
#undef NOBODY
#undef JSONBODY
#undef BULKBODY
#undef STREAM
#undef HIJACK

const struct route *route_table(size_t *ret_n) {
        if (ret_n)
                *ret_n = ELEMENTSOF(routes);
        return routes;
}

const char *route_kind_to_string(enum route_kind k) {
        static const char *const names[] = {
                [ROUTE_FORWARD] = "forward", [ROUTE_OWNER] = "owner",   [ROUTE_EXEC] = "exec",
                [ROUTE_POLICY] = "policy",   [ROUTE_FILTER] = "filter", [ROUTE_DENY] = "deny",
        };
        return (unsigned) k < ELEMENTSOF(names) ? names[k] : NULL;
}

const char *route_op_to_string(enum route_op op) {
        static const char *const names[_ROUTE_OP_MAX] = {
                [ROUTE_OP_NONE] = "none",
                [ROUTE_OP_CONTAINER_CREATE] = "container-create",
                [ROUTE_OP_CONTAINER_LIST] = "container-list",
                [ROUTE_OP_CONTAINER_UPDATE] = "container-update",
                [ROUTE_OP_CONTAINER_RENAME] = "container-rename",
                [ROUTE_OP_CONTAINER_ARCHIVE] = "container-archive",
                [ROUTE_OP_CONTAINER_ATTACH] = "container-attach",
                [ROUTE_OP_CONTAINER_DELETE] = "container-delete",
                [ROUTE_OP_CONTAINER_START] = "container-start",
                [ROUTE_OP_CONTAINER_PRUNE] = "container-prune",
                [ROUTE_OP_EXEC_CREATE] = "exec-create",
                [ROUTE_OP_EXEC_START] = "exec-start",
                [ROUTE_OP_COMMIT] = "commit",
                [ROUTE_OP_BUILD] = "build",
                [ROUTE_OP_BUILD_CANCEL] = "build-cancel",
                [ROUTE_OP_BUILD_PRUNE] = "build-prune",
                [ROUTE_OP_SESSION] = "session",
                [ROUTE_OP_IMAGE_PULL] = "image-pull",
                [ROUTE_OP_IMAGE_IMPORT] = "image-import",
                [ROUTE_OP_IMAGE_TAG] = "image-tag",
                [ROUTE_OP_IMAGE_PUSH] = "image-push",
                [ROUTE_OP_IMAGE_LOAD] = "image-load",
                [ROUTE_OP_IMAGE_DELETE] = "image-delete",
                [ROUTE_OP_IMAGE_LIST] = "image-list",
                [ROUTE_OP_IMAGE_PRUNE] = "image-prune",
                [ROUTE_OP_VOLUME_CREATE] = "volume-create",
                [ROUTE_OP_VOLUME_LIST] = "volume-list",
                [ROUTE_OP_VOLUME_TARGET] = "volume-target",
                [ROUTE_OP_VOLUME_PRUNE] = "volume-prune",
                [ROUTE_OP_NETWORK_CREATE] = "network-create",
                [ROUTE_OP_NETWORK_LIST] = "network-list",
                [ROUTE_OP_NETWORK_TARGET] = "network-target",
                [ROUTE_OP_NETWORK_CONNECT] = "network-connect",
                [ROUTE_OP_NETWORK_DISCONNECT] = "network-disconnect",
                [ROUTE_OP_NETWORK_PRUNE] = "network-prune",
                [ROUTE_OP_EVENTS] = "events",
                [ROUTE_OP_SYSTEM_DF] = "system-df",
        };
        return (unsigned) op < ELEMENTSOF(names) ? names[op] : NULL;
}

/* --- reasons ------------------------------------------------------------- */

static int fail(char *reason, size_t reason_len, int r, const char *fmt, ...) _printf_(4, 5);
static int fail(char *reason, size_t reason_len, int r, const char *fmt, ...) {
        if (reason && reason_len > 0) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(reason, reason_len, fmt, ap);
                va_end(ap);
        }
        return r;
}

#define NO_MEMORY "berth: out of memory while reading the request."
#define ECHO_MAX 96

/* Client bytes quoted back in a reason: printable ASCII only, so the
 * sentence is valid UTF-8 for the JSON refusal, and short. */
static void echo(char out[static ECHO_MAX + 4], const char *s, size_t n) {
        size_t o = 0;
        for (size_t i = 0; i < n && o < ECHO_MAX; i++) {
                unsigned char c = (unsigned char) s[i];
                out[o++] = c >= 0x20 && c < 0x7f ? (char) c : '?';
        }
        if (n > ECHO_MAX) {
                memcpy(out + o, "...", 3);
                o += 3;
        }
        out[o] = 0;
}

/* --- percent-encoding ---------------------------------------------------- */

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static bool isempty(const char *s) {
        return !s || !*s;
}

static bool byte_control(unsigned char c) {
        return c < 0x20 || c == 0x7f;
}

/* Decode n bytes of s (as Go's url.PathUnescape, or url.QueryUnescape when
 * plus_space): -EINVAL for a malformed escape, -EILSEQ when a NUL or
 * control byte comes out. */
static int pct_decode(const char *s, size_t n, bool plus_space, char **ret) {
        _cleanup_free_ char *d = malloc(n + 1);
        if (!d)
                return -ENOMEM;

        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if (c == '%') {
                        int hi = i + 2 < n ? unhex(s[i + 1]) : -1;
                        int lo = i + 2 < n ? unhex(s[i + 2]) : -1;
                        if (hi < 0 || lo < 0)
                                return -EINVAL;
                        c = (unsigned char) (hi << 4 | lo);
                        i += 2;
                } else if (c == '+' && plus_space)
                        c = ' ';
                if (byte_control(c))
                        return -EILSEQ;
                d[o++] = (char) c;
        }
        d[o] = 0;
        *ret = TAKE_PTR(d);
        return 0;
}

struct buf {
        char *p;
        size_t n, cap;
};

static int buf_grow(struct buf *b, size_t more) {
        if (b->n + more + 1 <= b->cap)
                return 0;
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->n + more + 1)
                cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p)
                return -ENOMEM;
        b->p = p;
        b->cap = cap;
        return 0;
}

static int buf_put(struct buf *b, const char *s, size_t n) {
        if (buf_grow(b, n) < 0)
                return -ENOMEM;
        memcpy(b->p + b->n, s, n);
        b->n += n;
        b->p[b->n] = 0;
        return 0;
}

static bool unreserved(unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '.' || c == '_' || c == '~';
}

/* Path segments keep unreserved bytes, ':' and '@' (image references);
 * query parts are Go's url.QueryEscape (' ' as '+'). */
static int buf_put_encoded(struct buf *b, const char *s, size_t n, bool query) {
        static const char hex[] = "0123456789ABCDEF";
        if (buf_grow(b, n * 3) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if (unreserved(c) || (!query && (c == ':' || c == '@')))
                        b->p[b->n++] = (char) c;
                else if (query && c == ' ')
                        b->p[b->n++] = '+';
                else {
                        b->p[b->n++] = '%';
                        b->p[b->n++] = hex[c >> 4];
                        b->p[b->n++] = hex[c & 15];
                }
        }
        b->p[b->n] = 0;
        return 0;
}

/* --- the path ------------------------------------------------------------ */

/* Resolve `//`, `.` and `..` in a decoded path as Go's path.Clean does
 * (gorilla/mux cleans before it matches), keeping a trailing '/' as mux
 * does; a `..` above the root is refused rather than clamped. */
static int path_canonical(const char *p, char **ret) {
        size_t n = strlen(p);
        _cleanup_free_ char *out = malloc(n + 2);
        if (!out)
                return -ENOMEM;

        size_t o = 0;
        for (const char *s = p; *s;) {
                if (*s == '/') {
                        s++;
                        continue;
                }
                const char *e = strchrnul(s, '/');
                size_t l = (size_t) (e - s);
                if (l == 2 && s[0] == '.' && s[1] == '.') {
                        if (o == 0)
                                return -EINVAL;
                        while (out[--o] != '/')
                                ;
                } else if (!(l == 1 && s[0] == '.')) {
                        out[o++] = '/';
                        memcpy(out + o, s, l);
                        o += l;
                }
                s = e;
        }
        if (o == 0 || (n > 0 && p[n - 1] == '/'))
                out[o++] = '/';
        out[o] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

/* dockerd's versionMatcher is "/v{version:[0-9.]+}"; berth takes the
 * exact spellings 1.41 … 1.47 only. */
static bool version_segment(const char *seg, size_t l) {
        return l >= 2 && seg[0] == 'v' && ((seg[1] >= '0' && seg[1] <= '9') || seg[1] == '.');
}

static bool version_known(const char *v, size_t l) {
        return l == 4 && memcmp(v, "1.4", 3) == 0 && v[3] >= '1' && v[3] <= '7';
}

/* --- the query ----------------------------------------------------------- */

/* Split a raw query as Go's url.ParseQuery would, but stricter: an empty
 * parameter or key, or a ';' anywhere in a parameter, is refused. */
static int query_parse(const char *q, size_t n, char ***ret, char *reason, size_t reason_len) {
        if (n == 0) {
                *ret = NULL;
                return 0;
        }

        size_t k = 1;
        for (size_t i = 0; i < n; i++)
                if (q[i] == '&')
                        k++;
        _cleanup_strv_free_ char **v = calloc(2 * k + 1, sizeof(char *));
        if (!v)
                return fail(reason, reason_len, -ENOMEM, NO_MEMORY);

        size_t j = 0;
        for (const char *s = q, *end = q + n;;) {
                const char *amp = memchr(s, '&', (size_t) (end - s));
                const char *e = amp ? amp : end;
                size_t l = (size_t) (e - s);
                if (l == 0)
                        return fail(reason, reason_len, -EINVAL,
                                    "berth: the query has an empty parameter (a stray '&'); it is refused.");
                if (memchr(s, ';', l))
                        return fail(reason, reason_len, -EINVAL,
                                    "berth: ';' is not a query separator (use '&'); the request is refused.");
                const char *eq = memchr(s, '=', l);
                size_t kl = eq ? (size_t) (eq - s) : l;
                if (kl == 0)
                        return fail(reason, reason_len, -EINVAL,
                                    "berth: the query has a parameter with an empty name; it is refused.");

                int r = pct_decode(s, kl, true, &v[j++]);
                if (r >= 0 && eq)
                        r = pct_decode(eq + 1, (size_t) (e - eq - 1), true, &v[j++]);
                else if (r >= 0) {
                        v[j] = strdup("");
                        r = v[j++] ? 0 : -ENOMEM;
                }
                if (r == -ENOMEM)
                        return fail(reason, reason_len, r, NO_MEMORY);
                if (r == -EILSEQ)
                        return fail(reason, reason_len, -EINVAL,
                                    "berth: the query decodes to a NUL or control character; it is refused.");
                if (r < 0)
                        return fail(reason, reason_len, -EINVAL,
                                    "berth: the query has a malformed percent escape; it is refused.");
                if (!amp)
                        break;
                s = amp + 1;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

/* Is key one of the space-separated words of list? */
static bool word_in(const char *list, const char *key) {
        size_t kl = strlen(key);
        if (!list)
                return false;
        for (const char *p = list; *p;) {
                size_t l = strcspn(p, " ");
                if (l == kl && memcmp(p, key, l) == 0)
                        return true;
                p += l;
                p += strspn(p, " ");
        }
        return false;
}

/* The first key given twice that the route does not read as a list. */
static const char *query_repeated(char *const *q, const char *repeatable) {
        for (size_t i = 0; q && q[i]; i += 2)
                for (size_t j = 0; j < i; j += 2)
                        if (streq(q[i], q[j]) && !word_in(repeatable, q[i]))
                                return q[i];
        return NULL;
}

static const char *query_lookup(char *const *q, const char *key) {
        for (size_t i = 0; q && q[i]; i += 2)
                if (streq(q[i], key))
                        return q[i + 1];
        return NULL;
}

/* --- matching ------------------------------------------------------------ */

struct seg {
        const char *p;
        size_t n;
};

/* The segments of "/a/b" are a and b; "/a/" ends in an empty one and "/"
 * is one empty segment. */
static size_t split(const char *path, struct seg *segs, size_t max) {
        size_t k = 0;
        const char *s = path + 1;
        for (;;) {
                const char *e = strchrnul(s, '/');
                if (k < max)
                        segs[k] = (struct seg) { s, (size_t) (e - s) };
                k++;
                if (!*e)
                        return k;
                s = e + 1;
        }
}

static bool seg_param(struct seg s) {
        return s.n >= 2 && s.p[0] == '{' && s.p[s.n - 1] == '}';
}

static bool seg_tail(struct seg s) {
        return seg_param(s) && s.n >= 5 && memcmp(s.p + s.n - 4, ":.*}", 4) == 0;
}

static bool seg_eq(struct seg a, struct seg b) {
        return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

#define PATTERN_SEGS_MAX 8

/* Which path segments a..b pattern segment i covers when a pattern of np
 * segments (tail: the index of its one {…:.*}, or SIZE_MAX) meets n path
 * segments: the {…:.*} takes every segment the literals around it leave. */
static void pattern_cover(size_t np, size_t tail, size_t n, size_t i, size_t *a, size_t *b) {
        *a = *b = i;
        if (tail == SIZE_MAX || i < tail)
                return;
        if (i == tail)
                *b = n - (np - tail);
        else
                *a = *b = n - (np - i);
}

static size_t pattern_tail(const struct seg *ps, size_t np) {
        for (size_t i = 0; i < np; i++)
                if (seg_tail(ps[i]))
                        return i;
        return SIZE_MAX;
}

/* Match path segments against a pattern; on success the first {…} is
 * path[*ret_off .. *ret_off + *ret_len), or *ret_len is 0 without one. */
static bool pattern_match(const char *pattern, const struct seg *segs, size_t n, size_t *ret_off,
                          size_t *ret_len, const char *path) {
        struct seg ps[PATTERN_SEGS_MAX];
        size_t np = split(pattern, ps, PATTERN_SEGS_MAX);
        if (np > PATTERN_SEGS_MAX)
                return false;
        size_t tail = pattern_tail(ps, np);
        if (tail == SIZE_MAX ? n != np : n < np)
                return false;

        size_t first_off = 0, first_len = 0;
        bool have = false;
        for (size_t i = 0; i < np; i++) {
                size_t a, b;
                pattern_cover(np, tail, n, i, &a, &b);
                if (!seg_param(ps[i])) {
                        if (!seg_eq(ps[i], segs[a]))
                                return false;
                        continue;
                }
                for (size_t k = a; k <= b; k++)
                        if (segs[k].n == 0)
                                return false;
                if (!have) {
                        first_off = (size_t) (segs[a].p - path);
                        first_len = (size_t) (segs[b].p + segs[b].n - segs[a].p);
                        have = true;
                }
        }
        *ret_off = first_off;
        *ret_len = first_len;
        return true;
}

static const struct route *route_find(const char *method, const char *path, const struct seg *segs, size_t n,
                                      char *const *query, size_t *ret_off, size_t *ret_len) {
        for (size_t i = 0; i < ELEMENTSOF(routes); i++) {
                const struct route *r = routes + i;
                if (!streq(r->method, method))
                        continue;
                if (!pattern_match(r->pattern, segs, n, ret_off, ret_len, path))
                        continue;
                if (r->when && isempty(query_lookup(query, r->when)))
                        continue;
                return r;
        }
        return NULL;
}

/* --- route_parse --------------------------------------------------------- */

/* The raw path (n bytes, no query): decoded, canonical, and split into the
 * API version (or NULL) and the path the routes see. */
static int path_read(const char *raw, size_t n, char **ret_path, char **ret_version, char *reason,
                     size_t reason_len) {
        _cleanup_free_ char *decoded = NULL, *canon = NULL, *version = NULL, *path = NULL;
        int r = pct_decode(raw, n, false, &decoded);
        if (r == -ENOMEM)
                return fail(reason, reason_len, r, NO_MEMORY);
        if (r == -EILSEQ)
                return fail(reason, reason_len, -EINVAL,
                            "berth: the request path decodes to a NUL or control character; it is refused.");
        if (r < 0)
                return fail(reason, reason_len, -EINVAL,
                            "berth: the request path has a malformed percent escape; it is refused.");
        r = path_canonical(decoded, &canon);
        if (r == -ENOMEM)
                return fail(reason, reason_len, r, NO_MEMORY);
        if (r < 0)
                return fail(reason, reason_len, -EINVAL,
                            "berth: the request path climbs above the root with '..'; it is refused.");

        const char *seg = canon + 1, *rest = canon;
        size_t l = strcspn(seg, "/");
        if (version_segment(seg, l)) {
                if (!version_known(seg + 1, l - 1)) {
                        char e[ECHO_MAX + 4];
                        if (strspn(seg + 1, "0123456789.") < l - 1)
                                return fail(reason, reason_len, -EINVAL,
                                            "berth: the API version in the path is malformed; use %s to %s, or no version prefix.",
                                            ROUTE_VERSION_MIN, ROUTE_VERSION_MAX);
                        echo(e, seg + 1, l - 1);
                        return fail(reason, reason_len, -EINVAL,
                                    "berth: API version %s is not one berth knows; use %s to %s, or no version prefix.",
                                    e, ROUTE_VERSION_MIN, ROUTE_VERSION_MAX);
                }
                version = strndup(seg + 1, l - 1);
                if (!version)
                        return fail(reason, reason_len, -ENOMEM, NO_MEMORY);
                rest = seg[l] ? seg + l : "/";
        }
        path = strdup(rest);
        if (!path)
                return fail(reason, reason_len, -ENOMEM, NO_MEMORY);
        *ret_path = TAKE_PTR(path);
        *ret_version = TAKE_PTR(version);
        return 0;
}

int route_parse(const char *method, const char *target, size_t len, struct route_match *ret,
                char *reason, size_t reason_len) {
        char e1[ECHO_MAX + 4], e2[ECHO_MAX + 4];
        int r;

        if (!method || !target || !ret)
                return fail(reason, reason_len, -EINVAL, "berth: the request line is incomplete.");
        if (len > ROUTE_TARGET_MAX)
                return fail(reason, reason_len, -EINVAL,
                            "berth: the request target is longer than %d bytes; it is refused.", ROUTE_TARGET_MAX);
        if (len == 0 || target[0] != '/')
                return fail(reason, reason_len, -EINVAL,
                            "berth: only a request target that starts with '/' is accepted (no '*' or absolute URL).");
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) target[i];
                if (c == '#')
                        return fail(reason, reason_len, -EINVAL,
                                    "berth: a fragment ('#') has no place in a request target; it is refused.");
                if (c <= ' ' || c >= 0x7f)
                        return fail(reason, reason_len, -EINVAL,
                                    "berth: the request target holds a space, a control or a non-ASCII byte; percent-encode it.");
        }

        const char *qmark = memchr(target, '?', len);
        size_t plen = qmark ? (size_t) (qmark - target) : len;
        _cleanup_free_ char *path = NULL, *version = NULL;
        r = path_read(target, plen, &path, &version, reason, reason_len);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **query = NULL;
        if (qmark) {
                r = query_parse(qmark + 1, len - plen - 1, &query, reason, reason_len);
                if (r < 0)
                        return r;
        }

        size_t n = split(path, NULL, 0);
        _cleanup_free_ struct seg *segs = calloc(n, sizeof(struct seg));
        if (!segs)
                return fail(reason, reason_len, -ENOMEM, NO_MEMORY);
        split(path, segs, n);

        size_t param_off = 0, param_len = 0;
        const struct route *route = route_find(method, path, segs, n, query, &param_off, &param_len);
        if (!route) {
                echo(e1, method, strlen(method));
                echo(e2, path, strlen(path));
                return fail(reason, reason_len, -ENOENT,
                            "berth: %s %s is not an API route berth knows; it is refused.", e1, e2);
        }

        const char *dup = query_repeated(query, route->repeatable);
        if (dup) {
                echo(e1, dup, strlen(dup));
                return fail(reason, reason_len, -EINVAL,
                            "berth: the query parameter '%s' is given more than once; it is refused.", e1);
        }

        _cleanup_free_ char *param = NULL;
        if (param_len > 0) {
                param = strndup(path + param_off, param_len);
                if (!param)
                        return fail(reason, reason_len, -ENOMEM, NO_MEMORY);
        }

        *ret = (struct route_match) {
                .route = route,
                .version = TAKE_PTR(version),
                .path = TAKE_PTR(path),
                .param = TAKE_PTR(param),
                .query = TAKE_PTR(query),
        };
        if (route->kind == ROUTE_DENY)
                return fail(reason, reason_len, -EPERM, "%s", route->deny_reason);
        return 0;
}

void route_match_done(struct route_match *m) {
        if (!m)
                return;
        free(m->version);
        free(m->path);
        free(m->param);
        strv_free(m->query);
        *m = (struct route_match) {};
}

/* --- the query of a match ------------------------------------------------ */

const char *route_query_get(const struct route_match *m, const char *key) {
        if (!m || !key)
                return NULL;
        return query_lookup(m->query, key);
}

/* Drop the pair at i, keeping the order of the rest. */
static void query_drop(char **q, size_t i) {
        free(q[i]);
        free(q[i + 1]);
        size_t n = strv_length(q);
        memmove(q + i, q + i + 2, (n - i - 1) * sizeof(char *));
}

int route_query_remove(struct route_match *m, const char *key) {
        int removed = 0;
        if (!m || !key)
                return 0;
        for (size_t i = 0; m->query && m->query[i];)
                if (streq(m->query[i], key)) {
                        query_drop(m->query, i);
                        removed++;
                } else
                        i += 2;
        return removed;
}

int route_query_set(struct route_match *m, const char *key, const char *value) {
        if (!m || isempty(key) || !value)
                return -EINVAL;

        _cleanup_free_ char *v = strdup(value);
        if (!v)
                return -ENOMEM;

        for (size_t i = 0; m->query && m->query[i]; i += 2)
                if (streq(m->query[i], key)) {
                        free(m->query[i + 1]);
                        m->query[i + 1] = TAKE_PTR(v);
                        for (size_t j = i + 2; m->query[j];)
                                if (streq(m->query[j], key))
                                        query_drop(m->query, j);
                                else
                                        j += 2;
                        return 0;
                }

        size_t n = strv_length(m->query);
        _cleanup_free_ char *k = strdup(key);
        if (!k)
                return -ENOMEM;
        char **q = reallocarray(m->query, n + 3, sizeof(char *));
        if (!q)
                return -ENOMEM;
        q[n] = TAKE_PTR(k);
        q[n + 1] = TAKE_PTR(v);
        q[n + 2] = NULL;
        m->query = q;
        return 0;
}

/* The bytes Go's unicode.IsSpace accepts, as UTF-8; strings.TrimSpace in
 * httputils.BoolValue trims them.  Returns the length of the one at s. */
static size_t space_at(const char *s, size_t n) {
        static const char *const wide[] = {
                "\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\xa8", "\xe2\x80\xa9",
                "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80",
        };
        if (n >= 1 && s[0] && strchr(" \t\n\v\f\r", s[0]))
                return 1;
        if (n >= 3 && memcmp(s, "\xe2\x80", 2) == 0 && (unsigned char) s[2] >= 0x80 &&
            (unsigned char) s[2] <= 0x8a)
                return 3; /* U+2000 … U+200A */
        for (size_t i = 0; i < ELEMENTSOF(wide); i++) {
                size_t l = strlen(wide[i]);
                if (n >= l && memcmp(s, wide[i], l) == 0)
                        return l;
        }
        return 0;
}

bool route_query_bool(const char *v) {
        if (!v)
                return false;

        const char *s = v, *e = v + strlen(v);
        for (size_t l; s < e && (l = space_at(s, (size_t) (e - s))) > 0;)
                s += l;
        /* Trailing spaces: try every start of a space that would end at e. */
        for (bool again = true; again && s < e;) {
                again = false;
                for (size_t l = 1; l <= 3 && l <= (size_t) (e - s); l++)
                        if (space_at(e - l, l) == l) {
                                e -= l;
                                again = true;
                                break;
                        }
        }

        static const char *const no[] = { "0", "no", "false", "none" };
        size_t n = (size_t) (e - s);
        if (n == 0)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (n == strlen(no[i]) && strncasecmp(s, no[i], n) == 0)
                        return false;
        return true;
}

bool route_download(const struct route_match *m) {
        const struct route *r = m->route;
        if (!r || !(r->flags & ROUTE_DOWNLOAD))
                return false;
        return !r->live || !route_query_bool(route_query_get(m, r->live));
}

/* --- route_format_target ------------------------------------------------- */

/* One parameter, as path segments: '/' separates segments only where the
 * pattern takes several. */
static int put_param(struct buf *b, const char *v, bool tail) {
        if (isempty(v))
                return -EINVAL;
        for (const char *s = v;;) {
                const char *e = strchrnul(s, '/');
                size_t l = (size_t) (e - s);
                if (*e && !tail)
                        return -EINVAL;
                if (l == 0 || (l == 1 && s[0] == '.') || (l == 2 && s[0] == '.' && s[1] == '.'))
                        return -EINVAL;
                if (buf_put(b, "/", 1) < 0 || buf_put_encoded(b, s, l, false) < 0)
                        return -ENOMEM;
                if (!*e)
                        return 0;
                s = e + 1;
        }
}

int route_format_target(const struct route_match *m, const char *param, char **ret) {
        if (!m || !m->route || !m->path || m->path[0] != '/' || !ret)
                return -EINVAL;
        if (!param)
                param = m->param;

        struct seg ps[PATTERN_SEGS_MAX];
        size_t np = split(m->route->pattern, ps, PATTERN_SEGS_MAX);
        size_t tail = pattern_tail(ps, np);

        /* A {…} after the first is written as m->path has it. */
        size_t n = split(m->path, NULL, 0);
        _cleanup_free_ struct seg *segs = calloc(n, sizeof(struct seg));
        if (!segs)
                return -ENOMEM;
        split(m->path, segs, n);

        _cleanup_free_ char *out = NULL;
        struct buf b = {};
        int r = 0;
        if (m->version && (buf_put(&b, "/v", 2) < 0 || buf_put(&b, m->version, strlen(m->version)) < 0))
                r = -ENOMEM;

        bool used = false;
        for (size_t i = 0; r >= 0 && i < np; i++) {
                if (!seg_param(ps[i])) {
                        if (buf_put(&b, "/", 1) < 0 || buf_put(&b, ps[i].p, ps[i].n) < 0)
                                r = -ENOMEM;
                } else if (!used) {
                        r = put_param(&b, param, seg_tail(ps[i]));
                        used = true;
                } else if (tail == SIZE_MAX ? n != np : n < np)
                        r = -EINVAL;
                else {
                        size_t a, z;
                        pattern_cover(np, tail, n, i, &a, &z);
                        for (size_t k = a; r >= 0 && k <= z; k++)
                                if (segs[k].n == 0)
                                        r = -EINVAL;
                                else if (buf_put(&b, "/", 1) < 0 || buf_put_encoded(&b, segs[k].p, segs[k].n, false) < 0)
                                        r = -ENOMEM;
                }
        }
        if (r >= 0 && !used && param)
                r = -EINVAL;

        for (size_t i = 0; r >= 0 && m->query && m->query[i]; i += 2)
                if (buf_put(&b, i == 0 ? "?" : "&", 1) < 0 ||
                    buf_put_encoded(&b, m->query[i], strlen(m->query[i]), true) < 0 ||
                    buf_put(&b, "=", 1) < 0 ||
                    buf_put_encoded(&b, m->query[i + 1], strlen(m->query[i + 1]), true) < 0)
                        r = -ENOMEM;

        out = b.p;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        return 0;
}
