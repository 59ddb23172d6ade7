/*
 * test_gw_units.c - unit tests of the gateway's own parsers and policy: the SSE framer (every
 * split point, line-end variants, caps, truncation), the OpenAI request parser (every text
 * part found, bad requests refused), error objects (status per code, no echo of values), and
 * enforcement per refusal code and per environment over a snapshot built from the real policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/sha.h>

#include "core/dossier.h"
#include "core/derive.h"
#include "core/policy.h"
#include "audit/audit.h"
#include "gateway/gw_enforce.h"
#include "gateway/gw_error.h"
#include "gateway/gw_identity.h"
#include "gateway/gw_orgcache.h"
#include "gateway/gw_request.h"
#include "gateway/gw_scandb.h"
#include "gateway/gw_snapshot.h"
#include "gateway/gw_sscan.h"
#include "gateway/gw_usage.h"
#include "gateway/gw_sse.h"
#include "scan/scan.h"

/* ---- SSE framer ---- */

struct collect {
    char buf[4096];
    size_t len;
    int n;
};

static int collect_cb(void *ud, const char *event, const char *data, size_t len)
{
    struct collect *c = ud;
    int w = snprintf(c->buf + c->len, sizeof(c->buf) - c->len, "[%s|%.*s]", event, (int)len, data);
    c->len += (size_t)w;
    c->n++;
    return 0;
}

