/*
 * http.h - the one HTTP/1.1 server of sluis (libmicrohttpd): a method + path-pattern router
 * with JSON helpers and the JSON error envelope, a request-body cap (413), JSON 404/405,
 * request ids, a raw prefix hook (the gateway owns "/v1/" with full control of the MHD
 * connection) and a static-asset hook (the web UI).
 *
 * Threading: MHD runs with an internal thread pool + epoll and MHD_ALLOW_SUSPEND_RESUME, so
 * handlers run concurrently on pool threads and must be thread-safe. Routes, raw mounts and
 * the asset hook must be registered before http_server_start() and never changed after.
 *
 * Error envelope of every JSON error:
 *   {"error": {"code": "not_found", "message": "Dutch / English", "field": "/path",
 *              "request_id": "..."}}
 * ("field" only when one field is at fault).
 */
#ifndef SLUIS_HTTP_HTTP_H
#define SLUIS_HTTP_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define HTTP_MAX_ROUTES 256                 /* routes per server */
#define HTTP_MAX_RAW 8                      /* raw prefix mounts per server */
#define HTTP_MAX_PARAMS 8                   /* {name} parameters per path pattern */
#define HTTP_MAX_PATTERN 200                /* bytes of a path pattern */
#define HTTP_MAX_PARAM_LEN 128              /* bytes of one path parameter value (NUL included) */
#define HTTP_MAX_HEADERS 16                 /* extra response headers */
#define HTTP_DEFAULT_MAX_BODY (1024 * 1024) /* request body cap unless configured */
#define HTTP_REQUEST_ID_LEN 24              /* hex chars of a generated request id */

struct http_server;

/* Server configuration. Zero fields get the defaults named below. */
struct http_config {
    const char *host;        /* listen address, numeric IPv4 or IPv6 ("127.0.0.1") */
    uint16_t port;           /* 0 = pick a free port; read it back with http_server_port() */
    unsigned threads;        /* thread-pool size (default: number of online CPUs) */
    size_t max_body;         /* request body cap in bytes (default HTTP_DEFAULT_MAX_BODY) */
    unsigned max_conns;      /* connection limit (default 1024) */
    unsigned conn_timeout_s; /* idle connection timeout in seconds (default 30) */
    size_t conn_memory;      /* per-connection memory pool in bytes (default 64 KiB) */
    int quiet;               /* nonzero: no access log on stderr (default logs nothing anyway) */
};

/* One request as a handler sees it. All strings are borrowed, valid during the handler call. */
struct http_req {
    struct MHD_Connection *conn;
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* URL path without the query string */
    const char *body;   /* request body, NUL-terminated; NULL when empty */
    size_t body_len;
    char request_id[HTTP_REQUEST_ID_LEN + 1]; /* X-Request-Id as sent (sanitised) or generated */
    int n_params;
    char param_names[HTTP_MAX_PARAMS][32];
    char param_values[HTTP_MAX_PARAMS][HTTP_MAX_PARAM_LEN]; /* percent-decoded */
    void *user; /* free for the application (e.g. the authenticated principal) */
};

/* The response a handler fills. Initialised to 200, no body, by the server. */
struct http_resp {
    int status;
    json_t *json; /* owned: set with http_resp_json(); serialised compactly */
    char *body;   /* owned (malloc'ed) raw body, used when json is NULL */
    size_t body_len;
    const char *content_type; /* static string; default "application/json" */
    int n_headers;
    char header_names[HTTP_MAX_HEADERS][64];
    char header_values[HTTP_MAX_HEADERS][256];
};

/*
 * A route handler. Fills resp; returns 0, or a negative SLUIS_E* code when it failed without
 * setting an error response (the server then answers 500 with the JSON envelope and drops any
 * half-filled body). Runs on a pool thread.
 */
typedef int (*http_handler_fn)(struct http_req *req, struct http_resp *resp, void *ud);

/*
 * A raw prefix handler: exactly MHD's access-handler signature (see MHD_AccessHandlerCallback),
 * called for every request whose URL path starts with the mounted prefix, on every call MHD
 * makes for that request (headers, upload chunks, final). *con_cls belongs to the raw handler.
 * It may queue responses from callbacks and suspend/resume the connection.
 */
typedef enum MHD_Result (*http_raw_fn)(void *ud, struct MHD_Connection *conn, const char *url,
                                       const char *method, const char *version,
                                       const char *upload_data, size_t *upload_data_size,
                                       void **con_cls);

/* Called once when a request handled by a raw mount ends (MHD_OPTION_NOTIFY_COMPLETED). */
typedef void (*http_raw_done_fn)(void *ud, struct MHD_Connection *conn, void **con_cls,
                                 enum MHD_RequestTerminationCode toe);

/*
 * Static-asset lookup (provided by the web UI as web_asset_lookup in src/web/assets.h): for a
 * URL path such as "/" or "/app.js" sets *data (static, never freed), *len and *content_type
 * and returns 0; returns nonzero when there is no such asset.
 */
typedef int (*http_asset_fn)(const char *path, const unsigned char **data, size_t *len,
                             const char **content_type);

