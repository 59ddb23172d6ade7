/* server.c - the libmicrohttpd server: dispatch to raw mounts, routes and assets (http.h). */
#include "http/http.h"
#include "http/router.h"
#include "core/str_copy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct raw_mount {
    char prefix[64];
    size_t prefix_len;
    http_raw_fn fn;
    http_raw_done_fn done;
    void *ud;
};

struct http_server {
    struct http_config cfg;
    char host[64];
    struct router router;
    struct raw_mount raw[HTTP_MAX_RAW];
    int n_raw;
    http_asset_fn assets;
    const char *asset_headers[HTTP_MAX_ASSET_HEADERS][2];
    int n_asset_headers;
    struct MHD_Daemon *daemon;
    uint16_t port;
    atomic_uint_fast64_t next_id;
    uint64_t id_salt;
};

/* Bodies up to this many times max_body are drained before the 413 (see on_access). */
#define HTTP_DRAIN_FACTOR 8

/* Per-request state, the MHD con_cls. */
struct req_ctx {
    const struct raw_mount *raw;
    void *raw_cls;
    char *body;
    size_t len, cap;
    int too_big;
};

static const char *status_code_name(int status)
{
    switch (status) {
    case 400:
        return "bad_request";
    case 401:
        return "unauthorized";
    case 403:
        return "forbidden";
    case 404:
        return "not_found";
    case 405:
        return "method_not_allowed";
    case 409:
        return "conflict";
    case 412:
        return "precondition_failed";
    case 413:
        return "payload_too_large";
    case 415:
        return "unsupported_media_type";
    case 422:
        return "unprocessable";
    case 428:
        return "precondition_required";
    case 503:
        return "unavailable";
    default:
        return status >= 500 ? "internal" : "error";
    }
}

int http_status_from_err(int code)
{
    switch (code) {
    case SLUIS_EINVAL:
        return 400;
    case SLUIS_ETOOBIG:
        return 413;
    case SLUIS_ENOTFOUND:
        return 404;
    case SLUIS_ECONFLICT:
        return 409;
    case SLUIS_EDENIED:
        return 403;
    case SLUIS_EIO:
        return 503;
    default:
        return 500;
    }
}

/* ---- response helpers ---- */

static void resp_reset_body(struct http_resp *resp)
{
    json_decref(resp->json);
    resp->json = NULL;
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
}

void http_resp_json(struct http_resp *resp, int status, json_t *json)
{
    resp_reset_body(resp);
    resp->status = status;
    resp->json = json;
    resp->content_type = "application/json";
}

void http_resp_error(struct http_resp *resp, int status, const char *code, const char *field,
                     const char *message)
{
    json_t *e = json_pack("{s:s, s:s}", "code", code ? code : status_code_name(status), "message",
                          message ? message : "");
    if (e && field && field[0])
        json_object_set_new(e, "field", json_string(field));
    json_t *o = e ? json_pack("{s:o}", "error", e) : NULL;
    http_resp_json(resp, status, o); /* NULL o: server falls back to a static body */
}

void http_resp_errorf(struct http_resp *resp, int status, const char *code, const char *field,
                      const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    http_resp_error(resp, status, code, field, msg);
}

int http_resp_header(struct http_resp *resp, const char *name, const char *value)
{
    if (!name || !value || strlen(name) >= sizeof(resp->header_names[0]) ||
        strlen(value) >= sizeof(resp->header_values[0]) || strpbrk(name, "\r\n:") ||
        strpbrk(value, "\r\n"))
        return SLUIS_EINVAL;
    if (resp->n_headers >= HTTP_MAX_HEADERS)
        return SLUIS_ETOOBIG;
    snprintf(resp->header_names[resp->n_headers], sizeof(resp->header_names[0]), "%s", name);
    snprintf(resp->header_values[resp->n_headers], sizeof(resp->header_values[0]), "%s", value);
    resp->n_headers++;
    return 0;
}

int http_resp_raw(struct http_resp *resp, int status, const char *content_type, const void *data,
                  size_t len)
{
    resp_reset_body(resp);
    resp->status = status;
    resp->content_type = content_type ? content_type : "application/octet-stream";
    resp->body = malloc(len ? len : 1);
    if (!resp->body)
        return SLUIS_ENOMEM;
    if (len)
        memcpy(resp->body, data, len);
    resp->body_len = len;
    return 0;
}

/* ---- request helpers ---- */

const char *http_req_param(const struct http_req *req, const char *name)
{
    for (int i = 0; i < req->n_params; i++)
        if (!strcmp(req->param_names[i], name))
            return req->param_values[i];
    return NULL;
}