static void test_sse_every_split(void **state)
{
    (void)state;
    const char *in = ": ping\r\n\r\ndata: {\"a\":1}\n\nevent: error\ndata: x\ndata:y\r\n\r\n"
                     "id: 7\nretry: 10\ndata: [DONE]\r\r";
    const char *want = "[|{\"a\":1}][error|x\ny][|[DONE]]";
    size_t n = strlen(in);
    for (size_t split = 0; split <= n; split++) {
        struct gw_sse f;
        struct collect c = {0};
        gw_sse_init(&f, 0);
        assert_int_equal(gw_sse_feed(&f, in, split, collect_cb, &c), 0);
        assert_int_equal(gw_sse_feed(&f, in + split, n - split, collect_cb, &c), 0);
        assert_string_equal(c.buf, want);
        assert_int_equal(gw_sse_finish(&f), 0);
        gw_sse_free(&f);
    }
    /* byte by byte */
    struct gw_sse f;
    struct collect c = {0};
    gw_sse_init(&f, 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(gw_sse_feed(&f, in + i, 1, collect_cb, &c), 0);
    assert_string_equal(c.buf, want);
    gw_sse_free(&f);
}

static void test_sse_caps_and_truncation(void **state)
{
    (void)state;
    struct gw_sse f;
    struct collect c = {0};
    gw_sse_init(&f, 64);
    char line[200];
    memset(line, 'z', sizeof(line));
    memcpy(line, "data: ", 6);
    /* an over-long line, in one chunk and across chunks */
    assert_int_equal(gw_sse_feed(&f, line, sizeof(line), collect_cb, &c), SLUIS_ETOOBIG);
    gw_sse_free(&f);
    gw_sse_init(&f, 64);
    int rc = 0;
    for (size_t i = 0; i < sizeof(line) && !rc; i += 10)
        rc = gw_sse_feed(&f, line + i, 10, collect_cb, &c);
    assert_int_equal(rc, SLUIS_ETOOBIG);
    gw_sse_free(&f);
    /* many short data lines in one event exceed the event cap */
    gw_sse_init(&f, 64);
    rc = 0;
    for (int i = 0; i < 40 && !rc; i++)
        rc = gw_sse_feed(&f, "data: abcdef\n", 13, collect_cb, &c);
    assert_int_equal(rc, SLUIS_ETOOBIG);
    gw_sse_free(&f);
    /* a stream that stops inside an event is truncated */
    gw_sse_init(&f, 0);
    assert_int_equal(gw_sse_feed(&f, "data: {\"a\"", 11, collect_cb, &c), 0);
    assert_int_equal(gw_sse_finish(&f), SLUIS_EINVAL);
    gw_sse_free(&f);
    gw_sse_init(&f, 0);
    assert_int_equal(gw_sse_feed(&f, "data: 1\n", 8, collect_cb, &c), 0);
    assert_int_equal(gw_sse_finish(&f), SLUIS_EINVAL);
    gw_sse_free(&f);
}

/* ---- request parser ---- */

static int has_text(const struct gw_parsed *p, const char *s)
{
    for (size_t i = 0; i < p->n_texts; i++)
        if (p->texts[i].len == strlen(s) && !memcmp(p->texts[i].s, s, p->texts[i].len))
            return 1;
    return 0;
}

static void test_request_chat_texts(void **state)
{
    (void)state;
    const char *body =
        "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        "\"user\":\"u-1\",\"messages\":["
        "{\"role\":\"system\",\"content\":\"sys\"},"
        "{\"role\":\"user\",\"name\":\"nm\",\"content\":[{\"type\":\"text\",\"text\":\"part1\"},"
        "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x\"}}]},"
        "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c\",\"type\":"
        "\"function\",\"function\":{\"name\":\"fn\",\"arguments\":\"{\\\"q\\\":1}\"}}]},"
        "{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":\"toolresult\"},"
        "{\"role\":\"assistant\",\"refusal\":\"nope\"}]}";
    struct gw_parsed p;
    struct gw_perr e;
    assert_int_equal(gw_request_parse(&p, GW_EP_CHAT, body, strlen(body), &e), 0);
    assert_string_equal(p.model, "m");
    assert_int_equal(p.stream, 1);
    assert_int_equal(p.include_usage, 1);
    const char *want[] = {"sys", "nm", "part1", "fn", "{\"q\":1}", "toolresult", "nope", "u-1"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_true(has_text(&p, want[i]));
    assert_int_equal(p.n_texts, 8);
    assert_int_equal(p.n_unscannable, 1);
    assert_int_equal(gw_request_replace_text(&p, 0, "[X]", 3), 0);
    char *out = json_dumps(p.root, JSON_COMPACT);
    assert_non_null(strstr(out, "\"content\":\"[X]\""));
    assert_null(strstr(out, "\"sys\""));
    free(out);
    gw_request_free(&p);
}

static void test_request_inputs(void **state)
{
    (void)state;
    struct gw_parsed p;
    struct gw_perr e;
    const char *c1 = "{\"model\":\"m\",\"prompt\":[\"a\",\"bb\"],\"suffix\":\"s\"}";
    assert_int_equal(gw_request_parse(&p, GW_EP_COMPLETIONS, c1, strlen(c1), &e), 0);
    assert_true(has_text(&p, "a") && has_text(&p, "bb") && has_text(&p, "s"));
    gw_request_free(&p);
    const char *e1 = "{\"model\":\"m\",\"input\":[[1,2,3],[4]]}";
    assert_int_equal(gw_request_parse(&p, GW_EP_EMBEDDINGS, e1, strlen(e1), &e), 0);
    assert_int_equal(p.n_texts, 0);
    assert_int_equal(p.n_unscannable, 2);
    gw_request_free(&p);
    const char *e2 = "{\"model\":\"m\",\"input\":\"hallo\"}";
    assert_int_equal(gw_request_parse(&p, GW_EP_EMBEDDINGS, e2, strlen(e2), &e), 0);
    assert_true(has_text(&p, "hallo"));
    gw_request_free(&p);
}

static void test_request_bad(void **state)
{
    (void)state;
    struct {
        int ep;
        const char *body;
        const char *param;
        int json;
    } bad[] = {
        {GW_EP_CHAT, "{\"model\":", "", 1},
        {GW_EP_CHAT, "[1]", "", 0},
        {GW_EP_CHAT, "{\"messages\":[]}", "model", 0},
        {GW_EP_CHAT, "{\"model\":\"m\",\"messages\":[]}", "messages", 0},
        {GW_EP_CHAT, "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}", "messages[0]", 0},
        {GW_EP_CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"x\",\"content\":\"x\"}]}",
         "messages[0]", 0},
        {GW_EP_CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}",
         "messages[0].content", 0},
        {GW_EP_CHAT, "{\"model\":\"m\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\"}]}",
         "stream", 0},
        {GW_EP_CHAT, "{\"model\":\"m\",\"model\":\"n\",\"messages\":[]}", "", 1},
        {GW_EP_EMBEDDINGS, "{\"model\":\"m\",\"input\":\"x\",\"stream\":true}", "stream", 0},
        {GW_EP_EMBEDDINGS, "{\"model\":\"m\",\"input\":[{}]}", "input", 0},
        {GW_EP_COMPLETIONS, "{\"model\":\"m\"}", "prompt", 0},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct gw_parsed p;
        struct gw_perr e;
        int rc =
            gw_request_parse(&p, (enum gw_endpoint)bad[i].ep, bad[i].body, strlen(bad[i].body), &e);
        assert_int_equal(rc, SLUIS_EINVAL);
        assert_string_equal(e.param, bad[i].param);
        assert_int_equal(e.invalid_json, bad[i].json);
        assert_null(p.root);
    }
}

/* ---- error objects ---- */

static void test_error_bodies(void **state)
{
    (void)state;
    struct {
        const char *code;
        int status;
    } codes[] = {{"invalid_api_key", 401},
                 {"application_not_approved", 403},
                 {"consumer_terms_prohibited", 403},
                 {"agreement_expired", 403},
                 {"literacy_required", 403},
                 {"sensitive_data_detected", 400},
                 {"classified_marking", 400},
                 {"request_too_large", 413},
                 {"unsupported_media_type", 415},
                 {"gateway_unavailable", 503},
                 {"upstream_error", 502},
                 {"upstream_timeout", 504}};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        assert_int_equal(gw_error_status(codes[i].code), codes[i].status);
    char *b = NULL;
    assert_true(
        gw_error_body("sensitive_data_detected", "messages", "SP-05", "bsn,iban", NULL, &b) > 0);
    json_t *j = json_loads(b, 0, NULL);
    json_t *e = json_object_get(j, "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "sensitive_data_detected");
    assert_string_equal(json_string_value(json_object_get(e, "rule_id")), "SP-05");
    assert_string_equal(json_string_value(json_object_get(e, "param")), "messages");
    assert_string_equal(json_string_value(json_object_get(e, "type")), "invalid_request_error");
    assert_int_equal(json_array_size(json_object_get(e, "detectors")), 2);
    json_decref(j);
    free(b);
}

/* ---- enforcement over a snapshot built from the real policy ---- */

struct fx {
    struct policy_set *ps;
    struct gw_snapshot *snap;
    struct gw_scanner sc;
};

static json_t *dossier_for(const json_t *ex, const struct policy_set *ps, const char *env,
                           const char *terms, const char *agreement_until)
{
    json_t *d = json_deep_copy(ex);
    json_t *models = json_array();
    json_array_append_new(models,
                          json_pack("{s:s, s:s, s:s, s:b, s:s}", "name", "m1", "provider", "p1",
                                    "licence", "apache-2.0", "open_source", 1, "terms", terms));
    json_object_set_new(d, "models", models);
    json_object_set_new(d, "agreements",
                        json_pack("[{s:s, s:s, s:s, s:i, s:s, s:s, s:b, s:b}]", "provider", "p1",
                                  "valid_until", agreement_until, "data_sharing", "none",
                                  "retention_days", 0, "retraining", "prohibited",
                                  "storage_location", "nl", "processor_agreement", 1,
                                  "change_control", 1));
    json_object_set_new(json_object_get(d, "use"), "environment", json_string(env));
    json_object_set_new(json_object_get(d, "use"), "kind", json_string("procure"));
    json_object_set_new(json_object_get(d, "decision"), "environment", json_string(env));
    if (!strcmp(env, "exploration")) {
        json_t *use = json_object_get(d, "use");
        json_object_set_new(use, "exploration_end", json_string("2026-12-31"));
        json_object_set_new(use, "citizen_facing", json_false());
        json_object_set_new(use, "production_data", json_false());
        json_object_set_new(use, "users", json_pack("[s]", "internal"));
    }
    json_object_set_new(d, "review_date", json_string("2027-01-01"));
    json_array_append_new(json_object_get(d, "advice"),
                          json_pack("{s:s, s:s, s:s, s:s}", "role", "procurement", "by", "X",
                                    "date", "2025-10-04", "outcome", "positive"));
    char h[65];
    assert_int_equal(dossier_material_hash(d, policy_set_derive_params(ps), h), 0);
    json_object_set_new(json_object_get(d, "decision"), "dossier_hash", json_string(h));
    return d;
}

static void key_hex(const char *key, char out[65])
{
    unsigned char h[32];
    SHA256((const unsigned char *)key, strlen(key), h);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    struct sluis_err err = {0};
    const char *pp = SLUIS_SOURCE_DIR "/policy/standpunt-2025.yaml";
    json_t *ex = NULL;
    if (policy_set_load(&f->ps, &pp, 1, &err) ||
        dossier_load_file(SLUIS_SOURCE_DIR "/examples/gemeente-chatbot-open-model.yaml", &ex,
                          &err)) {
        fprintf(stderr, "fixture: %s\n", err.msg);
        return -1;
    }
    struct {
        const char *id, *env, *terms, *until;
    } apps[] = {{"prod", "production", "business", "2027-12-31"},
                {"pilot", "pilot", "business", "2027-12-31"},
                {"expl", "exploration", "business", "2027-12-31"},
                {"cons", "pilot", "consumer", "2027-12-31"},
                {"late", "production", "business", "2026-03-01"}};
    json_t *doc = json_object(), *arr = json_array(), *keys = json_array();
    for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++) {
        json_t *d = dossier_for(ex, f->ps, apps[i].env, apps[i].terms, apps[i].until);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o}", "id", apps[i].id, "org_id",
                                             "o", "state", "", "dossier", d));
        char key[64], hex[65];
        snprintf(key, sizeof(key), "k-%s", apps[i].id);
        key_hex(key, hex);
        json_array_append_new(keys, json_pack("{s:s, s:s, s:b}", "application", apps[i].id,
                                              "sha256", hex, "revoked", 0));
    }
    json_object_set_new(doc, "applications", arr);
    json_object_set_new(doc, "gateway_keys", keys);
    json_object_set_new(doc, "providers",
                        json_pack("[{s:s, s:s, s:s}]", "id", "p1", "base_url",
                                  "http://127.0.0.1:1/v1", "terms", "business"));
    json_object_set_new(doc, "gateway_apps",
                        json_pack("[{s:s, s:s, s:[s]}]", "application", "prod", "sensitive_action",
                                  "redact", "allowed_categories", "email"));
    json_object_set_new(doc, "trainings",
                        json_pack("[{s:s, s:s}, {s:s, s:s}]", "user", "jan", "level", "bekwaam",
                                  "user", "piet", "level", "bewust"));
    int rc = gw_snapshot_build(doc, f->ps, "2026-06-01", &f->snap, &err);
    json_decref(doc);
    json_decref(ex);
    if (rc || gw_scanner_init(&f->sc, &err)) {
        fprintf(stderr, "fixture: %s\n", err.msg);
        return -1;
    }
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    struct fx *f = *state;
    gw_scanner_free(&f->sc);
    gw_snapshot_release(f->snap);
    policy_set_free(f->ps);
    free(f);
    return 0;
}

