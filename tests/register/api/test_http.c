/*
 * test_http.c - the HTTP server layer (src/http/http.h) as gateway and web use it: routes with
 * {params}, JSON 404/405 with Allow, the body cap (413) for Content-Length and chunked
 * bodies, request ids, the raw prefix hook (streaming response from a callback) and the
 * static-asset hook. Talks to the server over loopback with libcurl.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "http/http.h"

struct got {
    long status;
    char body[70000];
    size_t len;
    char allow[128];
    char rid[64];
    char ctype[128];
    char csp[256];
};

static size_t on_body(char *p, size_t s, size_t n, void *ud)
{
    struct got *g = ud;
    size_t k = s * n;
    if (g->len + k >= sizeof(g->body))
        k = sizeof(g->body) - g->len - 1;
    memcpy(g->body + g->len, p, k);
    g->len += k;
    g->body[g->len] = '\0';
    return s * n;
}

static size_t on_header(char *p, size_t s, size_t n, void *ud)
{
    struct got *g = ud;
    size_t k = s * n;
    char line[512];
    snprintf(line, sizeof(line), "%.*s", (int)(k < 511 ? k : 511), p);
    line[strcspn(line, "\r\n")] = '\0';
    if (!strncasecmp(line, "Allow: ", 7))
        snprintf(g->allow, sizeof(g->allow), "%s", line + 7);
    if (!strncasecmp(line, "X-Request-Id: ", 14))
        snprintf(g->rid, sizeof(g->rid), "%s", line + 14);
    if (!strncasecmp(line, "Content-Type: ", 14))
        snprintf(g->ctype, sizeof(g->ctype), "%s", line + 14);
    if (!strncasecmp(line, "Content-Security-Policy: ", 25))
        snprintf(g->csp, sizeof(g->csp), "%s", line + 25);
    return s * n;
}

static void fetch(uint16_t port, const char *method, const char *path, const char *body,
                  size_t body_len, int chunked, struct got *g)
{
    memset(g, 0, sizeof(*g));
    char url[256];
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port, path);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *h = NULL;
    if (chunked)
        h = curl_slist_append(h, "Transfer-Encoding: chunked");
    h = curl_slist_append(h, "X-Request-Id: test-rid-1");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, g);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, g);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        if (!chunked)
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &g->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
}

static int h_item(struct http_req *req, struct http_resp *resp, void *ud)
{
    (void)ud;
    json_t *body = NULL;
    if (req->body_len) {
        struct sluis_err err;
        if (http_req_json(req, &body, &err)) {
            http_resp_error(resp, 400, "invalid_json", err.path, err.msg);
            return 0;
        }
    }
    const char *q = http_req_query(req, "q");
    http_resp_json(resp, 200,
                   json_pack("{s:s, s:s, s:s, s:o*}", "id", http_req_param(req, "id"), "method",
                             req->method, "q", q ? q : "", "body", body));
    http_resp_header(resp, "ETag", "\"3\"");
    return 0;
}

static int h_fail(struct http_req *req, struct http_resp *resp, void *ud)
{
    (void)req;
    (void)ud;
    http_resp_json(resp, 200, json_pack("{s:s}", "half", "done"));
    return SLUIS_EINTERNAL; /* the server must answer 500 and drop the half-filled body */
}

static int h_literal(struct http_req *req, struct http_resp *resp, void *ud)
{
    (void)req;
    (void)ud;
    http_resp_json(resp, 200, json_pack("{s:s}", "route", "literal"));
    return 0;
}

/* raw: streams "chunk-0chunk-1chunk-2" from a callback, as the gateway does */
static ssize_t stream_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    int *n = cls;
    (void)pos;
    if (*n >= 3)
        return MHD_CONTENT_READER_END_OF_STREAM;
    int k = snprintf(buf, max, "chunk-%d", (*n)++);
    return k;
}

static int raw_done_calls;

static void raw_done(void *ud, struct MHD_Connection *conn, void **con_cls,
                     enum MHD_RequestTerminationCode toe)
{
    (void)ud;
    (void)conn;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
    __atomic_add_fetch(&raw_done_calls, 1, __ATOMIC_SEQ_CST);
}

