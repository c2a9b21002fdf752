/* SPDX-License-Identifier: MIT */
/* Parsing the slicemgr control protocol.  Strict: unknown fields, wrong
 * types and identity fields are refused with a sentence that names them. */
#include "core/proto.h"
#include "core/config.h"

#include <limits.h>
#include <math.h>

static const char *const op_names[_OP_MAX] = {
        [OP_HELLO] = "hello",     [OP_WHOAMI] = "whoami", [OP_ENSURE_SLICE] = "ensure-slice",
        [OP_RESERVE] = "reserve", [OP_COMMIT] = "commit", [OP_CANCEL] = "cancel",
        [OP_CLAIM] = "claim",     [OP_STATUS] = "status", [OP_OWNER] = "owner",
        [OP_RELOAD] = "reload",   [OP_RELEASE] = "release", [OP_USERS] = "users",
        [OP_START] = "start",     [OP_EXEMPT] = "exempt",   [OP_QUEUE] = "queue",
};

const char *proto_op_name(enum proto_op op) {
        return op < _OP_MAX ? op_names[op] : NULL;
}

bool proto_op_is_admin(enum proto_op op) {
        return op == OP_RELOAD || op == OP_RELEASE || op == OP_USERS || op == OP_EXEMPT;
}

void proto_request_done(struct proto_request *r) {
        free(r->reservation);
        free(r->target);
        free(r->reason);
        free(r->spec.name);
        free(r->spec.project);
        free(r->spec.image);
        strv_free(r->spec.devices);
        strv_free(r->targets);
        *r = (struct proto_request) { 0 };
}

static int bad(struct berth_error *err, const char **ret_kind, const char *kind, const char *fmt, ...)
        _printf_(4, 5);
static int bad(struct berth_error *err, const char **ret_kind, const char *kind, const char *fmt, ...) {
        if (ret_kind)
                *ret_kind = kind;
        if (err) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(err->message, sizeof(err->message), fmt, ap);
                va_end(ap);
                err->code = -EINVAL;
        }
        return -EINVAL;
}

/* A printable string of 1..max bytes without control characters. */
static bool valid_text(const char *s, size_t max) {
        size_t n = strlen(s);
        if (n == 0 || n > max)
                return false;
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return false;
        return true;
}

static int get_string(json_t *obj, const char *key, size_t max, char **ret, struct berth_error *err,
                      const char **ret_kind) {
        json_t *v = json_object_get(obj, key);
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v) || !valid_text(json_string_value(v), max))
                return bad(err, ret_kind, "bad_request",
                           "berth: '%s' must be a non-empty string of at most %zu printable characters.", key, max);
        char *s = strdup(json_string_value(v));
        if (!s)
                return -ENOMEM;
        free(*ret);
        *ret = s;
        return 1;
}

static int check_keys(json_t *obj, const char *const *allowed, const char *where, struct berth_error *err,
                      const char **ret_kind) {
        const char *key;
        json_t *v;
        json_object_foreach(obj, key, v) {
                bool ok = false;
                for (const char *const *a = allowed; *a; a++)
                        if (streq(*a, key))
                                ok = true;
                if (ok)
                        continue;
                if (streq(key, "user") || streq(key, "uid") || streq(key, "gid") || streq(key, "group"))
                        return bad(err, ret_kind, "bad_request",
                                   "berth: '%s' cannot be given; berth knows who you are from the socket.", key);
                return bad(err, ret_kind, "bad_request", "berth: unknown field '%.64s' in %s.", key, where);
        }
        return 0;
}

