/* SPDX-License-Identifier: MIT */
/* Docker Engine API over the daemon's unix socket; see docker.h. */
#include "docker.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <strings.h>
#include <sys/un.h>
#include <time.h>

#include <curl/curl.h>

#define DOCKER_DEFAULT_SOCKET "/run/docker.sock"
#define DOCKER_REPLY_MAX (16u * 1024 * 1024) /* a container list of thousands still fits */
#define DOCKER_ERROR_BODY_MAX (64u * 1024)
#define DOCKER_EVENT_MAX (1u * 1024 * 1024) /* one event object */
#define DOCKER_CONNECT_TIMEOUT_S 5L
#define DOCKER_REQUEST_TIMEOUT_S 60L
#define DOCKER_SLOW_TIMEOUT_S 1800L /* commit, image removal: bounded, but large */
#define DOCKER_STREAM_OPEN_TIMEOUT_MS 30000L
/* Docker's own oldest supported API; everything used here exists there. */
#define DOCKER_API_MIN_MAJOR 1
#define DOCKER_API_MIN_MINOR 24

typedef unsigned long long usec_t;
static inline void curl_slist_free_allp(struct curl_slist **l) {
        if (*l)
                curl_slist_free_all(*l);
}

struct docker {
        char *socket_path;
        char api_version[16];
        char *base_url; /* "http://localhost/v1.41" */
        CURL *curl;
        char errbuf[CURL_ERROR_SIZE];
};

/* A growing reply buffer that refuses to grow past max. */
struct buf {
        char *data;
        size_t len, cap, max;
        bool overflow;
};

static void buf_done(struct buf *b) {
        free(b->data);
        *b = (struct buf) { .max = b->max };
}

static int buf_append(struct buf *b, const char *p, size_t n) {
        if (n > b->max - b->len) {
                b->overflow = true;
                return -EFBIG;
        }
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 4096;
                while (cap < b->len + n + 1)
                        cap *= 2;
                char *nd = realloc(b->data, cap);
                if (!nd)
                        return -ENOMEM;
                b->data = nd;
                b->cap = cap;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = 0;
        return 0;
}

static size_t buf_write_cb(char *p, size_t size, size_t nmemb, void *userdata) {
        struct buf *b = userdata;
        size_t n = size * nmemb;
        return buf_append(b, p, n) < 0 ? 0 : n;
}

static void restrict_to_http(CURL *c) {
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85 */
        (void) curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
#else
        (void) curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long) CURLPROTO_HTTP);
#endif
}

/* berth_error_set() leaves http_status alone; 0 unless an HTTP status is
 * the cause. */