/* Runs the chain for key, model, user and one user message; returns the code or "ok". */
static const char *run(struct fx *f, const char *key, const char *model, const char *user,
                       const char *text, const char *date, char *redacted, size_t cap)
{
    static char code[64];
    struct gw_verdict v;
    memset(&v, 0, sizeof(v));
    if (gw_enforce_app(f->snap, key, date, &v))
        return v.code;
    if (gw_enforce_model(f->snap, model, user, date, &v))
        return v.code;
    json_t *body = json_pack("{s:s, s:[{s:s, s:s}]}", "model", model, "messages", "role", "user",
                             "content", text);
    char *s = json_dumps(body, 0);
    json_decref(body);
    struct gw_parsed p;
    struct gw_perr pe;
    assert_int_equal(gw_request_parse(&p, GW_EP_CHAT, s, strlen(s), &pe), 0);
    free(s);
    const char *res = gw_enforce_scan(&f->sc, &p, &v) ? v.code : "ok";
    if (redacted)
        snprintf(redacted, cap, "%s", p.texts[0].s);
    gw_request_free(&p);
    snprintf(code, sizeof(code), "%s", res);
    return code;
}

static void test_enforce_codes(void **state)
{
    struct fx *f = *state;
    const char *d = "2026-06-01";
    assert_string_equal(run(f, NULL, "m1", "jan", "x", d, NULL, 0), "invalid_api_key");
    assert_string_equal(run(f, "k-nope", "m1", "jan", "x", d, NULL, 0), "invalid_api_key");
    assert_string_equal(run(f, "k-cons", "m1", NULL, "x", d, NULL, 0), "consumer_terms_prohibited");
    assert_string_equal(run(f, "k-late", "m1", "jan", "x", d, NULL, 0), "agreement_expired");
    assert_string_equal(run(f, "k-pilot", "other", NULL, "x", d, NULL, 0), "model_not_allowed");
    /* literacy: the example dossier asks for "bekwaam" */
    assert_string_equal(run(f, "k-prod", "m1", NULL, "x", d, NULL, 0), "literacy_required");
    assert_string_equal(run(f, "k-prod", "m1", "piet", "x", d, NULL, 0), "literacy_required");
    assert_string_equal(run(f, "k-prod", "m1", "jan", "hallo", d, NULL, 0), "ok");
    /* a date past the agreement, checked per request even on an older snapshot */
    assert_string_equal(run(f, "k-prod", "m1", "jan", "x", "2028-01-01", NULL, 0),
                        "agreement_expired");
    assert_string_equal(run(f, "k-expl", "m1", "jan", "x", "2027-01-02", NULL, 0),
                        "exploration_expired");
}

