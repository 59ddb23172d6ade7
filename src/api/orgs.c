/* orgs.c - organisations: read your own, update it (admin: name, layer, the role-matrix
 * override), create new ones (the instance operator only). */
#include "api/api_internal.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"

static const char *const e_layer[] = {"rijk", "gemeente", "provincie", "waterschap",
                                      "zbo",  "other",    NULL};

static const struct api_field org_put_fields[] = {
    {"id", AF_SLUG, 0, 0, NULL},       {"name", AF_STR, 1, 200, NULL},
    {"layer", AF_ENUM, 1, 0, e_layer}, {"role_matrix", AF_ANY, 0, 0, NULL},
    {NULL, AF_ANY, 0, 0, NULL},
};
static const struct api_field org_create_fields[] = {
    {"id", AF_SLUG, 1, 0, NULL},       {"name", AF_STR, 1, 200, NULL},
    {"layer", AF_ENUM, 1, 0, e_layer}, {"admin", AF_ANY, 1, 0, NULL},
    {NULL, AF_ANY, 0, 0, NULL},
};
static const struct api_field admin_fields[] = {
    {"id", AF_SLUG, 1, 0, NULL},
    {"name", AF_STR, 1, 200, NULL},
    {"email", AF_STR, 0, 200, NULL},
    {NULL, AF_ANY, 0, 0, NULL},
};

/* The organisation as the API shows it (new reference). matrix: the active override or NULL. */
static json_t *org_json(const struct reg_org *o, const json_t *matrix, const char *pver)
{
    pver = pver && *pver ? pver : NULL;
    json_t *m = json_object_get(matrix, "role_matrix");
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s*}", "id", o->id, "name", o->name, "layer",
                     o->layer, "created_at", o->created_at, "role_matrix",
                     json_is_object(m) ? json_incref(m) : json_object(), "policy_version", pver);
}

/* ETag of an organisation: the first 16 hex of SHA-256 over name, layer and override. */
static void org_etag(const struct reg_org *o, const json_t *matrix, char out[20])
{
    json_t *m = json_object_get(matrix, "role_matrix");
    json_t *j = json_pack("{s:s, s:s, s:o}", "name", o->name, "layer", o->layer, "role_matrix",
                          json_is_object(m) ? json_incref(m) : json_object());
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char sha[AUDIT_HASH_HEX] = "";
    if (s)
        audit_hash_hex(s, strlen(s), sha);
    snprintf(out, 20, "\"%.16s\"", sha);
    free(s);
    json_decref(j);
}

/* Reads organisation org, its active role-matrix override (*matrix: content or NULL) and the
 * policy version it evaluates with. */
static int org_read(struct api *api, struct store_tx *tx, const char *org, struct reg_org *o,
                    json_t **matrix, char pver[256], struct sluis_err *err)
{
    *matrix = NULL;
    int rc = reg_org_get(tx, org, o, err);
    if (rc)
        return rc;
    struct reg_object mo;
    rc = api_org_policy_active(tx, org, API_PART_MATRIX, &mo, err);
    if (rc == 0) {
        *matrix = json_loads(mo.content, 0, NULL);
        reg_object_free(&mo);
    } else if (rc != SLUIS_ENOTFOUND) {
        return rc;
    }
    /* a stored file that no longer loads shows as null: not fatal for reading the organisation */
    return api_org_policy_name(api, tx, org, pver, 256, err);
}

static int h_org(struct api *api, const struct api_principal *who, struct http_req *req,
                 struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (strcmp(http_req_param(req, "id"), who->org_id)) {
        api_not_found(resp, "organisatie/organisation");
        return 0;
    }
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_READ, resp, &tx, &err);
    if (rc)
        return 0;
    struct reg_org o;
    json_t *matrix = NULL;
    char pver[256] = "";
    rc = org_read(api, tx, who->org_id, &o, &matrix, pver, &err);
    store_tx_rollback(tx);
    if (rc) {
        api_resp_err(resp, rc, &err);
    } else {
        char etag[20];
        org_etag(&o, matrix, etag);
        http_resp_json(resp, 200, org_json(&o, matrix, pver));
        http_resp_header(resp, "ETag", etag);
    }
    json_decref(matrix);
    return 0;
}

/*
 * Makes matrix (object, or NULL/{} = no override) the organisation's active role-matrix
 * override: validates it with the core (the conditions are compiled and type-checked against
 * the dossier schema), stores it as an immutable org_policy object and activates it.
 */