static void http_status_clear(struct berth_error *err) {
        if (err)
                err->http_status = 0;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;
static void curl_init_once(void) {
        curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Percent-encode everything but RFC 3986's unreserved characters and those
 * in keep. */
static int url_escape(const char *s, const char *keep, char **ret) {
        static const char hex[] = "0123456789ABCDEF";
        size_t n = strlen(s);
        char *e = malloc(n * 3 + 1), *q = e;
        if (!e)
                return -ENOMEM;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (isascii(*p) && (isalnum(*p) || strchr("-._~", *p) || (keep && strchr(keep, *p))))
                        *q++ = (char) *p;
                else {
                        *q++ = '%';
                        *q++ = hex[*p >> 4];
                        *q++ = hex[*p & 15];
                }
        }
        *q = 0;
        *ret = e;
        return 0;
}

/* A container id or name, or an image reference (which may hold slashes).
 * Docker decodes %2F before routing, so dot segments would let a name walk to
 * another endpoint even when escaped: they are refused outright.  A leading
 * "/" on a container name (as in Docker's .Names) is dropped. */
static int path_escape(const char *s, bool is_image, char **ret, struct berth_error *err) {
        http_status_clear(err);
        if (s && !is_image && s[0] == '/')
                s++;
        if (!s || !*s)
                return berth_error_set(err, -EINVAL, "An empty container or image name was given.");
        for (const char *seg = s;;) {
                size_t l = strcspn(seg, "/");
                if ((l == 1 && seg[0] == '.') || (l == 2 && seg[0] == '.' && seg[1] == '.'))
                        return berth_error_set(err, -EINVAL, "'%s' is not a valid container or image name.", s);
                if (!seg[l])
                        break;
                seg += l + 1;
        }
        if (url_escape(s, is_image ? ":@/" : ":@", ret) < 0)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        return 0;
}

/* "&filters=<escaped {"label":[...]}>" or "" when there are none. */
static int label_filters_query(char *const *labels, char **ret) {
        if (!labels || !*labels) {
                *ret = strdup("");
                return *ret ? 0 : -ENOMEM;
        }
        _cleanup_json_ json_t *arr = json_array();
        if (!arr)
                return -ENOMEM;
        for (char *const *l = labels; *l; l++)
                if (json_array_append_new(arr, json_string(*l)) < 0)
                        return -EINVAL; /* not UTF-8 */
        _cleanup_json_ json_t *f = json_pack("{sO}", "label", arr);
        if (!f)
                return -ENOMEM;
        _cleanup_free_ char *s = json_dumps(f, JSON_COMPACT);
        _cleanup_free_ char *e = NULL;
        if (!s || url_escape(s, NULL, &e) < 0)
                return -ENOMEM;
        if (asprintf(ret, "&filters=%s", e) < 0)
                return -ENOMEM;
        return 0;
}

/* Fill err from a non-2xx reply: Docker's {"message": "…"} when it sent one,
 * else the start of the body. */
static int http_error(long status, const struct buf *body, struct berth_error *err) {
        int r;
        switch (status) {
        case 400:
                r = -EINVAL;
                break;
        case 401:
        case 403:
                r = -EACCES;
                break;
        case 404:
                r = -ENOENT;
                break;
        case 409:
                r = -EBUSY;
                break;
        default:
                r = -EIO;
                break;
        }
        if (!err)
                return r;
        _cleanup_json_ json_t *j = NULL;
        const char *msg = NULL;
        if (body->len > 0) {
                j = json_loadb(body->data, body->len, JSON_REJECT_DUPLICATES, NULL);
                msg = json_string_value(json_object_get(j, "message"));
        }
        if (msg)
                berth_error_set(err, r, "%s", msg);
        else if (body->len > 0)
                berth_error_set(err, r, "%.*s", (int) strcspn(body->data, "\r\n"), body->data);
        else
                berth_error_set(err, r, "Docker answered HTTP %ld.", status);
        err->http_status = status;
        return r;
}

static int curl_error(CURL *c, CURLcode cc, const char *socket_path, const char *errbuf, const struct buf *body,
                      struct berth_error *err) {
        const char *detail = errbuf && *errbuf ? errbuf : curl_easy_strerror(cc);
        int r;
        if (err)
                err->http_status = 0;
        switch (cc) {
        case CURLE_COULDNT_CONNECT: {
                long os_errno = 0;
                (void) curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
                if (os_errno == ENOENT)
                        return berth_error_set(err, -ENOENT,
                                               "Cannot connect to the Docker daemon at unix://%s: there is no such socket; is dockerd running?",
                                               socket_path);
                if (os_errno == EACCES || os_errno == EPERM)
                        return berth_error_set(err, -EACCES,
                                               "Cannot connect to the Docker daemon at unix://%s: permission denied.",
                                               socket_path);
                return berth_error_set(err, -ECONNREFUSED,
                                       "Cannot connect to the Docker daemon at unix://%s: %s; is dockerd running?",
                                       socket_path, os_errno > 0 ? strerror((int) os_errno) : detail);
        }
        case CURLE_OPERATION_TIMEDOUT:
                return berth_error_set(err, -ETIMEDOUT, "The Docker daemon at unix://%s did not answer in time: %s.",
                                       socket_path, detail);
        case CURLE_WRITE_ERROR:
                if (body && body->overflow)
                        return berth_error_set(err, -EFBIG,
                                               "The Docker daemon's reply is larger than %zu bytes; refusing it.",
                                               body->max);
                r = -EIO;
                break;
        case CURLE_OUT_OF_MEMORY:
                return berth_error_set(err, -ENOMEM, "Out of memory talking to the Docker daemon.");
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
                r = -ECONNRESET;
                break;
        default:
                r = -EIO;
                break;
        }
        return berth_error_set(err, r, "Talking to the Docker daemon at unix://%s failed: %s.", socket_path, detail);
}

static size_t ping_header_cb(char *p, size_t size, size_t nmemb, void *userdata) {
        struct docker *d = userdata;
        size_t n = size * nmemb;
        static const char key[] = "Api-Version:";
        if (n > sizeof(key) - 1 && strncasecmp(p, key, sizeof(key) - 1) == 0) {
                const char *v = p + sizeof(key) - 1;
                size_t l = n - (sizeof(key) - 1);
                while (l > 0 && (*v == ' ' || *v == '\t'))
                        v++, l--;
                while (l > 0 && isspace((unsigned char) v[l - 1]))
                        l--;
                if (l < sizeof(d->api_version)) {
                        memcpy(d->api_version, v, l);
                        d->api_version[l] = 0;
                }
        }
        return n;
}

/* One exchange on d's handle.  url is complete; on success *ret_status gets
 * the HTTP status and body the reply, whatever the status. */
static int perform(struct docker *d, const char *method, const char *url, json_t *body, long timeout_s,
                   bool ping, long *ret_status, struct buf *reply, struct berth_error *err) {
        _cleanup_(curl_slist_free_allp) struct curl_slist *headers = NULL;
        _cleanup_free_ char *payload = NULL;
        CURL *c = d->curl;
        CURLcode cc = CURLE_OK;

        if (body) {
                payload = json_dumps(body, JSON_COMPACT);
                if (!payload)
                        return berth_error_set(err, -EINVAL, "The request body could not be encoded as JSON.");
        }

        /* Reset forgets every option but keeps the connection cache, so the
         * next request reuses the kept-alive connection. */
        curl_easy_reset(c);
        struct curl_slist *h = curl_slist_append(NULL, "Expect:");
        if (h) {
                headers = h;
                if (payload) {
                        h = curl_slist_append(headers, "Content-Type: application/json");
                        if (h)
                                headers = h;
                }
        }
        if (!headers || (payload && !headers->next))
                return berth_error_set(err, -ENOMEM, "Out of memory.");

        if (curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, d->socket_path) != CURLE_OK ||
            curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        (void) curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        (void) curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
        restrict_to_http(c);
        (void) curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, DOCKER_CONNECT_TIMEOUT_S);
        (void) curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
        (void) curl_easy_setopt(c, CURLOPT_USERAGENT, "berth");
        (void) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
        d->errbuf[0] = 0;
        (void) curl_easy_setopt(c, CURLOPT_ERRORBUFFER, d->errbuf);
        (void) curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_write_cb);
        (void) curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
        if (ping) {
                (void) curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ping_header_cb);
                (void) curl_easy_setopt(c, CURLOPT_HEADERDATA, d);
        }
        if (streq(method, "GET"))
                (void) curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        else if (streq(method, "HEAD"))
                (void) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        else {
                /* POST, DELETE, PUT, …: a body (maybe empty) and the verb. */
                if (payload || streq(method, "POST")) {
                        (void) curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long) (payload ? strlen(payload) : 0));
                        (void) curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload ? payload : "");
                }
                if (!streq(method, "POST"))
                        (void) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        }

        cc = curl_easy_perform(c);
        /* the handle outlives these buffers: leave it pointing at none */
        (void) curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
        (void) curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
        (void) curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
        if (cc != CURLE_OK)
                return curl_error(c, cc, d->socket_path, d->errbuf, reply, err);

        long status = 0;
        (void) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        *ret_status = status;
        return 0;
}