static void test_enforce_scan_per_env(void **state)
{
    struct fx *f = *state;
    const char *d = "2026-06-01";
    char red[256];
    /* exploration: any finding blocks; markings have their own code */
    assert_string_equal(run(f, "k-expl", "m1", "jan", "bsn 111222333", d, NULL, 0),
                        "sensitive_data_detected");
    assert_string_equal(run(f, "k-expl", "m1", "jan", "mail a@b.nl", d, NULL, 0),
                        "sensitive_data_detected");
    assert_string_equal(run(f, "k-expl", "m1", "jan", "STG. GEHEIM", d, NULL, 0),
                        "classified_marking");
    assert_string_equal(run(f, "k-expl", "m1", "jan", "het weer is mooi", d, NULL, 0), "ok");
    /* pilot (block): not-allowed findings block */
    assert_string_equal(run(f, "k-pilot", "m1", "jan", "bsn 111222333", d, NULL, 0),
                        "sensitive_data_detected");
    /* production (redact, e-mail allowed): BSN redacted, e-mail kept, marking still blocks */
    assert_string_equal(
        run(f, "k-prod", "m1", "jan", "bsn 111222333 mail a@b.nl", d, red, sizeof(red)), "ok");
    assert_null(strstr(red, "111222333"));
    assert_non_null(strstr(red, "[BSN]"));
    assert_non_null(strstr(red, "a@b.nl"));
    assert_string_equal(run(f, "k-prod", "m1", "jan", "STG. GEHEIM", d, NULL, 0),
                        "classified_marking");
}

/* A provider that cannot be routed to is left out of the snapshot; the rest still loads. */
static void test_snapshot_skips_unroutable_provider(void **state)
{
    struct sluis_err err = {0};
    struct gw_snapshot *snap = NULL;
    json_t *doc;

    (void)state;
    doc =
        json_pack("{s:[], s:[], s:[{s:s, s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:s}], s:[]}",
                  "applications", "gateway_keys", "providers", "id", "ok", "base_url",
                  "http://127.0.0.1:1/v1", "terms", "business", "id", "no-url", "terms", "business",
                  "id", "ftp", "base_url", "ftp://127.0.0.1/", "terms", "business", "trainings");
    assert_non_null(doc);
    assert_int_equal(gw_snapshot_build(doc, NULL, "2026-06-01", &snap, &err), 0);
    assert_int_equal(snap->n_providers, 1);
    assert_non_null(gw_snapshot_find_provider(snap, "ok"));
    assert_null(gw_snapshot_find_provider(snap, "no-url"));
    assert_null(gw_snapshot_find_provider(snap, "ftp"));
    gw_snapshot_release(snap);
    json_decref(doc);
}

/* Between events the framer gives its buffers back (memory per stream); a partial line or a
 * half-built event is kept, so the output is the same for every split point. */
