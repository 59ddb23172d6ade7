/* register_user.c - organisations and users. */
#include "store/register_internal.h"
#include "store/store_internal.h"

#include "store/auditlog.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORG_COLS "id, name, layer, created_at"
#define USER_COLS "id, org_id, name, email, roles, oidc_subject, created_at"

/* The audited content of an organisation or user: sorted, compact JSON. Caller frees. */
static char *org_json(const struct reg_org *o)
{
    json_t *j = json_pack("{s:s, s:s, s:s}", "id", o->id, "name", o->name, "layer", o->layer);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

    json_decref(j);
    return s;
}

static char *user_json(const struct reg_user *u)
{
    json_t *roles = json_loads(u->roles[0] ? u->roles : "[]", 0, NULL);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s}", "id", u->id, "org_id", u->org_id,
                          "name", u->name, "email", u->email, "roles", roles ? roles : json_array(),
                          "oidc_subject", u->oidc_subject);
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

    json_decref(j);
    return s;
}

static int org_decode(int ncols, const char *const *v, struct reg_org *o)
{
    if (ncols != 4)
        return SLUIS_EINTERNAL;
    memset(o, 0, sizeof(*o));
    reg_copy(o->id, sizeof(o->id), v[0]);
    reg_copy(o->name, sizeof(o->name), v[1]);
    reg_copy(o->layer, sizeof(o->layer), v[2]);
    reg_copy(o->created_at, sizeof(o->created_at), v[3]);
    return 0;
}

struct org_ctx {
    struct reg_org *one;
    int found;
    reg_org_cb cb;
    void *ud;
};

static int org_row(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    struct org_ctx *c = ud;
    struct reg_org o;
    int rc;

    (void)names;
    rc = org_decode(ncols, vals, &o);
    if (rc)
        return rc;
    c->found = 1;
    if (c->one) {
        *c->one = o;
        return 0;
    }
    return c->cb(c->ud, &o);
}

int reg_org_get(struct store_tx *tx, const char *id, struct reg_org *out, struct sluis_err *err)
{
    const char *p[1] = {id};
    struct org_ctx c = {out, 0, NULL, NULL};
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = reg_id_check("organisation id", id, err)))
        return rc;
    rc = store_query(tx, "SELECT " ORG_COLS " FROM organisations WHERE id = $1", 1, p, org_row, &c,
                     err);
    if (rc)
        return rc;
    if (!c.found)
        return sluis_err_set(err, SLUIS_ENOTFOUND, "organisation '%s' not found", id);
    return 0;
}

int reg_org_list(struct store_tx *tx, reg_org_cb cb, void *ud, struct sluis_err *err)
{
    struct org_ctx c = {NULL, 0, cb, ud};

    return store_query(tx, "SELECT " ORG_COLS " FROM organisations ORDER BY id", 0, NULL, org_row,
                       &c, err);
}

static int reg_org_put_impl(struct store_tx *tx, const struct reg_org *org, const char *actor,
                            struct sluis_err *err)
{
    struct reg_org cur;
    char *before = NULL, *after = NULL;
    char now[40];
    int rc, exists;

    if ((rc = reg_id_check("organisation id", org->id, err)) ||
        (rc = reg_text_check("name", org->name, sizeof(org->name), err)) ||
        (rc = reg_text_check("layer", org->layer, sizeof(org->layer), err)) ||
        (rc = reg_text_check("actor", actor, REG_ID_CAP, err)))
        return rc;
    if (!org->name[0] || !org->layer[0])
        return sluis_err_set(err, SLUIS_EINVAL, "organisation needs a name and a layer");
    if ((rc = store_audit_lock(tx, err)))
        return rc;
    rc = reg_org_get(tx, org->id, &cur, err);
    if (rc && rc != SLUIS_ENOTFOUND)
        return rc;
    exists = rc == 0;
    sluis_err_clear(err);
    store_now(now, sizeof(now));
    if (exists) {
        const char *p[4] = {org->id, org->name, org->layer, now};
        rc = store_exec(tx,
                        "UPDATE organisations SET name = $2, layer = $3, updated_at = $4 "
                        "WHERE id = $1",
                        4, p, NULL, err);
        before = org_json(&cur);
        if (!rc && !before)
            rc = sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    } else {
        const char *p[4] = {org->id, org->name, org->layer, now};
        rc = store_exec(tx,
                        "INSERT INTO organisations (id, name, layer, created_at, updated_at) "
                        "VALUES ($1, $2, $3, $4, $4)",
                        4, p, NULL, err);
    }
    if (rc)
        goto out;
    after = org_json(org);
    if (!after) {
        rc = sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
        goto out;
    }
    rc = reg_audit(tx, org->id, actor, exists ? AUDIT_ACTION_UPDATE : AUDIT_ACTION_CREATE,
                   "organisation", org->id, before, after, NULL, err);
out:
    free(before);
    free(after);
    return rc;
}