static int request_full(struct docker *d, const char *method, const char *path_and_query, json_t *body,
                        long timeout_s, long *ret_status, json_t **ret_json, struct berth_error *err) {
        http_status_clear(err);
        _cleanup_free_ char *url = NULL;
        struct buf reply = { .max = DOCKER_REPLY_MAX };
        long status = 0;
        int r;

        if (!d || !method || !path_and_query || path_and_query[0] != '/')
                return berth_error_set(err, -EINVAL, "Invalid Docker API request.");
        if (asprintf(&url, "%s%s", d->base_url, path_and_query) < 0)
                return berth_error_set(err, -ENOMEM, "Out of memory.");

        r = perform(d, method, url, body, timeout_s, false, &status, &reply, err);
        if (r < 0)
                goto finish;

        if (!((status >= 200 && status < 300) || status == 304)) {
                r = http_error(status, &reply, err);
                goto finish;
        }

        json_t *j = NULL;
        if (ret_json && reply.len > 0) {
                json_error_t jerr;
                j = json_loadb(reply.data, reply.len, JSON_REJECT_DUPLICATES, &jerr);
                if (!j) {
                        r = berth_error_set(err, -EBADMSG, "The Docker daemon sent a reply that is not JSON: %s.",
                                            jerr.text);
                        if (err)
                                err->http_status = status;
                        goto finish;
                }
        }
        if (ret_status)
                *ret_status = status;
        if (ret_json)
                *ret_json = j;
        r = 0;
finish:
        buf_done(&reply);
        return r;
}

int docker_request(struct docker *d, const char *method, const char *path_and_query, json_t *body,
                   long *ret_status, json_t **ret_json, struct berth_error *err) {
        return request_full(d, method, path_and_query, body, DOCKER_REQUEST_TIMEOUT_S, ret_status, ret_json, err);
}

int docker_socket_path(const char *docker_host_env, const char *config_default, char **ret,
                       struct berth_error *err) {
        http_status_clear(err);
        const char *p;
        if (docker_host_env && *docker_host_env) {
                if (strncmp(docker_host_env, "unix://", 7) != 0)
                        return berth_error_set(err, -EPROTONOSUPPORT,
                                               "DOCKER_HOST=%s is not supported: berth talks to the Docker daemon only over a local unix socket (DOCKER_HOST=unix:///path).",
                                               docker_host_env);
                p = docker_host_env + 7;
                if (p[0] != '/')
                        return berth_error_set(err, -EINVAL,
                                               "DOCKER_HOST=%s does not name an absolute socket path (DOCKER_HOST=unix:///path).",
                                               docker_host_env);
        } else
                p = config_default && *config_default ? config_default : DOCKER_DEFAULT_SOCKET;

        char *s = strdup(p);
        if (!s)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        *ret = s;
        return 0;
}

static int parse_api_version(const char *v) {
        unsigned major, minor;
        int n = -1;
        if (sscanf(v, "%3u.%3u%n", &major, &minor, &n) != 2 || n < 0 || v[n] != 0)
                return -EPROTO;
        if (major < DOCKER_API_MIN_MAJOR || (major == DOCKER_API_MIN_MAJOR && minor < DOCKER_API_MIN_MINOR))
                return -EPROTONOSUPPORT;
        return 0;
}