static void test_sse_release_idle(void **state)
{
    (void)state;
    const char *in = "data: {\"a\":1}\n\nevent: error\ndata: x\ndata:y\r\n\r\ndata: [DONE]\n\n";
    const char *want = "[|{\"a\":1}][error|x\ny][|[DONE]]";
    size_t n = strlen(in);
    for (size_t split = 0; split <= n; split++) {
        struct gw_sse f;
        struct collect c = {0};
        gw_sse_init(&f, 0);
        assert_int_equal(gw_sse_feed(&f, in, split, collect_cb, &c), 0);
        int mid_event = f.line_len || f.has_data;
        gw_sse_release_idle(&f);
        if (mid_event) {
            assert_true(f.line_len || f.has_data); /* nothing of a pending event is lost */
        } else {
            assert_null(f.line);
            assert_null(f.data);
        }
        assert_int_equal(gw_sse_feed(&f, in + split, n - split, collect_cb, &c), 0);
        gw_sse_release_idle(&f);
        assert_null(f.line);
        assert_null(f.data);
        assert_string_equal(c.buf, want);
        assert_int_equal(gw_sse_finish(&f), 0);
        gw_sse_free(&f);
    }
}

/* ---- the usage queue: records packed to their strings' lengths come out unchanged ---- */

#define QN 3
static struct {
    char *text[QN];
    char *content[QN];
    size_t n;
} queued;

static int capture_sink(void *ud, const struct gw_usage_rec *recs, size_t n)
{
    (void)ud;
    for (size_t i = 0; i < n && queued.n < QN; i++, queued.n++) {
        queued.text[queued.n] = gw_usage_format(&recs[i], NULL);
        queued.content[queued.n] = recs[i].content ? strdup(recs[i].content) : NULL;
    }
    return 0;
}

static void test_usage_queue_round_trip(void **state)
{
    (void)state;
    struct gw_usage_rec r[QN];
    char *want[QN];
    memset(r, 0, sizeof(r));
    for (int i = 0; i < QN; i++) {
        snprintf(r[i].request_id, sizeof(r[i].request_id), "req_%d", i);
        snprintf(r[i].node, sizeof(r[i].node), "node-a");
        snprintf(r[i].endpoint, sizeof(r[i].endpoint), "chat");
        r[i].status = 200 + i;
        r[i].upstream_status = i ? 200 : 0;
        r[i].prompt_tokens = i;
        r[i].completion_tokens = -1;
        r[i].total_tokens = 7 * i;
        r[i].latency_ms = 1.5 * i;
        r[i].overhead_ms = 0.125;
        r[i].stream = i & 1;
        r[i].sse_events = 40ull * (unsigned)i;
        r[i].redacted = (unsigned)i;
    }
    /* every string field at its cap (255 bytes + NUL), and empty ones */
    memset(r[1].model, 'm', sizeof(r[1].model) - 1);
    memset(r[1].user, 'u', sizeof(r[1].user) - 1);
    memset(r[1].detectors, 'd', sizeof(r[1].detectors) - 1);
    memset(r[1].org, 'o', sizeof(r[1].org) - 1);
    snprintf(r[2].code, sizeof(r[2].code), "sensitive_data_detected");
    snprintf(r[2].rule, sizeof(r[2].rule), "SP-05");
    r[2].content = strdup("{\"model\":\"m\"}");
    for (int i = 0; i < QN; i++)
        want[i] = gw_usage_format(&r[i], NULL);
    struct gw_usage u;
    memset(&queued, 0, sizeof(queued));
    assert_int_equal(gw_usage_start(&u, 8, capture_sink, NULL, NULL), 0);
    for (int i = 0; i < QN; i++) {
        assert_int_equal(gw_usage_push(&u, &r[i]), 0);
        assert_null(r[i].content); /* ownership moved to the queue */
    }
    gw_usage_stop(&u); /* writes everything buffered */
    assert_int_equal(queued.n, QN);
    for (int i = 0; i < QN; i++) {
        assert_non_null(queued.text[i]);
        assert_string_equal(queued.text[i], want[i]);
        free(queued.text[i]);
        free(want[i]);
    }
    assert_null(queued.content[0]);
    assert_string_equal(queued.content[2], "{\"model\":\"m\"}");
    free(queued.content[2]);
}

/* Organisations' sets are reused only under the same fingerprint; a set not used since the
 * last sweep is dropped; a failed load (NULL) is kept like a set. */