/*
 * Creates a server (not yet listening). cfg is copied (host string too). Returns 0 and
 * *out (free with http_server_free()), or SLUIS_ENOMEM / SLUIS_EINVAL with err filled.
 */
int http_server_new(struct http_server **out, const struct http_config *cfg, struct sluis_err *err);

/*
 * Adds a route. method: "GET", "POST", "PUT", "PATCH", "DELETE". pattern: an absolute path
 * whose segments are literals or "{name}" parameters ("/api/v1/applications/{id}"); a
 * parameter matches one non-empty segment. Literal routes win over parameter routes when both
 * match. A path that matches some pattern under another method answers 405 with an Allow
 * header; no match at all answers a JSON 404. Returns 0, SLUIS_EINVAL (bad pattern) or
 * SLUIS_ETOOBIG (HTTP_MAX_ROUTES reached).
 */
int http_server_route(struct http_server *srv, const char *method, const char *pattern,
                      http_handler_fn fn, void *ud);

/*
 * Mounts a raw handler for every URL path starting with prefix (e.g. "/v1/"); raw mounts are
 * checked before routes and assets. done may be NULL. Returns 0 or SLUIS_ETOOBIG / EINVAL.
 */
int http_server_mount_raw(struct http_server *srv, const char *prefix, http_raw_fn fn,
                          http_raw_done_fn done, void *ud);

/*
 * Sets the static-asset hook, consulted for GET/HEAD requests that match no route and are not
 * under "/api/". NULL removes it.
 */
void http_server_mount_assets(struct http_server *srv, http_asset_fn fn);

/*
 * Adds a response header sent with every asset (e.g. Content-Security-Policy). name and value
 * are borrowed and must outlive the server (string literals, static tables). Call before
 * http_server_start(). Returns 0, or SLUIS_ETOOBIG past HTTP_MAX_ASSET_HEADERS.
 */
#define HTTP_MAX_ASSET_HEADERS 16
int http_server_asset_header(struct http_server *srv, const char *name, const char *value);

/*
 * Starts listening (internal thread pool + epoll, MHD_ALLOW_SUSPEND_RESUME). Returns 0, or
 * SLUIS_EIO with err filled (address in use, bad address).
 */
int http_server_start(struct http_server *srv, struct sluis_err *err);

/* The bound port (useful after port 0). 0 before start. */
uint16_t http_server_port(const struct http_server *srv);

/* The MHD daemon (NULL before start), for raw handlers that need it. Borrowed. */
struct MHD_Daemon *http_server_daemon(const struct http_server *srv);

/* Stops listening and waits for the pool threads; in-flight requests are ended. Idempotent. */
void http_server_stop(struct http_server *srv);

/* Stops (if needed) and frees the server. NULL is fine. */
void http_server_free(struct http_server *srv);

/* ---- request helpers ---- */

/* The value of path parameter name, or NULL. Borrowed from req. */
const char *http_req_param(const struct http_req *req, const char *name);

/* A request header (case-insensitive), or NULL. Borrowed, valid during the handler. */
const char *http_req_header(const struct http_req *req, const char *name);

/* A query-string argument (decoded), or NULL. Borrowed, valid during the handler. */
const char *http_req_query(const struct http_req *req, const char *name);

/*
 * Parses the body as one JSON object (strict: no duplicate keys, nothing after the value).
 * Returns 0 and *out (new reference, caller decrefs), or SLUIS_EINVAL with err filled
 * (err->msg names line/column; err->path is "" for syntax errors, "/" when the body is not an
 * object). An empty body is an error.
 */
int http_req_json(const struct http_req *req, json_t **out, struct sluis_err *err);

/* ---- response helpers ---- */

/* Sets status and a JSON body; steals the reference to json (NULL allowed: no body). */
void http_resp_json(struct http_resp *resp, int status, json_t *json);

/*
 * Sets status and the error envelope {"error":{"code","message","field"?,"request_id"}}.
 * field may be NULL or "". message is "Dutch / English". Always succeeds (falls back to a
 * static body when out of memory).
 */
void http_resp_error(struct http_resp *resp, int status, const char *code, const char *field,
                     const char *message);

/* As http_resp_error() with a printf-style message. */
void http_resp_errorf(struct http_resp *resp, int status, const char *code, const char *field,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Adds a response header (name <= 63, value <= 255 bytes, no CR/LF). Returns 0 or
 * SLUIS_EINVAL / SLUIS_ETOOBIG (silently not added).
 */
int http_resp_header(struct http_resp *resp, const char *name, const char *value);

/*
 * Sets a raw body (copied) with a static content type. Returns 0 or SLUIS_ENOMEM.
 */
int http_resp_raw(struct http_resp *resp, int status, const char *content_type, const void *data,
                  size_t len);

/* Maps a SLUIS_E* code to an HTTP status (EINVAL 400, ENOTFOUND 404, ECONFLICT 409, ...). */
int http_status_from_err(int code);

/* Sends a JSON error envelope on a raw MHD connection (for raw handlers). */
enum MHD_Result http_raw_send_error(struct MHD_Connection *conn, int status, const char *code,
                                    const char *message);

#endif