const char *http_req_header(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_req_query(const struct http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_req_json(const struct http_req *req, json_t **out, struct sluis_err *err)
{
    *out = NULL;
    if (err)
        err->path[0] = '\0';
    if (!req->body || req->body_len == 0)
        return sluis_err_set(err, SLUIS_EINVAL,
                             "lege body; JSON-object verwacht / empty body; JSON object expected");
    json_error_t je;
    json_t *j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return sluis_err_set(err, SLUIS_EINVAL,
                             "ongeldige JSON / malformed JSON at line %d column %d: %s", je.line,
                             je.column, je.text);
    if (!json_is_object(j)) {
        json_decref(j);
        if (err)
            snprintf(err->path, sizeof(err->path), "/");
        return sluis_err_set(err, SLUIS_EINVAL, "JSON-object verwacht / JSON object expected");
    }
    *out = j;
    return 0;
}

/* ---- server ---- */

int http_server_new(struct http_server **out, const struct http_config *cfg, struct sluis_err *err)
{
    *out = NULL;
    struct http_server *s = calloc(1, sizeof(*s));
    if (!s)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    if (cfg)
        s->cfg = *cfg;
    const char *host = cfg && cfg->host ? cfg->host : "127.0.0.1";
    if (strlen(host) >= sizeof(s->host)) {
        free(s);
        return sluis_err_set(err, SLUIS_EINVAL, "listen address too long");
    }
    snprintf(s->host, sizeof(s->host), "%s", host);
    s->cfg.host = s->host;
    if (!s->cfg.threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->cfg.threads = n > 0 ? (unsigned)n : 2;
    }
    if (!s->cfg.max_body)
        s->cfg.max_body = HTTP_DEFAULT_MAX_BODY;
    if (!s->cfg.max_conns)
        s->cfg.max_conns = 1024;
    if (!s->cfg.conn_timeout_s)
        s->cfg.conn_timeout_s = 30;
    if (!s->cfg.conn_memory)
        s->cfg.conn_memory = 64 * 1024;
    router_init(&s->router);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s->id_salt = ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 40);
    *out = s;
    return 0;
}

int http_server_route(struct http_server *srv, const char *method, const char *pattern,
                      http_handler_fn fn, void *ud)
{
    struct sluis_err e;
    _Static_assert(sizeof(http_handler_fn) == sizeof(void *), "function pointer size");
    int rc = router_add(&srv->router, method, pattern, NULL, ud, &e);
    if (rc)
        return rc;
    /* the router keeps an opaque pointer; the handler is stored bit-for-bit */
    memcpy(&srv->router.routes[srv->router.n_routes - 1].fn, &fn, sizeof(fn));
    return 0;
}

int http_server_mount_raw(struct http_server *srv, const char *prefix, http_raw_fn fn,
                          http_raw_done_fn done, void *ud)
{
    if (!prefix || prefix[0] != '/' || !fn || strlen(prefix) >= sizeof(srv->raw[0].prefix))
        return SLUIS_EINVAL;
    if (srv->n_raw >= HTTP_MAX_RAW)
        return SLUIS_ETOOBIG;
    struct raw_mount *m = &srv->raw[srv->n_raw++];
    snprintf(m->prefix, sizeof(m->prefix), "%s", prefix);
    m->prefix_len = strlen(prefix);
    m->fn = fn;
    m->done = done;
    m->ud = ud;
    return 0;
}

void http_server_mount_assets(struct http_server *srv, http_asset_fn fn)
{
    srv->assets = fn;
}

int http_server_asset_header(struct http_server *srv, const char *name, const char *value)
{
    if (!name || !value)
        return SLUIS_EINVAL;
    if (srv->n_asset_headers >= HTTP_MAX_ASSET_HEADERS)
        return SLUIS_ETOOBIG;
    srv->asset_headers[srv->n_asset_headers][0] = name;
    srv->asset_headers[srv->n_asset_headers][1] = value;
    srv->n_asset_headers++;
    return 0;
}

static void make_request_id(struct http_server *srv, struct MHD_Connection *conn, char *out)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    if (h) {
        size_t n = strlen(h);
        int ok = n > 0 && n <= HTTP_REQUEST_ID_LEN;
        for (size_t i = 0; ok && i < n; i++) {
            char c = h[i];
            ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 c == '-' || c == '_' || c == '.';
        }
        if (ok) {
            memcpy(out, h, n + 1);
            return;
        }
    }
    uint64_t n = atomic_fetch_add(&srv->next_id, 1);
    snprintf(out, HTTP_REQUEST_ID_LEN + 1, "%016llx%08llx", (unsigned long long)srv->id_salt,
             (unsigned long long)(n & 0xffffffffu));
}

