/* objects.c - the plain register objects: providers, models, agreements, training records and
 * assessments. One set of generic handlers, parameterised by a kind description. */
#include "api/api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kind_desc {
    const char *kind;
    const char *what; /* for messages */
    unsigned write_roles;
    const struct api_field *fields; /* own schema, or NULL: a dossier list item */
    const char *dossier_list;       /* "agreements", "models", "assessments" */
    int id_required;                /* the body must carry "id"; else generated when absent */
    const char *ref_field;          /* content field that names another object ... */
    const char *ref_kind;           /* ... of this kind ("user" = a user of the organisation) */
    const char *parent_kind;        /* objects under an application */
};

static const char *const e_levels[] = {"bewust", "bekwaam", "vloeiend", "expert", NULL};

static const char *const e_terms[] = {"negotiated", "business", "consumer", "self_hosted", NULL};

static const struct api_field provider_fields[] = {
    {"name", AF_STR, 1, 200, NULL},     {"country", AF_STR, 0, 2, NULL},
    {"base_url", AF_STR, 0, 500, NULL}, {"terms", AF_ENUM, 0, 0, e_terms},
    {"key_file", AF_STR, 0, 500, NULL}, {"timeout_ms", AF_INT, 0, 600000, NULL},
    {"european", AF_BOOL, 0, 0, NULL},  {"open_source", AF_BOOL, 0, 0, NULL},
    {"website", AF_STR, 0, 500, NULL},  {"notes", AF_TEXT, 0, 0, NULL},
    {NULL, AF_ANY, 0, 0, NULL},
};

static const struct api_field training_fields[] = {
    {"user", AF_SLUG, 1, 0, NULL},        {"course", AF_STR, 1, 200, NULL},
    {"level", AF_ENUM, 1, 0, e_levels},   {"date", AF_DATE, 1, 0, NULL},
    {"valid_until", AF_DATE, 0, 0, NULL}, {"provider", AF_STR, 0, 200, NULL},
    {NULL, AF_ANY, 0, 0, NULL},
};

#define ROLES_SUPPLY (ROLE_ADMIN | ROLE_PROCUREMENT | ROLE_CIO_OFFICE)
#define ROLES_ASSESS (ROLE_OWNER | ROLE_ADMIN | ROLE_CIO_OFFICE | ROLE_CISO | ROLE_FG | ROLE_JURIST)

static const struct kind_desc k_provider = {
    "provider", "aanbieder/provider", ROLES_SUPPLY, provider_fields, NULL, 1, NULL, NULL, NULL};
static const struct kind_desc k_model = {"model", "model",    ROLES_SUPPLY, NULL, "models",
                                         1,       "provider", "provider",   NULL};
static const struct kind_desc k_agreement = {"agreement",  "overeenkomst/agreement",
                                             ROLES_SUPPLY, NULL,
                                             "agreements", 0,
                                             "provider",   "provider",
                                             NULL};
static const struct kind_desc k_training = {"training",
                                            "scholing/training record",
                                            ROLE_ADMIN | ROLE_CIO_OFFICE,
                                            training_fields,
                                            NULL,
                                            0,
                                            "user",
                                            "user",
                                            NULL};
static const struct kind_desc k_assessment = {
    "assessment", "beoordeling/assessment", ROLES_ASSESS, NULL, "assessments", 0, NULL, NULL,
    "application"};

int api_object_load(struct store_tx *tx, const char *kind, const char *org, const char *ext,
                    struct reg_object *obj, struct sluis_err *err)
{
    char iid[REG_ID_CAP];
    memset(obj, 0, sizeof(*obj));
    if (api_iid(iid, sizeof(iid), org, ext))
        return sluis_err_set(err, SLUIS_ENOTFOUND, "not found");
    int rc = reg_object_get(tx, kind, iid, obj, err);
    if (rc)
        return rc;
    if (strcmp(obj->org_id, org)) {
        reg_object_free(obj);
        return sluis_err_set(err, SLUIS_ENOTFOUND, "not found");
    }
    return 0;
}

