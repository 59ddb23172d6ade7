/* policyfiles.c - /policies: the base policy versions the register knows, and an
 * organisation's own policy files (extra rules, role overrides): upload (linted like
 * `sluis policy lint`), activate, deactivate. Files are immutable once stored. */
#include "api/api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audit/audit.h"

/* ---- listing ---- */

struct plist {
    json_t *items;
    const char *want; /* NULL = list all */
    const char *current;
    json_t *found;
};

static int base_cb(void *ud, const struct reg_object *obj)
{
    struct plist *p = ud;
    json_t *c = json_loads(obj->content, 0, NULL);
    const char *v = json_string_value(json_object_get(c, "version"));
    if (!v) {
        json_decref(c);
        return 0;
    }
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:O, s:O, s:s, s:b}", "id", v, "version", v, "kind", "base",
                  "sha256", json_object_get(c, "sha256"), "file", json_object_get(c, "file"),
                  "recorded_at", obj->created_at, "current", !strcmp(v, p->current));
    if (p->want) {
        if (!p->found && !strcmp(p->want, v) && j) {
            json_object_set(j, "source", json_object_get(c, "source"));
            p->found = j;
            j = NULL;
        }
        json_decref(j);
    } else if (j) {
        json_array_append_new(p->items, j);
    }
    json_decref(c);
    return 0;
}

/* An organisation's file as the API shows it (new reference); with_source adds the YAML. */
static json_t *org_file_json(const struct reg_object *obj, int with_source)
{
    json_t *c = json_loads(obj->content, 0, NULL);
    const char *ref = json_string_value(json_object_get(c, "ref"));
    if (!ref) {
        json_decref(c);
        return NULL;
    }
    json_t *j = json_pack("{s:s, s:s, s:s, s:O, s:O, s:O, s:s, s:s, s:b}", "id", ref, "version",
                          ref, "kind", "organisation", "part", json_object_get(c, "part"),
                          "policy_id", json_object_get(c, "policy_id"), "sha256",
                          json_object_get(c, "sha256"), "recorded_at", obj->created_at,
                          "recorded_by", obj->created_by, "active", !strcmp(obj->state, "active"));
    if (j && json_object_get(c, "role_matrix"))
        json_object_set(j, "role_matrix", json_object_get(c, "role_matrix"));
    if (j && with_source)
        json_object_set(j, "source", json_object_get(c, "source"));
    json_decref(c);
    return j;
}

static int org_cb(void *ud, const struct reg_object *obj)
{
    struct plist *p = ud;
    json_t *j = org_file_json(obj, 0);
    if (j)
        json_array_append_new(p->items, j);
    return 0;
}

/* Loads org_policy ref of org into *obj; SLUIS_ENOTFOUND also for a malformed ref. */
static int load_file(struct store_tx *tx, const char *org, const char *ref, struct reg_object *obj,
                     struct sluis_err *err)
{
    char id[REG_ID_CAP];
    memset(obj, 0, sizeof(*obj));
    int n = snprintf(id, sizeof(id), "%s:%s", org, ref);
    if (n < 0 || (size_t)n >= sizeof(id) || strchr(ref, ':'))
        return SLUIS_ENOTFOUND;
    int rc = reg_object_get(tx, API_ORG_POLICY_KIND, id, obj, err);
    if (rc == SLUIS_EINVAL)
        rc = SLUIS_ENOTFOUND;
    if (!rc && strcmp(obj->org_id, org)) {
        reg_object_free(obj);
        rc = SLUIS_ENOTFOUND;
    }
    return rc;
}

static int h_policies(struct api *api, const struct api_principal *who, struct http_req *req,
                      struct http_resp *resp, const void *arg)
{
    (void)arg;
    (void)req;
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_READ, resp, &tx, &err);
    if (rc)
        return 0;
    struct plist p = {.items = json_array(), .current = api_policy_version(api)};
    struct reg_filter f = {.kind = "policy_version", .org_id = API_ORG_SYSTEM, .limit = 1000};
    rc = reg_object_list(tx, &f, base_cb, &p, &err);
    struct reg_filter fo = {.kind = API_ORG_POLICY_KIND, .org_id = who->org_id, .limit = 1000};
    if (!rc)
        rc = reg_object_list(tx, &fo, org_cb, &p, &err);
    char pver[256] = ""; /* "": a stored file that no longer loads, shown as null */
    if (!rc)
        rc = api_org_policy_name(api, tx, who->org_id, pver, sizeof(pver), &err);
    store_tx_rollback(tx);
    if (rc) {
        json_decref(p.items);
        api_resp_err(resp, rc, &err);
        return 0;
    }
    size_t n = json_array_size(p.items);
    http_resp_json(resp, 200,
                   json_pack("{s:o, s:I, s:i, s:i, s:s*}", "items", p.items, "total", (json_int_t)n,
                             "limit", 1000, "offset", 0, "effective_version",
                             pver[0] ? pver : NULL));
    return 0;
}

