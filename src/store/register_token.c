/* register_token.c - API tokens: random secrets of which only the SHA-256 is stored. */
#include "store/register_internal.h"
#include "store/store_internal.h"

#include "audit/audit.h"
#include "store/auditlog.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_PREFIX "sluis_"
#define TOK_COLS "t.id, t.user_id, t.created_at, t.revoked_at, t.last_used_at"

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* 1 when token has the exact shape "sluis_" + 64 lower-case hex. */
static int token_shape_ok(const char *token)
{
    size_t pl = strlen(TOKEN_PREFIX);

    if (!token || strncmp(token, TOKEN_PREFIX, pl) != 0 || strlen(token) != pl + 64)
        return 0;
    for (size_t i = pl; i < pl + 64; i++)
        if (!((token[i] >= '0' && token[i] <= '9') || (token[i] >= 'a' && token[i] <= 'f')))
            return 0;
    return 1;
}

static int tok_decode(int ncols, const char *const *v, struct reg_token *t)
{
    if (ncols < 5)
        return SLUIS_EINTERNAL;
    memset(t, 0, sizeof(*t));
    reg_copy(t->id, sizeof(t->id), v[0]);
    reg_copy(t->user_id, sizeof(t->user_id), v[1]);
    reg_copy(t->created_at, sizeof(t->created_at), v[2]);
    reg_copy(t->revoked_at, sizeof(t->revoked_at), v[3]);
    reg_copy(t->last_used_at, sizeof(t->last_used_at), v[4]);
    return 0;
}

/* The audited content of a token record (never the secret or its hash). */
static void tok_json(const struct reg_token *t, char *buf, size_t cap)
{
    snprintf(buf, cap, "{\"id\":\"%s\",\"revoked_at\":\"%s\",\"user_id\":\"%s\"}", t->id,
             t->revoked_at, t->user_id);
}

static int reg_token_create_impl(struct store_tx *tx, const char *user_id, const char *actor,
                                 char token_out[REG_TOKEN_CAP], struct reg_token *tok,
                                 struct sluis_err *err)
{
    struct reg_user user;
    struct reg_token t;
    unsigned char rnd[40];
    char secret[REG_TOKEN_CAP], hash[AUDIT_HASH_HEX], after[512], detail[200];
    int rc;

    token_out[0] = '\0';
    if ((rc = reg_text_check("actor", actor, REG_ID_CAP, err)))
        return rc;
    if ((rc = store_audit_lock(tx, err)))
        return rc;
    if ((rc = reg_user_get(tx, user_id, &user, err)))
        return rc;
    if (RAND_bytes(rnd, sizeof(rnd)) != 1)
        return sluis_err_set(err, SLUIS_EINTERNAL, "no random bytes for a token");
    memset(&t, 0, sizeof(t));
    memcpy(t.id, "tok_", 4);
    hex_encode(rnd, 8, t.id + 4);
    memcpy(secret, TOKEN_PREFIX, strlen(TOKEN_PREFIX));
    hex_encode(rnd + 8, 32, secret + strlen(TOKEN_PREFIX));
    audit_hash_hex(secret, strlen(secret), hash);
    reg_copy(t.user_id, sizeof(t.user_id), user_id);
    store_now(t.created_at, sizeof(t.created_at));
    {
        const char *p[4] = {t.id, t.user_id, hash, t.created_at};
        rc = store_exec(tx,
                        "INSERT INTO api_tokens (id, user_id, token_hash, created_at) "
                        "VALUES ($1, $2, $3, $4)",
                        4, p, NULL, err);
    }
    if (rc)
        return rc;
    tok_json(&t, after, sizeof(after));
    snprintf(detail, sizeof(detail), "{\"user_id\":\"%s\"}", user_id);
    rc = reg_audit(tx, user.org_id, actor, AUDIT_ACTION_CREATE, "api_token", t.id, NULL, after,
                   detail, err);
    if (rc)
        return rc;
    memcpy(token_out, secret, strlen(secret) + 1);
    if (tok)
        *tok = t;
    return 0;
}

struct lookup_ctx {
    struct reg_token tok;
    struct reg_user user;
    int found;
};

static int lookup_row(void *ud, int ncols, const char *const *v, const char *const *names)
{
    struct lookup_ctx *c = ud;
    int rc;

    (void)names;
    if (ncols != 12)
        return SLUIS_EINTERNAL;
    rc = tok_decode(5, v, &c->tok);
    if (rc)
        return rc;
    memset(&c->user, 0, sizeof(c->user));
    reg_copy(c->user.id, sizeof(c->user.id), v[5]);
    reg_copy(c->user.org_id, sizeof(c->user.org_id), v[6]);
    reg_copy(c->user.name, sizeof(c->user.name), v[7]);
    reg_copy(c->user.email, sizeof(c->user.email), v[8]);
    reg_copy(c->user.roles, sizeof(c->user.roles), v[9]);
    reg_copy(c->user.oidc_subject, sizeof(c->user.oidc_subject), v[10]);
    reg_copy(c->user.created_at, sizeof(c->user.created_at), v[11]);
    c->found = 1;
    return 0;
}

int reg_token_lookup(struct store_tx *tx, const char *token, struct reg_token *tok,
                     struct reg_user *user, struct sluis_err *err)
{
    struct lookup_ctx c;
    char hash[AUDIT_HASH_HEX];
    const char *p[1] = {hash};
    int rc;