static void test_org_cache(void **state)
{
    (void)state;
    struct gw_org_cache c = {0};
    unsigned char fp1[32], fp2[32];
    memset(fp1, 1, sizeof(fp1));
    memset(fp2, 2, sizeof(fp2));
    const struct policy_set *ps = (const struct policy_set *)&c;
    assert_int_equal(gw_org_cache_get(&c, "org-a", fp1, &ps), 0);
    assert_int_equal(gw_org_cache_put(&c, "org-a", fp1, NULL), 0);
    assert_int_equal(gw_org_cache_put(&c, "org-b", fp2, NULL), 0);
    assert_int_equal(gw_org_cache_get(&c, "org-a", fp1, &ps), 1);
    assert_null(ps);
    assert_int_equal(gw_org_cache_get(&c, "org-a", fp2, &ps), 0); /* changed: load again */
    assert_int_equal(gw_org_cache_get(&c, "org-c", fp1, &ps), 0);
    gw_org_cache_sweep(&c); /* both were used since the start */
    assert_int_equal(c.n, 2);
    assert_int_equal(gw_org_cache_get(&c, "org-b", fp2, &ps), 1);
    gw_org_cache_sweep(&c); /* org-a was not used since the last sweep */
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ents[0].org, "org-b");
    assert_int_equal(gw_org_cache_put(&c, "org-b", fp1, NULL), 0); /* replaced */
    assert_int_equal(c.n, 1);
    assert_int_equal(gw_org_cache_get(&c, "org-b", fp2, &ps), 0);
    assert_int_equal(gw_org_cache_get(&c, "org-b", fp1, &ps), 1);
    gw_org_cache_free(&c);
    assert_int_equal(c.n, 0);
}

/* The scan database compiled in a child process finds what an in-process one finds. */
static void test_scandb_child_compile(void **state)
{
    (void)state;
    struct sluis_err err = {0};
    struct scan_db *a = NULL, *b = NULL;
    assert_int_equal(gw_scandb_compile(&a, &err), 0);
    assert_int_equal(scan_db_new(&b, &err), 0);
    const char *text = "Mijn BSN is 111222333 en mail jan@example.nl, IBAN NL91ABNA0417164300.";
    struct scan_db *dbs[2] = {a, b};
    struct scan_result res[2];
    memset(res, 0, sizeof(res));
    for (int i = 0; i < 2; i++) {
        struct scan_scratch *s = NULL;
        assert_int_equal(scan_scratch_new(dbs[i], &s), 0);
        assert_int_equal(scan_block(dbs[i], s, text, strlen(text), 0.0f, &res[i], &err), 0);
        scan_scratch_free(s);
    }
    assert_true(res[0].n >= 3);
    assert_int_equal(res[0].n, res[1].n);
    for (size_t k = 0; k < res[0].n; k++) {
        assert_int_equal(res[0].findings[k].detector, res[1].findings[k].detector);
        assert_int_equal(res[0].findings[k].offset, res[1].findings[k].offset);
        assert_int_equal(res[0].findings[k].length, res[1].findings[k].length);
    }
    scan_result_free(&res[0]);
    scan_result_free(&res[1]);
    scan_db_free(a);
    scan_db_free(b);
}

/* ---- usage records as text ---- */

/* The hand-written record text is JSON with sorted keys, its strings escaped, bytes that are
 * not UTF-8 replaced, tokens null (and tokens_unknown) when the provider reported none. */
static void test_usage_format(void **state)
{
    (void)state;
    struct gw_usage_rec r = {0};
    snprintf(r.request_id, sizeof(r.request_id), "req_1");
    snprintf(r.app, sizeof(r.app), "prod");
    snprintf(r.user, sizeof(r.user), "ja\"n\\\x01\xff\xc3\xa9\n\t\x1f\x7f");
    snprintf(r.endpoint, sizeof(r.endpoint), "chat");
    snprintf(r.detectors, sizeof(r.detectors), "bsn,email");
    snprintf(r.rule, sizeof(r.rule), "SP-05");
    r.status = 200;
    r.upstream_status = 200;
    r.prompt_tokens = 10;
    r.completion_tokens = -1;
    r.total_tokens = -1;
    r.latency_ms = 1.2345;
    r.stream = 1;
    r.sse_events = 18;
    size_t len = 0;
    char *t = gw_usage_format(&r, &len);
    assert_non_null(t);
    assert_int_equal(len, strlen(t));
    json_error_t je;
    json_t *j = json_loads(t, JSON_REJECT_DUPLICATES, &je);
    assert_non_null(j);
    char *canon = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *j2 = json_loads(canon, 0, &je);
    assert_true(json_equal(j, j2));
    /* already in sorted key order: the keys appear in the same order as in the canonical dump */
    const char *keys[] = {"\"application\"", "\"code\"",         "\"detector_types\"",
                          "\"request_id\"",  "\"total_tokens\"", "\"user\""};
    for (size_t k = 1; k < sizeof(keys) / sizeof(keys[0]); k++)
        assert_true(strstr(t, keys[k - 1]) < strstr(t, keys[k]));
    assert_string_equal(json_string_value(json_object_get(j, "user")),
                        "ja\"n\\\x01\xef\xbf\xbd\xc3\xa9\n\t\x1f\x7f");
    assert_true(json_is_null(json_object_get(j, "total_tokens")));
    assert_int_equal(json_integer_value(json_object_get(j, "prompt_tokens")), 10);
    assert_true(json_is_true(json_object_get(j, "tokens_unknown")));
    assert_int_equal(json_array_size(json_object_get(j, "detector_types")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "rule_ids"), 0)),
                        "SP-05");
    assert_int_equal(json_integer_value(json_object_get(j, "sse_events")), 18);
    assert_int_equal(json_integer_value(json_object_get(j, "latency_us")), 1234);
    assert_int_equal(json_integer_value(json_object_get(j, "overhead_us")), 0);
    /* the text is canonical: the audit chain takes it without a parse, and the parse + dump
       would write exactly the same */
    assert_true(audit_detail_is_canon(t, len));
    char *slow = NULL;
    assert_int_equal(audit_detail_canon_parse(t, &slow, NULL), 0);
    assert_string_equal(slow, t);
    free(slow);
    assert_true(json_is_null(json_object_get(j, "code")));
    json_decref(j);
    json_decref(j2);
    free(canon);
    free(t);
}

