/* users.c - the caller (/me), organisations, users and their roles, API tokens. */
#include "api/api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct api_field user_fields[] = {
    {"id", AF_SLUG, 1, 0, NULL},
    {"name", AF_STR, 1, 200, NULL},
    {"email", AF_STR, 0, 200, NULL},
    {"roles", AF_STRLIST, 1, 0, NULL},
    {"oidc_subject", AF_STR, 0, 200, NULL},
    {NULL, AF_ANY, 0, 0, NULL},
};
static const struct api_field token_fields[] = {
    {"user_id", AF_SLUG, 0, 0, NULL},
    {NULL, AF_ANY, 0, 0, NULL},
};

static json_t *user_json(const struct reg_user *u)
{
    json_t *roles = json_loads(u->roles[0] ? u->roles : "[]", 0, NULL);
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s*, s:s}", "id", u->id, "org_id", u->org_id,
                     "name", u->name, "email", u->email, "roles", roles ? roles : json_array(),
                     "oidc_subject", u->oidc_subject[0] ? u->oidc_subject : NULL, "created_at",
                     u->created_at);
}

static json_t *org_json(const struct reg_org *o)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "id", o->id, "name", o->name, "layer", o->layer,
                     "created_at", o->created_at);
}

static int read_tx(struct api *api, struct store_tx **tx, struct http_resp *resp)
{
    struct sluis_err err;
    int rc = store_tx_begin(api->st, STORE_TX_READ, tx, &err);
    if (rc)
        api_resp_err(resp, rc, &err);
    return rc;
}

/* Reads the caller's own organisation and the policy version it evaluates with (pver; ""
 * when its own policy does not load). Returns 0, or an error
 * already answered in resp. */
static int read_own_org(struct api *api, const struct api_principal *who, struct http_resp *resp,
                        struct reg_org *org, char pver[256])
{
    struct store_tx *tx;
    struct sluis_err err;

    if (read_tx(api, &tx, resp))
        return SLUIS_EIO;
    int rc = reg_org_get(tx, who->org_id, org, &err);
    if (!rc)
        rc = api_org_policy_name(api, tx, who->org_id, pver, 256, &err);
    store_tx_rollback(tx);
    if (rc)
        api_resp_err(resp, rc, &err);
    return rc;
}

static int h_me(struct api *api, const struct api_principal *who, struct http_req *req,
                struct http_resp *resp, const void *arg)
{
    (void)arg;
    (void)req;
    struct reg_org org;
    char pver[256] = "";
    if (read_own_org(api, who, resp, &org, pver))
        return 0;
    http_resp_json(resp, 200,
                   json_pack("{s:s, s:s, s:s, s:O, s:o, s:s*, s:s*}", "user_id", who->user_id,
                             "name", who->name, "email", who->email, "roles", who->roles_json,
                             "organisation", org_json(&org), "token_id",
                             who->token_id[0] ? who->token_id : NULL, "policy_version",
                             pver[0] ? pver : NULL));
    return 0;
}

struct ulist {
    json_t *items;
};

static int ulist_cb(void *ud, const struct reg_user *u)
{
    struct ulist *l = ud;
    json_array_append_new(l->items, user_json(u));
    return 0;
}