static int matrix_apply(struct api *api, struct store_tx *tx, const char *org, const json_t *in,
                        const char *actor, struct sluis_err *err)
{
    json_t *matrix = json_object();
    const char *k;
    json_t *v;
    if (json_is_object(in))
        json_object_foreach((json_t *)in, k, v) if (json_is_string(v))
            json_object_set(matrix, k, v);
    struct reg_object rules, cur;
    memset(&rules, 0, sizeof(rules));
    memset(&cur, 0, sizeof(cur));
    struct policy_set *below = NULL, *full = NULL;
    char *src = NULL;
    json_t *rc_json = NULL, *rj = NULL;
    int rc = api_org_policy_active(tx, org, API_PART_MATRIX, &cur, err);
    if (rc && rc != SLUIS_ENOTFOUND)
        goto out;
    if (!json_object_size(matrix)) { /* back to the default matrix */
        rc = 0;
        if (cur.kind[0]) {
            struct reg_object tmp;
            rc = reg_object_set_state(tx, API_ORG_POLICY_KIND, cur.id, "inactive", cur.version,
                                      actor, "deactivate", NULL, &tmp, err);
            reg_object_free(&tmp);
        }
        goto out;
    }
    rc = api_org_policy_active(tx, org, API_PART_RULES, &rules, err);
    if (rc && rc != SLUIS_ENOTFOUND)
        goto out;
    rj = rules.kind[0] ? json_loads(rules.content, 0, NULL) : NULL;
    const char *srcs[2] = {json_string_value(json_object_get(rj, "source")), NULL};
    const char *names[2] = {json_string_value(json_object_get(rj, "ref")), NULL};
    size_t ns = srcs[0] ? 1 : 0;
    sluis_err_clear(err);
    rc = api_org_policy_load(api, srcs, names, ns, &below, err);
    if (rc)
        goto out;
    char today[11], ver[13];
    api_today(api, today);
    const char *order[8];
    size_t n_order = 0;
    rc =
        api_role_matrix_source(api->base_id, below, matrix, today, &src, ver, order, &n_order, err);
    if (rc)
        goto out;
    srcs[ns] = src;
    names[ns] = API_ROLE_MATRIX_ID;
    sluis_err_clear(err);
    rc = api_org_policy_load(api, srcs, names, ns + 1, &full, err);
    if (rc) {
        /* a condition the core refuses: name the role and give the core's message */
        size_t line = err->line > API_MATRIX_HEAD_LINES
                          ? (size_t)err->line - API_MATRIX_HEAD_LINES - 1
                          : (size_t)-1;
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s", err->msg);
        if (!strcmp(err->file, API_ROLE_MATRIX_ID) && line < n_order) {
            snprintf(err->path, sizeof(err->path), "/role_matrix/%s", order[line]);
            rc = sluis_err_set(err, SLUIS_EINVAL, "%s", msg);
        } else {
            snprintf(err->path, sizeof(err->path), "/role_matrix");
            rc = sluis_err_set(err, SLUIS_EINVAL, "%s", msg);
        }
        goto out;
    }
    /* store (immutable; the same matrix again reuses its object) and activate */
    char ref[64], id[REG_ID_CAP];
    snprintf(ref, sizeof(ref), "%s@%s", API_ROLE_MATRIX_ID, ver);
    int m = snprintf(id, sizeof(id), "%s:%s", org, ref);
    if (m < 0 || (size_t)m >= sizeof(id)) {
        rc = sluis_err_set(err, SLUIS_EINVAL, "organisation id too long");
        goto out;
    }
    if (cur.kind[0] && !strcmp(cur.id, id))
        goto out; /* unchanged */
    if (cur.kind[0]) {
        struct reg_object tmp;
        rc = reg_object_set_state(tx, API_ORG_POLICY_KIND, cur.id, "inactive", cur.version, actor,
                                  "deactivate", NULL, &tmp, err);
        reg_object_free(&tmp);
        if (rc)
            goto out;
    }
    struct reg_object old;
    rc = reg_object_get(tx, API_ORG_POLICY_KIND, id, &old, err);
    if (rc == 0) {
        struct reg_object tmp;
        rc = reg_object_set_state(tx, API_ORG_POLICY_KIND, id, "active", old.version, actor,
                                  "activate", NULL, &tmp, err);
        reg_object_free(&tmp);
        reg_object_free(&old);
        goto out;
    }
    if (rc != SLUIS_ENOTFOUND)
        goto out;
    sluis_err_clear(err);
    char sha[AUDIT_HASH_HEX];
    audit_hash_hex(src, strlen(src), sha);
    rc_json = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "part", API_PART_MATRIX, "policy_id",
                        API_ROLE_MATRIX_ID, "version", ver, "ref", ref, "sha256", sha, "source",
                        src, "role_matrix", matrix);
    struct reg_object o;
    memset(&o, 0, sizeof(o));
    snprintf(o.kind, sizeof(o.kind), "%s", API_ORG_POLICY_KIND);
    snprintf(o.id, sizeof(o.id), "%s", id);
    snprintf(o.org_id, sizeof(o.org_id), "%s", org);
    snprintf(o.state, sizeof(o.state), "active");
    o.content = rc_json ? json_dumps(rc_json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    rc = o.content ? reg_object_put(tx, &o, REG_VERSION_CREATE, actor, err)
                   : sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    reg_object_free(&o);
out:
    json_decref(rj);
    json_decref(rc_json);
    json_decref(matrix);
    free(src);
    policy_set_free(below);
    policy_set_free(full);
    reg_object_free(&rules);
    reg_object_free(&cur);
    return rc;
}

