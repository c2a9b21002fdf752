/* SPDX-License-Identifier: MIT */
/* Volume and network bodies → struct object_spec, and the bodies the gate
 * forwards; see api-objects.h.  The key sets are moby's api/types
 * (volume.CreateOptions; network.CreateRequest with CreateOptions, IPAM,
 * IPAMConfig and ConfigReference; ConnectOptions, DisconnectOptions) from
 * v20.10 (API 1.41) to v27.5 (API 1.47), spelled as their JSON tags spell
 * them.  A connect's EndpointConfig is the EndpointSettings that
 * api-spec.c's schema holds for a create's NetworkingConfig: it is checked
 * there, so that the two doors read it alike.  The create bodies are small
 * and flat; their key check below is this file's own only because
 * api-spec.c keeps its schema checker private. */
#include "policy/api-objects.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "basic/util.h"
#include "policy/api-spec.h"
#include "policy/policy.h"
#include "policy/spec.h"

enum key_kind {
        K_STRING,
        K_BOOL,
        K_MAP,     /* map[string]string */
        K_OBJECT,  /* a struct, per sub */
        K_OBJECTS, /* []struct */
        K_OPAQUE,  /* any value; the caller reads it */
};

struct key {
        const char *name;
        enum key_kind kind;
        const struct key *sub; /* K_OBJECT, K_OBJECTS; ends with a NULL name */
};

#define KEY(n, k) { .name = (n), .kind = (k) }
#define KEY_SUB(n, k, s) { .name = (n), .kind = (k), .sub = (s) }
#define KEYS_END { .name = NULL }

static const struct key ipam_config_keys[] = {
        KEY("Subnet", K_STRING), KEY("IPRange", K_STRING), KEY("Gateway", K_STRING), KEY("AuxiliaryAddresses", K_MAP),
        KEYS_END,
};
static const struct key ipam_keys[] = {
        KEY("Driver", K_STRING), KEY("Options", K_MAP), KEY_SUB("Config", K_OBJECTS, ipam_config_keys), KEYS_END,
};
static const struct key config_from_keys[] = { KEY("Network", K_STRING), KEYS_END };

static const struct key network_keys[] = {
        KEY("Name", K_STRING),
        KEY("CheckDuplicate", K_BOOL),
        KEY("Driver", K_STRING),
        KEY("Scope", K_STRING),
        KEY("EnableIPv6", K_BOOL),
        KEY_SUB("IPAM", K_OBJECT, ipam_keys),
        KEY("Internal", K_BOOL),
        KEY("Attachable", K_BOOL),
        KEY("Ingress", K_BOOL),
        KEY("ConfigOnly", K_BOOL),
        KEY_SUB("ConfigFrom", K_OBJECT, config_from_keys),
        KEY("Options", K_MAP),
        KEY("Labels", K_MAP),
        KEYS_END,
};

static const struct key volume_keys[] = {
        KEY("Name", K_STRING), KEY("Driver", K_STRING), KEY("DriverOpts", K_MAP), KEY("Labels", K_MAP),
        KEY("ClusterVolumeSpec", K_OPAQUE), KEYS_END,
};

static const struct key connect_keys[] = { KEY("Container", K_STRING), KEY("EndpointConfig", K_OPAQUE), KEYS_END };
static const struct key disconnect_keys[] = { KEY("Container", K_STRING), KEY("Force", K_BOOL), KEYS_END };

static const char *const kind_words[] = {
        [K_STRING] = "a string",
        [K_BOOL] = "true or false",
        [K_MAP] = "an object whose values are strings",
        [K_OBJECT] = "an object",
        [K_OBJECTS] = "a list of objects",
        [K_OPAQUE] = "a value",
};

/* A key or place for a message: the name characters of s, anything else
 * '?', at most 64 of them. */
static const char *shown_key(const char *s, char buf[static 68]) {
        size_t n = 0;
        for (; s[n] && n < 64; n++)
                buf[n] = isalnum((unsigned char) s[n]) || strchr("._-[]", s[n]) ? s[n] : '?';
        strcpy(buf + n, s[n] ? "..." : "");
        return buf;
}

static const struct key *key_find(const struct key *keys, const char *name, bool fold) {
        for (; keys->name; keys++)
                if (fold ? strcasecmp(keys->name, name) == 0 : streq(keys->name, name))
                        return keys;
        return NULL;
}

static int check_keys(json_t *o, const struct key *keys, const char *where, struct berth_error *err);