static enum MHD_Result queue(struct MHD_Connection *conn, struct http_resp *resp,
                             const char *request_id)
{
    static const char oom_body[] =
        "{\"error\":{\"code\":\"internal\",\"message\":\"interne fout / internal error\"}}";
    char *body = NULL;
    size_t len = 0;
    int status = resp->status;
    if (resp->json) {
        body = json_dumps(resp->json, JSON_COMPACT | JSON_REAL_PRECISION(10));
        if (!body)
            status = 500;
        else
            len = strlen(body);
    } else if (resp->body) {
        body = resp->body;
        len = resp->body_len;
        resp->body = NULL;
    }
    struct MHD_Response *r;
    if (body) {
        r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
        if (!r)
            free(body);
    } else if (status == 500 && resp->json) {
        r = MHD_create_response_from_buffer(sizeof(oom_body) - 1, (void *)oom_body,
                                            MHD_RESPMEM_PERSISTENT);
    } else {
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    if (body || resp->json)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                resp->content_type ? resp->content_type : "application/json");
    MHD_add_response_header(r, "X-Request-Id", request_id);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    for (int i = 0; i < resp->n_headers; i++)
        MHD_add_response_header(r, resp->header_names[i], resp->header_values[i]);
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

static void resp_init(struct http_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->status = 200;
}

static void resp_free(struct http_resp *resp)
{
    resp_reset_body(resp);
}

static void add_request_id_to_error(struct http_resp *resp, const char *rid)
{
    json_t *e = resp->json ? json_object_get(resp->json, "error") : NULL;
    if (json_is_object(e) && !json_object_get(e, "request_id"))
        json_object_set_new(e, "request_id", json_string(rid));
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int status, const char *code,
                                  const char *msg, const char *rid, const char *allow)
{
    struct http_resp resp;
    resp_init(&resp);
    http_resp_error(&resp, status, code, NULL, msg);
    add_request_id_to_error(&resp, rid);
    if (allow)
        http_resp_header(&resp, "Allow", allow);
    enum MHD_Result r = queue(conn, &resp, rid);
    resp_free(&resp);
    return r;
}

enum MHD_Result http_raw_send_error(struct MHD_Connection *conn, int status, const char *code,
                                    const char *message)
{
    char rid[HTTP_REQUEST_ID_LEN + 1];
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    snprintf(rid, sizeof(rid), "%s", h && !strpbrk(h, "\r\n") ? h : "-");
    return send_error(conn, status, code, message, rid, NULL);
}

static enum MHD_Result dispatch(struct http_server *srv, struct req_ctx *ctx,
                                struct MHD_Connection *conn, const char *url, const char *method)
{
    char rid[HTTP_REQUEST_ID_LEN + 1];
    make_request_id(srv, conn, rid);
    if (ctx->too_big)
        return send_error(conn, 413, "payload_too_large", "body te groot / request body too large",
                          rid, NULL);
    struct router_match m;
    int rc = router_match(&srv->router, method, url, strlen(url), &m);
    if (rc == SLUIS_EDENIED)
        return send_error(conn, 405, "method_not_allowed",
                          "methode niet toegestaan / method not allowed", rid, m.allow);
    if (rc) {
        int is_api = !strncmp(url, "/api/", 5) || !strcmp(url, "/api");
        if (!is_api && srv->assets && (!strcmp(method, "GET") || !strcmp(method, "HEAD"))) {
            const unsigned char *data;
            size_t len;
            const char *ct;
            if (!srv->assets(url, &data, &len, &ct)) {
                struct MHD_Response *r =
                    MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);
                if (!r)
                    return MHD_NO;
                MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ct);
                MHD_add_response_header(r, "X-Request-Id", rid);
                MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
                for (int i = 0; i < srv->n_asset_headers; i++)
                    if (strcasecmp(srv->asset_headers[i][0], "X-Content-Type-Options"))
                        MHD_add_response_header(r, srv->asset_headers[i][0],
                                                srv->asset_headers[i][1]);
                enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
                MHD_destroy_response(r);
                return ret;
            }
        }
        return send_error(conn, 404, "not_found", "onbekend pad / unknown route", rid, NULL);
    }
    struct http_req req;
    memset(&req, 0, sizeof(req));
    req.conn = conn;
    req.method = method;
    req.path = url;
    req.body = ctx->body;
    req.body_len = ctx->len;
    memcpy(req.request_id, rid, sizeof(rid));
    req.n_params = m.n_params;
    for (int i = 0; i < m.n_params; i++) {
        sluis_str_copy(req.param_names[i], sizeof(req.param_names[i]), m.names[i]);
        sluis_str_copy(req.param_values[i], sizeof(req.param_values[i]), m.values[i]);
    }
    http_handler_fn fn;
    memcpy(&fn, &m.route->fn, sizeof(fn));
    struct http_resp resp;
    resp_init(&resp);
    rc = fn(&req, &resp, m.route->ud);
    if (rc < 0) {
        resp_free(&resp);
        resp_init(&resp);
        http_resp_error(&resp, http_status_from_err(rc) >= 500 ? http_status_from_err(rc) : 500,
                        NULL, NULL, "interne fout / internal error");
    }
    if (resp.status >= 400)
        add_request_id_to_error(&resp, rid);
    enum MHD_Result r = queue(conn, &resp, rid);
    resp_free(&resp);
    return r;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    struct http_server *srv = cls;
    struct req_ctx *ctx = *con_cls;
    if (!ctx) {
        ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
            return MHD_NO;
        *con_cls = ctx;
        for (int i = 0; i < srv->n_raw; i++) {
            if (!strncmp(url, srv->raw[i].prefix, srv->raw[i].prefix_len)) {
                ctx->raw = &srv->raw[i];
                break;
            }
        }
        if (!ctx->raw) {
            const char *cl =
                MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            if (cl) {
                char *end;
                unsigned long long n = strtoull(cl, &end, 10);
                if (*end || n > srv->cfg.max_body) {
                    ctx->too_big = 1;
                    /*
                     * A moderately oversized body is read and discarded (no memory kept), so
                     * the client gets its 413 instead of a reset in the middle of its upload;
                     * past HTTP_DRAIN_FACTOR times the cap the answer comes at once.
                     */
                    if (*end || n / HTTP_DRAIN_FACTOR > srv->cfg.max_body)
                        return dispatch(srv, ctx, conn, url, method);
                }
            }
            return MHD_YES;
        }
    }
    if (ctx->raw)
        return ctx->raw->fn(ctx->raw->ud, conn, url, method, version, upload_data, upload_data_size,
                            &ctx->raw_cls);
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (ctx->too_big)
            return MHD_YES;
        if (ctx->len + n > srv->cfg.max_body) {
            ctx->too_big = 1;
            free(ctx->body);
            ctx->body = NULL;
            ctx->len = ctx->cap = 0;
            return MHD_YES;
        }
        if (ctx->len + n + 1 > ctx->cap) {
            size_t cap = ctx->cap ? ctx->cap : 1024;
            while (cap < ctx->len + n + 1)
                cap *= 2;
            if (cap > srv->cfg.max_body + 1)
                cap = srv->cfg.max_body + 1;
            char *b = realloc(ctx->body, cap);
            if (!b)
                return MHD_NO;
            ctx->body = b;
            ctx->cap = cap;
        }
        memcpy(ctx->body + ctx->len, upload_data, n);
        ctx->len += n;
        ctx->body[ctx->len] = '\0';
        return MHD_YES;
    }
    return dispatch(srv, ctx, conn, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    struct req_ctx *ctx = *con_cls;
    if (!ctx)
        return;
    if (ctx->raw && ctx->raw->done)
        ctx->raw->done(ctx->raw->ud, conn, &ctx->raw_cls, toe);
    free(ctx->body);
    free(ctx);
    *con_cls = NULL;
}