static int h_org_put(struct api *api, const struct api_principal *who, struct http_req *req,
                     struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLE_ADMIN)) {
        api_forbidden(resp);
        return 0;
    }
    if (strcmp(http_req_param(req, "id"), who->org_id)) {
        api_not_found(resp, "organisatie/organisation");
        return 0;
    }
    const char *im = http_req_header(req, "If-Match");
    if (!im) {
        http_resp_error(resp, 428, "precondition_required", NULL,
                        "If-Match vereist (ETag van GET) / If-Match required (ETag from GET)");
        return 0;
    }
    json_t *body;
    if (api_body_checked(req, resp, org_put_fields, &body))
        return 0;
    struct sluis_err err;
    sluis_err_clear(&err);
    const char *id = json_string_value(json_object_get(body, "id"));
    json_t *m = json_object_get(body, "role_matrix");
    int rc = 0;
    if (id && strcmp(id, who->org_id)) {
        snprintf(err.path, sizeof(err.path), "/id");
        rc = sluis_err_set(&err, SLUIS_EINVAL,
                           "id verschilt van het pad / id differs from the path");
    }
    if (!rc && m)
        rc = api_role_matrix_shape(m, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        json_decref(body);
        return 0;
    }
    struct store_tx *tx;
    rc = store_tx_begin(api->st, STORE_TX_WRITE, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        json_decref(body);
        return 0;
    }
    struct reg_org o;
    json_t *matrix = NULL;
    char pver[256] = "";
    char etag[20];
    rc = org_read(api, tx, who->org_id, &o, &matrix, pver, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    org_etag(&o, matrix, etag);
    if (strcmp(im, etag) && strcmp(im, "*")) {
        http_resp_error(resp, 409, "conflict", NULL,
                        "gewijzigd door een ander; haal opnieuw op / changed by someone else; "
                        "fetch again (ETag)");
        goto fail;
    }
    snprintf(o.name, sizeof(o.name), "%s", json_string_value(json_object_get(body, "name")));
    snprintf(o.layer, sizeof(o.layer), "%s", json_string_value(json_object_get(body, "layer")));
    rc = reg_org_put(tx, &o, who->user_id, &err);
    if (!rc && m)
        rc = matrix_apply(api, tx, who->org_id, m, who->user_id, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    json_decref(matrix);
    matrix = NULL;
    rc = org_read(api, tx, who->org_id, &o, &matrix, pver, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        goto fail;
    }
    api_notify(tx, "organisation");
    rc = store_tx_commit(tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
    } else {
        org_etag(&o, matrix, etag);
        http_resp_json(resp, 200, org_json(&o, matrix, pver));
        http_resp_header(resp, "ETag", etag);
    }
    json_decref(matrix);
    json_decref(body);
    return 0;
fail:
    store_tx_rollback(tx);
    json_decref(matrix);
    json_decref(body);
    return 0;
}

/* ---- the instance operator: list and create organisations ---- */

struct olist {
    json_t *items;
};

static int olist_cb(void *ud, const struct reg_org *o)
{
    struct olist *l = ud;
    if (strcmp(o->id, API_ORG_SYSTEM))
        json_array_append_new(l->items,
                              json_pack("{s:s, s:s, s:s, s:s}", "id", o->id, "name", o->name,
                                        "layer", o->layer, "created_at", o->created_at));
    return 0;
}

static int h_orgs(struct api *api, const struct api_principal *who, struct http_req *req,
                  struct http_resp *resp, const void *arg)
{
    (void)arg;
    (void)req;
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_READ, resp, &tx, &err);
    if (rc)
        return 0;
    struct olist l = {.items = json_array()};
    if (who->operator) {
        rc = reg_org_list(tx, olist_cb, &l, &err);
    } else {
        struct reg_org o;
        json_t *matrix = NULL;
        char pver[256] = "";
        rc = org_read(api, tx, who->org_id, &o, &matrix, pver, &err);
        if (!rc)
            json_array_append_new(l.items, org_json(&o, matrix, pver));
        json_decref(matrix);
    }
    store_tx_rollback(tx);
    if (rc) {
        json_decref(l.items);
        api_resp_err(resp, rc, &err);
        return 0;
    }
    size_t n = json_array_size(l.items);
    http_resp_json(resp, 200,
                   json_pack("{s:o, s:I, s:i, s:i}", "items", l.items, "total", (json_int_t)n,
                             "limit", 1000, "offset", 0));
    return 0;
}

