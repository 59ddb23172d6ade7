/*
 * gw_fixture.c - test fixture for the gateway: builds a register with one application per
 * environment and per refusal, from the example dossier, with correct decision hashes.
 *   gw_fixture --policy P --example E --base-url URL --key-file F --out register.json
 *   gw_fixture ... --db URL                 (writes the same objects into a store)
 *   gw_fixture --db URL --revoke APP        (sets state revoked and notifies)
 *   gw_fixture --db URL --org-policy FILE --org-ref REF --org-state active|inactive
 *       (stores FILE as organisation gemeente-test's policy file REF the way the register API
 *       keeps it, kind "org_policy" {"part":"rules","ref","source",...}, or switches its state;
 *       the API's own upload/activate endpoints are tested in tests/register/api)
 * Application keys are "sk-test-<app id>". The provider is the MOCK upstream.
 */
#include <getopt.h>
#include <jansson.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/derive.h"
#include "core/dossier.h"
#include "core/policy.h"
#include "core/verdict.h"
#include "gateway/gateway.h"
#include "store/register.h"
#include "store/store.h"

static const char *const MODELS[] = {"mock-model",   "mock-echo", "mock-hang",     "mock-reset",
                                     "mock-bad-sse", "mock-500",  "mock-no-usage", "mock-leak"};

static void set(json_t *d, const char *obj, const char *key, json_t *v)
{
    json_t *o = json_object_get(d, obj);
    if (!o) {
        o = json_object();
        json_object_set_new(d, obj, o);
    }
    json_object_set_new(o, key, v);
}

static json_t *base_dossier(const json_t *example, const char *id, const char *env,
                            const char *terms)
{
    json_t *d = json_deep_copy(example);
    json_object_set_new(d, "id", json_string(id));
    json_t *models = json_array();
    for (size_t i = 0; i < sizeof(MODELS) / sizeof(MODELS[0]); i++)
        json_array_append_new(models,
                              json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:b}", "name",
                                        MODELS[i], "version", "MOCK", "provider", "mock-provider",
                                        "licence", "apache-2.0", "open_source", 1, "origin_country",
                                        "NL", "hosting_region", "nl", "terms", terms, "gpai", 1));
    json_object_set_new(d, "models", models);
    json_object_set_new(
        d, "agreements",
        json_pack("[{s:s, s:s, s:s, s:s, s:i, s:s, s:b, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, "
                  "s:b, s:b}]",
                  "provider", "mock-provider", "reference", "MOCK-2026-1", "valid_until",
                  "2027-12-31", "data_sharing", "none", "retention_days", 0, "retraining",
                  "prohibited", "access_logging", 1, "storage_location", "nl", "support_location",
                  "nl", "telemetry_location", "nl", "processor_agreement", 1, "ownership", 1,
                  "copyright_statement", 1, "change_control", 1, "audit_rights", 1, "liability", 1,
                  "exit_clause", 1));
    set(d, "use", "environment", json_string(env));
    set(d, "decision", "environment", json_string(env));
    set(d, "use", "kind", json_string("procure"));
    if (!strcmp(env, "exploration")) {
        set(d, "use", "exploration_end", json_string("2026-12-31"));
        set(d, "use", "citizen_facing", json_false());
        set(d, "use", "production_data", json_false());
        set(d, "use", "users", json_pack("[s]", "internal"));
    }
    json_object_set_new(d, "review_date", json_string("2027-01-01"));
    json_array_append_new(json_object_get(d, "advice"),
                          json_pack("{s:s, s:s, s:s, s:s}", "role", "procurement", "by",
                                    "Inkoop Test", "date", "2025-10-04", "outcome", "positive"));
    return d;
}

static int finalise(json_t *d, const struct policy_set *ps, int decided)
{
    char h[65];
    if (!decided) {
        json_object_del(d, "decision");
        return 0;
    }
    if (dossier_material_hash(d, policy_set_derive_params(ps), h) != 0)
        return -1;
    set(d, "decision", "dossier_hash", json_string(h));
    return 0;
}