static int parse_gpus_value(json_t *v, struct proto_spec *spec, struct berth_error *err, const char **ret_kind) {
        if (json_is_integer(v) || json_is_real(v)) {
                double g = json_number_value(v);
                if (!(g >= 0 && g <= 64) || (g > 1 && g != floor(g)))
                        return bad(err, ret_kind, "bad_request",
                                   "berth: 'gpus' must be a whole number from 0 to 64, or a fraction below 1 for a MIG instance.");
                spec->gpus = g;
                return 0;
        }
        if (json_is_string(v)) {
                const char *s = json_string_value(v);
                double g;
                if (streq(s, "all")) {
                        spec->gpus_all = true;
                        return 0;
                }
                if (strncmp(s, "device=", 7) == 0) {
                        _cleanup_strv_free_ char **list = NULL;
                        const char *p = s + 7;
                        while (*p) {
                                const char *e = strchr(p, ',');
                                size_t l = e ? (size_t) (e - p) : strlen(p);
                                _cleanup_free_ char *d = strndup(p, l);
                                if (!d)
                                        return -ENOMEM;
                                if (!valid_text(d, 128) || strchr(d, ' ') || strchr(d, '"'))
                                        return bad(err, ret_kind, "bad_request",
                                                   "berth: 'gpus' device list holds an empty or malformed entry.");
                                if (strv_length(list) >= PROTO_MAX_DEVICES)
                                        return bad(err, ret_kind, "bad_request", "berth: too many GPU devices asked for.");
                                if (!strv_contains(list, d) && strv_push(&list, d) < 0)
                                        return -ENOMEM;
                                p += l;
                                if (*p == ',')
                                        p++;
                        }
                        if (!list)
                                return bad(err, ret_kind, "bad_request", "berth: 'device=' names no GPU.");
                        spec->devices = TAKE_PTR(list);
                        return 0;
                }
                if (parse_gpus(s, &g) == 0 && !isinf(g)) {
                        json_t *n = json_real(g);
                        if (!n)
                                return -ENOMEM;
                        int r = parse_gpus_value(n, spec, err, ret_kind);
                        json_decref(n);
                        return r;
                }
        }
        return bad(err, ret_kind, "bad_request",
                   "berth: 'gpus' must be a number, \"all\" or \"device=UUID,…\".");
}

static int parse_spec(json_t *obj, struct proto_spec *spec, struct berth_error *err, const char **ret_kind) {
        static const char *const allowed[] = { "name", "project", "image", "gpus", "cpus", "memory", NULL };
        json_t *v;
        int r;

        if (!json_is_object(obj))
                return bad(err, ret_kind, "bad_request", "berth: 'spec' must be an object.");
        r = check_keys(obj, allowed, "the spec", err, ret_kind);
        if (r < 0)
                return r;
        if ((r = get_string(obj, "name", 255, &spec->name, err, ret_kind)) < 0 ||
            (r = get_string(obj, "project", 255, &spec->project, err, ret_kind)) < 0 ||
            (r = get_string(obj, "image", 1024, &spec->image, err, ret_kind)) < 0)
                return r;

        v = json_object_get(obj, "gpus");
        if (v && !json_is_null(v) && (r = parse_gpus_value(v, spec, err, ret_kind)) < 0)
                return r;

        v = json_object_get(obj, "cpus");
        if (v && !json_is_null(v)) {
                double c = -1;
                if (json_is_number(v))
                        c = json_number_value(v);
                else if (json_is_string(v) && (parse_cpus(json_string_value(v), &c) < 0 || c == CPUS_INFINITY))
                        c = -1;
                if (!(c >= 0.01 && c <= 65536))
                        return bad(err, ret_kind, "bad_request", "berth: 'cpus' must be a number of CPUs from 0.01 up.");
                spec->cpus = c;
        }

        v = json_object_get(obj, "memory");
        if (v && !json_is_null(v)) {
                uint64_t m = 0;
                if (json_is_integer(v) && json_integer_value(v) > 0)
                        m = (uint64_t) json_integer_value(v);
                else if (json_is_string(v) && parse_size(json_string_value(v), &m) < 0)
                        m = 0;
                if (m < 4096 || m == LIMIT_INFINITY)
                        return bad(err, ret_kind, "bad_request",
                                   "berth: 'memory' must be a size such as \"16G\" or a number of bytes, at least 4K.");
                spec->memory = m;
        }
        return 0;
}

/* One id of "for": an integer from 0 to max; -ENOENT when absent. */
static int get_id(json_t *obj, const char *key, json_int_t max, json_int_t *ret, struct berth_error *err,
                  const char **ret_kind) {
        json_t *v = json_object_get(obj, key);
        if (!v)
                return -ENOENT;
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
                return bad(err, ret_kind, "bad_request", "berth: '%s' in \"for\" must be a whole number from 0 to %lld.",
                           key, (long long) max);
        *ret = json_integer_value(v);
        return 0;
}

/* "for": {"uid":N,"gid":N} and optionally "pid":N, nothing else.  (uid_t)
 * -1 is no one's id (it means "unchanged" to setresuid()), so it is refused. */
