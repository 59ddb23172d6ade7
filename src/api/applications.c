/* applications.c - applications (content: the dossier) and their workflow: submit, advice,
 * decision, transitions, and the verdict computed by the core library when asked. */
#include "api/api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/derive.h"
#include "core/dossier.h"
#include "audit/audit.h"
#include "core/verdict.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#define ROLES_APP_WRITE (ROLE_OWNER | ROLE_ADMIN)

static const char *const e_advice_roles[] = {"cio_office", "ciso",        "fg",
                                             "jurist",     "procurement", NULL};
static const char *const e_advice_outcome[] = {"positive", "positive_with_conditions", "negative",
                                               NULL};
static const char *const e_decision_outcome[] = {"approved", "rejected", NULL};
static const char *const e_env[] = {"exploration", "pilot", "production", NULL};
static const char *const e_to[] = {"in_use", "review_due", "retired", NULL};

static const struct api_field advice_fields[] = {
    {"role", AF_ENUM, 1, 0, e_advice_roles},
    {"outcome", AF_ENUM, 1, 0, e_advice_outcome},
    {"conditions", AF_TEXT, 0, 0, NULL},
    {NULL, AF_ANY, 0, 0, NULL},
};
static const struct api_field decision_fields[] = {
    {"outcome", AF_ENUM, 1, 0, e_decision_outcome},
    {"environment", AF_ENUM, 0, 0, e_env},
    {"conditions", AF_TEXT, 0, 0, NULL},
    {NULL, AF_ANY, 0, 0, NULL},
};
static const struct api_field transition_fields[] = {
    {"to", AF_ENUM, 1, 0, e_to},
    {NULL, AF_ANY, 0, 0, NULL},
};

/* ---- effective dossier ---- */

struct collect {
    json_t *arr;
};

static int collect_cb(void *ud, const struct reg_object *obj)
{
    struct collect *c = ud;
    json_t *j = json_loads(obj->content, 0, NULL);
    if (j)
        json_array_append_new(c->arr, j);
    return 0;
}

static int has_provider(const json_t *list, const char *provider)
{
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v)
    {
        const char *p = json_string_value(json_object_get(v, "provider"));
        if (p && !strcmp(p, provider))
            return 1;
    }
    return 0;
}

int api_merge_agreements(struct store_tx *tx, const char *org, json_t *doc, struct sluis_err *err)
{
    json_t *models = json_object_get(doc, "models");
    if (!json_array_size(models))
        return 0;
    struct collect c = {.arr = json_array()};
    struct reg_filter fa = {.kind = "agreement", .org_id = org, .limit = 1000};
    int rc = reg_object_list(tx, &fa, collect_cb, &c, err);
    if (rc) {
        json_decref(c.arr);
        return rc;
    }
    json_t *own = json_object_get(doc, "agreements");
    if (!json_is_array(own)) {
        own = json_array();
        json_object_set_new(doc, "agreements", own);
    }
    size_t i;
    json_t *a;
    json_array_foreach(c.arr, i, a)
    {
        /* the register's agreement for a provider replaces the dossier's own */
        const char *p = json_string_value(json_object_get(a, "provider"));
        if (!p || !has_provider(models, p))
            continue;
        for (size_t k = json_array_size(own); k-- > 0;) {
            const char *q = json_string_value(json_object_get(json_array_get(own, k), "provider"));
            if (q && !strcmp(q, p))
                json_array_remove(own, k);
        }
        if (json_array_size(own) < DOSSIER_MAX_LIST)
            json_array_append(own, a);
    }
    json_decref(c.arr);
    if (!json_array_size(own))
        json_object_del(doc, "agreements");
    return 0;
}

int api_effective_dossier(struct store_tx *tx, const struct reg_object *app, json_t **out,
                          struct sluis_err *err)
{
    *out = NULL;
    json_t *doc = json_loads(app->content, 0, NULL);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return sluis_err_set(err, SLUIS_EINTERNAL, "stored dossier unreadable");
    }
    int rc;
    /* assessments: the dossier's own plus the register's */
    struct collect c = {.arr = json_array()};
    struct reg_filter f = {
        .kind = "assessment", .org_id = app->org_id, .parent_id = app->id, .limit = 1000};
    rc = reg_object_list(tx, &f, collect_cb, &c, err);
    if (rc)
        goto fail;
    if (json_array_size(c.arr)) {
        json_t *own = json_object_get(doc, "assessments");
        if (!json_is_array(own)) {
            own = json_array();
            json_object_set_new(doc, "assessments", own);
        }
        size_t i, k;
        json_t *a, *b;
        json_array_foreach(c.arr, i, a)
        {
            int dup = 0;
            json_array_foreach(own, k, b) dup |= json_equal(a, b);
            if (!dup && json_array_size(own) < DOSSIER_MAX_LIST)
                json_array_append(own, a);
        }
    }
    json_decref(c.arr);
    /* advice: the register's records are authoritative */
    c.arr = json_array();
    f.kind = "advice";
    rc = reg_object_list(tx, &f, collect_cb, &c, err);
    if (rc)
        goto fail;
    json_object_set_new(doc, "advice", c.arr);
    /* decision: the register's current one */
    json_object_del(doc, "decision");
    struct reg_object dec;
    char did[REG_ID_CAP];
    snprintf(did, sizeof(did), "%s", app->id);
    rc = reg_object_get(tx, "decision", did, &dec, err);
    if (rc == 0) {
        json_t *d = json_loads(dec.content, 0, NULL);
        if (d)
            json_object_set_new(doc, "decision", d);
        reg_object_free(&dec);
    } else if (rc != SLUIS_ENOTFOUND) {
        goto fail;
    }
    rc = api_merge_agreements(tx, app->org_id, doc, err);
    if (rc)
        goto fail;
    *out = doc;
    return 0;