struct create {
    const char *actor;
    char token[REG_TOKEN_CAP];
    struct reg_org org;
    struct reg_user admin;
};

static int create_tx(struct store_tx *tx, void *ud, struct sluis_err *err)
{
    struct create *c = ud;
    struct reg_org cur;
    int rc = reg_org_get(tx, c->org.id, &cur, err);
    if (rc == 0) {
        snprintf(err->path, sizeof(err->path), "/id");
        return sluis_err_set(err, SLUIS_ECONFLICT,
                             "organisatie '%s' bestaat al / organisation '%s' already exists",
                             c->org.id, c->org.id);
    }
    if (rc != SLUIS_ENOTFOUND)
        return rc;
    struct reg_user u;
    rc = reg_user_get(tx, c->admin.id, &u, err);
    if (rc == 0) {
        snprintf(err->path, sizeof(err->path), "/admin/id");
        return sluis_err_set(err, SLUIS_ECONFLICT,
                             "gebruiker '%s' bestaat al / user '%s' already exists", c->admin.id,
                             c->admin.id);
    }
    if (rc != SLUIS_ENOTFOUND)
        return rc;
    sluis_err_clear(err);
    rc = reg_org_put(tx, &c->org, c->actor, err);
    if (!rc)
        rc = reg_user_put(tx, &c->admin, c->actor, err);
    if (!rc)
        rc = reg_token_create(tx, c->admin.id, c->actor, c->token, NULL, err);
    if (!rc) {
        char id[REG_ID_CAP];
        snprintf(id, sizeof(id), "%s", c->org.id);
        rc = reg_org_get(tx, id, &c->org, err);
    }
    return rc;
}

static int layer_ok(const char *layer)
{
    for (const char *const *l = e_layer; layer && *l; l++)
        if (!strcmp(*l, layer))
            return 1;
    return 0;
}