int docker_open(const char *socket_path, struct docker **ret, struct berth_error *err) {
        http_status_clear(err);
        _cleanup_docker_ struct docker *d = NULL;
        struct buf reply = { .max = DOCKER_ERROR_BODY_MAX };
        long status = 0;
        int r;

        if (!socket_path || socket_path[0] != '/')
                return berth_error_set(err, -EINVAL, "The Docker socket must be an absolute path, not '%s'.",
                                       strempty(socket_path));
        if (strlen(socket_path) >= sizeof(((struct sockaddr_un *) NULL)->sun_path))
                return berth_error_set(err, -ENAMETOOLONG, "The Docker socket path %s is too long for a unix socket.",
                                       socket_path);
        (void) pthread_once(&curl_once, curl_init_once);
        if (curl_init_result != CURLE_OK)
                return berth_error_set(err, -EIO, "libcurl failed to initialise: %s.",
                                       curl_easy_strerror(curl_init_result));

        d = calloc(1, sizeof(*d));
        if (!d)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        d->socket_path = strdup(socket_path);
        d->curl = curl_easy_init();
        if (!d->socket_path || !d->curl)
                return berth_error_set(err, -ENOMEM, "Out of memory.");

        r = perform(d, "GET", "http://localhost/_ping", NULL, DOCKER_REQUEST_TIMEOUT_S, true, &status, &reply, err);
        if (r >= 0 && status != 200)
                r = http_error(status, &reply, err);
        buf_done(&reply);
        if (r < 0)
                return r;

        if (!d->api_version[0])
                return berth_error_set(err, -EPROTO,
                                       "unix://%s answered /_ping without an Api-Version header; is it a Docker daemon?",
                                       socket_path);
        r = parse_api_version(d->api_version);
        if (r == -EPROTO)
                return berth_error_set(err, r, "unix://%s reports the unintelligible API version '%s'.", socket_path,
                                       d->api_version);
        if (r < 0)
                return berth_error_set(err, r, "The Docker daemon at unix://%s speaks API %s; berth needs %d.%d or newer.",
                                       socket_path, d->api_version, DOCKER_API_MIN_MAJOR, DOCKER_API_MIN_MINOR);
        if (asprintf(&d->base_url, "http://localhost/v%s", d->api_version) < 0) {
                d->base_url = NULL;
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        }
        *ret = TAKE_PTR(d);
        return 0;
}

void docker_close(struct docker *d) {
        if (!d)
                return;
        if (d->curl)
                curl_easy_cleanup(d->curl);
        free(d->socket_path);
        free(d->base_url);
        free(d);
}

const char *docker_api_version(struct docker *d) {
        return d->api_version;
}

const char *docker_socket(struct docker *d) {
        return d->socket_path;
}

/* --- containers ----------------------------------------------------------- */

/* GET /<kind>/<name>/json, which must answer with an object. */
static int inspect_request(struct docker *d, const char *kind, const char *name, bool image, json_t **ret,
                           struct berth_error *err) {
        _cleanup_free_ char *ename = NULL, *path = NULL;
        int r = path_escape(name, image, &ename, err);
        if (r < 0)
                return r;
        if (asprintf(&path, "/%s/%s/json", kind, ename) < 0)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        json_t *j = NULL;
        r = docker_request(d, "GET", path, NULL, NULL, &j, err);
        if (r < 0)
                return r;
        if (!json_is_object(j)) {
                json_decref(j);
                return berth_error_set(err, -EBADMSG, "Docker's inspect reply for %s%s is not an object.",
                                       image ? "image " : "", name);
        }
        *ret = j;
        return 0;
}

int docker_container_inspect(struct docker *d, const char *id_or_name, json_t **ret, struct berth_error *err) {
        return inspect_request(d, "containers", id_or_name, false, ret, err);
}

static int list_request(struct docker *d, const char *what, bool all, char *const *label_filters, json_t **ret,
                        struct berth_error *err) {
        _cleanup_free_ char *filters = NULL, *path = NULL;
        if (label_filters_query(label_filters, &filters) < 0)
                return berth_error_set(err, -EINVAL, "Label filters must be UTF-8 strings.");
        if (asprintf(&path, "/%s/json?all=%d%s", what, all, filters) < 0)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        json_t *j = NULL;
        int r = docker_request(d, "GET", path, NULL, NULL, &j, err);
        if (r < 0)
                return r;
        if (!json_is_array(j)) {
                json_decref(j);
                return berth_error_set(err, -EBADMSG, "Docker's %s list is not an array.", what);
        }
        *ret = j;
        return 0;
}

int docker_container_list(struct docker *d, bool all, char *const *label_filters, json_t **ret,
                          struct berth_error *err) {
        return list_request(d, "containers", all, label_filters, ret, err);
}