fail:
    json_decref(c.arr);
    json_decref(doc);
    return rc;
}

/* ---- helpers ---- */

/*
 * The register stores the effective dossier as the application's content, so every reader
 * (the gateway too) sees the register's advice and decision in it. Replaces app->content;
 * *eff_out (may be NULL) receives the parsed form.
 */
static int app_make_effective(struct store_tx *tx, struct reg_object *app, json_t **eff_out,
                              struct sluis_err *err)
{
    json_t *eff;
    int rc = api_effective_dossier(tx, app, &eff, err);
    if (rc)
        return rc;
    char *text = json_dumps(eff, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) {
        json_decref(eff);
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    }
    free(app->content);
    app->content = text;
    if (eff_out)
        *eff_out = eff;
    else
        json_decref(eff);
    return 0;
}

static int load_app(struct api *api, struct store_tx *tx, const struct api_principal *who,
                    struct http_req *req, struct http_resp *resp, struct reg_object *app)
{
    (void)api;
    struct sluis_err err;
    sluis_err_clear(&err);
    int rc = api_object_load(tx, "application", who->org_id, http_req_param(req, "id"), app, &err);
    if (rc == SLUIS_ENOTFOUND)
        api_not_found(resp, "toepassing/application");
    else if (rc)
        api_resp_err(resp, rc, &err);
    return rc;
}

/*
 * Loads the application named by the {id} path parameter in a read transaction of its own.
 * Returns 0, or an error already answered in resp. app is always safe to reg_object_free().
 */
static int read_app(struct api *api, const struct api_principal *who, struct http_req *req,
                    struct http_resp *resp, struct reg_object *app)
{
    struct sluis_err err;
    struct store_tx *tx;

    memset(app, 0, sizeof(*app));
    int rc = store_tx_begin(api->st, STORE_TX_READ, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return rc;
    }
    rc = load_app(api, tx, who, req, resp, app);
    store_tx_rollback(tx);
    return rc;
}

/* Lists the application's child objects of one kind (advice, gateway keys). */
static int list_children(struct api *api, const struct api_principal *who, struct http_req *req,
                         struct http_resp *resp, const char *kind)
{
    struct reg_object app;

    if (!read_app(api, who, req, resp, &app)) {
        struct reg_filter f = {.kind = kind, .org_id = who->org_id, .parent_id = app.id};
        api_list_objects(api, req, resp, &f);
    }
    reg_object_free(&app);
    return 0;
}

static void answer_object(struct http_resp *resp, int status, const struct reg_object *obj)
{
    size_t len = 0;
    char *text = api_object_text(obj, &len);
    if (!text) {
        http_resp_error(resp, 500, NULL, NULL, "interne fout / internal error");
        return;
    }
    http_resp_json(resp, status, NULL);
    resp->body = text;
    resp->body_len = len;
    api_etag_set(resp, obj->version);
}

static int commit_or_answer(struct store_tx *tx, struct http_resp *resp)
{
    struct sluis_err err;
    sluis_err_clear(&err);
    api_notify(tx, "application");
    int rc = store_tx_commit(tx, &err);
    if (rc)
        api_resp_err(resp, rc, &err);
    return rc;
}

static void workflow_refused(struct http_resp *resp, const char *state, const char *what)
{
    http_resp_errorf(resp, 422, "workflow", NULL,
                     "%s kan niet in toestand '%s' / %s is not possible in state '%s'", what, state,
                     what, state);
}

int api_evaluate(const struct policy_set *ps, const json_t *doc, const char *env, const char *date,
                 struct verdict *v, int *permit, struct sluis_err *err)
{
    memset(v, 0, sizeof(*v));
    int rc = policy_evaluate_env(ps, doc, env, date, v, err);
    if (rc)
        return rc;
    *permit = v->kind == VERDICT_ALLOWED ||
              (!strcmp(env, "exploration") && v->kind == VERDICT_EXPLORATION_ONLY);
    return 0;
}

/* ---- handlers ---- */

static int h_list(struct api *api, const struct api_principal *who, struct http_req *req,
                  struct http_resp *resp, const void *arg)
{
    (void)arg;
    const char *state = http_req_query(req, "state");
    struct reg_filter f = {.kind = "application", .org_id = who->org_id, .state = state};
    return api_list_objects(api, req, resp, &f);
}

static int h_get(struct api *api, const struct api_principal *who, struct http_req *req,
                 struct http_resp *resp, const void *arg)
{
    (void)arg;
    struct reg_object app;
    int rc = read_app(api, who, req, resp, &app);
    if (!rc)
        answer_object(resp, 200, &app);
    reg_object_free(&app);
    return 0;
}