static void sha_hex(const char *s, char out[65])
{
    unsigned char h[32];
    SHA256((const unsigned char *)s, strlen(s), h);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static int put(struct store_tx *tx, const char *kind, const char *id, const char *state,
               json_t *content, struct sluis_err *err)
{
    struct reg_object o = {0};
    snprintf(o.kind, sizeof(o.kind), "%s", kind);
    snprintf(o.id, sizeof(o.id), "%s", id);
    snprintf(o.org_id, sizeof(o.org_id), "gemeente-test");
    snprintf(o.state, sizeof(o.state), "%s", state ? state : "");
    o.content = json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = o.content ? reg_object_put(tx, &o, REG_VERSION_ANY, "gw_fixture", err) : -2;
    reg_object_free(&o);
    return rc;
}

static int write_db(const char *url, json_t *doc)
{
    struct store *st = NULL;
    struct store_tx *tx = NULL;
    struct sluis_err err = {0};
    int rc = store_open(url, &st, &err);
    if (!rc)
        rc = store_tx_begin(st, STORE_TX_WRITE, &tx, &err);
    if (!rc) {
        struct reg_org org = {0};
        snprintf(org.id, sizeof(org.id), "gemeente-test");
        snprintf(org.name, sizeof(org.name), "Gemeente Test");
        snprintf(org.layer, sizeof(org.layer), "gemeente");
        rc = reg_org_put(tx, &org, "gw_fixture", &err);
    }
    size_t i;
    json_t *j;
    json_array_foreach(json_object_get(doc, "applications"), i, j)
    {
        if (!rc)
            rc = put(tx, GATEWAY_KIND_APPLICATION, json_string_value(json_object_get(j, "id")),
                     json_string_value(json_object_get(j, "state")), json_object_get(j, "dossier"),
                     &err);
    }
    static const char *const sections[][2] = {{"gateway_keys", GATEWAY_KIND_KEY},
                                              {"gateway_apps", GATEWAY_KIND_APP},
                                              {"providers", GATEWAY_KIND_PROVIDER},
                                              {"trainings", GATEWAY_KIND_TRAINING}};
    for (size_t s = 0; s < 4; s++) {
        json_array_foreach(json_object_get(doc, sections[s][0]), i, j)
        {
            char id[128];
            const char *oid = json_string_value(json_object_get(j, "id"));
            if (!oid) {
                snprintf(id, sizeof(id), "%s-%zu", sections[s][1], i);
                oid = id;
            }
            if (!rc)
                rc = put(tx, sections[s][1], oid, NULL, j, &err);
        }
    }
    /* register users with an OIDC subject: X-Sluis-User-Token maps to them */
    json_array_foreach(json_object_get(doc, "users"), i, j)
    {
        struct reg_user u = {0};
        snprintf(u.id, sizeof(u.id), "%s", json_string_value(json_object_get(j, "id")));
        snprintf(u.org_id, sizeof(u.org_id), "gemeente-test");
        snprintf(u.name, sizeof(u.name), "%s", u.id);
        snprintf(u.oidc_subject, sizeof(u.oidc_subject), "%s",
                 json_string_value(json_object_get(j, "oidc_subject")));
        if (!rc)
            rc = reg_user_put(tx, &u, "gw_fixture", &err);
    }
    if (!rc)
        rc = store_notify(tx, GATEWAY_NOTIFY_CHANNEL, "fixture", &err);
    if (!rc)
        rc = store_tx_commit(tx, &err);
    else
        store_tx_rollback(tx);
    store_close(st);
    if (rc)
        fprintf(stderr, "gw_fixture: %s\n", err.msg);
    return rc;
}

static int revoke(const char *url, const char *app)
{
    struct store *st = NULL;
    struct store_tx *tx = NULL;
    struct sluis_err err = {0};
    struct reg_object o = {0};
    int rc = store_open(url, &st, &err);
    if (!rc)
        rc = store_tx_begin(st, STORE_TX_WRITE, &tx, &err);
    if (!rc)
        rc = reg_object_set_state(tx, GATEWAY_KIND_APPLICATION, app, "revoked", REG_VERSION_ANY,
                                  "gw_fixture", "transition", NULL, &o, &err);
    if (!rc) {
        char payload[160];
        snprintf(payload, sizeof(payload), "application:%s", app);
        rc = store_notify(tx, GATEWAY_NOTIFY_CHANNEL, payload, &err);
    }
    if (!rc)
        rc = store_tx_commit(tx, &err);
    else
        store_tx_rollback(tx);
    reg_object_free(&o);
    store_close(st);
    if (rc)
        fprintf(stderr, "gw_fixture: %s\n", err.msg);
    return rc;
}

/* An organisation policy file object as src/api/orgpolicy.c keeps it; put or state change. */
static int org_policy(const char *url, const char *file, const char *ref, const char *state)
{
    struct store *st = NULL;
    struct store_tx *tx = NULL;
    struct sluis_err err = {0};
    char id[256], *src = NULL;
    snprintf(id, sizeof(id), "gemeente-test:%s", ref);
    FILE *f = fopen(file, "rb");
    if (!f) {
        fprintf(stderr, "gw_fixture: cannot open %s\n", file);
        return 1;
    }
    src = calloc(1, 1 << 20);
    size_t n = src ? fread(src, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (!src || !n) {
        free(src);
        return 1;
    }
    int rc = store_open(url, &st, &err);
    if (!rc)
        rc = store_tx_begin(st, STORE_TX_WRITE, &tx, &err);
    struct reg_object o = {0};
    if (!rc && reg_object_get(tx, "org_policy", id, &o, &err) == 0) {
        struct reg_object tmp = {0};
        rc = reg_object_set_state(tx, "org_policy", id, state, o.version, "gw_fixture",
                                  !strcmp(state, "active") ? "activate" : "deactivate", NULL, &tmp,
                                  &err);
        reg_object_free(&tmp);
    } else if (!rc) {
        sluis_err_clear(&err);
        reg_object_free(&o);
        memset(&o, 0, sizeof(o));
        char sha[65];
        sha_hex(src, sha);
        json_t *c = json_pack("{s:s, s:s, s:s, s:s}", "part", "rules", "ref", ref, "sha256", sha,
                              "source", src);
        snprintf(o.kind, sizeof(o.kind), "org_policy");
        snprintf(o.id, sizeof(o.id), "%s", id);
        snprintf(o.org_id, sizeof(o.org_id), "gemeente-test");
        snprintf(o.state, sizeof(o.state), "%s", state);
        o.content = c ? json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(c);
        rc = o.content ? reg_object_put(tx, &o, REG_VERSION_ANY, "gw_fixture", &err) : -2;
    }
    reg_object_free(&o);
    if (!rc)
        rc = store_notify(tx, GATEWAY_NOTIFY_CHANNEL, "org_policy", &err);
    if (!rc)
        rc = store_tx_commit(tx, &err);
    else if (tx)
        store_tx_rollback(tx);
    store_close(st);
    free(src);
    if (rc)
        fprintf(stderr, "gw_fixture: %s\n", err.msg);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"policy", required_argument, NULL, 'p'},     {"example", required_argument, NULL, 'e'},
        {"base-url", required_argument, NULL, 'b'},   {"key-file", required_argument, NULL, 'k'},
        {"out", required_argument, NULL, 'o'},        {"db", required_argument, NULL, 'd'},
        {"revoke", required_argument, NULL, 'r'},     {"date", required_argument, NULL, 't'},
        {"org-policy", required_argument, NULL, 'P'}, {"org-ref", required_argument, NULL, 'R'},
        {"org-state", required_argument, NULL, 'S'},  {NULL, 0, NULL, 0}};
    const char *policy = NULL, *example = NULL, *base = NULL, *keyfile = NULL, *out = NULL,
               *db = NULL, *rev = NULL, *date = "2026-06-01", *opol = NULL, *oref = "org-gw@1",
               *ostate = "active";
    int c;
    while ((c = getopt_long(argc, argv, "p:e:b:k:o:d:r:t:P:R:S:", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            policy = optarg;
            break;
        case 'e':
            example = optarg;
            break;
        case 'b':
            base = optarg;
            break;
        case 'k':
            keyfile = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'd':
            db = optarg;
            break;
        case 'r':
            rev = optarg;
            break;
        case 't':
            date = optarg;
            break;
        case 'P':
            opol = optarg;
            break;
        case 'R':
            oref = optarg;
            break;
        case 'S':
            ostate = optarg;
            break;
        default:
            return 2;
        }
    }
    if (rev && db)
        return revoke(db, rev) ? 1 : 0;
    if (opol && db)
        return org_policy(db, opol, oref, ostate);
    if (!policy || !example || !base) {
        fprintf(stderr, "gw_fixture: --policy, --example and --base-url are required\n");
        return 2;
    }
    struct sluis_err err = {0};
    struct policy_set *ps = NULL;
    json_t *ex = NULL;
    if (policy_set_load(&ps, &policy, 1, &err) || dossier_load_file(example, &ex, &err)) {
        fprintf(stderr, "gw_fixture: %s\n", err.msg);
        return 1;
    }
    struct {
        const char *id, *env, *terms, *state;
        int decided;
    } apps[] = {
        {"prod", "production", "business", "", 1},
        {"prod-scan", "production", "business", "", 1},
        {"pilot", "pilot", "business", "", 1},
        {"expl", "exploration", "business", "", 1},
        {"expl-expired", "exploration", "business", "", 1},
        {"consumer", "pilot", "consumer", "", 1},
        {"agr-expired", "production", "business", "", 1},
        {"undecided", "production", "business", "", 0},
        {"revoked", "production", "business", "revoked", 1},
    };
    json_t *doc = json_object(), *arr = json_array(), *keys = json_array();
    json_object_set_new(doc, "applications", arr);
    json_object_set_new(doc, "gateway_keys", keys);
    for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++) {
        json_t *d = base_dossier(ex, apps[i].id, apps[i].env, apps[i].terms);
        if (strcmp(apps[i].id, "prod"))
            json_object_del(json_object_get(d, "literacy"), "required_level");
        if (!strcmp(apps[i].id, "expl-expired"))
            set(d, "use", "exploration_end", json_string("2026-01-01"));
        if (!strcmp(apps[i].id, "agr-expired"))
            json_object_set_new(json_array_get(json_object_get(d, "agreements"), 0), "valid_until",
                                json_string("2026-03-01"));
        if (!strcmp(apps[i].id, "prod"))
            set(d, "retention", "prompts_archived", json_false());
        if (finalise(d, ps, apps[i].decided)) {
            fprintf(stderr, "gw_fixture: hash failed\n");
            return 1;
        }
        if (dossier_validate(d, &err)) {
            fprintf(stderr, "gw_fixture: %s: %s %s\n", apps[i].id, err.path, err.msg);
            return 1;
        }
        struct verdict v = {0};
        if (!policy_evaluate(ps, d, date, &v, &err)) {
            fprintf(stderr, "gw_fixture: %-13s %-11s %s", apps[i].id, apps[i].env,
                    verdict_kind_name(v.kind));
            for (size_t f = 0; f < v.n_findings; f++)
                if (v.findings[f].status == FINDING_UNMET &&
                    v.findings[f].severity >= SEVERITY_BLOCK)
                    fprintf(stderr, " %s", v.findings[f].rule_id);
            fputc('\n', stderr);
            verdict_free(&v);
        }
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:s, s:o}", "id", apps[i].id, "org_id",
                                        "gemeente-test", "state", apps[i].state, "dossier", d));
        char key[96], hex[65];
        snprintf(key, sizeof(key), "sk-test-%s", apps[i].id);
        sha_hex(key, hex);
        json_array_append_new(keys,
                              json_pack("{s:s, s:s, s:s, s:b}", "id", apps[i].id, "application",
                                        apps[i].id, "sha256", hex, "revoked", 0));
    }
    /* prod-scan (as prod, but it scans responses too, streams included) and expl scan
       responses; prod (the benchmark's application) and pilot do not */
    json_object_set_new(
        doc, "gateway_apps",
        json_pack("[{s:s, s:s, s:s, s:[s]}, {s:s, s:s, s:s, s:[s], s:b}, {s:s, s:s, s:s}, "
                  "{s:s, s:s, s:b}]",
                  "id", "prod", "application", "prod", "sensitive_action", "redact",
                  "allowed_categories", "email", "id", "prod-scan", "application", "prod-scan",
                  "sensitive_action", "redact", "allowed_categories", "email", "scan_responses", 1,
                  "id", "pilot", "application", "pilot", "sensitive_action", "block", "id", "expl",
                  "application", "expl", "scan_responses", 1));
    json_t *prov =
        json_pack("{s:s, s:s, s:s}", "id", "mock-provider", "base_url", base, "terms", "business");
    if (keyfile)
        json_object_set_new(prov, "key_file", json_string(keyfile));
    json_object_set_new(doc, "providers", json_pack("[o]", prov));
    json_object_set_new(doc, "trainings",
                        json_pack("[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s}]", "id", "jan-1", "user",
                                  "jan", "level", "bekwaam", "valid_until", "2027-01-01", "id",
                                  "piet-1", "user", "piet", "level", "bewust"));
    json_object_set_new(doc, "users",
                        json_pack("[{s:s, s:s}, {s:s, s:s}]", "id", "jan", "oidc_subject",
                                  "oidc-sub-jan", "id", "piet", "oidc_subject", "oidc-sub-piet"));
    int rc = 0;
    if (db)
        rc = write_db(db, doc);
    if (out && json_dump_file(doc, out, JSON_INDENT(1) | JSON_SORT_KEYS))
        rc = 1;
    json_decref(doc);
    json_decref(ex);
    policy_set_free(ps);
    return rc ? 1 : 0;
}