static int ref_check(struct store_tx *tx, const struct kind_desc *kd, const char *org,
                     const json_t *content, struct sluis_err *err)
{
    if (!kd->ref_field)
        return 0;
    const char *ref = json_string_value(json_object_get(content, kd->ref_field));
    if (!ref)
        return 0;
    int rc;
    if (!strcmp(kd->ref_kind, "user")) {
        struct reg_user u;
        rc = reg_user_get(tx, ref, &u, err);
        if (rc == 0 && strcmp(u.org_id, org))
            rc = SLUIS_ENOTFOUND;
    } else {
        struct reg_object o;
        rc = api_object_load(tx, kd->ref_kind, org, ref, &o, err);
        reg_object_free(&o);
    }
    if (rc == SLUIS_ENOTFOUND) {
        snprintf(err->path, sizeof(err->path), "/%s", kd->ref_field);
        return sluis_err_set(err, SLUIS_EINVAL, "'%s' bestaat niet / '%s' does not exist", ref,
                             ref);
    }
    return rc;
}

/* Splits the body into id and content and validates the content. */
static int body_content(const struct kind_desc *kd, json_t *body, char *ext, size_t cap,
                        int id_in_path, struct sluis_err *err)
{
    json_t *id = json_object_get(body, "id");
    ext[0] = '\0';
    if (id) {
        if (!json_is_string(id) || !api_ext_id_ok(json_string_value(id))) {
            snprintf(err->path, sizeof(err->path), "/id");
            return sluis_err_set(err, SLUIS_EINVAL,
                                 "id moet [A-Za-z0-9._-]{1,64} zijn / id must match "
                                 "[A-Za-z0-9._-]{1,64}");
        }
        snprintf(ext, cap, "%s", json_string_value(id));
        json_object_del(body, "id");
    } else if (kd->id_required && !id_in_path) {
        snprintf(err->path, sizeof(err->path), "/id");
        return sluis_err_set(err, SLUIS_EINVAL,
                             "verplicht veld 'id' ontbreekt / missing required field 'id'");
    }
    return kd->fields ? api_schema_check(body, kd->fields, err)
                      : api_dossier_part_check(body, kd->dossier_list, err);
}

static int tx_write_begin(struct api *api, struct store_tx **tx, struct http_resp *resp,
                          struct sluis_err *err)
{
    int rc = store_tx_begin(api->st, STORE_TX_WRITE, tx, err);
    if (rc)
        api_resp_err(resp, rc, err);
    return rc;
}

/* Commits; on failure answers and returns the error. */
static int tx_finish(struct store_tx *tx, int rc, struct http_resp *resp, struct sluis_err *err)
{
    if (rc) {
        store_tx_rollback(tx);
        return rc;
    }
    api_notify(tx, "object");
    rc = store_tx_commit(tx, err);
    if (rc)
        api_resp_err(resp, rc, err);
    return rc;
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

struct list_ud {
    json_t *items;
};

static int list_cb(void *ud, const struct reg_object *obj)
{
    struct list_ud *l = ud;
    json_t *j = api_object_json(obj);
    if (!j)
        return SLUIS_ENOMEM;
    json_array_append_new(l->items, j);
    return 0;
}

int api_list_objects(struct api *api, struct http_req *req, struct http_resp *resp,
                     const struct reg_filter *f0)
{
    struct reg_filter f = *f0;
    if (api_paging(req, resp, &f.limit, &f.offset))
        return 0;
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_READ, resp, &tx, &err);
    if (rc)
        return 0;
    struct list_ud l = {.items = json_array()};
    long long total = 0;
    rc = reg_object_list(tx, &f, list_cb, &l, &err);
    if (!rc)
        rc = reg_object_count(tx, &f, &total, &err);
    store_tx_rollback(tx);
    if (rc) {
        json_decref(l.items);
        api_resp_err(resp, rc, &err);
        return 0;
    }
    http_resp_json(resp, 200,
                   json_pack("{s:o, s:I, s:I, s:I}", "items", l.items, "total", (json_int_t)total,
                             "limit", (json_int_t)f.limit, "offset", (json_int_t)f.offset));
    return 0;
}