int api_dossier_body(struct http_req *req, struct http_resp *resp, json_t **doc)
{
    if (api_body(req, resp, doc))
        return SLUIS_EINVAL;
    struct sluis_err err;
    sluis_err_clear(&err);
    int rc = dossier_validate(*doc, &err);
    if (rc) {
        http_resp_error(resp, rc == SLUIS_ETOOBIG ? 413 : 400, "invalid",
                        err.path[0] ? err.path : NULL, err.msg);
        json_decref(*doc);
        *doc = NULL;
    }
    return rc;
}

static int h_create(struct api *api, const struct api_principal *who, struct http_req *req,
                    struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLES_APP_WRITE)) {
        api_forbidden(resp);
        return 0;
    }
    json_t *doc;
    if (api_dossier_body(req, resp, &doc))
        return 0;
    struct sluis_err err;
    sluis_err_clear(&err);
    struct reg_object obj;
    memset(&obj, 0, sizeof(obj));
    const char *ext = json_string_value(json_object_get(doc, "id"));
    snprintf(obj.kind, sizeof(obj.kind), "application");
    snprintf(obj.org_id, sizeof(obj.org_id), "%s", who->org_id);
    snprintf(obj.state, sizeof(obj.state), "draft");
    int rc = api_iid(obj.id, sizeof(obj.id), who->org_id, ext ? ext : "");
    if (rc) {
        http_resp_error(resp, 400, "invalid", "/id", "ongeldig id / invalid id");
        goto out;
    }
    json_object_del(doc, "advice"); /* advice and decision only through the workflow */
    json_object_del(doc, "decision");
    obj.content = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    struct store_tx *tx;
    rc = obj.content ? store_tx_begin(api->st, STORE_TX_WRITE, &tx, &err) : SLUIS_ENOMEM;
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto out;
    }
    rc = app_make_effective(tx, &obj, NULL, &err);
    if (!rc)
        rc = reg_object_put(tx, &obj, REG_VERSION_CREATE, who->user_id, &err);
    if (rc) {
        store_tx_rollback(tx);
        if (rc == SLUIS_ECONFLICT)
            http_resp_errorf(resp, 409, "exists", "/id",
                             "toepassing '%s' bestaat al / application '%s' already exists", ext,
                             ext);
        else
            api_resp_err(resp, rc, &err);
        goto out;
    }
    if (commit_or_answer(tx, resp) == 0) {
        answer_object(resp, 201, &obj);
        char loc[300];
        snprintf(loc, sizeof(loc), "/api/v1/applications/%s", ext);
        http_resp_header(resp, "Location", loc);
    }
out:
    reg_object_free(&obj);
    json_decref(doc);
    return 0;
}

static int decided_state(const char *s)
{
    return !strcmp(s, "approved") || !strcmp(s, "in_use") || !strcmp(s, "review_due") ||
           !strcmp(s, "rejected");
}

static int h_put(struct api *api, const struct api_principal *who, struct http_req *req,
                 struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLES_APP_WRITE)) {
        api_forbidden(resp);
        return 0;
    }
    long long version;
    if (api_require_if_match(req, resp, &version))
        return 0;
    json_t *doc;
    if (api_dossier_body(req, resp, &doc))
        return 0;
    const char *ext = json_string_value(json_object_get(doc, "id"));
    if (!ext || strcmp(ext, http_req_param(req, "id"))) {
        http_resp_error(resp, 400, "invalid", "/id",
                        "id verschilt van het pad / id differs from the path");
        json_decref(doc);
        return 0;
    }
    struct sluis_err err;
    sluis_err_clear(&err);
    struct store_tx *tx;
    struct reg_object app;
    memset(&app, 0, sizeof(app));
    json_t *eff = NULL;
    int rc = store_tx_begin(api->st, STORE_TX_WRITE, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto out;
    }
    rc = load_app(api, tx, who, req, resp, &app);
    if (rc)
        goto fail;
    if (app.version != version) {
        rc = SLUIS_ECONFLICT;
        http_resp_error(resp, 409, "conflict", NULL,
                        "gewijzigd door een ander; haal opnieuw op / changed by someone else; "
                        "fetch again (ETag)");
        goto fail;
    }
    json_object_del(doc, "advice");
    json_object_del(doc, "decision");
    free(app.content);
    app.content = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    if (!app.content) {
        rc = SLUIS_ENOMEM;
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    rc = app_make_effective(tx, &app, &eff, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    if (decided_state(app.state)) {
        /* a material change after the decision: back to needs_reassessment */
        const char *pinned =
            json_string_value(json_object_get(json_object_get(eff, "decision"), "dossier_hash"));
        const struct policy_set *ps = NULL;
        const char *pver;
        rc = api_org_policy(api, tx, who->org_id, &ps, &pver, &err);
        if (rc) {
            api_resp_err(resp, rc, &err);
            goto fail;
        }
        char now[65];
        if (pinned &&
            dossier_material_hash(eff, ps ? policy_set_derive_params(ps) : NULL, now) == 0 &&
            strcmp(now, pinned))
            snprintf(app.state, sizeof(app.state), "needs_reassessment");
        api_policy_release(api, ps);
    }
    rc = reg_object_put(tx, &app, version, who->user_id, &err);
    if (rc) {
        if (rc == SLUIS_ECONFLICT)
            http_resp_error(resp, 409, "conflict", NULL,
                            "gewijzigd door een ander / changed by someone else (ETag)");
        else
            api_resp_err(resp, rc, &err);
        goto fail;
    }
    if (commit_or_answer(tx, resp) == 0)
        answer_object(resp, 200, &app);
    goto out;
fail:
    store_tx_rollback(tx);
out:
    json_decref(eff);
    reg_object_free(&app);
    json_decref(doc);
    return 0;
}

static int h_delete(struct api *api, const struct api_principal *who, struct http_req *req,
                    struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLE_ADMIN)) {
        api_forbidden(resp);
        return 0;
    }
    long long version;
    if (api_require_if_match(req, resp, &version))
        return 0;
    struct sluis_err err;
    sluis_err_clear(&err);
    struct store_tx *tx;
    struct reg_object app;
    int rc = store_tx_begin(api->st, STORE_TX_WRITE, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = load_app(api, tx, who, req, resp, &app);
    if (!rc) {
        rc = reg_object_delete(tx, "application", app.id, version, who->user_id, &err);
        if (rc == SLUIS_ECONFLICT)
            http_resp_error(resp, 409, "conflict", NULL,
                            "gewijzigd door een ander / changed by someone else (ETag)");
        else if (rc)
            api_resp_err(resp, rc, &err);
    }
    reg_object_free(&app);
    if (rc)
        store_tx_rollback(tx);
    else if (commit_or_answer(tx, resp) == 0)
        http_resp_json(resp, 204, NULL);
    return 0;
}