int api_org_create(struct store *st, const char *id, const char *name, const char *layer,
                   const char *admin_id, const char *admin_name, const char *admin_email,
                   const char *actor, char token_out[80], struct sluis_err *err)
{
    token_out[0] = '\0';
    const char *bad = !api_ext_id_ok(id)                                        ? "/id"
                      : !name || !*name || strlen(name) > 200                   ? "/name"
                      : !layer_ok(layer)                                        ? "/layer"
                      : !api_ext_id_ok(admin_id)                                ? "/admin/id"
                      : !admin_name || !*admin_name || strlen(admin_name) > 200 ? "/admin/name"
                      : admin_email && strlen(admin_email) > 200                ? "/admin/email"
                                                                                : NULL;
    if (bad) {
        snprintf(err->path, sizeof(err->path), "%s", bad);
        return sluis_err_set(err, SLUIS_EINVAL,
                             "ongeldig / invalid %s (ids: [A-Za-z0-9._-]{1,64}; layer: rijk, "
                             "gemeente, provincie, waterschap, zbo, other)",
                             bad);
    }
    if (!strcmp(id, API_ORG_SYSTEM)) {
        snprintf(err->path, sizeof(err->path), "/id");
        return sluis_err_set(err, SLUIS_ECONFLICT,
                             "organisatie '%s' is gereserveerd / organisation '%s' is reserved",
                             API_ORG_SYSTEM, API_ORG_SYSTEM);
    }
    struct create *c = calloc(1, sizeof(*c));
    if (!c)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    c->actor = actor;
    snprintf(c->org.id, sizeof(c->org.id), "%s", id);
    snprintf(c->org.name, sizeof(c->org.name), "%s", name);
    snprintf(c->org.layer, sizeof(c->org.layer), "%s", layer);
    snprintf(c->admin.id, sizeof(c->admin.id), "%s", admin_id);
    snprintf(c->admin.org_id, sizeof(c->admin.org_id), "%s", id);
    snprintf(c->admin.name, sizeof(c->admin.name), "%s", admin_name);
    snprintf(c->admin.email, sizeof(c->admin.email), "%s", admin_email ? admin_email : "");
    snprintf(c->admin.roles, sizeof(c->admin.roles), "[\"admin\"]");
    int rc = store_tx_run(st, STORE_TX_WRITE, create_tx, c, err);
    if (!rc)
        snprintf(token_out, 80, "%s", c->token);
    OPENSSL_cleanse(c->token, sizeof(c->token));
    free(c);
    return rc;
}

static int h_org_create(struct api *api, const struct api_principal *who, struct http_req *req,
                        struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!who->operator) {
        http_resp_error(resp, 403, "forbidden", NULL,
                        "alleen de beheerder van de installatie (operator-token) / only the "
                        "instance operator (operator token)");
        return 0;
    }
    json_t *body;
    if (api_body_checked(req, resp, org_create_fields, &body))
        return 0;
    struct sluis_err err;
    sluis_err_clear(&err);
    json_t *adm = json_object_get(body, "admin");
    int rc = json_is_object(adm) ? api_schema_check(adm, admin_fields, &err)
                                 : sluis_err_set(&err, SLUIS_EINVAL, "admin: {id, name, email?}");
    if (rc) {
        char p[sizeof(err.path)];
        snprintf(p, sizeof(p), "%s", err.path);
        snprintf(err.path, sizeof(err.path), "/admin%s", p);
        api_resp_err(resp, rc, &err);
        json_decref(body);
        return 0;
    }
    const char *id = json_string_value(json_object_get(body, "id"));
    const char *admin_id = json_string_value(json_object_get(adm, "id"));
    char token[80];
    rc = api_org_create(api->st, id, json_string_value(json_object_get(body, "name")),
                        json_string_value(json_object_get(body, "layer")), admin_id,
                        json_string_value(json_object_get(adm, "name")),
                        json_string_value(json_object_get(adm, "email")), "operator", token, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
    } else {
        struct reg_org o;
        memset(&o, 0, sizeof(o));
        struct store_tx *tx;
        if (store_tx_begin(api->st, STORE_TX_READ, &tx, &err) == 0) {
            reg_org_get(tx, id, &o, &err);
            store_tx_rollback(tx);
        }
        json_t *j = json_pack("{s:{s:s, s:s, s:s, s:s}, s:{s:s, s:O, s:[s]}, s:s}", "organisation",
                              "id", id, "name", o.name, "layer", o.layer, "created_at",
                              o.created_at, "admin", "id", admin_id, "name",
                              json_object_get(adm, "name"), "roles", "admin", "token", token);
        http_resp_json(resp, j ? 201 : 500, j);
        char loc[300];
        snprintf(loc, sizeof(loc), "/api/v1/organisations/%s", id);
        http_resp_header(resp, "Location", loc);
    }
    OPENSSL_cleanse(token, sizeof(token));
    json_decref(body);
    return 0;
}

const struct api_route api_routes_orgs[] = {
    {"GET", "/api/v1/organisations", h_orgs, NULL, 0, 1},
    {"POST", "/api/v1/organisations", h_org_create, NULL, 0, 1},
    {"GET", "/api/v1/organisations/{id}", h_org, NULL, 0, 0},
    {"PUT", "/api/v1/organisations/{id}", h_org_put, NULL, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};