static int check_one(const struct key *k, json_t *v, const char *where, struct berth_error *err) {
        char place[160];
        const char *name;
        json_t *e;
        size_t i;
        bool ok = true;
        int r;

        snprintf(place, sizeof(place), "%s%s%s", where, *where ? "." : "", k->name);
        switch (k->kind) {
        case K_STRING:
                ok = json_is_string(v);
                break;
        case K_BOOL:
                ok = json_is_boolean(v);
                break;
        case K_MAP:
                ok = json_is_object(v);
                json_object_foreach(v, name, e)
                        ok = ok && json_is_string(e);
                break;
        case K_OBJECT:
                if (!json_is_object(v))
                        return berth_error_set(err, -EINVAL, "berth: %s must be %s.", place, kind_words[k->kind]);
                return check_keys(v, k->sub, place, err);
        case K_OBJECTS:
                ok = json_is_array(v);
                json_array_foreach(v, i, e) {
                        char at[sizeof(place) + 24];
                        snprintf(at, sizeof(at), "%s[%zu]", place, i);
                        if (!json_is_object(e))
                                return berth_error_set(err, -EINVAL, "berth: %s must be an object.", at);
                        if ((r = check_keys(e, k->sub, at, err)) < 0)
                                return r;
                }
                break;
        case K_OPAQUE:
        default:
                break;
        }
        return ok ? 0 : berth_error_set(err, -EINVAL, "berth: %s must be %s.", place, kind_words[k->kind]);
}

static int check_keys(json_t *o, const struct key *keys, const char *where, struct berth_error *err) {
        const char *name;
        json_t *v;
        json_object_foreach(o, name, v) {
                char buf[68];
                const struct key *k = key_find(keys, name, false), *like;
                const char *in = *where ? " in " : " at the top level";
                if (!k && (like = key_find(keys, name, true)))
                        return berth_error_set(err, -EPERM,
                                               "berth: the key \"%s\"%s%s must be written \"%s\": berth matches keys exactly, as Docker's clients write them.",
                                               shown_key(name, buf), in, where, like->name);
                if (!k)
                        return berth_error_set(err, -EPERM,
                                               "berth: the key \"%s\"%s%s is not one berth knows, so the request is refused; leave it out.",
                                               shown_key(name, buf), in, where);
                int r = json_is_null(v) ? 0 : check_one(k, v, where, err); /* null: as if absent, as Go reads it */
                if (r < 0)
                        return r;
        }
        return 0;
}