int docker_container_create(struct docker *d, const char *name, json_t *config, char **ret_id,
                            struct berth_error *err) {
        http_status_clear(err);
        _cleanup_free_ char *path = NULL, *ename = NULL;
        _cleanup_json_ json_t *reply = NULL;
        int r;

        if (!json_is_object(config))
                return berth_error_set(err, -EINVAL, "A container needs a configuration object.");
        if (name) {
                r = path_escape(name, false, &ename, err);
                if (r < 0)
                        return r;
        }
        if (asprintf(&path, "/containers/create%s%s", ename ? "?name=" : "", strempty(ename)) < 0)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        r = docker_request(d, "POST", path, config, NULL, &reply, err);
        if (r == -EBUSY) {
                /* the only conflict create knows: the name is taken */
                if (err)
                        err->code = -EEXIST;
                return -EEXIST;
        }
        if (r < 0)
                return r;
        const char *id = json_string_value(json_object_get(reply, "Id"));
        if (!id || !*id)
                return berth_error_set(err, -EBADMSG, "Docker created a container but sent no Id.");
        if (ret_id) {
                char *s = strdup(id);
                if (!s)
                        return berth_error_set(err, -ENOMEM, "Out of memory.");
                *ret_id = s;
        }
        return 0;
}

/* POST/DELETE /containers/{id}<suffix> with no reply worth keeping. */
static int container_action(struct docker *d, const char *method, const char *id, const char *suffix,
                            long timeout_s, struct berth_error *err) {
        _cleanup_free_ char *eid = NULL, *path = NULL;
        int r = path_escape(id, false, &eid, err);
        if (r < 0)
                return r;
        if (asprintf(&path, "/containers/%s%s", eid, suffix) < 0)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        return request_full(d, method, path, NULL, timeout_s, NULL, NULL, err);
}

int docker_container_start(struct docker *d, const char *id, struct berth_error *err) {
        return container_action(d, "POST", id, "/start", DOCKER_REQUEST_TIMEOUT_S, err);
}

int docker_container_stop(struct docker *d, const char *id, int timeout_s, struct berth_error *err) {
        char suffix[32];
        if (timeout_s >= 0)
                snprintf(suffix, sizeof(suffix), "/stop?t=%d", timeout_s);
        else
                strcpy(suffix, "/stop");
        /* Docker answers after the grace period and the kill that follows it. */
        long limit = timeout_s >= 0 ? timeout_s + DOCKER_REQUEST_TIMEOUT_S : DOCKER_SLOW_TIMEOUT_S;
        return container_action(d, "POST", id, suffix, limit, err);
}

int docker_container_kill(struct docker *d, const char *id, const char *signal, struct berth_error *err) {
        _cleanup_free_ char *esig = NULL, *suffix = NULL;
        if (signal) {
                if (!*signal || url_escape(signal, NULL, &esig) < 0)
                        return berth_error_set(err, -EINVAL, "Invalid signal '%s'.", signal);
        }
        if (asprintf(&suffix, "/kill%s%s", esig ? "?signal=" : "", strempty(esig)) < 0)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        return container_action(d, "POST", id, suffix, DOCKER_REQUEST_TIMEOUT_S, err);
}

int docker_container_remove(struct docker *d, const char *id, bool force, struct berth_error *err) {
        return container_action(d, "DELETE", id, force ? "?force=1" : "", DOCKER_SLOW_TIMEOUT_S, err);
}

int docker_container_commit(struct docker *d, const char *id, const char *repo, const char *tag,
                            json_t *labels, char **ret_image_id, struct berth_error *err) {
        http_status_clear(err);
        _cleanup_free_ char *eid = NULL, *erepo = NULL, *etag = NULL, *path = NULL;
        _cleanup_json_ json_t *body = NULL, *reply = NULL;
        int r;

        r = path_escape(id, false, &eid, err);
        if (r < 0)
                return r;
        if ((repo && url_escape(repo, NULL, &erepo) < 0) || (tag && url_escape(tag, NULL, &etag) < 0))
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        if (labels) {
                if (!json_is_object(labels))
                        return berth_error_set(err, -EINVAL, "Image labels must be an object of strings.");
                /* Docker merges the rest of the container's config in. */
                body = json_pack("{sO}", "Labels", labels);
                if (!body)
                        return berth_error_set(err, -ENOMEM, "Out of memory.");
        }
        if (asprintf(&path, "/commit?container=%s%s%s%s%s", eid, erepo ? "&repo=" : "", strempty(erepo),
                     etag ? "&tag=" : "", strempty(etag)) < 0)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        r = request_full(d, "POST", path, body, DOCKER_SLOW_TIMEOUT_S, NULL, &reply, err);
        if (r < 0)
                return r;
        const char *image_id = json_string_value(json_object_get(reply, "Id"));
        if (!image_id || !*image_id)
                return berth_error_set(err, -EBADMSG, "Docker committed %s but sent no image Id.", id);
        if (ret_image_id) {
                char *s = strdup(image_id);
                if (!s)
                        return berth_error_set(err, -ENOMEM, "Out of memory.");
                *ret_image_id = s;
        }
        return 0;
}