/* Moves app to state with an audit action; answers with the application. */
static int set_state(struct store_tx *tx, struct reg_object *app, const char *state,
                     const char *actor, const char *action, json_t *detail, struct http_resp *resp)
{
    struct sluis_err err;
    sluis_err_clear(&err);
    char *d = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    struct reg_object now;
    memset(&now, 0, sizeof(now));
    int rc = reg_object_set_state(tx, "application", app->id, state, app->version, actor, action, d,
                                  &now, &err);
    free(d);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return rc;
    }
    reg_object_free(app);
    *app = now;
    return 0;
}

static int h_submit(struct api *api, const struct api_principal *who, struct http_req *req,
                    struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLES_APP_WRITE)) {
        api_forbidden(resp);
        return 0;
    }
    struct sluis_err err;
    struct store_tx *tx;
    struct reg_object app;
    int rc = store_tx_begin(api->st, STORE_TX_WRITE, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = load_app(api, tx, who, req, resp, &app);
    if (!rc && strcmp(app.state, "draft") && strcmp(app.state, "needs_reassessment")) {
        workflow_refused(resp, app.state, "indienen/submit");
        rc = SLUIS_ECONFLICT;
    }
    if (!rc) {
        json_t *detail = json_pack("{s:s}", "from", app.state);
        rc = set_state(tx, &app, "submitted", who->user_id, "transition", detail, resp);
        json_decref(detail);
    }
    if (rc)
        store_tx_rollback(tx);
    else if (commit_or_answer(tx, resp) == 0)
        answer_object(resp, 200, &app);
    reg_object_free(&app);
    return 0;
}

static int h_transition(struct api *api, const struct api_principal *who, struct http_req *req,
                        struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLES_APP_WRITE)) {
        api_forbidden(resp);
        return 0;
    }
    json_t *body;
    if (api_body_checked(req, resp, transition_fields, &body))
        return 0;
    struct sluis_err err;
    sluis_err_clear(&err);
    int rc = 0;
    char to[32];
    snprintf(to, sizeof(to), "%s", json_string_value(json_object_get(body, "to")));
    json_decref(body);
    struct store_tx *tx;
    struct reg_object app;
    rc = store_tx_begin(api->st, STORE_TX_WRITE, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = load_app(api, tx, who, req, resp, &app);
    if (!rc) {
        const char *s = app.state;
        int ok = (!strcmp(to, "in_use") && (!strcmp(s, "approved") || !strcmp(s, "review_due"))) ||
                 (!strcmp(to, "review_due") && !strcmp(s, "in_use")) ||
                 (!strcmp(to, "retired") && strcmp(s, "retired"));
        if (ok && !strcmp(to, "in_use") && !strcmp(s, "review_due")) {
            /* back in use only after a new decision since the review became due */
            ok = 0;
        }
        if (!ok) {
            char what[64];
            snprintf(what, sizeof(what), "overgang naar/transition to %s", to);
            workflow_refused(resp, s, what);
            rc = SLUIS_ECONFLICT;
        }
    }
    if (!rc) {
        json_t *detail = json_pack("{s:s, s:s}", "from", app.state, "to", to);
        rc = set_state(tx, &app, to, who->user_id, "transition", detail, resp);
        json_decref(detail);
    }
    if (rc)
        store_tx_rollback(tx);
    else if (commit_or_answer(tx, resp) == 0)
        answer_object(resp, 200, &app);
    reg_object_free(&app);
    return 0;
}

static int h_advice_list(struct api *api, const struct api_principal *who, struct http_req *req,
                         struct http_resp *resp, const void *arg)
{
    (void)arg;
    return list_children(api, who, req, resp, "advice");
}