/* One JSON object, duplicate keys refused, checked against keys. */
static int load(const char *body, size_t len, const struct key *keys, json_t **ret, struct berth_error *err) {
        json_error_t e;
        if (!body || len == 0)
                return berth_error_set(err, -EINVAL, "berth: the request has no body; send one JSON object.");
        if (len > API_BODY_MAX)
                return berth_error_set(err, -E2BIG, "berth: the request body is larger than 1 MiB; send a smaller one.");
        if (memchr(body, 0, len))
                return berth_error_set(err, -EINVAL, "berth: the request body holds a NUL byte; send plain JSON.");
        _cleanup_json_ json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
        if (!doc && json_error_code(&e) == json_error_out_of_memory)
                return -ENOMEM;
        if (!doc && json_error_code(&e) == json_error_duplicate_key)
                return berth_error_set(err, -EPERM, "berth: the request body gives a key twice in one object; give each key once.");
        if (!doc)
                return berth_error_set(err, -EINVAL, "berth: the request body is not valid JSON (line %d column %d); send one JSON object.",
                                       e.line, e.column);
        if (!json_is_object(doc))
                return berth_error_set(err, -EINVAL, "berth: the request body must be one JSON object.");
        int r = check_keys(doc, keys, "", err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(doc);
        return 0;
}

/* A non-empty string at o[key] into *slot. */
static int set_string(char **slot, json_t *o, const char *key) {
        const char *v = json_string_value(json_object_get(o, key));
        if (!v || !*v)
                return 0;
        return (*slot = strdup(v)) ? 0 : -ENOMEM;
}

/* A map of strings, appended as "key=value". */
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

/* A volume or network create body (network: which) into *ret. */
static int create_parse(const char *body, size_t len, bool network, struct object_spec *ret, json_t **ret_doc,
                        struct berth_error *err) {
        _cleanup_(object_spec_done) struct object_spec s = { 0 };
        _cleanup_json_ json_t *doc = NULL;
        int r;

        if (!ret)
                return -EINVAL;
        if ((r = load(body, len, network ? network_keys : volume_keys, &doc, err)) < 0)
                return r;
        if (set_string(&s.name, doc, "Name") < 0 || set_string(&s.driver, doc, "Driver") < 0 ||
            push_pairs(&s.opts, json_object_get(doc, network ? "Options" : "DriverOpts")) < 0 ||
            push_pairs(&s.labels, json_object_get(doc, "Labels")) < 0 ||
            (network && set_string(&s.ipam_driver, json_object_get(doc, "IPAM"), "Driver") < 0))
                return berth_error_set(err, -ENOMEM, "berth: out of memory.");
        json_t *cluster = json_object_get(doc, "ClusterVolumeSpec");
        s.cluster = cluster && !json_is_null(cluster);
        s.config_from = json_is_object(json_object_get(doc, "ConfigFrom"));
        s.config_only = json_is_true(json_object_get(doc, "ConfigOnly"));
        s.ingress = json_is_true(json_object_get(doc, "Ingress"));
        *ret = s;
        s = (struct object_spec) { 0 };
        if (ret_doc)
                *ret_doc = TAKE_PTR(doc);
        return 0;
}

int api_volume_create_parse(const char *body, size_t len, struct object_spec *ret, json_t **ret_doc,
                            struct berth_error *err) {
        return create_parse(body, len, false, ret, ret_doc, err);
}

int api_network_create_parse(const char *body, size_t len, struct object_spec *ret, json_t **ret_doc,
                             struct berth_error *err) {
        return create_parse(body, len, true, ret, ret_doc, err);
}

int api_object_create_rewrite(const json_t *doc, const char *user, char **ret_body) {
        const char *key;
        json_t *v;
        void *tmp;

        if (!json_is_object(doc) || !user || !ret_body)
                return -EINVAL;
        _cleanup_json_ json_t *d = json_deep_copy(doc);
        if (!d)
                return -ENOMEM;
        json_t *labels = json_object_get(d, "Labels");
        if (!json_is_object(labels)) {
                labels = json_object();
                if (!labels || json_object_set_new(d, "Labels", labels) < 0)
                        return -ENOMEM;
        }
        json_object_foreach_safe(labels, tmp, key, v)
                if (policy_label_reserved(key) && json_object_del(labels, key) < 0)
                        return -ENOMEM;
        if (json_object_set_new(labels, "berth.user", json_string(user)) < 0)
                return -ENOMEM;
        return api_body_dump(d, ret_body);
}

/* EndpointConfig, read by api_create_parse() as the one endpoint of a
 * create body; its messages say where in the connect body. */
static int check_endpoint(json_t *ec, struct berth_error *err) {
        static const char place[] = "NetworkingConfig.EndpointsConfig[\"EndpointConfig\"]", here[] = "EndpointConfig";
        _cleanup_(container_spec_done) struct container_spec s = { 0 };
        _cleanup_free_ char *text = NULL;

        if (!ec || json_is_null(ec))
                return 0;
        if (!json_is_object(ec))
                return berth_error_set(err, -EINVAL, "berth: EndpointConfig must be an object.");
        _cleanup_json_ json_t *create = json_pack("{s:s,s:{s:{s:O}}}", "Image", "-", "NetworkingConfig", "EndpointsConfig",
                                                  here, ec);
        if (!create || !(text = json_dumps(create, JSON_COMPACT)))
                return -ENOMEM;
        int r = api_create_parse(text, strlen(text), &s, NULL, err);
        if (r >= 0 || r == -ENOMEM)
                return r;
        for (char *p; (p = strstr(err->message, place));) {
                memmove(p + strlen(here), p + strlen(place), strlen(p + strlen(place)) + 1);
                memcpy(p, here, strlen(here));
        }
        return r;
}

int api_network_attach_parse(const char *body, size_t len, bool connect, char **ret_container, json_t **ret_doc,
                             struct berth_error *err) {
        _cleanup_json_ json_t *doc = NULL;
        _cleanup_free_ char *container = NULL;
        int r;

        if (!ret_container)
                return -EINVAL;
        if ((r = load(body, len, connect ? connect_keys : disconnect_keys, &doc, err)) < 0 ||
            (connect && (r = check_endpoint(json_object_get(doc, "EndpointConfig"), err)) < 0))
                return r == -ENOMEM ? berth_error_set(err, r, "berth: out of memory.") : r;
        if (set_string(&container, doc, "Container") < 0)
                return berth_error_set(err, -ENOMEM, "berth: out of memory.");
        if (!container)
                return berth_error_set(err, -EINVAL, "berth: the request names no \"Container\"; name the container to %s.",
                                       connect ? "connect" : "disconnect");
        *ret_container = TAKE_PTR(container);
        if (ret_doc)
                *ret_doc = TAKE_PTR(doc);
        return 0;
}

int api_network_attach_rewrite(const json_t *doc, const char *id, char **ret_body) {
        if (!json_is_object(doc) || !id || !*id || !ret_body)
                return -EINVAL;
        _cleanup_json_ json_t *d = json_deep_copy(doc);
        if (!d)
                return -ENOMEM;
        if (json_object_set_new(d, "Container", json_string(id)) < 0)
                return -ENOMEM;
        return api_body_dump(d, ret_body);
}