static enum MHD_Result raw(void *ud, struct MHD_Connection *conn, const char *url,
                           const char *method, const char *version, const char *upload_data,
                           size_t *upload_data_size, void **con_cls)
{
    (void)ud;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    if (!*con_cls) {
        *con_cls = calloc(1, sizeof(int));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (!strcmp(url, "/v1/error"))
        return http_raw_send_error(conn, 429, "rate_limited", "te veel / too many");
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64, stream_cb, *con_cls, NULL);
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    enum MHD_Result ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static const unsigned char index_html[] = "<!doctype html><title>sluis</title>";

static int assets(const char *path, const unsigned char **data, size_t *len, const char **ct)
{
    if (strcmp(path, "/") && strcmp(path, "/index.html"))
        return SLUIS_ENOTFOUND;
    *data = index_html;
    *len = sizeof(index_html) - 1;
    *ct = "text/html; charset=utf-8";
    return 0;
}

static struct http_server *srv;
static uint16_t port;

static int setup(void **state)
{
    (void)state;
    struct sluis_err err;
    struct http_config cfg = {.host = "127.0.0.1", .port = 0, .threads = 2, .max_body = 64 * 1024};
    assert_int_equal(http_server_new(&srv, &cfg, &err), 0);
    assert_int_equal(http_server_route(srv, "GET", "/api/v1/items/{id}", h_item, NULL), 0);
    assert_int_equal(http_server_route(srv, "PUT", "/api/v1/items/{id}", h_item, NULL), 0);
    assert_int_equal(http_server_route(srv, "GET", "/api/v1/items/special", h_literal, NULL), 0);
    assert_int_equal(http_server_route(srv, "GET", "/api/v1/fail", h_fail, NULL), 0);
    assert_int_equal(http_server_route(srv, "GET", "no-slash", h_item, NULL), SLUIS_EINVAL);
    assert_int_equal(http_server_route(srv, "GET", "/a/{unterminated", h_item, NULL), SLUIS_EINVAL);
    assert_int_equal(http_server_mount_raw(srv, "/v1/", raw, raw_done, NULL), 0);
    http_server_mount_assets(srv, assets);
    assert_int_equal(http_server_asset_header(srv, "Content-Security-Policy", "default-src 'self'"),
                     0);
    assert_int_equal(http_server_asset_header(srv, NULL, "x"), SLUIS_EINVAL);
    assert_int_equal(http_server_start(srv, &err), 0);
    port = http_server_port(srv);
    assert_true(port > 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    http_server_free(srv);
    return 0;
}

static void test_routes(void **state)
{
    (void)state;
    struct got g;
    fetch(port, "GET", "/api/v1/items/a%20b?q=x", NULL, 0, 0, &g);
    assert_int_equal(g.status, 200);
    assert_non_null(strstr(g.body, "\"id\":\"a b\""));
    assert_non_null(strstr(g.body, "\"q\":\"x\""));
    assert_string_equal(g.rid, "test-rid-1");
    fetch(port, "GET", "/api/v1/items/special", NULL, 0, 0, &g);
    assert_non_null(strstr(g.body, "literal")); /* literal beats {id} */
    fetch(port, "PUT", "/api/v1/items/7", "{\"a\":1}", 7, 0, &g);
    assert_int_equal(g.status, 200);
    assert_non_null(strstr(g.body, "\"body\":{\"a\":1}"));
    fetch(port, "PUT", "/api/v1/items/7", "{\"a\":1,\"a\":2}", 13, 0, &g);
    assert_int_equal(g.status, 400); /* duplicate keys are malformed */
    fetch(port, "DELETE", "/api/v1/items/7", NULL, 0, 0, &g);
    assert_int_equal(g.status, 405);
    assert_non_null(strstr(g.allow, "GET"));
    assert_non_null(strstr(g.allow, "PUT"));
    fetch(port, "GET", "/api/v1/nothing", NULL, 0, 0, &g);
    assert_int_equal(g.status, 404);
    assert_non_null(strstr(g.body, "\"code\":\"not_found\""));
    assert_non_null(strstr(g.ctype, "application/json"));
    fetch(port, "GET", "/api/v1/fail", NULL, 0, 0, &g);
    assert_int_equal(g.status, 500);
    assert_null(strstr(g.body, "half"));
}

static void test_body_cap(void **state)
{
    (void)state;
    struct got g;
    size_t n = 70 * 1024;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    fetch(port, "PUT", "/api/v1/items/1", big, n, 0, &g);
    assert_int_equal(g.status, 413);
    assert_non_null(strstr(g.body, "payload_too_large"));
    fetch(port, "PUT", "/api/v1/items/1", big, n, 1, &g); /* chunked: no Content-Length */
    assert_int_equal(g.status, 413);
    big[60 * 1024] = '}';
    fetch(port, "PUT", "/api/v1/items/1", big, 60 * 1024 + 1, 0, &g);
    assert_int_equal(g.status, 200); /* under the cap */
    free(big);
}

static void test_raw_and_assets(void **state)
{
    (void)state;
    struct got g;
    int before = __atomic_load_n(&raw_done_calls, __ATOMIC_SEQ_CST);
    fetch(port, "POST", "/v1/chat/completions", "{\"x\":1}", 7, 0, &g);
    assert_int_equal(g.status, 200);
    assert_string_equal(g.body, "chunk-0chunk-1chunk-2");
    assert_non_null(strstr(g.ctype, "text/event-stream"));
    fetch(port, "GET", "/v1/error", NULL, 0, 0, &g);
    assert_int_equal(g.status, 429);
    assert_non_null(strstr(g.body, "rate_limited"));
    for (int i = 0; i < 100 && __atomic_load_n(&raw_done_calls, __ATOMIC_SEQ_CST) < before + 2; i++)
        usleep(10000);
    assert_int_equal(__atomic_load_n(&raw_done_calls, __ATOMIC_SEQ_CST), before + 2);
    fetch(port, "GET", "/", NULL, 0, 0, &g);
    assert_int_equal(g.status, 200);
    assert_non_null(strstr(g.body, "<!doctype html>"));
    assert_string_equal(g.csp, "default-src 'self'"); /* asset headers go with every asset */
    fetch(port, "GET", "/missing.js", NULL, 0, 0, &g);
    assert_int_equal(g.status, 404);
    fetch(port, "GET", "/api/unknown", NULL, 0, 0, &g);
    assert_int_equal(g.status, 404); /* /api/ never falls back to assets */
    assert_non_null(strstr(g.body, "not_found"));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_body_cap),
        cmocka_unit_test(test_raw_and_assets),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