static int h_policy(struct api *api, const struct api_principal *who, struct http_req *req,
                    struct http_resp *resp, const void *arg)
{
    (void)arg;
    const char *want = http_req_param(req, "id");
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_READ, resp, &tx, &err);
    if (rc)
        return 0;
    struct plist p = {.want = want, .current = api_policy_version(api)};
    struct reg_filter f = {.kind = "policy_version", .org_id = API_ORG_SYSTEM, .limit = 1000};
    rc = reg_object_list(tx, &f, base_cb, &p, &err);
    if (!rc && !p.found) {
        struct reg_object obj;
        int r2 = load_file(tx, who->org_id, want, &obj, &err);
        if (r2 == 0) {
            p.found = org_file_json(&obj, 1);
            reg_object_free(&obj);
        } else if (r2 != SLUIS_ENOTFOUND) {
            rc = r2;
        }
    }
    store_tx_rollback(tx);
    if (rc)
        api_resp_err(resp, rc, &err);
    else if (p.found)
        http_resp_json(resp, 200, p.found);
    else
        api_not_found(resp, "beleidsversie/policy version");
    return 0;
}

/* ---- upload ---- */

struct lint_ud {
    json_t *errors;
    char first[600];
};

static void lint_cb(const struct sluis_err *e, void *ud)
{
    struct lint_ud *l = ud;
    if (!l->first[0])
        snprintf(l->first, sizeof(l->first), "%d:%d: %s", e->line, e->column, e->msg);
    json_t *j =
        json_pack("{s:i, s:i, s:s}", "line", e->line, "column", e->column, "message", e->msg);
    if (j && e->path[0])
        json_object_set_new(j, "path", json_string(e->path));
    if (j)
        json_array_append_new(l->errors, j);
}

/* 400 with every error (line:column) in error.errors. */
static void answer_errors(struct http_resp *resp, const char *first, json_t *errors)
{
    http_resp_errorf(resp, 400, "invalid_policy", NULL,
                     "beleidsbestand ongeldig / invalid policy file: %s", first);
    json_t *e = json_object_get(resp->json, "error");
    if (e)
        json_object_set(e, "errors", errors);
}

static int ref_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 100)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-' || *p == '@'))
            return 0;
    return 1;
}