int http_server_start(struct http_server *srv, struct sluis_err *err)
{
    if (srv->daemon)
        return 0;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, srv->host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(srv->cfg.port);
    } else if (inet_pton(AF_INET6, srv->host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(srv->cfg.port);
        flags |= MHD_USE_IPv6;
    } else {
        return sluis_err_set(err, SLUIS_EINVAL,
                             "ongeldig luisteradres / bad listen address '%s' (numeric IP)",
                             srv->host);
    }
    srv->daemon = MHD_start_daemon(
        flags, srv->cfg.port, NULL, NULL, on_access, srv, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->cfg.threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)srv->cfg.max_conns, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)srv->cfg.conn_timeout_s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, srv->cfg.conn_memory, MHD_OPTION_END);
    if (!srv->daemon)
        return sluis_err_set(err, SLUIS_EIO,
                             "kan niet luisteren op / cannot listen on %s:%u (in use?)", srv->host,
                             (unsigned)srv->cfg.port);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : srv->cfg.port;
    return 0;
}

uint16_t http_server_port(const struct http_server *srv)
{
    return srv->daemon ? srv->port : 0;
}

struct MHD_Daemon *http_server_daemon(const struct http_server *srv)
{
    return srv->daemon;
}

void http_server_stop(struct http_server *srv)
{
    if (srv && srv->daemon) {
        MHD_stop_daemon(srv->daemon);
        srv->daemon = NULL;
    }
}

void http_server_free(struct http_server *srv)
{
    if (!srv)
        return;
    http_server_stop(srv);
    free(srv);
}