static int roles_missing(struct api *api, struct store_tx *tx, const char *org, const json_t *eff,
                         int *missing)
{
    struct sluis_err err;
    const char *env =
        json_string_value(json_object_get(json_object_get(eff, "use"), "environment"));
    char today[11];
    api_today(api, today);
    struct verdict v;
    int permit;
    const struct policy_set *ps;
    const char *pver;
    int rc = api_org_policy(api, tx, org, &ps, &pver, &err);
    if (rc || !ps)
        return rc ? rc : SLUIS_EIO;
    rc = api_evaluate(ps, eff, env ? env : "exploration", today, &v, &permit, &err);
    if (!rc) {
        json_t *m = json_object_get(json_object_get(v.derived, "roles"), "missing");
        *missing = json_is_array(m) ? (int)json_array_size(m) : 1;
        verdict_free(&v);
    }
    api_policy_release(api, ps);
    return rc;
}

static int h_advice_create(struct api *api, const struct api_principal *who, struct http_req *req,
                           struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLES_ADVICE)) {
        api_forbidden(resp);
        return 0;
    }
    json_t *body;
    if (api_body_checked(req, resp, advice_fields, &body))
        return 0;
    struct sluis_err err;
    sluis_err_clear(&err);
    int rc = 0;
    const char *role = json_string_value(json_object_get(body, "role"));
    if (!(who->roles & api_role_bit(role))) {
        http_resp_errorf(resp, 403, "forbidden", "/role",
                         "u heeft de rol '%s' niet / you do not hold the role '%s'", role, role);
        json_decref(body);
        return 0;
    }
    char today[11];
    api_today(api, today);
    json_object_set_new(body, "by", json_string(who->user_id));
    json_object_set_new(body, "date", json_string(today));
    struct store_tx *tx;
    struct reg_object app, adv;
    memset(&adv, 0, sizeof(adv));
    json_t *eff = NULL;
    rc = store_tx_begin(api->st, STORE_TX_WRITE, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        json_decref(body);
        return 0;
    }
    rc = load_app(api, tx, who, req, resp, &app);
    if (rc)
        goto fail;
    if (strcmp(app.state, "submitted") && strcmp(app.state, "advised")) {
        workflow_refused(resp, app.state, "advies/advice");
        rc = SLUIS_ECONFLICT;
        goto fail;
    }
    char ext[17];
    api_random_id(ext);
    snprintf(adv.kind, sizeof(adv.kind), "advice");
    api_iid(adv.id, sizeof(adv.id), who->org_id, ext);
    snprintf(adv.org_id, sizeof(adv.org_id), "%s", who->org_id);
    snprintf(adv.parent_id, sizeof(adv.parent_id), "%s", app.id);
    adv.content = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    rc = adv.content ? reg_object_put(tx, &adv, REG_VERSION_CREATE, who->user_id, &err)
                     : SLUIS_ENOMEM;
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    rc = app_make_effective(tx, &app, &eff, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    int missing = 1;
    if (!strcmp(app.state, "submitted") &&
        roles_missing(api, tx, who->org_id, eff, &missing) == 0 && !missing)
        snprintf(app.state, sizeof(app.state), "advised");
    rc = reg_object_put(tx, &app, app.version, who->user_id, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    if (commit_or_answer(tx, resp) == 0) {
        answer_object(resp, 201, &adv);
        char loc[300];
        snprintf(loc, sizeof(loc), "/api/v1/advice/%s", ext);
        http_resp_header(resp, "Location", loc);
    }
    goto out;
fail:
    store_tx_rollback(tx);
out:
    json_decref(eff);
    reg_object_free(&app);
    reg_object_free(&adv);
    json_decref(body);
    return 0;
}

static int h_advice_get(struct api *api, const struct api_principal *who, struct http_req *req,
                        struct http_resp *resp, const void *arg)
{
    (void)arg;
    struct sluis_err err;
    struct store_tx *tx;
    struct reg_object adv;
    int rc = store_tx_begin(api->st, STORE_TX_READ, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = api_object_load(tx, "advice", who->org_id, http_req_param(req, "id"), &adv, &err);
    store_tx_rollback(tx);
    if (rc == SLUIS_ENOTFOUND)
        api_not_found(resp, "advies/advice");
    else if (rc)
        api_resp_err(resp, rc, &err);
    else
        answer_object(resp, 200, &adv);
    reg_object_free(&adv);
    return 0;
}

static int h_decision_get(struct api *api, const struct api_principal *who, struct http_req *req,
                          struct http_resp *resp, const void *arg)
{
    (void)arg;
    struct sluis_err err;
    struct store_tx *tx;
    struct reg_object app, dec;
    memset(&dec, 0, sizeof(dec));
    int rc = store_tx_begin(api->st, STORE_TX_READ, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = load_app(api, tx, who, req, resp, &app);
    if (!rc) {
        rc = reg_object_get(tx, "decision", app.id, &dec, &err);
        if (rc == SLUIS_ENOTFOUND)
            http_resp_error(resp, 404, "not_found", NULL, "nog geen besluit / no decision yet");
        else if (rc)
            api_resp_err(resp, rc, &err);
        else
            answer_object(resp, 200, &dec);
    }
    store_tx_rollback(tx);
    reg_object_free(&app);
    reg_object_free(&dec);
    return 0;
}

static json_t *unmet_findings(const json_t *vj)
{
    json_t *out = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(vj, "findings"), i, f)
    {
        const char *st = json_string_value(json_object_get(f, "status"));
        if (st && !strcmp(st, "unmet"))
            json_array_append(out, f);
    }
    return out;
}

static int h_decision_create(struct api *api, const struct api_principal *who, struct http_req *req,
                             struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLE_OWNER)) {
        http_resp_error(resp, 403, "forbidden", NULL,
                        "alleen de verantwoordelijke eigenaar besluit / only the accountable owner "
                        "decides");
        return 0;
    }
    json_t *body;
    if (api_body_checked(req, resp, decision_fields, &body))
        return 0;
    struct sluis_err err;
    sluis_err_clear(&err);
    int rc = 0;
    char today[11];
    api_today(api, today);
    struct store_tx *tx;
    struct reg_object app, dec;
    memset(&dec, 0, sizeof(dec));
    json_t *eff = NULL;
    struct verdict v;
    memset(&v, 0, sizeof(v));
    const struct policy_set *ps = NULL;
    rc = store_tx_begin(api->st, STORE_TX_WRITE, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        json_decref(body);
        return 0;
    }
    rc = load_app(api, tx, who, req, resp, &app);
    if (rc)
        goto fail;
    if (strcmp(app.state, "submitted") && strcmp(app.state, "advised") &&
        strcmp(app.state, "review_due")) {
        workflow_refused(resp, app.state, "besluit/decision");
        rc = SLUIS_ECONFLICT;
        goto fail;
    }
    rc = api_effective_dossier(tx, &app, &eff, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    const char *outcome = json_string_value(json_object_get(body, "outcome"));
    const char *env = json_string_value(json_object_get(body, "environment"));
    if (!env)
        env = json_string_value(json_object_get(json_object_get(eff, "use"), "environment"));
    if (!env)
        env = "exploration";
    const char *pver;
    rc = api_org_policy(api, tx, who->org_id, &ps, &pver, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    const struct derive_params *dp = policy_set_derive_params(ps);
    char hash[65];
    json_object_del(eff, "decision");
    rc = dossier_material_hash(eff, dp, hash);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "by", who->user_id, "role",
                          "owner", "date", today, "outcome", outcome, "environment", env,
                          "dossier_hash", hash, "policy_version", pver);
    json_t *cond = json_object_get(body, "conditions");
    if (d && cond)
        json_object_set(d, "conditions", cond);
    if (!d) {
        rc = SLUIS_ENOMEM;
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    json_object_set(eff, "decision", d);
    if (!strcmp(outcome, "approved")) {
        int permit = 0;
        rc = api_evaluate(ps, eff, env, today, &v, &permit, &err);
        if (rc) {
            json_decref(d);
            api_resp_err(resp, rc, &err);
            goto fail;
        }
        if (!permit) {
            json_decref(d);
            json_t *vj = verdict_to_json(&v, http_req_query(req, "lang"));
            json_t *e = json_pack(
                "{s:{s:s, s:s, s:s, s:s, s:o}}", "error", "code", "verdict_refuses", "message",
                "het oordeel van het beleid staat dit niet toe / the policy verdict does not "
                "permit this",
                "verdict", verdict_kind_name(v.kind), "environment", env, "findings",
                unmet_findings(vj));
            json_decref(vj);
            http_resp_json(resp, 422, e);
            rc = SLUIS_EDENIED;
            goto fail;
        }
    }
    snprintf(dec.kind, sizeof(dec.kind), "decision");
    snprintf(dec.id, sizeof(dec.id), "%s", app.id);
    snprintf(dec.org_id, sizeof(dec.org_id), "%s", app.org_id);
    snprintf(dec.parent_id, sizeof(dec.parent_id), "%s", app.id);
    snprintf(dec.state, sizeof(dec.state), "%s", outcome);
    dec.content = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
    rc = dec.content ? reg_object_put(tx, &dec, REG_VERSION_ANY, who->user_id, &err) : SLUIS_ENOMEM;
    if (rc) {
        json_decref(d);
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    rc = app_make_effective(tx, &app, NULL, &err);
    if (!rc)
        rc = reg_object_put(tx, &app, app.version, who->user_id, &err);
    if (rc) {
        json_decref(d);
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    rc = set_state(tx, &app, !strcmp(outcome, "approved") ? "approved" : "rejected", who->user_id,
                   "decision", d, resp);
    json_decref(d);
    if (rc)
        goto fail;
    if (commit_or_answer(tx, resp) == 0) {
        json_t *dj = api_object_json(&dec), *aj = api_object_json(&app);
        http_resp_json(resp, 201, json_pack("{s:o, s:o}", "decision", dj, "application", aj));
        api_etag_set(resp, app.version);
    }
    goto out;
fail:
    store_tx_rollback(tx);
out:
    verdict_free(&v);
    api_policy_release(api, ps); /* after the verdict, which borrows its texts */
    json_decref(eff);
    reg_object_free(&app);
    reg_object_free(&dec);
    json_decref(body);
    return 0;
}

int api_verdict_query(struct http_req *req, struct http_resp *resp, const char **env,
                      const char **date, const char **lang)
{
    *env = http_req_query(req, "environment");
    if (!*env)
        *env = http_req_query(req, "env");
    *date = http_req_query(req, "date");
    *lang = http_req_query(req, "lang");
    if (*env) {
        int ok = 0;
        for (const char *const *e = e_env; *e; e++)
            ok |= !strcmp(*e, *env);
        if (!ok) {
            http_resp_error(resp, 400, "invalid", "environment",
                            "environment: exploration|pilot|production");
            return SLUIS_EINVAL;
        }
    }
    if (*date && !derive_date_valid(*date)) {
        http_resp_error(resp, 400, "invalid", "date", "date: YYYY-MM-DD");
        return SLUIS_EINVAL;
    }
    if (*lang && strcmp(*lang, "nl") && strcmp(*lang, "en")) {
        http_resp_error(resp, 400, "invalid", "lang", "lang: nl|en");
        return SLUIS_EINVAL;
    }
    return 0;
}

static int h_verdict(struct api *api, const struct api_principal *who, struct http_req *req,
                     struct http_resp *resp, const void *arg)
{
    (void)arg;
    const char *env, *date, *lang;
    const char *pol = http_req_query(req, "policy");
    if (api_verdict_query(req, resp, &env, &date, &lang))
        return 0;
    char today[11];
    api_today(api, today);
    struct sluis_err err;
    sluis_err_clear(&err);
    const struct policy_set *ps = NULL;
    struct store_tx *tx;
    struct reg_object app;
    json_t *eff = NULL;
    int rc = store_tx_begin(api->st, STORE_TX_READ, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = load_app(api, tx, who, req, resp, &app);
    if (!rc) {
        const char *pver;
        rc = pol ? api_org_policy_version(api, tx, who->org_id, pol, &ps, &err)
                 : api_org_policy(api, tx, who->org_id, &ps, &pver, &err);
        if (rc == SLUIS_ENOTFOUND)
            http_resp_error(resp, 404, "not_found", "policy", err.msg);
        else if (rc)
            api_resp_err(resp, rc, &err);
    }
    if (!rc) {
        rc = api_effective_dossier(tx, &app, &eff, &err);
        if (rc)
            api_resp_err(resp, rc, &err);
    }
    store_tx_rollback(tx);
    if (!rc) {
        if (!env)
            env = json_string_value(json_object_get(json_object_get(eff, "use"), "environment"));
        struct verdict v;
        int permit;
        rc = api_evaluate(ps, eff, env ? env : "exploration", date ? date : today, &v, &permit,
                          &err);
        if (rc) {
            api_resp_err(resp, rc, &err);
        } else {
            json_t *vj = verdict_to_json(&v, lang);
            if (vj) {
                json_object_set_new(vj, "application", json_string(http_req_param(req, "id")));
                json_object_set_new(vj, "state", json_string(app.state));
                json_object_set_new(vj, "permits", json_boolean(permit));
            }
            http_resp_json(resp, vj ? 200 : 500, vj);
            verdict_free(&v);
        }
    }
    api_policy_release(api, ps); /* after verdict_free: the verdict borrows from it */
    json_decref(eff);
    reg_object_free(&app);
    return 0;
}

struct audit_ud {
    json_t *items;
};

#include "store/auditlog.h"

static int audit_cb(void *ud, const struct audit_entry *e)
{
    struct audit_ud *a = ud;
    json_t *detail = json_loads(e->detail ? e->detail : "{}", 0, NULL);
    json_array_append_new(a->items,
                          json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s}",
                                    "seq", (json_int_t)e->seq, "ts", e->ts, "org_id", e->org_id,
                                    "actor", e->actor, "action", e->action, "kind", e->kind,
                                    "object_id", api_ext_id(e->object_id), "hash_before",
                                    e->hash_before, "hash_after", e->hash_after, "detail",
                                    detail ? detail : json_object(), "entry_hash", e->entry_hash));
    return 0;
}

int api_audit_answer(struct api *api, struct http_req *req, struct http_resp *resp,
                     const struct audit_filter *f)
{
    (void)req;
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_READ, resp, &tx, &err);
    if (rc)
        return 0;
    struct audit_ud a = {.items = json_array()};
    rc = store_audit_list(tx, f, audit_cb, &a, &err);
    store_tx_rollback(tx);
    if (rc) {
        json_decref(a.items);
        api_resp_err(resp, rc, &err);
        return 0;
    }
    http_resp_json(resp, 200, json_pack("{s:o}", "items", a.items));
    return 0;
}

static int h_app_audit(struct api *api, const struct api_principal *who, struct http_req *req,
                       struct http_resp *resp, const void *arg)
{
    (void)arg;
    struct reg_object app;
    int rc = read_app(api, who, req, resp, &app);
    if (!rc) {
        long long limit, offset;
        if (api_paging(req, resp, &limit, &offset) == 0) {
            struct audit_filter f = {.org_id = who->org_id, .object_id = app.id, .limit = limit};
            api_audit_answer(api, req, resp, &f);
        }
    }
    reg_object_free(&app);
    return 0;
}

/* ---- gateway keys: the application's API keys for the OpenAI-compatible gateway ---- */

static int h_keys_list(struct api *api, const struct api_principal *who, struct http_req *req,
                       struct http_resp *resp, const void *arg)
{
    (void)arg;
    return list_children(api, who, req, resp, "gateway_key");
}

static int h_key_create(struct api *api, const struct api_principal *who, struct http_req *req,
                        struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLES_APP_WRITE)) {
        api_forbidden(resp);
        return 0;
    }
    unsigned char raw[24];
    char key[80], sha[AUDIT_HASH_HEX];
    if (RAND_bytes(raw, sizeof(raw)) != 1) {
        http_resp_error(resp, 500, NULL, NULL, "interne fout / internal error");
        return 0;
    }
    size_t o = (size_t)snprintf(key, sizeof(key), "sk-sluis-");
    for (size_t i = 0; i < sizeof(raw); i++)
        o += (size_t)snprintf(key + o, sizeof(key) - o, "%02x", raw[i]);
    audit_hash_hex(key, strlen(key), sha);
    struct sluis_err err;
    sluis_err_clear(&err);
    struct store_tx *tx;
    struct reg_object app, k;
    memset(&k, 0, sizeof(k));
    int rc = store_tx_begin(api->st, STORE_TX_WRITE, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = load_app(api, tx, who, req, resp, &app);
    if (!rc) {
        char ext[17];
        api_random_id(ext);
        snprintf(k.kind, sizeof(k.kind), "gateway_key");
        api_iid(k.id, sizeof(k.id), who->org_id, ext);
        snprintf(k.org_id, sizeof(k.org_id), "%s", who->org_id);
        snprintf(k.parent_id, sizeof(k.parent_id), "%s", app.id);
        json_t *c =
            json_pack("{s:s, s:s, s:b}", "application", app.id, "sha256", sha, "revoked", 0);
        k.content = c ? json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(c);
        rc = k.content ? reg_object_put(tx, &k, REG_VERSION_CREATE, who->user_id, &err)
                       : SLUIS_ENOMEM;
        if (rc)
            api_resp_err(resp, rc, &err);
    }
    if (rc)
        store_tx_rollback(tx);
    else if (commit_or_answer(tx, resp) == 0) {
        json_t *j = api_object_json(&k);
        if (j)
            json_object_set_new(j, "key", json_string(key)); /* shown once, never stored */
        http_resp_json(resp, j ? 201 : 500, j);
    }
    OPENSSL_cleanse(key, sizeof(key));
    reg_object_free(&app);
    reg_object_free(&k);
    return 0;
}

static int h_key_delete(struct api *api, const struct api_principal *who, struct http_req *req,
                        struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLES_APP_WRITE)) {
        api_forbidden(resp);
        return 0;
    }
    struct sluis_err err;
    sluis_err_clear(&err);
    struct store_tx *tx;
    struct reg_object app, k;
    memset(&k, 0, sizeof(k));
    int rc = store_tx_begin(api->st, STORE_TX_WRITE, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = load_app(api, tx, who, req, resp, &app);
    if (!rc) {
        rc = api_object_load(tx, "gateway_key", who->org_id, http_req_param(req, "key"), &k, &err);
        if (!rc && strcmp(k.parent_id, app.id))
            rc = SLUIS_ENOTFOUND;
        if (rc == SLUIS_ENOTFOUND)
            api_not_found(resp, "sleutel/key");
        else if (rc)
            api_resp_err(resp, rc, &err);
    }
    if (!rc) {
        rc = reg_object_delete(tx, "gateway_key", k.id, REG_VERSION_ANY, who->user_id, &err);
        if (rc)
            api_resp_err(resp, rc, &err);
    }
    if (rc)
        store_tx_rollback(tx);
    else if (commit_or_answer(tx, resp) == 0)
        http_resp_json(resp, 204, NULL);
    reg_object_free(&app);
    reg_object_free(&k);
    return 0;
}