static int parse_behalf(json_t *obj, struct proto_behalf *ret, struct berth_error *err, const char **ret_kind) {
        const json_int_t id_max = (json_int_t) (uid_t) -1 - 1;
        json_int_t uid = 0, gid = 0, pid = 0;
        const char *key;
        json_t *v;
        int r;

        if (!json_is_object(obj))
                return bad(err, ret_kind, "bad_request",
                           "berth: \"for\" must be an object: {\"uid\":N,\"gid\":N} with an optional \"pid\".");
        json_object_foreach(obj, key, v)
                if (!streq(key, "uid") && !streq(key, "gid") && !streq(key, "pid"))
                        return bad(err, ret_kind, "bad_request",
                                   "berth: unknown field '%.64s' in \"for\"; it takes \"uid\", \"gid\" and \"pid\".", key);
        r = get_id(obj, "uid", id_max, &uid, err, ret_kind);
        if (r >= 0)
                r = get_id(obj, "gid", id_max, &gid, err, ret_kind);
        if (r == -ENOENT)
                return bad(err, ret_kind, "bad_request", "berth: \"for\" needs both \"uid\" and \"gid\".");
        if (r < 0)
                return r;
        r = get_id(obj, "pid", INT_MAX, &pid, err, ret_kind);
        if (r < 0 && r != -ENOENT)
                return r;
        *ret = (struct proto_behalf) { .set = true, .uid = (uid_t) uid, .gid = (gid_t) gid, .pid = (pid_t) pid };
        return 0;
}