/* ---- streamed-response scanning ---- */

struct emitted {
    char buf[65536];
    size_t len;
    int calls;
};

static int emit_into(void *ud, const char *b, size_t n)
{
    struct emitted *e = ud;
    if (e->len + n > sizeof(e->buf))
        return -1;
    memcpy(e->buf + e->len, b, n);
    e->len += n;
    e->calls++;
    return 0;
}

/* Feeds text as chat chunks of 4 bytes; returns the first non-zero gw_sscan result. */
static int sscan_text(struct gw_sscan *ss, struct gw_scanner *sc, struct scan_scratch *scr,
                      const char *text, struct emitted *out, struct gw_verdict *v)
{
    size_t n = strlen(text);
    for (size_t o = 0; o < n; o += 4) {
        char json[256], framed[300];
        snprintf(json, sizeof(json),
                 "{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
                 "{\"content\":\"%.*s\"}}]}",
                 (int)(n - o < 4 ? n - o : 4), text + o);
        int fl = snprintf(framed, sizeof(framed), "data: %s\n\n", json);
        int rc =
            gw_sscan_event(ss, sc, scr, json, strlen(json), framed, (size_t)fl, emit_into, out, v);
        if (rc)
            return rc;
    }
    return 0;
}

static void test_sscan_hold_release_refuse(void **state)
{
    (void)state;
    struct sluis_err err = {0};
    struct gw_scanner sc;
    assert_int_equal(gw_scanner_init(&sc, &err), 0);
    struct scan_scratch *scr = gw_scanner_scratch_get(&sc);
    assert_non_null(scr);
    struct gw_app app = {0};
    app.env = GW_ENV_EXPLORATION;

    /* clean and long: events are released while the stream runs, all of them by the end */
    static struct emitted out;
    memset(&out, 0, sizeof(out));
    struct gw_verdict v = {0};
    v.app = &app;
    struct gw_sscan ss;
    assert_int_equal(gw_sscan_open(&ss, &sc), 0);
    char text[2001];
    for (int i = 0; i < 2000; i++)
        text[i] = "abcdefgh "[i % 9];
    text[2000] = 0;
    assert_int_equal(sscan_text(&ss, &sc, scr, text, &out, &v), 0);
    assert_true(out.calls > 0); /* released before the end */
    size_t before_close = out.len;
    assert_int_equal(gw_sscan_close(&ss, &sc, scr, emit_into, &out, &v), 0);
    assert_true(out.len > before_close);
    assert_int_equal(out.len,
                     500 * strlen("data: {\"object\":\"chat.completion.chunk\",\"choices\":"
                                  "[{\"index\":0,\"delta\":{\"content\":\"abcd\"}}]}\n\n"));
    gw_sscan_free(&ss);

    /* a BSN split over three events after a long clean text: refused, and no part of it was
       ever emitted */
    memset(&out, 0, sizeof(out));
    memset(&v, 0, sizeof(v));
    v.app = &app;
    assert_int_equal(gw_sscan_open(&ss, &sc), 0);
    char leak[2100];
    snprintf(leak, sizeof(leak), "%s het nummer is 111222333 en verder niets.", text);
    int rc = sscan_text(&ss, &sc, scr, leak, &out, &v);
    if (!rc)
        rc = gw_sscan_close(&ss, &sc, scr, emit_into, &out, &v);
    assert_int_equal(rc, 1);
    assert_string_equal(v.code, "sensitive_data_in_response");
    assert_string_equal(v.detectors, "bsn");
    out.buf[out.len] = 0;
    /* the chunks " het", " num", "mer ", "is 1", "1122", "2333": none was passed on */
    assert_null(strstr(out.buf, "\"is 1\""));
    assert_null(strstr(out.buf, "\"1122\""));
    assert_null(strstr(out.buf, "\"2333\""));
    assert_null(strstr(out.buf, "\" het\"")); /* held back: not judged yet when found */
    assert_true(out.len > 0);                 /* the clean start was passed on */
    gw_sscan_free(&ss);

    /* pilot allowing the detector: passes */
    memset(&out, 0, sizeof(out));
    memset(&v, 0, sizeof(v));
    app.env = GW_ENV_PILOT;
    char *allowed[1] = {(char *)"bsn"};
    app.allowed = allowed;
    app.n_allowed = 1;
    v.app = &app;
    assert_int_equal(gw_sscan_open(&ss, &sc), 0);
    assert_int_equal(sscan_text(&ss, &sc, scr, "het nummer is 111222333.", &out, &v), 0);
    assert_int_equal(gw_sscan_close(&ss, &sc, scr, emit_into, &out, &v), 0);
    out.buf[out.len] = 0;
    assert_non_null(strstr(out.buf, "1222"));
    gw_sscan_free(&ss);

    gw_scanner_scratch_put(&sc, scr);
    gw_scanner_free(&sc);
}