static int h_users(struct api *api, const struct api_principal *who, struct http_req *req,
                   struct http_resp *resp, const void *arg)
{
    (void)arg;
    (void)req;
    struct store_tx *tx;
    if (read_tx(api, &tx, resp))
        return 0;
    struct sluis_err err;
    struct ulist l = {.items = json_array()};
    int rc = reg_user_list(tx, who->org_id, ulist_cb, &l, &err);
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

/* Loads a user of who's organisation; answers 404 otherwise. */
static int load_user(struct store_tx *tx, const struct api_principal *who, const char *id,
                     struct reg_user *u, struct http_resp *resp)
{
    struct sluis_err err;
    int rc = reg_user_get(tx, id, u, &err);
    if (rc == 0 && strcmp(u->org_id, who->org_id))
        rc = SLUIS_ENOTFOUND;
    if (rc == SLUIS_ENOTFOUND)
        api_not_found(resp, "gebruiker/user");
    else if (rc)
        api_resp_err(resp, rc, &err);
    return rc;
}

static int h_user(struct api *api, const struct api_principal *who, struct http_req *req,
                  struct http_resp *resp, const void *arg)
{
    (void)arg;
    struct store_tx *tx;
    if (read_tx(api, &tx, resp))
        return 0;
    struct reg_user u;
    int rc = load_user(tx, who, http_req_param(req, "id"), &u, resp);
    store_tx_rollback(tx);
    if (!rc)
        http_resp_json(resp, 200, user_json(&u));
    return 0;
}

static int user_from_body(struct http_req *req, struct http_resp *resp, struct reg_user *u,
                          const char *path_id)
{
    json_t *body;
    if (api_body(req, resp, &body))
        return SLUIS_EINVAL;
    struct sluis_err err;
    sluis_err_clear(&err);
    int rc = api_schema_check(body, user_fields, &err);
    const char *id = json_string_value(json_object_get(body, "id"));
    if (!rc && path_id && strcmp(id, path_id)) {
        snprintf(err.path, sizeof(err.path), "/id");
        rc = sluis_err_set(&err, SLUIS_EINVAL,
                           "id verschilt van het pad / id differs from the path");
    }
    unsigned bits;
    char bad[64];
    if (!rc && api_roles_parse(json_object_get(body, "roles"), &bits, bad, sizeof(bad))) {
        snprintf(err.path, sizeof(err.path), "%s", bad);
        rc = sluis_err_set(&err, SLUIS_EINVAL,
                           "onbekende rol / unknown role (owner, cio_office, ciso, fg, jurist, "
                           "procurement, admin, read_only)");
    }
    if (rc) {
        api_resp_err(resp, rc, &err);
        json_decref(body);
        return rc;
    }
    memset(u, 0, sizeof(*u));
    snprintf(u->id, sizeof(u->id), "%s", id);
    snprintf(u->name, sizeof(u->name), "%s", json_string_value(json_object_get(body, "name")));
    const char *email = json_string_value(json_object_get(body, "email"));
    snprintf(u->email, sizeof(u->email), "%s", email ? email : "");
    const char *sub = json_string_value(json_object_get(body, "oidc_subject"));
    snprintf(u->oidc_subject, sizeof(u->oidc_subject), "%s", sub ? sub : "");
    char *roles = json_dumps(json_object_get(body, "roles"), JSON_COMPACT);
    snprintf(u->roles, sizeof(u->roles), "%s", roles ? roles : "[]");
    free(roles);
    json_decref(body);
    return 0;
}

static int h_user_create(struct api *api, const struct api_principal *who, struct http_req *req,
                         struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLE_ADMIN)) {
        api_forbidden(resp);
        return 0;
    }
    struct reg_user u, old;
    if (user_from_body(req, resp, &u, NULL))
        return 0;
    snprintf(u.org_id, sizeof(u.org_id), "%s", who->org_id);
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_WRITE, resp, &tx, &err);
    if (rc)
        return 0;
    rc = reg_user_get(tx, u.id, &old, &err);
    if (rc == 0) {
        store_tx_rollback(tx);
        http_resp_errorf(resp, 409, "exists", "/id", "gebruiker '%s' bestaat al / user '%s' exists",
                         u.id, u.id);
        return 0;
    }
    char id_copy[REG_ID_CAP];
    snprintf(id_copy, sizeof(id_copy), "%s", u.id);
    rc = reg_user_put(tx, &u, who->user_id, &err);
    if (!rc)
        rc = reg_user_get(tx, id_copy, &u, &err);
    if (rc) {
        store_tx_rollback(tx);
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = store_tx_commit(tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    http_resp_json(resp, 201, user_json(&u));
    return 0;
}

static int h_user_put(struct api *api, const struct api_principal *who, struct http_req *req,
                      struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLE_ADMIN)) {
        api_forbidden(resp);
        return 0;
    }
    struct reg_user u, old;
    if (user_from_body(req, resp, &u, http_req_param(req, "id")))
        return 0;
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_WRITE, resp, &tx, &err);
    if (rc)
        return 0;
    if (load_user(tx, who, u.id, &old, resp)) {
        store_tx_rollback(tx);
        return 0;
    }
    snprintf(u.org_id, sizeof(u.org_id), "%s", old.org_id);
    char id_copy[REG_ID_CAP];
    snprintf(id_copy, sizeof(id_copy), "%s", u.id);
    rc = reg_user_put(tx, &u, who->user_id, &err);
    if (!rc)
        rc = reg_user_get(tx, id_copy, &u, &err);
    if (rc) {
        store_tx_rollback(tx);
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = store_tx_commit(tx, &err);
    api_auth_invalidate(api);
    if (rc)
        api_resp_err(resp, rc, &err);
    else
        http_resp_json(resp, 200, user_json(&u));
    return 0;
}