/* --- images --------------------------------------------------------------- */

int docker_image_inspect(struct docker *d, const char *name, json_t **ret, struct berth_error *err) {
        return inspect_request(d, "images", name, true, ret, err);
}

int docker_image_list(struct docker *d, char *const *label_filters, json_t **ret, struct berth_error *err) {
        return list_request(d, "images", false, label_filters, ret, err);
}

int docker_image_remove(struct docker *d, const char *name, bool force, struct berth_error *err) {
        _cleanup_free_ char *ename = NULL, *path = NULL;
        int r = path_escape(name, true, &ename, err);
        if (r < 0)
                return r;
        if (asprintf(&path, "/images/%s%s", ename, force ? "?force=1" : "") < 0)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        return request_full(d, "DELETE", path, NULL, DOCKER_SLOW_TIMEOUT_S, NULL, NULL, err);
}

/* --- events --------------------------------------------------------------- */

struct docker_event_stream {
        CURLM *multi;
        CURL *curl;
        struct curl_slist *headers;
        char *socket_path;
        int fd;               /* the connection's socket, -1 before/after */
        docker_event_handler_t cb;
        void *userdata;

        long status;          /* 0 until the status line arrived */
        struct buf in;        /* bytes not yet handed out as events */
        size_t scan;          /* scanned up to here … */
        size_t obj_start;     /* … inside an object that starts here */
        unsigned depth;       /* of {} and [] nesting */
        bool in_string, escaped;
        struct buf error_body; /* the reply of a non-200 answer */

        int stop;             /* cb's non-zero value */
        int failure;          /* why the write callback gave up */
        char failure_text[256];
        bool ended;
        int result;           /* once ended: 1 or a negative errno */
        char errbuf[CURL_ERROR_SIZE];
};

/* Hands every complete top-level object in s->in to the callback.  Objects
 * may be split over chunks or several may arrive in one: a small scanner
 * that knows strings and escapes finds their ends. */
static int stream_feed(struct docker_event_stream *s) {
        struct buf *b = &s->in;
        size_t i;
        for (i = s->scan; i < b->len; i++) {
                char ch = b->data[i];
                if (s->depth == 0) {
                        if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t')
                                continue;
                        if (ch != '{') {
                                s->failure = -EBADMSG;
                                snprintf(s->failure_text, sizeof(s->failure_text),
                                         "the Docker event stream sent '%c' where an event object should start", ch);
                                return s->failure;
                        }
                        s->obj_start = i;
                        s->depth = 1;
                        continue;
                }
                if (s->in_string) {
                        if (s->escaped)
                                s->escaped = false;
                        else if (ch == '\\')
                                s->escaped = true;
                        else if (ch == '"')
                                s->in_string = false;
                        continue;
                }
                if (ch == '"')
                        s->in_string = true;
                else if (ch == '{' || ch == '[')
                        s->depth++;
                else if ((ch == '}' || ch == ']') && --s->depth == 0) {
                        json_error_t jerr;
                        json_t *ev = json_loadb(b->data + s->obj_start, i + 1 - s->obj_start,
                                                JSON_REJECT_DUPLICATES, &jerr);
                        if (!ev) {
                                s->failure = -EBADMSG;
                                snprintf(s->failure_text, sizeof(s->failure_text),
                                         "the Docker event stream sent an invalid event: %s", jerr.text);
                                return s->failure;
                        }
                        int r = s->cb(ev, s->userdata);
                        json_decref(ev);
                        if (r != 0) {
                                s->stop = r;
                                return r;
                        }
                }
        }
        /* Keep only the unfinished object, if any. */
        size_t keep_from = s->depth > 0 ? s->obj_start : b->len;
        memmove(b->data, b->data + keep_from, b->len - keep_from);
        b->len -= keep_from;
        if (b->data)
                b->data[b->len] = 0;
        s->scan = b->len;
        s->obj_start = 0;
        return 0;
}

static size_t stream_write_cb(char *p, size_t size, size_t nmemb, void *userdata) {
        struct docker_event_stream *s = userdata;
        size_t n = size * nmemb;

        if (s->status == 0)
                (void) curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->status);
        if (s->status != 200) {
                /* keep the start of an error reply for the message */
                size_t room = s->error_body.max - s->error_body.len;
                (void) buf_append(&s->error_body, p, n < room ? n : room);
                return n;
        }
        if (buf_append(&s->in, p, n) < 0) {
                s->failure = s->in.overflow ? -EFBIG : -ENOMEM;
                if (s->in.overflow)
                        snprintf(s->failure_text, sizeof(s->failure_text), "an event is larger than %u bytes",
                                 DOCKER_EVENT_MAX);
                else
                        snprintf(s->failure_text, sizeof(s->failure_text), "out of memory");
                return 0;
        }
        return stream_feed(s) != 0 ? 0 : n;
}

/* CURLINFO_ACTIVESOCKET knows a multi transfer's socket only once it is
 * over, so note the socket when curl creates and closes it. */