const struct api_route api_routes_apps[] = {
    {"GET", "/api/v1/applications", h_list, NULL, 0, 0},
    {"POST", "/api/v1/applications", h_create, NULL, 0, 0},
    {"GET", "/api/v1/applications/{id}", h_get, NULL, 0, 0},
    {"PUT", "/api/v1/applications/{id}", h_put, NULL, 0, 0},
    {"DELETE", "/api/v1/applications/{id}", h_delete, NULL, 0, 0},
    {"GET", "/api/v1/applications/{id}/verdict", h_verdict, NULL, 0, 0},
    {"POST", "/api/v1/applications/{id}/submit", h_submit, NULL, 0, 0},
    {"POST", "/api/v1/applications/{id}/transition", h_transition, NULL, 0, 0},
    {"GET", "/api/v1/applications/{id}/advice", h_advice_list, NULL, 0, 0},
    {"POST", "/api/v1/applications/{id}/advice", h_advice_create, NULL, 0, 0},
    {"GET", "/api/v1/applications/{id}/decision", h_decision_get, NULL, 0, 0},
    {"POST", "/api/v1/applications/{id}/decision", h_decision_create, NULL, 0, 0},
    {"GET", "/api/v1/applications/{id}/literacy", api_app_literacy, NULL, 0, 0},
    {"GET", "/api/v1/applications/{id}/audit", h_app_audit, NULL, 0, 0},
    {"GET", "/api/v1/advice/{id}", h_advice_get, NULL, 0, 0},
    {"GET", "/api/v1/applications/{id}/keys", h_keys_list, NULL, 0, 0},
    {"POST", "/api/v1/applications/{id}/keys", h_key_create, NULL, 0, 0},
    {"DELETE", "/api/v1/applications/{id}/keys/{key}", h_key_delete, NULL, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};