static int h_user_delete(struct api *api, const struct api_principal *who, struct http_req *req,
                         struct http_resp *resp, const void *arg)
{
    (void)arg;
    if (!(who->roles & ROLE_ADMIN)) {
        api_forbidden(resp);
        return 0;
    }
    const char *id = http_req_param(req, "id");
    if (!strcmp(id, who->user_id)) {
        http_resp_error(resp, 422, "workflow", NULL,
                        "u kunt uzelf niet verwijderen / you cannot delete yourself");
        return 0;
    }
    struct sluis_err err;
    sluis_err_clear(&err);
    struct store_tx *tx;
    struct reg_user old;
    int rc = store_tx_begin(api->st, STORE_TX_WRITE, &tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    if (load_user(tx, who, id, &old, resp)) {
        store_tx_rollback(tx);
        return 0;
    }
    rc = reg_user_delete(tx, id, who->user_id, &err);
    if (rc) {
        store_tx_rollback(tx);
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = store_tx_commit(tx, &err);
    api_auth_invalidate(api);
    if (rc)
        api_resp_err(resp, rc, &err);
    else
        http_resp_json(resp, 204, NULL);
    return 0;
}

static json_t *token_json(const struct reg_token *t)
{
    return json_pack("{s:s, s:s, s:s, s:s*, s:s*, s:b}", "id", t->id, "user_id", t->user_id,
                     "created_at", t->created_at, "revoked_at",
                     t->revoked_at[0] ? t->revoked_at : NULL, "last_used_at",
                     t->last_used_at[0] ? t->last_used_at : NULL, "active", !t->revoked_at[0]);
}

struct tlist {
    json_t *items;
};

static int tlist_cb(void *ud, const struct reg_token *t)
{
    struct tlist *l = ud;
    json_array_append_new(l->items, token_json(t));
    return 0;
}

static int h_tokens(struct api *api, const struct api_principal *who, struct http_req *req,
                    struct http_resp *resp, const void *arg)
{
    (void)arg;
    const char *uid = http_req_query(req, "user_id");
    if (!uid)
        uid = who->user_id;
    if (strcmp(uid, who->user_id) && !(who->roles & ROLE_ADMIN)) {
        api_forbidden(resp);
        return 0;
    }
    struct store_tx *tx;
    if (read_tx(api, &tx, resp))
        return 0;
    struct reg_user u;
    if (load_user(tx, who, uid, &u, resp)) {
        store_tx_rollback(tx);
        return 0;
    }
    struct sluis_err err;
    struct tlist l = {.items = json_array()};
    int rc = reg_token_list(tx, uid, tlist_cb, &l, &err);
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

static int h_token_create(struct api *api, const struct api_principal *who, struct http_req *req,
                          struct http_resp *resp, const void *arg)
{
    (void)arg;
    char uid[REG_ID_CAP];
    snprintf(uid, sizeof(uid), "%s", who->user_id);
    if (req->body_len) {
        json_t *body;
        if (api_body(req, resp, &body))
            return 0;
        struct sluis_err e;
        sluis_err_clear(&e);
        int rc = api_schema_check(body, token_fields, &e);
        if (rc) {
            api_resp_err(resp, rc, &e);
            json_decref(body);
            return 0;
        }
        const char *u = json_string_value(json_object_get(body, "user_id"));
        if (u)
            snprintf(uid, sizeof(uid), "%s", u);
        json_decref(body);
    }
    if (strcmp(uid, who->user_id) && !(who->roles & ROLE_ADMIN)) {
        api_forbidden(resp);
        return 0;
    }
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_WRITE, resp, &tx, &err);
    if (rc)
        return 0;
    struct reg_user u;
    if (load_user(tx, who, uid, &u, resp)) {
        store_tx_rollback(tx);
        return 0;
    }
    char secret[REG_TOKEN_CAP];
    struct reg_token t;
    rc = reg_token_create(tx, uid, who->user_id, secret, &t, &err);
    if (rc) {
        store_tx_rollback(tx);
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = store_tx_commit(tx, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        return 0;
    }
    json_t *j = token_json(&t);
    json_object_set_new(j, "token", json_string(secret));
    http_resp_json(resp, 201, j);
    return 0;
}

struct tfind {
    const char *id;
    struct reg_token tok;
    int found;
};

static int tfind_cb(void *ud, const struct reg_token *t)
{
    struct tfind *f = ud;
    if (!strcmp(t->id, f->id)) {
        f->tok = *t;
        f->found = 1;
        return 1;
    }
    return 0;
}

static int h_token_revoke(struct api *api, const struct api_principal *who, struct http_req *req,
                          struct http_resp *resp, const void *arg)
{
    (void)arg;
    struct sluis_err err;
    struct store_tx *tx;
    int rc = api_tx_open(api, STORE_TX_WRITE, resp, &tx, &err);
    if (rc)
        return 0;
    struct tfind f = {.id = http_req_param(req, "id")};
    rc = reg_token_list(tx, NULL, tfind_cb, &f, &err);
    struct reg_user owner;
    int visible = 0;
    if (rc >= 0 && f.found && reg_user_get(tx, f.tok.user_id, &owner, &err) == 0 &&
        !strcmp(owner.org_id, who->org_id))
        visible = 1;
    if (rc < 0) {
        store_tx_rollback(tx);
        api_resp_err(resp, rc, &err);
        return 0;
    }
    if (!visible) {
        store_tx_rollback(tx);
        api_not_found(resp, "token");
        return 0;
    }
    if (strcmp(f.tok.user_id, who->user_id) && !(who->roles & ROLE_ADMIN)) {
        store_tx_rollback(tx);
        api_forbidden(resp);
        return 0;
    }
    rc = reg_token_revoke(tx, f.tok.id, who->user_id, &err);
    if (rc) {
        store_tx_rollback(tx);
        api_resp_err(resp, rc, &err);
        return 0;
    }
    rc = store_tx_commit(tx, &err);
    api_auth_invalidate(api);
    if (rc)
        api_resp_err(resp, rc, &err);
    else
        http_resp_json(resp, 204, NULL);
    return 0;
}

const struct api_route api_routes_users[] = {
    {"GET", "/api/v1/me", h_me, NULL, 0, 0},
    {"GET", "/api/v1/users", h_users, NULL, 0, 0},
    {"POST", "/api/v1/users", h_user_create, NULL, 0, 0},
    {"GET", "/api/v1/users/{id}", h_user, NULL, 0, 0},
    {"PUT", "/api/v1/users/{id}", h_user_put, NULL, 0, 0},
    {"DELETE", "/api/v1/users/{id}", h_user_delete, NULL, 0, 0},
    {"GET", "/api/v1/tokens", h_tokens, NULL, 0, 0},
    {"POST", "/api/v1/tokens", h_token_create, NULL, 0, 0},
    {"DELETE", "/api/v1/tokens/{id}", h_token_revoke, NULL, 0, 0},
    {NULL, NULL, NULL, NULL, 0, 0},
};