static int stream_sockopt_cb(void *userdata, curl_socket_t fd, curlsocktype purpose) {
        struct docker_event_stream *s = userdata;
        if (purpose == CURLSOCKTYPE_IPCXN)
                s->fd = (int) fd;
        return CURL_SOCKOPT_OK;
}

static int stream_closesocket_cb(void *userdata, curl_socket_t fd) {
        struct docker_event_stream *s = userdata;
        if (s->fd == (int) fd)
                s->fd = -1;
        return close(fd);
}

void docker_event_stream_free(struct docker_event_stream *s) {
        if (!s)
                return;
        if (s->multi && s->curl)
                curl_multi_remove_handle(s->multi, s->curl);
        if (s->curl)
                curl_easy_cleanup(s->curl);
        if (s->multi)
                curl_multi_cleanup(s->multi);
        curl_slist_free_all(s->headers);
        buf_done(&s->in);
        buf_done(&s->error_body);
        free(s->socket_path);
        free(s);
}

/* Turns a finished transfer into the stream's result. */
static int stream_finish(struct docker_event_stream *s, CURLcode cc, struct berth_error *err) {
        s->ended = true;
        if (s->stop > 0)
                return (s->result = 1);
        if (s->stop < 0) {
                s->result = s->stop;
                return berth_error_set(err, s->stop, "The Docker event handler failed: %s.", strerror(-s->stop));
        }
        if (s->failure < 0) {
                s->result = s->failure;
                if (err)
                        err->http_status = 0;
                return berth_error_set(err, s->failure, "Following Docker events failed: %s.", s->failure_text);
        }
        if (cc != CURLE_OK) {
                s->result = curl_error(s->curl, cc, s->socket_path, s->errbuf, NULL, err);
                return s->result;
        }
        if (s->status == 0)
                (void) curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->status);
        if (s->status != 200)
                return (s->result = http_error(s->status, &s->error_body, err));
        if (s->depth > 0) {
                s->result = -ECONNRESET;
                if (err)
                        err->http_status = 0;
                return berth_error_set(err, -ECONNRESET, "The Docker event stream ended in the middle of an event.");
        }
        return (s->result = 1);
}

/* Runs the transfer as far as it goes without blocking.  0: still running;
 * 1 or a negative errno: ended. */
static int stream_step(struct docker_event_stream *s, struct berth_error *err) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(s->multi, &running);
        if (mc != CURLM_OK) {
                s->ended = true;
                s->result = -EIO;
                if (err)
                        err->http_status = 0;
                return berth_error_set(err, -EIO, "Following Docker events failed: %s.", curl_multi_strerror(mc));
        }
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(s->multi, &left)))
                if (m->msg == CURLMSG_DONE && m->easy_handle == s->curl)
                        return stream_finish(s, m->data.result, err);
        return 0;
}

static int build_events_url(struct docker *d, json_t *filters, char **ret, struct berth_error *err) {
        http_status_clear(err);
        _cleanup_json_ json_t *f = NULL;
        _cleanup_free_ char *query = NULL;
        char *u;

        if (filters && !json_is_object(filters))
                return berth_error_set(err, -EINVAL, "Docker event filters must be an object.");
        f = filters ? json_copy(filters) : json_object();
        if (!f)
                return berth_error_set(err, -ENOMEM, "Out of memory.");

        static const char *const time_keys[] = { "since", "until" };
        for (size_t k = 0; k < ELEMENTSOF(time_keys); k++) {
                json_t *v = json_object_get(f, time_keys[k]);
                _cleanup_free_ char *val = NULL, *eval = NULL;
                if (!v)
                        continue;
                if (json_is_integer(v)) {
                        if (asprintf(&val, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) < 0)
                                val = NULL;
                } else if (json_is_real(v)) {
                        if (asprintf(&val, "%.6f", json_real_value(v)) < 0)
                                val = NULL;
                } else if (json_is_string(v))
                        val = strdup(json_string_value(v));
                else
                        return berth_error_set(err, -EINVAL, "Docker event filter '%s' must be a time.", time_keys[k]);
                if (!val || url_escape(val, NULL, &eval) < 0)
                        return berth_error_set(err, -ENOMEM, "Out of memory.");
                char *nq;
                if (asprintf(&nq, "%s%s%s=%s", strempty(query), query ? "&" : "", time_keys[k], eval) < 0)
                        return berth_error_set(err, -ENOMEM, "Out of memory.");
                free(query);
                query = nq;
                (void) json_object_del(f, time_keys[k]);
        }
        if (json_object_size(f) > 0) {
                _cleanup_free_ char *s = json_dumps(f, JSON_COMPACT), *e = NULL;
                if (!s || url_escape(s, NULL, &e) < 0)
                        return berth_error_set(err, -ENOMEM, "Out of memory.");
                char *nq;
                if (asprintf(&nq, "%s%sfilters=%s", strempty(query), query ? "&" : "", e) < 0)
                        return berth_error_set(err, -ENOMEM, "Out of memory.");
                free(query);
                query = nq;
        }
        if (asprintf(&u, "%s/events%s%s", d->base_url, query ? "?" : "", strempty(query)) < 0)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        *ret = u;
        return 0;
}