    memset(&c, 0, sizeof(c));
    if (tok)
        memset(tok, 0, sizeof(*tok));
    if (user)
        memset(user, 0, sizeof(*user));
    if (!token_shape_ok(token))
        return sluis_err_set(err, SLUIS_ENOTFOUND, "unknown token");
    audit_hash_hex(token, strlen(token), hash);
    rc = store_query(tx,
                     "SELECT " TOK_COLS ", u.id, u.org_id, u.name, u.email, u.roles, "
                     "u.oidc_subject, u.created_at FROM api_tokens t JOIN users u "
                     "ON u.id = t.user_id WHERE t.token_hash = $1",
                     1, p, lookup_row, &c, err);
    if (rc)
        return rc;
    if (!c.found)
        return sluis_err_set(err, SLUIS_ENOTFOUND, "unknown token");
    if (tok)
        *tok = c.tok;
    if (user)
        *user = c.user;
    if (c.tok.revoked_at[0])
        return sluis_err_set(err, SLUIS_EDENIED, "token revoked");
    return 0;
}

static int reg_token_touch_impl(struct store_tx *tx, const char *token_id, struct sluis_err *err)
{
    char now[40];
    const char *p[2] = {token_id, now};
    long long changes = 0;
    int rc;

    if ((rc = reg_id_check("token id", token_id, err)))
        return rc;
    store_now(now, sizeof(now));
    rc = store_exec(tx, "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", 2, p, &changes,
                    err);
    if (!rc && changes != 1)
        return sluis_err_set(err, SLUIS_ENOTFOUND, "token '%s' not found", token_id);
    return rc;
}

struct tok_ctx {
    struct reg_token *one;
    char org_id[REG_ID_CAP];
    int found;
    reg_token_cb cb;
    void *ud;
};

static int tok_row(void *ud, int ncols, const char *const *vals, const char *const *names)
{
    struct tok_ctx *c = ud;
    struct reg_token t;
    int rc;

    (void)names;
    rc = tok_decode(ncols, vals, &t);
    if (rc)
        return rc;
    c->found = 1;
    if (c->one) {
        *c->one = t;
        if (ncols >= 6)
            reg_copy(c->org_id, sizeof(c->org_id), vals[5]);
        return 0;
    }
    return c->cb(c->ud, &t);
}

static int reg_token_revoke_impl(struct store_tx *tx, const char *token_id, const char *actor,
                                 struct sluis_err *err)
{
    struct reg_token t;
    struct tok_ctx c = {&t, "", 0, NULL, NULL};
    char before[512], after[512];
    const char *p[2] = {token_id, NULL};
    int rc;

    if ((rc = reg_id_check("token id", token_id, err)) ||
        (rc = reg_text_check("actor", actor, REG_ID_CAP, err)))
        return rc;
    if ((rc = store_audit_lock(tx, err)))
        return rc;
    rc = store_query(tx,
                     "SELECT " TOK_COLS ", u.org_id FROM api_tokens t JOIN users u "
                     "ON u.id = t.user_id WHERE t.id = $1",
                     1, p, tok_row, &c, err);
    if (rc)
        return rc;
    if (!c.found)
        return sluis_err_set(err, SLUIS_ENOTFOUND, "token '%s' not found", token_id);
    if (t.revoked_at[0])
        return 0;
    tok_json(&t, before, sizeof(before));
    store_now(t.revoked_at, sizeof(t.revoked_at));
    p[1] = t.revoked_at;
    rc = store_exec(tx, "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1", 2, p, NULL, err);
    if (rc)
        return rc;
    tok_json(&t, after, sizeof(after));
    rc = reg_audit(tx, c.org_id, actor, "revoke", "api_token", token_id, before, after, NULL, err);
    if (!rc)
        rc = store_notify(tx, REG_CHANNEL_TOKENS, token_id, err);
    return rc;
}

int reg_token_list(struct store_tx *tx, const char *user_id, reg_token_cb cb, void *ud,
                   struct sluis_err *err)
{
    struct tok_ctx c = {NULL, "", 0, cb, ud};
    const char *p[1] = {user_id};

    if (user_id && user_id[0])
        return store_query(tx,
                           "SELECT " TOK_COLS " FROM api_tokens t WHERE t.user_id = $1 "
                           "ORDER BY t.id",
                           1, p, tok_row, &c, err);
    return store_query(tx, "SELECT " TOK_COLS " FROM api_tokens t ORDER BY t.id", 0, NULL, tok_row,
                       &c, err);
}

/* Public entry: any failure poisons tx, so it can only be rolled back. */
int reg_token_create(struct store_tx *tx, const char *user_id, const char *actor,
                     char token_out[REG_TOKEN_CAP], struct reg_token *tok, struct sluis_err *err)
{
    return store_tx_fail(tx, reg_token_create_impl(tx, user_id, actor, token_out, tok, err));
}

/* Public entry: any failure poisons tx, so it can only be rolled back. */
int reg_token_revoke(struct store_tx *tx, const char *token_id, const char *actor,
                     struct sluis_err *err)
{
    return store_tx_fail(tx, reg_token_revoke_impl(tx, token_id, actor, err));
}

/* Public entry: any failure poisons tx, so it can only be rolled back. */
int reg_token_touch(struct store_tx *tx, const char *token_id, struct sluis_err *err)
{
    return store_tx_fail(tx, reg_token_touch_impl(tx, token_id, err));
}