static int h_list(struct api *api, const struct api_principal *who, struct http_req *req,
                  struct http_resp *resp, const void *arg)
{
    const struct kind_desc *kd = arg;
    char parent[REG_ID_CAP] = "";
    if (kd->parent_kind) {
        struct sluis_err err;
        struct store_tx *tx;
        struct reg_object app;
        int rc = store_tx_begin(api->st, STORE_TX_READ, &tx, &err);
        if (rc) {
            api_resp_err(resp, rc, &err);
            return 0;
        }
        rc = api_object_load(tx, kd->parent_kind, who->org_id, http_req_param(req, "id"), &app,
                             &err);
        store_tx_rollback(tx);
        if (rc) {
            if (rc == SLUIS_ENOTFOUND)
                api_not_found(resp, "toepassing/application");
            else
                api_resp_err(resp, rc, &err);
            return 0;
        }
        snprintf(parent, sizeof(parent), "%s", app.id);
        reg_object_free(&app);
    }
    struct reg_filter f = {
        .kind = kd->kind, .org_id = who->org_id, .parent_id = parent[0] ? parent : NULL};
    return api_list_objects(api, req, resp, &f);
}

static int h_get(struct api *api, const struct api_principal *who, struct http_req *req,
                 struct http_resp *resp, const void *arg)
{
    const struct kind_desc *kd = arg;
    struct sluis_err err;
    sluis_err_clear(&err);
    struct store_tx *tx;
    struct reg_object obj;
    int rc = store_tx_begin(api->st, STORE_TX_READ, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = api_object_load(tx, kd->kind, who->org_id, http_req_param(req, "id"), &obj, &err);
    store_tx_rollback(tx);
    if (rc == SLUIS_ENOTFOUND)
        api_not_found(resp, kd->what);
    else if (rc)
        api_resp_err(resp, rc, &err);
    else
        answer_object(resp, 200, &obj);
    reg_object_free(&obj);
    return 0;
}

static int h_create(struct api *api, const struct api_principal *who, struct http_req *req,
                    struct http_resp *resp, const void *arg)
{
    const struct kind_desc *kd = arg;
    if (!(who->roles & kd->write_roles)) {
        api_forbidden(resp);
        return 0;
    }
    json_t *body;
    if (api_body(req, resp, &body))
        return 0;
    struct sluis_err err;
    sluis_err_clear(&err);
    char ext[API_EXT_ID_MAX + 1];
    struct reg_object obj;
    memset(&obj, 0, sizeof(obj));
    struct store_tx *tx = NULL;
    int rc = body_content(kd, body, ext, sizeof(ext), 0, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto out;
    }
    if (!ext[0])
        api_random_id(ext);
    if (tx_write_begin(api, &tx, resp, &err))
        goto out;
    if (kd->parent_kind) {
        struct reg_object app;
        rc = api_object_load(tx, kd->parent_kind, who->org_id, http_req_param(req, "id"), &app,
                             &err);
        if (rc == SLUIS_ENOTFOUND)
            api_not_found(resp, "toepassing/application");
        else if (rc)
            api_resp_err(resp, rc, &err);
        else
            snprintf(obj.parent_id, sizeof(obj.parent_id), "%s", app.id);
        reg_object_free(&app);
        if (rc)
            goto fail;
    }
    rc = ref_check(tx, kd, who->org_id, body, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    if (!strcmp(kd->kind, "provider")) /* the gateway matches models[].provider on it */
        json_object_set_new(body, "id", json_string(ext));
    snprintf(obj.kind, sizeof(obj.kind), "%s", kd->kind);
    api_iid(obj.id, sizeof(obj.id), who->org_id, ext);
    snprintf(obj.org_id, sizeof(obj.org_id), "%s", who->org_id);
    obj.content = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    rc = obj.content ? reg_object_put(tx, &obj, REG_VERSION_CREATE, who->user_id, &err)
                     : SLUIS_ENOMEM;
    if (rc == SLUIS_ECONFLICT)
        http_resp_errorf(resp, 409, "exists", "/id", "'%s' bestaat al / '%s' already exists", ext,
                         ext);
    else if (rc)
        api_resp_err(resp, rc, &err);
fail:
    if (tx_finish(tx, rc, resp, &err) == 0) {
        answer_object(resp, 201, &obj);
        char loc[300];
        snprintf(loc, sizeof(loc), "%s/%s", kd->parent_kind ? "/api/v1/assessments" : req->path,
                 ext);
        http_resp_header(resp, "Location", loc);
    }
out:
    free(obj.content);
    obj.content = NULL;
    json_decref(body);
    return 0;
}

/* Requires If-Match; answers 428/400 and returns nonzero when missing/bad. */
int api_require_if_match(struct http_req *req, struct http_resp *resp, long long *version)
{
    int rc = api_if_match(req, version);
    if (rc == SLUIS_ENOTFOUND)
        http_resp_error(resp, 428, "precondition_required", NULL,
                        "If-Match met de versie (ETag) is verplicht / If-Match with the version "
                        "(ETag) is required");
    else if (rc)
        http_resp_error(resp, 400, "invalid", NULL,
                        "ongeldige If-Match / invalid If-Match (use the ETag)");
    return rc;
}

static int h_put(struct api *api, const struct api_principal *who, struct http_req *req,
                 struct http_resp *resp, const void *arg)
{
    const struct kind_desc *kd = arg;
    if (!(who->roles & kd->write_roles)) {
        api_forbidden(resp);
        return 0;
    }
    long long version;
    if (api_require_if_match(req, resp, &version))
        return 0;
    json_t *body;
    if (api_body(req, resp, &body))
        return 0;
    struct sluis_err err;
    sluis_err_clear(&err);
    char ext[API_EXT_ID_MAX + 1];
    const char *path_id = http_req_param(req, "id");
    struct reg_object obj;
    memset(&obj, 0, sizeof(obj));
    struct store_tx *tx = NULL;
    int rc = body_content(kd, body, ext, sizeof(ext), 1, &err);
    if (!rc && ext[0] && strcmp(ext, path_id)) {
        snprintf(err.path, sizeof(err.path), "/id");
        rc = sluis_err_set(&err, SLUIS_EINVAL,
                           "id verschilt van het pad / id differs from the path");
    }
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto out;
    }
    if (tx_write_begin(api, &tx, resp, &err))
        goto out;
    rc = api_object_load(tx, kd->kind, who->org_id, path_id, &obj, &err);
    if (rc == SLUIS_ENOTFOUND) {
        api_not_found(resp, kd->what);
        goto fail;
    } else if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    rc = ref_check(tx, kd, who->org_id, body, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    if (!strcmp(kd->kind, "provider"))
        json_object_set_new(body, "id", json_string(path_id));
    free(obj.content);
    obj.content = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    rc = obj.content ? reg_object_put(tx, &obj, version, who->user_id, &err) : SLUIS_ENOMEM;
    if (rc == SLUIS_ECONFLICT)
        http_resp_error(resp, 409, "conflict", NULL,
                        "gewijzigd door een ander; haal opnieuw op / changed by someone else; "
                        "fetch again (ETag)");
    else if (rc)
        api_resp_err(resp, rc, &err);
fail:
    if (tx_finish(tx, rc, resp, &err) == 0)
        answer_object(resp, 200, &obj);
out:
    reg_object_free(&obj);
    json_decref(body);
    return 0;
}

static int h_delete(struct api *api, const struct api_principal *who, struct http_req *req,
                    struct http_resp *resp, const void *arg)
{
    const struct kind_desc *kd = arg;
    if (!(who->roles & kd->write_roles)) {
        api_forbidden(resp);
        return 0;
    }
    long long version;
    if (api_require_if_match(req, resp, &version))
        return 0;
    struct sluis_err err;
    sluis_err_clear(&err);
    struct store_tx *tx;
    struct reg_object obj;
    if (tx_write_begin(api, &tx, resp, &err))
        return 0;
    int rc = api_object_load(tx, kd->kind, who->org_id, http_req_param(req, "id"), &obj, &err);
    if (rc == SLUIS_ENOTFOUND)
        api_not_found(resp, kd->what);
    else if (rc)
        api_resp_err(resp, rc, &err);
    if (!rc) {
        rc = reg_object_delete(tx, kd->kind, obj.id, version, who->user_id, &err);
        if (rc == SLUIS_ECONFLICT)
            http_resp_error(resp, 409, "conflict", NULL,
                            "gewijzigd door een ander / changed by someone else (ETag)");
        else if (rc)
            api_resp_err(resp, rc, &err);
    }
    reg_object_free(&obj);
    if (tx_finish(tx, rc, resp, &err) == 0)
        http_resp_json(resp, 204, NULL);
    return 0;
}

const struct api_route api_routes_objects[] = {
    {"GET", "/api/v1/providers", h_list, &k_provider, 0, 0},
    {"POST", "/api/v1/providers", h_create, &k_provider, 0, 0},
    {"GET", "/api/v1/providers/{id}", h_get, &k_provider, 0, 0},
    {"PUT", "/api/v1/providers/{id}", h_put, &k_provider, 0, 0},
    {"DELETE", "/api/v1/providers/{id}", h_delete, &k_provider, 0, 0},
    {"GET", "/api/v1/models", h_list, &k_model, 0, 0},
    {"POST", "/api/v1/models", h_create, &k_model, 0, 0},
    {"GET", "/api/v1/models/{id}", h_get, &k_model, 0, 0},
    {"PUT", "/api/v1/models/{id}", h_put, &k_model, 0, 0},
    {"DELETE", "/api/v1/models/{id}", h_delete, &k_model, 0, 0},
    {"GET", "/api/v1/agreements", h_list, &k_agreement, 0, 0},
    {"POST", "/api/v1/agreements", h_create, &k_agreement, 0, 0},
    {"GET", "/api/v1/agreements/{id}", h_get, &k_agreement, 0, 0},
    {"PUT", "/api/v1/agreements/{id}", h_put, &k_agreement, 0, 0},
    {"DELETE", "/api/v1/agreements/{id}", h_delete, &k_agreement, 0, 0},
    {"GET", "/api/v1/training", h_list, &k_training, 0, 0},
    {"POST", "/api/v1/training", h_create, &k_training, 0, 0},
    {"GET", "/api/v1/training/{id}", h_get, &k_training, 0, 0},
    {"PUT", "/api/v1/training/{id}", h_put, &k_training, 0, 0},
    {"DELETE", "/api/v1/training/{id}", h_delete, &k_training, 0, 0},
    {"GET", "/api/v1/applications/{id}/assessments", h_list, &k_assessment, 0, 0},
    {"POST", "/api/v1/applications/{id}/assessments", h_create, &k_assessment, 0, 0},
    {"GET", "/api/v1/assessments/{id}", h_get, &k_assessment, 0, 0},
    {"PUT", "/api/v1/assessments/{id}", h_put, &k_assessment, 0, 0},
    {"DELETE", "/api/v1/assessments/{id}", h_delete, &k_assessment, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};