/* "targets": 1..PROTO_MAX_TARGETS container names or id prefixes. */
static int parse_targets(json_t *v, char ***ret, struct berth_error *err, const char **ret_kind) {
        /* names, id prefixes and image references: printable, no spaces */
        _cleanup_strv_free_ char **list = NULL;
        size_t i;
        json_t *t;

        if (!v || !json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > PROTO_MAX_TARGETS)
                return bad(err, ret_kind, "bad_request",
                           "berth: 'owner' needs \"targets\": an array of 1 to %d container names.", PROTO_MAX_TARGETS);
        json_array_foreach(v, i, t) {
                if (!json_is_string(t) || !valid_text(json_string_value(t), 255) || strchr(json_string_value(t), ' '))
                        return bad(err, ret_kind, "bad_request",
                                   "berth: every target must be a container name or id of at most 255 printable characters.");
                if (strv_push(&list, json_string_value(t)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(list);
        return 0;
}

int proto_parse_request(const char *line, size_t len, struct proto_request *ret, const char **ret_kind,
                        struct berth_error *err) {
        static const char *const common[] = { "op", "for", NULL };
        static const char *const with_reservation[] = { "op", "for", "reservation", NULL };
        static const char *const with_spec[] = { "op", "for", "spec", "wait", NULL };
        static const char *const with_exempt[] = { "op", "for", "target", "until", "reason", NULL };
        static const char *const with_target[] = { "op", "for", "target", NULL };
        static const char *const with_targets[] = { "op", "for", "targets", "kind", NULL };
        struct proto_request r = { 0 };
        json_error_t jerr;
        int k;

        if (len > PROTO_MAX_LINE)
                return bad(err, ret_kind, "bad_request", "berth: request longer than 64 KiB.");
        if (memchr(line, 0, len))
                return bad(err, ret_kind, "bad_request", "berth: request contains a NUL byte.");
        _cleanup_json_ json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root)
                return bad(err, ret_kind, "bad_request", "berth: malformed JSON at column %d: %s.", jerr.column,
                           jerr.text);
        if (!json_is_object(root))
                return bad(err, ret_kind, "bad_request", "berth: a request is one JSON object.");
        json_t *op = json_object_get(root, "op");
        if (!op || !json_is_string(op))
                return bad(err, ret_kind, "bad_request", "berth: a request needs an \"op\" string.");
        for (k = 0; k < _OP_MAX; k++)
                if (streq(json_string_value(op), op_names[k]))
                        break;
        if (k == _OP_MAX)
                return bad(err, ret_kind, "unknown_op",
                           "berth: unknown op '%.64s'; try hello, whoami, ensure-slice, reserve, commit, cancel or status.",
                           json_string_value(op));
        r.op = (enum proto_op) k;

        const char *const *allowed = common;
        if (r.op == OP_COMMIT || r.op == OP_CANCEL || r.op == OP_CLAIM)
                allowed = with_reservation;
        else if (r.op == OP_RESERVE)
                allowed = with_spec;
        else if (r.op == OP_RELEASE || r.op == OP_USERS || r.op == OP_START)
                allowed = with_target;
        else if (r.op == OP_EXEMPT)
                allowed = with_exempt;
        else if (r.op == OP_OWNER)
                allowed = with_targets;
        int q = check_keys(root, allowed, "the request", err, ret_kind);
        if (q < 0)
                return q;

        json_t *behalf = json_object_get(root, "for");
        if (behalf) {
                q = parse_behalf(behalf, &r.behalf, err, ret_kind);
                if (q < 0)
                        return q;
        }

        switch (r.op) {
        case OP_COMMIT:
        case OP_CANCEL:
        case OP_CLAIM:
                q = get_string(root, "reservation", 64, &r.reservation, err, ret_kind);
                if (q == 0)
                        q = bad(err, ret_kind, "bad_request", "berth: '%s' needs a \"reservation\".", op_names[r.op]);
                break;
        case OP_RESERVE:
                if (!json_object_get(root, "spec"))
                        q = bad(err, ret_kind, "bad_request", "berth: 'reserve' needs a \"spec\" object.");
                else
                        q = parse_spec(json_object_get(root, "spec"), &r.spec, err, ret_kind);
                if (q >= 0 && json_object_get(root, "wait")) {
                        if (!json_is_boolean(json_object_get(root, "wait")))
                                q = bad(err, ret_kind, "bad_request", "berth: 'wait' is true or false.");
                        else
                                r.wait = json_is_true(json_object_get(root, "wait"));
                }
                break;
        case OP_START:
                q = get_string(root, "target", 255, &r.target, err, ret_kind);
                if (q == 0)
                        q = bad(err, ret_kind, "bad_request", "berth: 'start' needs a \"target\": a container id or name.");
                break;
        case OP_EXEMPT: {
                json_t *until = json_object_get(root, "until");
                q = get_string(root, "target", 255, &r.target, err, ret_kind);
                if (q == 0)
                        q = bad(err, ret_kind, "bad_request", "berth: 'exempt' needs a \"target\": a container or user name.");
                else if (q > 0 && (!json_is_integer(until) || json_integer_value(until) < 0))
                        q = bad(err, ret_kind, "bad_request", "berth: 'exempt' needs \"until\": unix seconds, 0 to end the exemption.");
                else if (q > 0) {
                        r.until = (int64_t) json_integer_value(until);
                        q = get_string(root, "reason", 200, &r.reason, err, ret_kind);
                        if (q == 0 && r.until > 0)
                                q = bad(err, ret_kind, "bad_request", "berth: an exemption needs a \"reason\" people can read.");
                }
                break;
        }
        case OP_RELEASE:
                q = get_string(root, "target", 255, &r.target, err, ret_kind);
                if (q == 0)
                        q = bad(err, ret_kind, "bad_request", "berth: 'release' needs a \"target\": a container or GPU UUID.");
                break;
        case OP_USERS:
                q = get_string(root, "target", 255, &r.target, err, ret_kind);
                break;
        case OP_OWNER:
                q = parse_targets(json_object_get(root, "targets"), &r.targets, err, ret_kind);
                if (q >= 0) {
                        json_t *kind = json_object_get(root, "kind");
                        const char *kind_name = kind ? json_string_value(kind) : "container";
                        if (!kind_name || !(streq(kind_name, "container") || streq(kind_name, "image") || streq(kind_name, "volume") ||
                                            streq(kind_name, "network")))
                                q = bad(err, ret_kind, "bad_request",
                                        "berth: 'kind' is \"container\", \"image\", \"volume\" or \"network\".");
                        else {
                                r.images = streq(kind_name, "image");
                                r.volumes = streq(kind_name, "volume");
                                r.networks = streq(kind_name, "network");
                        }
                }
                break;
        default:
                q = 0;
        }
        if (q < 0) {
                proto_request_done(&r);
                return q;
        }
        *ret = r;
        return 0;
}

/* One compact JSON line, newline included. */
static char *dump_line(json_t *o) {
        char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
        if (!s)
                return NULL;
        size_t l = strlen(s);
        char *line = realloc(s, l + 2);
        if (!line) {
                free(s);
                return NULL;
        }
        line[l] = '\n';
        line[l + 1] = 0;
        return line;
}

char *proto_error_line(const char *kind, const char *message) {
        _cleanup_json_ json_t *o = json_pack("{s:b,s:s,s:s}", "ok", 0, "error", kind, "message", message);
        if (!o) {
                /* a message quoting a client's bytes that are not UTF-8
                 * (jansson's "near '...'"): the refusal is sent all the
                 * same, with those bytes as '?' */
                _cleanup_free_ char *safe = strdup(message);
                if (!safe)
                        return NULL;
                for (char *c = safe; *c; c++)
                        if ((unsigned char) *c >= 0x80 || (unsigned char) *c < 0x20)
                                *c = '?';
                o = json_pack("{s:b,s:s,s:s}", "ok", 0, "error", kind, "message", safe);
        }
        return o ? dump_line(o) : NULL;
}

char *proto_ok_line(json_t *reply) {
        if (json_object_set_new(reply, "ok", json_true()) < 0)
                return NULL;
        return dump_line(reply);
}