/* A stream whose client did not ask for usage gets stream_options.include_usage upstream:
 * spliced in textually, or set on the parsed tree when stream_options exists or p changed. */
static void test_request_ask_usage(void **state)
{
    (void)state;
    struct gw_parsed p;
    struct gw_perr pe;
    char *out = NULL;
    size_t n = 0;
    const char *b1 =
        " {\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    assert_int_equal(gw_request_parse(&p, GW_EP_CHAT, b1, strlen(b1), &pe), 0);
    assert_int_equal(p.include_usage, 0);
    assert_int_equal(gw_request_ask_usage(&p, b1, strlen(b1), 0, &out, &n), 0);
    assert_string_equal(out,
                        " {\"stream_options\":{\"include_usage\":true},\"model\":\"m\",\"stream\":"
                        "true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
    assert_int_equal(n, strlen(out));
    gw_request_free(&p);
    assert_int_equal(gw_request_parse(&p, GW_EP_CHAT, out, n, &pe), 0);
    assert_int_equal(p.include_usage, 1);
    gw_request_free(&p);
    free(out);

    const char *b2 =
        "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":false},"
        "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    assert_int_equal(gw_request_parse(&p, GW_EP_CHAT, b2, strlen(b2), &pe), 0);
    assert_int_equal(gw_request_ask_usage(&p, b2, strlen(b2), 0, &out, &n), 0);
    gw_request_free(&p);
    assert_int_equal(gw_request_parse(&p, GW_EP_CHAT, out, n, &pe), 0);
    assert_int_equal(p.include_usage, 1); /* one stream_options member, now true */
    assert_null(strstr(strstr(out, "stream_options") + 1, "stream_options"));
    gw_request_free(&p);
    free(out);
}

/* OIDC subjects map to register users; a subject two users claim maps to neither. Without a
 * JWKS a user token is refused (fail closed), never ignored; without a token the header names
 * the user. */
static void test_identity_subjects_and_fail_closed(void **state)
{
    struct sluis_err err = {0};
    struct gw_snapshot *snap = NULL;
    (void)state;
    json_t *doc =
        json_pack("{s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s}]}", "users", "id",
                  "jan", "oidc_subject", "sub-jan", "id", "a", "oidc_subject", "dup", "id", "b",
                  "oidc_subject", "dup", "id", "empty", "oidc_subject", "", "id", "nosub");
    assert_non_null(doc);
    assert_int_equal(gw_snapshot_build(doc, NULL, "2026-06-01", &snap, &err), 0);
    assert_string_equal(gw_snapshot_user_of_subject(snap, "sub-jan"), "jan");
    assert_null(gw_snapshot_user_of_subject(snap, "dup"));
    assert_null(gw_snapshot_user_of_subject(snap, ""));
    assert_null(gw_snapshot_user_of_subject(snap, "nobody"));

    struct gw_oidc off;
    assert_int_equal(gw_oidc_init(&off, NULL, NULL, NULL, &err), 0);
    char user[GW_ID_CAP], why[160];
    assert_int_equal(
        gw_identity_resolve(&off, snap, "piet", NULL, 0, user, sizeof(user), why, sizeof(why)), 0);
    assert_string_equal(user, "piet");
    assert_int_equal(
        gw_identity_resolve(&off, snap, NULL, NULL, 0, user, sizeof(user), why, sizeof(why)), 0);
    assert_string_equal(user, "");
    assert_int_equal(
        gw_identity_resolve(&off, snap, "piet", "a.b.c", 0, user, sizeof(user), why, sizeof(why)),
        1);
    assert_string_equal(user, "");
    assert_non_null(strstr(why, "no OIDC"));
    /* a JWKS needs an issuer; a missing JWKS file is an error */
    assert_int_not_equal(gw_oidc_init(&off, "/nonexistent/jwks.json", NULL, NULL, &err), 0);
    assert_int_not_equal(gw_oidc_init(&off, "/nonexistent/jwks.json", "https://i", NULL, &err), 0);
    gw_oidc_free(&off);
    gw_snapshot_release(snap);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sse_every_split),
        cmocka_unit_test(test_sse_caps_and_truncation),
        cmocka_unit_test(test_request_chat_texts),
        cmocka_unit_test(test_request_inputs),
        cmocka_unit_test(test_request_bad),
        cmocka_unit_test(test_error_bodies),
        cmocka_unit_test(test_snapshot_skips_unroutable_provider),
        cmocka_unit_test(test_identity_subjects_and_fail_closed),
        cmocka_unit_test(test_request_ask_usage),
        cmocka_unit_test(test_sscan_hold_release_refuse),
        cmocka_unit_test(test_usage_format),
        cmocka_unit_test(test_sse_release_idle),
        cmocka_unit_test(test_usage_queue_round_trip),
        cmocka_unit_test(test_scandb_child_compile),
        cmocka_unit_test(test_org_cache),
    };
    const struct CMUnitTest fx_tests[] = {
        cmocka_unit_test(test_enforce_codes),
        cmocka_unit_test(test_enforce_scan_per_env),
    };
    int rc = cmocka_run_group_tests_name("gateway-units", tests, NULL, NULL);
    rc |= cmocka_run_group_tests_name("gateway-enforce", fx_tests, fx_setup, fx_teardown);
    return rc;
}