/* ---- users ---- */

static int user_decode(int ncols, const char *const *v, struct reg_user *u)
{
    if (ncols != 7)
        return SLUIS_EINTERNAL;
    memset(u, 0, sizeof(*u));
    reg_copy(u->id, sizeof(u->id), v[0]);
    reg_copy(u->org_id, sizeof(u->org_id), v[1]);
    reg_copy(u->name, sizeof(u->name), v[2]);
    reg_copy(u->email, sizeof(u->email), v[3]);
    reg_copy(u->roles, sizeof(u->roles), v[4]);
    reg_copy(u->oidc_subject, sizeof(u->oidc_subject), v[5]);
    reg_copy(u->created_at, sizeof(u->created_at), v[6]);
    return 0;
}

struct user_ctx {
    struct reg_user *one;
    int found;
    reg_user_cb cb;
    void *ud;
};

static int user_row(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    struct user_ctx *c = ud;
    struct reg_user u;
    int rc;

    (void)names;
    rc = user_decode(ncols, vals, &u);
    if (rc)
        return rc;
    c->found = 1;
    if (c->one) {
        *c->one = u;
        return 0;
    }
    return c->cb(c->ud, &u);
}

static int user_get_by(struct store_tx *tx, const char *col_sql, const char *key,
                       struct reg_user *out, struct sluis_err *err)
{
    const char *p[1] = {key};
    struct user_ctx c = {out, 0, NULL, NULL};
    int rc;

    memset(out, 0, sizeof(*out));
    rc = store_query(tx, col_sql, 1, p, user_row, &c, err);
    if (rc)
        return rc;
    if (!c.found)
        return sluis_err_set(err, SLUIS_ENOTFOUND, "user '%s' not found", key);
    return 0;
}

int reg_user_get(struct store_tx *tx, const char *id, struct reg_user *out, struct sluis_err *err)
{
    int rc;

    if ((rc = reg_id_check("user id", id, err))) {
        memset(out, 0, sizeof(*out));
        return rc;
    }
    return user_get_by(tx, "SELECT " USER_COLS " FROM users WHERE id = $1", id, out, err);
}

int reg_user_find_oidc(struct store_tx *tx, const char *subject, struct reg_user *out,
                       struct sluis_err *err)
{
    int rc;

    if ((rc = reg_text_check("oidc subject", subject, sizeof(out->oidc_subject), err)) ||
        !subject[0]) {
        memset(out, 0, sizeof(*out));
        return rc ? rc : sluis_err_set(err, SLUIS_ENOTFOUND, "empty OIDC subject");
    }
    return user_get_by(tx, "SELECT " USER_COLS " FROM users WHERE oidc_subject = $1", subject, out,
                       err);
}

int reg_user_list(struct store_tx *tx, const char *org_id, reg_user_cb cb, void *ud,
                  struct sluis_err *err)
{
    struct user_ctx c = {NULL, 0, cb, ud};
    const char *p[1] = {org_id};

    if (org_id && org_id[0])
        return store_query(tx, "SELECT " USER_COLS " FROM users WHERE org_id = $1 ORDER BY id", 1,
                           p, user_row, &c, err);
    return store_query(tx, "SELECT " USER_COLS " FROM users ORDER BY id", 0, NULL, user_row, &c,
                       err);
}

/* Roles must be a JSON array of short strings; "" means []. */
static int roles_check(const char *roles, struct sluis_err *err)
{
    json_t *j;
    size_t i;
    json_t *v;
    int ok = 1;

    if (!roles[0])
        return 0;
    j = json_loads(roles, 0, NULL);
    if (!j || !json_is_array(j))
        ok = 0;
    json_array_foreach(j, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 63)
            ok = 0;
    }
    json_decref(j);
    return ok ? 0 : sluis_err_set(err, SLUIS_EINVAL, "roles must be a JSON array of strings");
}

static int reg_user_put_impl(struct store_tx *tx, const struct reg_user *user, const char *actor,
                             struct sluis_err *err)
{
    struct reg_user cur;
    struct reg_org org;
    char *before = NULL, *after = NULL;
    char now[40];
    int rc, exists;