int docker_event_stream_open(struct docker *d, json_t *filters, docker_event_handler_t cb, void *userdata,
                             struct docker_event_stream **ret, struct berth_error *err) {
        http_status_clear(err);
        _cleanup_free_ char *url = NULL;
        _cleanup_(docker_event_stream_freep) struct docker_event_stream *s = NULL;
        int r;

        if (!d || !cb)
                return berth_error_set(err, -EINVAL, "Invalid Docker event stream request.");
        r = build_events_url(d, filters, &url, err);
        if (r < 0)
                return r;

        s = calloc(1, sizeof(*s));
        if (!s)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        s->fd = -1;
        s->cb = cb;
        s->userdata = userdata;
        s->in.max = DOCKER_EVENT_MAX;
        s->error_body.max = DOCKER_ERROR_BODY_MAX;
        s->socket_path = strdup(d->socket_path);
        s->multi = curl_multi_init();
        s->curl = curl_easy_init();
        s->headers = curl_slist_append(NULL, "Expect:");
        if (!s->socket_path || !s->multi || !s->curl || !s->headers)
                return berth_error_set(err, -ENOMEM, "Out of memory.");

        if (curl_easy_setopt(s->curl, CURLOPT_UNIX_SOCKET_PATH, s->socket_path) != CURLE_OK ||
            curl_easy_setopt(s->curl, CURLOPT_URL, url) != CURLE_OK)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        (void) curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
        (void) curl_easy_setopt(s->curl, CURLOPT_PATH_AS_IS, 1L);
        restrict_to_http(s->curl);
        (void) curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, DOCKER_CONNECT_TIMEOUT_S);
        (void) curl_easy_setopt(s->curl, CURLOPT_USERAGENT, "berth");
        (void) curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, s->headers);
        (void) curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, s->errbuf);
        (void) curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, stream_write_cb);
        (void) curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, s);
        (void) curl_easy_setopt(s->curl, CURLOPT_HTTPGET, 1L);
        (void) curl_easy_setopt(s->curl, CURLOPT_SOCKOPTFUNCTION, stream_sockopt_cb);
        (void) curl_easy_setopt(s->curl, CURLOPT_SOCKOPTDATA, s);
        (void) curl_easy_setopt(s->curl, CURLOPT_CLOSESOCKETFUNCTION, stream_closesocket_cb);
        (void) curl_easy_setopt(s->curl, CURLOPT_CLOSESOCKETDATA, s);
        if (curl_multi_add_handle(s->multi, s->curl) != CURLM_OK)
                return berth_error_set(err, -ENOMEM, "Out of memory.");

        /* Wait (bounded) for the status line, so a refused request fails
         * here (with Docker's message) and the caller gets a live fd. */
        usec_t deadline = now_usec() + DOCKER_STREAM_OPEN_TIMEOUT_MS * 1000;
        for (;;) {
                r = stream_step(s, err);
                if (r < 0)
                        return r;
                if (r > 0) /* over already: cb stopped it, or "until" had passed */
                        break;
                long status = 0;
                (void) curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
                if (status == 200)
                        break;
                /* any other status: go on until the error body is complete */
                if (now_usec() >= deadline) {
                        if (status != 0)
                                return http_error(status, &s->error_body, err);
                        if (err)
                                err->http_status = 0;
                        return berth_error_set(err, -ETIMEDOUT,
                                               "The Docker daemon at unix://%s did not answer the event request in time.",
                                               s->socket_path);
                }
                (void) curl_multi_poll(s->multi, NULL, 0, 100, NULL);
        }
        *ret = TAKE_PTR(s);
        return 0;
}

int docker_event_stream_fd(struct docker_event_stream *s) {
        if (!s || s->ended || s->fd < 0)
                return -EBADF;
        return s->fd;
}

int docker_event_stream_process(struct docker_event_stream *s, struct berth_error *err) {
        if (!s)
                return -EINVAL;
        if (s->ended) {
                if (s->result < 0)
                        return berth_error_set(err, s->result, "The Docker event stream has failed before.");
                return 1;
        }
        return stream_step(s, err);
}

int docker_events(struct docker *d, json_t *filters, docker_event_handler_t cb, void *userdata,
                  struct berth_error *err) {
        _cleanup_(docker_event_stream_freep) struct docker_event_stream *s = NULL;
        int r = docker_event_stream_open(d, filters, cb, userdata, &s, err);
        if (r < 0)
                return r;
        for (;;) {
                r = docker_event_stream_process(s, err);
                if (r < 0)
                        return r;
                if (r > 0)
                        return 0;
                if (curl_multi_poll(s->multi, NULL, 0, 1000, NULL) != CURLM_OK)
                        return berth_error_set(err, -EIO, "Waiting for Docker events failed.");
        }
}
