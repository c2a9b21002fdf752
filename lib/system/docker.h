/* SPDX-License-Identifier: MIT */
/* A small Docker Engine API client over the daemon's unix socket (libcurl,
 * jansson).
 *
 * Every call returns 0 on success or a negative errno and then fills *err:
 *   404 -> -ENOENT, 409 -> -EBUSY (-EEXIST from docker_container_create),
 *   401/403 -> -EACCES, 400 -> -EINVAL, any other non-2xx -> -EIO;
 *   err->http_status is the HTTP status and err->message Docker's own
 *   "message".  A socket that cannot be reached gives -ENOENT (no socket),
 *   -EACCES (no permission) or -ECONNREFUSED, http_status 0, and a sentence
 *   naming the socket; a timeout gives -ETIMEDOUT.
 * 304 ("already started/stopped") counts as success.
 *
 * A struct docker holds one CURL handle that every request reuses (one
 * kept-alive connection), so one struct docker must not be used by two
 * threads at once.  The event stream uses a handle of its own and only reads
 * the immutable socket path and API version, so one thread may follow the
 * stream while another makes requests on the same struct docker.
 *
 * Path components built from names or ids are URL-escaped; "." and ".."
 * are refused (-EINVAL). */
#pragma once

#include <stdbool.h>

#include <jansson.h>

#include "basic/util.h"

struct docker;

/* The socket to talk to: the path of DOCKER_HOST's "unix:///path" value when
 * docker_host_env is set and not empty, else config_default (else
 * /run/docker.sock).  Any other scheme (tcp://, ssh://, npipe://, fd://)
 * gives -EPROTONOSUPPORT and a sentence in *err. */
int docker_socket_path(const char *docker_host_env, const char *config_default, char **ret,
                       struct berth_error *err);

/* Pings /_ping and records the daemon's API version (Api-Version header);
 * later requests go to /v<version>/… . */
int docker_open(const char *socket_path, struct docker **ret, struct berth_error *err);
void docker_close(struct docker *d);
static inline void docker_closep(struct docker **d) {
        if (*d)
                docker_close(*d);
}
#define _cleanup_docker_ _cleanup_(docker_closep)

const char *docker_api_version(struct docker *d); /* "1.41" */
const char *docker_socket(struct docker *d);

/* An API version as Docker writes it, "MAJOR.MINOR" (one to three digits
 * each, nothing around them): 0, or -EPROTO when s is not one.  The one
 * reading of it, for the client's check of the daemon and the gate's of
 * the answers it forwards. */
int docker_api_version_parse(const char *s, unsigned *major, unsigned *minor);
/* <0, 0, >0 as a is older than, the same as or newer than b; 0 also when
 * either is not a version. */
int docker_api_version_cmp(const char *a, const char *b);

/* One API call.  method: "GET", "POST", "DELETE", …; path_and_query:
 * already escaped, relative to the version prefix ("/containers/json?all=1").
 * body (may be NULL) is sent as JSON.  On success *ret_status gets the HTTP
 * status (2xx or 304) and *ret_json the parsed reply (NULL for an empty
 * body); both may be NULL.  Replies above 16 MiB give -EFBIG. */
int docker_request(struct docker *d, const char *method, const char *path_and_query, json_t *body,
                   long *ret_status, json_t **ret_json, struct berth_error *err);

/* --- containers ----------------------------------------------------------- */

int docker_container_inspect(struct docker *d, const char *id_or_name, json_t **ret,
                             struct berth_error *err);
/* label_filters: NULL-terminated "key=value" or "key" entries, all of which
 * must match (may be NULL). */
int docker_container_list(struct docker *d, bool all, char *const *label_filters, json_t **ret,
                          struct berth_error *err);
/* name may be NULL (Docker picks one); config is the create body
 * ({"Image":…, "Cmd":[…], "Labels":{…}, "HostConfig":{…}}). */
int docker_container_create(struct docker *d, const char *name, json_t *config, char **ret_id,
                            struct berth_error *err);
int docker_container_start(struct docker *d, const char *id, struct berth_error *err);
/* timeout_s < 0: the container's own StopTimeout. */
int docker_container_stop(struct docker *d, const char *id, int timeout_s, struct berth_error *err);
/* signal: "SIGTERM", "9", … ; NULL means Docker's default (SIGKILL). */
int docker_container_kill(struct docker *d, const char *id, const char *signal, struct berth_error *err);
int docker_container_remove(struct docker *d, const char *id, bool force, struct berth_error *err);
/* repo/tag may be NULL (an untagged image); labels (may be NULL) is an
 * object of string values set on the new image's config. */
int docker_container_commit(struct docker *d, const char *id, const char *repo, const char *tag,
                            json_t *labels, char **ret_image_id, struct berth_error *err);

/* --- images --------------------------------------------------------------- */

int docker_image_inspect(struct docker *d, const char *name, json_t **ret, struct berth_error *err);
int docker_image_list(struct docker *d, char *const *label_filters, json_t **ret, struct berth_error *err);
int docker_image_remove(struct docker *d, const char *name, bool force, struct berth_error *err);

/* --- events --------------------------------------------------------------- */

/* Called once per event object.  Return 0 to go on, > 0 to stop the stream
 * cleanly, < 0 (a negative errno) to stop it with that error.  The event is
 * borrowed: json_incref() it to keep it. */
typedef int (*docker_event_handler_t)(json_t *event, void *userdata);

/* Follows GET /events and calls cb for every event until cb asks to stop
 * (returns 0, or cb's negative value) or the daemon ends the stream (0; it
 * does so once "until" has passed).  filters (may be NULL) is Docker's filter
 * map, e.g. {"type":["container"],"label":["berth.managed=true"]}; its
 * optional keys "since" and "until" (an integer of seconds since the epoch, or
 * a string Docker accepts such as "1700000000.5") are taken out of the map
 * and sent as the query parameters of the same name.  Blocks; uses its own
 * connection (see the top of this file). */
int docker_events(struct docker *d, json_t *filters, docker_event_handler_t cb, void *userdata,
                  struct berth_error *err);

/* The same stream, non-blocking, for an event loop (sd-event): open it, watch
 * docker_event_stream_fd() for input, and call docker_event_stream_process()
 * whenever it is readable; it calls cb for every complete event and returns
 * 0 while the stream goes on, 1 once it has ended (daemon closed it or cb
 * returned > 0) and a negative errno on failure (or cb's negative value).
 * docker_event_stream_open() returns once the daemon has answered the
 * request (HTTP 200).  Docker subscribes the stream just after answering, so
 * a caller that must miss nothing between a listing and the stream passes
 * "since" with a time taken before the listing (Docker replays recent
 * events from its in-memory log).  Once process has returned non-zero the
 * fd may already be closed: drop its event source, then free the stream.
 * A stream is used by one thread at a time. */
struct docker_event_stream;
int docker_event_stream_open(struct docker *d, json_t *filters, docker_event_handler_t cb, void *userdata,
                             struct docker_event_stream **ret, struct berth_error *err);
int docker_event_stream_fd(struct docker_event_stream *s);
int docker_event_stream_process(struct docker_event_stream *s, struct berth_error *err);
void docker_event_stream_free(struct docker_event_stream *s);
static inline void docker_event_stream_freep(struct docker_event_stream **s) {
        if (*s)
                docker_event_stream_free(*s);
}
#define _cleanup_docker_event_stream_ _cleanup_(docker_event_stream_freep)
