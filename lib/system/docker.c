/* SPDX-License-Identifier: MIT */
/* Docker Engine API over the daemon's unix socket; see docker.h. */
#include "system/docker.h"

#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <strings.h>
#include <sys/un.h>
#include <time.h>

#include <curl/curl.h>

#include "system/docker-internal.h"
#include "core/paths.h"

#define DOCKER_REQUEST_TIMEOUT_S 60L
#define DOCKER_SLOW_TIMEOUT_S 1800L /* commit, image removal: bounded, but large */
/* Docker's own oldest supported API; everything used here exists there. */
#define DOCKER_API_MIN "1.24"

void docker_buf_done(struct buf *b) {
        free(b->data);
        *b = (struct buf) { .max = b->max };
}

int docker_buf_append(struct buf *b, const char *p, size_t n) {
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
        return docker_buf_append(b, p, n) < 0 ? 0 : n;
}

void docker_restrict_to_http(CURL *c) {
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85 */
        (void) curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
#else
        (void) curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long) CURLPROTO_HTTP);
#endif
}

/* berth_error_set() leaves http_status alone; 0 unless an HTTP status is
 * the cause. */
void docker_http_status_clear(struct berth_error *err) {
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
int docker_url_escape(const char *s, const char *keep, char **ret) {
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
        docker_http_status_clear(err);
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
        if (docker_url_escape(s, is_image ? ":@/" : ":@", ret) < 0)
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
        if (!s || docker_url_escape(s, NULL, &e) < 0)
                return -ENOMEM;
        if (asprintf(ret, "&filters=%s", e) < 0)
                return -ENOMEM;
        return 0;
}

/* Fill err from a non-2xx reply: Docker's {"message": "…"} when it sent one,
 * else the start of the body. */
int docker_http_error(long status, const struct buf *body, struct berth_error *err) {
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

int docker_curl_error(CURL *c, CURLcode cc, const char *socket_path, const char *errbuf, const struct buf *body,
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
        docker_restrict_to_http(c);
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
                return docker_curl_error(c, cc, d->socket_path, d->errbuf, reply, err);

        long status = 0;
        (void) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        *ret_status = status;
        return 0;
}

static int request_full(struct docker *d, const char *method, const char *path_and_query, json_t *body,
                        long timeout_s, long *ret_status, json_t **ret_json, struct berth_error *err) {
        docker_http_status_clear(err);
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
                r = docker_http_error(status, &reply, err);
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
        docker_buf_done(&reply);
        return r;
}

int docker_request(struct docker *d, const char *method, const char *path_and_query, json_t *body,
                   long *ret_status, json_t **ret_json, struct berth_error *err) {
        return request_full(d, method, path_and_query, body, DOCKER_REQUEST_TIMEOUT_S, ret_status, ret_json, err);
}

int docker_socket_path(const char *docker_host_env, const char *config_default, char **ret,
                       struct berth_error *err) {
        docker_http_status_clear(err);
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
                p = config_default && *config_default ? config_default : BERTH_DEFAULT_DOCKER_SOCKET;

        char *s = strdup(p);
        if (!s)
                return berth_error_set(err, -ENOMEM, "Out of memory.");
        *ret = s;
        return 0;
}

/* Digits, one to three of them, at *s; moves s past them. */
static bool version_number(const char **s, unsigned *ret) {
        unsigned v = 0;
        size_t n = 0;
        for (; n < 3 && isdigit((unsigned char) (*s)[n]); n++)
                v = v * 10 + (unsigned) ((*s)[n] - '0');
        if (n == 0 || isdigit((unsigned char) (*s)[n]))
                return false;
        *s += n;
        *ret = v;
        return true;
}

int docker_api_version_parse(const char *s, unsigned *major, unsigned *minor) {
        unsigned a, b;
        if (!s || !version_number(&s, &a) || *s++ != '.' || !version_number(&s, &b) || *s != 0)
                return -EPROTO;
        *major = a;
        *minor = b;
        return 0;
}

int docker_api_version_cmp(const char *a, const char *b) {
        unsigned am, an, bm, bn;
        if (docker_api_version_parse(a, &am, &an) < 0 || docker_api_version_parse(b, &bm, &bn) < 0)
                return 0;
        return am != bm ? (am < bm ? -1 : 1) : an != bn ? (an < bn ? -1 : 1) : 0;
}

static int check_api_version(const char *v) {
        unsigned major, minor;
        if (docker_api_version_parse(v, &major, &minor) < 0)
                return -EPROTO;
        return docker_api_version_cmp(v, DOCKER_API_MIN) < 0 ? -EPROTONOSUPPORT : 0;
}

int docker_open(const char *socket_path, struct docker **ret, struct berth_error *err) {
        docker_http_status_clear(err);
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
                r = docker_http_error(status, &reply, err);
        docker_buf_done(&reply);
        if (r < 0)
                return r;

        if (!d->api_version[0])
                return berth_error_set(err, -EPROTO,
                                       "unix://%s answered /_ping without an Api-Version header; is it a Docker daemon?",
                                       socket_path);
        r = check_api_version(d->api_version);
        if (r == -EPROTO)
                return berth_error_set(err, r, "unix://%s reports the unintelligible API version '%s'.", socket_path,
                                       d->api_version);
        if (r < 0)
                return berth_error_set(err, r, "The Docker daemon at unix://%s speaks API %s; berth needs %s or newer.",
                                       socket_path, d->api_version, DOCKER_API_MIN);
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
        docker_http_status_clear(err);
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
                if (!*signal || docker_url_escape(signal, NULL, &esig) < 0)
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
        docker_http_status_clear(err);
        _cleanup_free_ char *eid = NULL, *erepo = NULL, *etag = NULL, *path = NULL;
        _cleanup_json_ json_t *body = NULL, *reply = NULL;
        int r;

        r = path_escape(id, false, &eid, err);
        if (r < 0)
                return r;
        if ((repo && docker_url_escape(repo, NULL, &erepo) < 0) || (tag && docker_url_escape(tag, NULL, &etag) < 0))
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