    if ((rc = reg_id_check("user id", user->id, err)) ||
        (rc = reg_id_check("organisation id", user->org_id, err)) ||
        (rc = reg_text_check("name", user->name, sizeof(user->name), err)) ||
        (rc = reg_text_check("email", user->email, sizeof(user->email), err)) ||
        (rc = reg_text_check("roles", user->roles, sizeof(user->roles), err)) ||
        (rc =
             reg_text_check("oidc subject", user->oidc_subject, sizeof(user->oidc_subject), err)) ||
        (rc = reg_text_check("actor", actor, REG_ID_CAP, err)) ||
        (rc = roles_check(user->roles, err)))
        return rc;
    if ((rc = store_audit_lock(tx, err)))
        return rc;
    rc = reg_org_get(tx, user->org_id, &org, err);
    if (rc == SLUIS_ENOTFOUND)
        return sluis_err_set(err, SLUIS_ECONFLICT, "organisation '%s' does not exist",
                             user->org_id);
    if (rc)
        return rc;
    rc = reg_user_get(tx, user->id, &cur, err);
    if (rc && rc != SLUIS_ENOTFOUND)
        return rc;
    exists = rc == 0;
    sluis_err_clear(err);
    store_now(now, sizeof(now));
    {
        const char *p[7] = {user->id,
                            user->org_id,
                            user->name,
                            user->email,
                            user->roles[0] ? user->roles : "[]",
                            reg_null_if_empty(user->oidc_subject),
                            now};
        if (exists)
            rc = store_exec(tx,
                            "UPDATE users SET org_id = $2, name = $3, email = $4, roles = $5, "
                            "oidc_subject = $6, updated_at = $7 WHERE id = $1",
                            7, p, NULL, err);
        else
            rc = store_exec(tx,
                            "INSERT INTO users (id, org_id, name, email, roles, oidc_subject, "
                            "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                            7, p, NULL, err);
    }
    if (rc)
        goto out;
    if (exists && !(before = user_json(&cur))) {
        rc = sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
        goto out;
    }
    if (!(after = user_json(user))) {
        rc = sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
        goto out;
    }
    rc = reg_audit(tx, user->org_id, actor, exists ? AUDIT_ACTION_UPDATE : AUDIT_ACTION_CREATE,
                   "user", user->id, before, after, NULL, err);
out:
    free(before);
    free(after);
    return rc;
}

static int reg_user_delete_impl(struct store_tx *tx, const char *id, const char *actor,
                                struct sluis_err *err)
{
    struct reg_user cur;
    const char *p[1] = {id};
    char *before = NULL;
    long long ntok = 0;
    char detail[64];
    int rc;

    if ((rc = reg_text_check("actor", actor, REG_ID_CAP, err)))
        return rc;
    if ((rc = store_audit_lock(tx, err)))
        return rc;
    rc = reg_user_get(tx, id, &cur, err);
    if (rc)
        return rc;
    rc = store_exec(tx, "DELETE FROM api_tokens WHERE user_id = $1", 1, p, &ntok, err);
    if (!rc)
        rc = store_exec(tx, "DELETE FROM users WHERE id = $1", 1, p, NULL, err);
    if (rc)
        return rc;
    before = user_json(&cur);
    if (!before)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    snprintf(detail, sizeof(detail), "{\"tokens_removed\":%lld}", ntok);
    rc = reg_audit(tx, cur.org_id, actor, AUDIT_ACTION_DELETE, "user", id, before, NULL, detail,
                   err);
    free(before);
    if (!rc && ntok > 0)
        rc = store_notify(tx, REG_CHANNEL_TOKENS, "*", err);
    return rc;
}

/* Public entry: any failure poisons tx, so it can only be rolled back. */
int reg_org_put(struct store_tx *tx, const struct reg_org *org, const char *actor,
                struct sluis_err *err)
{
    return store_tx_fail(tx, reg_org_put_impl(tx, org, actor, err));
}

/* Public entry: any failure poisons tx, so it can only be rolled back. */
int reg_user_put(struct store_tx *tx, const struct reg_user *user, const char *actor,
                 struct sluis_err *err)
{
    return store_tx_fail(tx, reg_user_put_impl(tx, user, actor, err));
}

/* Public entry: any failure poisons tx, so it can only be rolled back. */
int reg_user_delete(struct store_tx *tx, const char *id, const char *actor, struct sluis_err *err)
{
    return store_tx_fail(tx, reg_user_delete_impl(tx, id, actor, err));
}
