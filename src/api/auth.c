/* auth.c - who is calling: API tokens (hashed in the store) or OIDC bearer JWTs. */
#include "api/api_internal.h"
#include "audit/audit.h"
#include "core/str_copy.h"

#include <openssl/crypto.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <time.h>

void api_principal_free(struct api_principal *who)
{
    if (who) {
        json_decref(who->roles_json);
        who->roles_json = NULL;
    }
}

static int principal_from_user(struct api_principal *who, const struct reg_user *u)
{
    sluis_str_copy(who->user_id, sizeof(who->user_id), u->id);
    sluis_str_copy(who->org_id, sizeof(who->org_id), u->org_id);
    sluis_str_copy(who->name, sizeof(who->name), u->name);
    sluis_str_copy(who->email, sizeof(who->email), u->email);
    who->roles_json = json_loads(u->roles[0] ? u->roles : "[]", 0, NULL);
    if (!json_is_array(who->roles_json)) {
        json_decref(who->roles_json);
        who->roles_json = json_array();
    }
    who->roles = 0;
    size_t i;
    json_t *v;
    json_array_foreach(who->roles_json, i, v)
    {
        if (json_is_string(v))
            who->roles |= api_role_bit(json_string_value(v));
    }
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void api_auth_invalidate(struct api *api)
{
    pthread_mutex_lock(&api->auth_mu);
    api->auth_epoch++;
    pthread_mutex_unlock(&api->auth_mu);
}

/* Cache hit: fills who and returns 1. */
static int cache_get(struct api *api, const char *key, struct api_principal *who)
{
    if (!api->auth_cache)
        return 0;
    unsigned slot = (unsigned)strtoul((char[3]){key[0], key[1], 0}, NULL, 16) % API_AUTH_CACHE;
    int hit = 0;
    struct reg_user u;
    char tid[REG_ID_CAP];
    pthread_mutex_lock(&api->auth_mu);
    struct auth_entry *e = &api->auth_cache[slot];
    if (!strcmp(e->key, key) && e->epoch == api->auth_epoch && e->expires_ms > now_ms()) {
        u = e->user;
        memcpy(tid, e->token_id, sizeof(tid));
        hit = 1;
    }
    pthread_mutex_unlock(&api->auth_mu);
    if (hit) {
        principal_from_user(who, &u);
        memcpy(who->token_id, tid, sizeof(who->token_id));
    }
    return hit;
}

static void cache_put(struct api *api, const char *key, unsigned epoch, const char *token_id,
                      const struct reg_user *u)
{
    if (!api->auth_cache)
        return;
    unsigned slot = (unsigned)strtoul((char[3]){key[0], key[1], 0}, NULL, 16) % API_AUTH_CACHE;
    pthread_mutex_lock(&api->auth_mu);
    if (epoch == api->auth_epoch) { /* nothing changed while we looked it up */
        struct auth_entry *e = &api->auth_cache[slot];
        memcpy(e->key, key, sizeof(e->key));
        e->expires_ms = now_ms() + API_AUTH_TTL_MS;
        e->epoch = epoch;
        snprintf(e->token_id, sizeof(e->token_id), "%s", token_id);
        e->user = *u;
    }
    pthread_mutex_unlock(&api->auth_mu);
}

static void unauthorized(struct http_resp *resp, const char *msg)
{
    http_resp_error(resp, 401, "unauthorized", NULL, msg);
    http_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"sluis\"");
}

int api_authenticate(struct api *api, struct http_req *req, struct http_resp *resp,
                     struct api_principal *who)
{
    memset(who, 0, sizeof(*who));
    const char *h = http_req_header(req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        unauthorized(resp, "inloggen vereist (Authorization: Bearer <token>) / authentication "
                           "required");
        return SLUIS_EDENIED;
    }
    const char *tok = h + 7;
    while (*tok == ' ')
        tok++;
    if (strlen(tok) > 8192) {
        unauthorized(resp, "ongeldig token / invalid token");
        return SLUIS_EDENIED;
    }
    struct sluis_err err;
    sluis_err_clear(&err);
    struct store_tx *tx = NULL;
    struct reg_user u;
    int rc;
    if (api->operator_sha[0]) {
        char sha[AUDIT_HASH_HEX];
        audit_hash_hex(tok, strlen(tok), sha);
        if (CRYPTO_memcmp(sha, api->operator_sha, 64) == 0) {
            who->operator= 1;
            snprintf(who->user_id, sizeof(who->user_id), "operator");
            who->roles_json = json_array();
            return 0;
        }
    }
    if (!strncmp(tok, "sluis_", 6)) {
        struct reg_token t;
        char key[AUDIT_HASH_HEX];
        audit_hash_hex(tok, strlen(tok), key);
        if (cache_get(api, key, who))
            return 0;
        pthread_mutex_lock(&api->auth_mu);
        unsigned epoch = api->auth_epoch;
        pthread_mutex_unlock(&api->auth_mu);
        rc = store_tx_begin(api->st, STORE_TX_READ, &tx, &err);
        if (rc)
            goto io;
        rc = reg_token_lookup(tx, tok, &t, &u, &err);
        store_tx_rollback(tx);
        tx = NULL;
        if (rc == SLUIS_ENOTFOUND || rc == SLUIS_EDENIED) {
            unauthorized(resp, rc == SLUIS_EDENIED ? "token ingetrokken / token revoked"
                                                   : "onbekend token / unknown token");
            return SLUIS_EDENIED;
        }
        if (rc)
            goto io;
        snprintf(who->token_id, sizeof(who->token_id), "%s", t.id);
        cache_put(api, key, epoch, t.id, &u);
        return principal_from_user(who, &u);
    }
    if (api->oidc && strchr(tok, '.')) {
        char sub[256];
        rc = oidc_jwt_verify(api->oidc, tok, api->oidc_issuer,
                             api->oidc_audience[0] ? api->oidc_audience : NULL,
                             (long long)time(NULL), sub, sizeof(sub), &err);
        if (rc) {
            char msg[700];
            snprintf(msg, sizeof(msg), "ongeldig OIDC-token / invalid OIDC token: %s", err.msg);
            unauthorized(resp, msg);
            return SLUIS_EDENIED;
        }
        rc = store_tx_begin(api->st, STORE_TX_READ, &tx, &err);
        if (rc)
            goto io;
        rc = reg_user_find_oidc(tx, sub, &u, &err);
        store_tx_rollback(tx);
        if (rc == SLUIS_ENOTFOUND) {
            unauthorized(resp,
                         "geen gebruiker voor dit OIDC-subject / no user for this OIDC subject");
            return SLUIS_EDENIED;
        }
        if (rc)
            goto io;
        return principal_from_user(who, &u);
    }
    unauthorized(resp, "onbekend token / unknown token");
    return SLUIS_EDENIED;
io:
    http_resp_error(resp, 503, "unavailable", NULL,
                    "opslag niet beschikbaar / storage unavailable");
    return SLUIS_EDENIED;
}