/* Deactivates the active file of part in org (if any, and not keep_id). */
static int deactivate_part(struct store_tx *tx, const char *org, const char *part,
                           const char *keep_id, const char *actor, struct sluis_err *err)
{
    struct reg_object cur;
    int rc = api_org_policy_active(tx, org, part, &cur, err);
    if (rc == SLUIS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (!keep_id || strcmp(cur.id, keep_id)) {
        struct reg_object tmp;
        rc = reg_object_set_state(tx, API_ORG_POLICY_KIND, cur.id, "inactive", cur.version, actor,
                                  "deactivate", NULL, &tmp, err);
        reg_object_free(&tmp);
    }
    reg_object_free(&cur);
    return rc;
}

static int h_policy_upload(struct api *api, const struct api_principal *who, struct http_req *req,
                           struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLE_ADMIN)) {
        api_forbidden(resp);
        return 0;
    }
    const char *ct = http_req_header(req, "Content-Type");
    size_t ctl = ct ? strcspn(ct, "; ") : 0;
    if (!ct || !((ctl == 16 && !strncasecmp(ct, "application/yaml", 16)) ||
                 (ctl == 9 && !strncasecmp(ct, "text/yaml", 9)) ||
                 (ctl == 18 && !strncasecmp(ct, "application/x-yaml", 18)))) {
        http_resp_error(resp, 415, "unsupported_media_type", NULL,
                        "stuur het beleidsbestand als application/yaml / send the policy file as "
                        "application/yaml");
        return 0;
    }
    const char *act = http_req_query(req, "activate");
    if (act && strcmp(act, "true") && strcmp(act, "false")) {
        http_resp_error(resp, 400, "invalid", "activate", "activate: true|false");
        return 0;
    }
    int activate = !act || !strcmp(act, "true");
    const char *body = req->body ? req->body : "";
    size_t len = req->body ? req->body_len : 0;
    if (!len || strlen(body) != len) {
        http_resp_error(resp, 400, "invalid_policy", NULL,
                        "leeg bestand of NUL-bytes / empty file or NUL bytes");
        return 0;
    }
    /* 1. every error of the file on its own, as `sluis policy lint` reports them */
    struct lint_ud l = {.errors = json_array()};
    int n = policy_lint_buffer(body, len, "upload", lint_cb, &l);
    if (n != 0) {
        answer_errors(resp, l.first[0] ? l.first : "?", l.errors);
        json_decref(l.errors);
        return 0;
    }
    json_decref(l.errors);
    /* 2. merged on the current base: ids that clash with base rules, extends, advice roles */
    struct sluis_err err;
    sluis_err_clear(&err);
    struct policy_set *merged = NULL;
    const char *srcs[1] = {body};
    const char *names[1] = {"upload"};
    char bad[128] = "";
    int rc = api_org_policy_load(api, srcs, names, 1, &merged, &err);
    if (!rc) {
        rc = api_policy_roles_check(merged, bad, sizeof(bad), &err);
        if (rc && bad[0])
            api_policy_role_position(body, bad, &err.line, &err.column);
    }
    if (rc) {
        char first[600];
        snprintf(first, sizeof(first), "%d:%d: %s", err.line, err.column, err.msg);
        json_t *errs = json_pack("[{s:i, s:i, s:s}]", "line", err.line, "column", err.column,
                                 "message", err.msg);
        answer_errors(resp, first, errs);
        json_decref(errs);
        policy_set_free(merged);
        return 0;
    }
    const char *plus = strchr(policy_set_version(merged), '+');
    char ref[256];
    snprintf(ref, sizeof(ref), "%s", plus ? plus + 1 : "");
    char pid[80];
    snprintf(pid, sizeof(pid), "%.*s", (int)strcspn(ref, "@"), ref);
    if (!ref_ok(ref) || !strcmp(pid, API_ROLE_MATRIX_ID)) {
        http_resp_errorf(resp, 400, "invalid_policy", "/version",
                         "id en versie: [A-Za-z0-9._-], niet '%s' / id and version: "
                         "[A-Za-z0-9._-], not '%s'",
                         API_ROLE_MATRIX_ID, API_ROLE_MATRIX_ID);
        policy_set_free(merged);
        return 0;
    }
    char sha[AUDIT_HASH_HEX];
    audit_hash_hex(body, len, sha);
    json_t *content =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "part", API_PART_RULES, "policy_id", pid,
                  "version", ref + strlen(pid) + 1, "ref", ref, "sha256", sha, "source", body);
    policy_set_free(merged);
    struct reg_object o;
    memset(&o, 0, sizeof(o));
    snprintf(o.kind, sizeof(o.kind), "%s", API_ORG_POLICY_KIND);
    snprintf(o.org_id, sizeof(o.org_id), "%s", who->org_id);
    snprintf(o.state, sizeof(o.state), "%s", activate ? "active" : "inactive");
    int m = snprintf(o.id, sizeof(o.id), "%s:%s", who->org_id, ref);
    o.content = content ? json_dumps(content, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(content);
    if (!o.content) {
        http_resp_error(resp, 400, "invalid_policy", NULL,
                        "beleidsbestand is geen UTF-8-tekst / policy file is not UTF-8 text");
        return 0;
    }
    if (m < 0 || (size_t)m >= sizeof(o.id)) {
        http_resp_error(resp, 400, "invalid_policy", "/version", "id@version too long");
        reg_object_free(&o);
        return 0;
    }
    struct store_tx *tx;
    rc = store_tx_begin(api->st, STORE_TX_WRITE, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        reg_object_free(&o);
        return 0;
    }
    if (activate)
        rc = deactivate_part(tx, who->org_id, API_PART_RULES, NULL, who->user_id, &err);
    if (!rc)
        rc = reg_object_put(tx, &o, REG_VERSION_CREATE, who->user_id, &err);
    if (rc == SLUIS_ECONFLICT) {
        store_tx_rollback(tx);
        http_resp_errorf(resp, 409, "exists", "/version",
                         "versie %s bestaat al; verhoog 'version:' / version %s already exists; "
                         "raise 'version:' (stored files are never overwritten)",
                         ref, ref);
        reg_object_free(&o);
        return 0;
    }
    if (!rc) {
        api_notify(tx, "policy");
        rc = store_tx_commit(tx, &err);
    } else {
        store_tx_rollback(tx);
    }
    if (rc) {
        api_resp_err(resp, rc, &err);
    } else {
        json_t *j = org_file_json(&o, 0);
        http_resp_json(resp, j ? 201 : 500, j);
        char loc[300];
        snprintf(loc, sizeof(loc), "/api/v1/policies/%s", ref);
        http_resp_header(resp, "Location", loc);
    }
    reg_object_free(&o);
    return 0;
}

/* ---- activate / deactivate ---- */

static int set_active(struct api *api, const struct api_principal *who, struct http_req *req,
                      struct http_resp *resp, int on)
{
    if (!(who->roles & ROLE_ADMIN)) {
        api_forbidden(resp);
        return 0;
    }
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_WRITE, resp, &tx, &err);
    if (rc)
        return 0;
    struct reg_object obj, now;
    memset(&now, 0, sizeof(now));
    json_t *c = NULL;
    rc = load_file(tx, who->org_id, http_req_param(req, "id"), &obj, &err);
    if (rc == SLUIS_ENOTFOUND) {
        api_not_found(resp, "beleidsbestand/policy file");
        goto fail;
    }
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    c = json_loads(obj.content, 0, NULL);
    const char *part = json_string_value(json_object_get(c, "part"));
    if (!part) {
        rc = sluis_err_set(&err, SLUIS_EINTERNAL, "stored policy file unreadable");
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    if (on && !strcmp(obj.state, "active"))
        goto done; /* already */
    if (!on && strcmp(obj.state, "active"))
        goto done;
    if (on && !strcmp(part, API_PART_RULES)) {
        /* it must still load on the current base (the base may have changed since) */
        const char *srcs[1] = {json_string_value(json_object_get(c, "source"))};
        const char *names[1] = {json_string_value(json_object_get(c, "ref"))};
        struct policy_set *ps = NULL;
        char bad[128];
        rc = srcs[0] ? api_org_policy_load(api, srcs, names, 1, &ps, &err) : SLUIS_EINTERNAL;
        if (!rc)
            rc = api_policy_roles_check(ps, bad, sizeof(bad), &err);
        policy_set_free(ps);
        if (rc) {
            http_resp_errorf(resp, 409, "conflict", NULL,
                             "laadt niet op het huidige basisbeleid / does not load on the current "
                             "base policy: %d:%d: %s",
                             err.line, err.column, err.msg);
            goto fail;
        }
    }
    if (on)
        rc = deactivate_part(tx, who->org_id, part, obj.id, who->user_id, &err);
    if (!rc)
        rc = reg_object_set_state(tx, API_ORG_POLICY_KIND, obj.id, on ? "active" : "inactive",
                                  obj.version, who->user_id, on ? "activate" : "deactivate", NULL,
                                  &now, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    reg_object_free(&obj);
    obj = now;
    memset(&now, 0, sizeof(now));
    api_notify(tx, "policy");
    rc = store_tx_commit(tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto out;
    }
    tx = NULL;
done:
    if (tx)
        store_tx_rollback(tx);
    {
        json_t *j = org_file_json(&obj, 0);
        http_resp_json(resp, j ? 200 : 500, j);
    }
    goto out;
fail:
    store_tx_rollback(tx);
out:
    json_decref(c);
    reg_object_free(&obj);
    reg_object_free(&now);
    return 0;
}

static int h_activate(struct api *api, const struct api_principal *who, struct http_req *req,
                      struct http_resp *resp, const void *arg)
{
    (void)arg;
    return set_active(api, who, req, resp, 1);
}

static int h_deactivate(struct api *api, const struct api_principal *who, struct http_req *req,
                        struct http_resp *resp, const void *arg)
{
    (void)arg;
    return set_active(api, who, req, resp, 0);
}

const struct api_route api_routes_policies[] = {
    {"GET", "/api/v1/policies", h_policies, NULL, 0, 0},
    {"POST", "/api/v1/policies", h_policy_upload, NULL, 0, 0},
    {"GET", "/api/v1/policies/{id}", h_policy, NULL, 0, 0},
    {"POST", "/api/v1/policies/{id}/activate", h_activate, NULL, 0, 0},
    {"POST", "/api/v1/policies/{id}/deactivate", h_deactivate, NULL, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};
