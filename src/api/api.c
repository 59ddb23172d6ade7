/* api.c - the API object: set-up, route registration with authentication, bootstrap. */
#include "api/api_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/derive.h"

#include <openssl/crypto.h>

static struct route_ud *route_slot(struct api *api)
{
    if (api->n_routes >= API_MAX_ROUTE_UDS)
        return NULL;
    return &api->routes[api->n_routes++];
}

static int dispatch(struct http_req *req, struct http_resp *resp, void *ud)
{
    struct route_ud *r = ud;
    if (r->route->public_route)
        return r->route->fn(r->api, NULL, req, resp, r->route->arg);
    struct api_principal who;
    if (api_authenticate(r->api, req, resp, &who))
        return 0;
    if (who.operator&& !r->route->operator_route) {
        /* the operator holds no organisation: it never sees a tenant's data */
        http_resp_error(resp, 403, "forbidden", NULL,
                        "het beheerderstoken van de installatie maakt alleen organisaties aan / "
                        "the instance operator token only creates organisations");
        api_principal_free(&who);
        return 0;
    }
    int rc = r->route->fn(r->api, &who, req, resp, r->route->arg);
    api_principal_free(&who);
    return rc;
}

/* Keeps the SHA-256 of the operator token (config, $SLUIS_OPERATOR_TOKEN or the file named by
 * $SLUIS_OPERATOR_TOKEN_FILE). */
static int operator_init(struct api *api, const char *given, struct sluis_err *err)
{
    char buf[600] = "";
    const char *tok = given;
    if (!tok)
        tok = getenv("SLUIS_OPERATOR_TOKEN");
    if (!tok || !*tok) {
        const char *path = getenv("SLUIS_OPERATOR_TOKEN_FILE");
        if (!path || !*path)
            return 0;
        FILE *f = fopen(path, "r");
        if (!f)
            return sluis_err_set(err, SLUIS_EIO, "cannot read operator token file %s", path);
        if (!fgets(buf, sizeof(buf), f))
            buf[0] = '\0';
        fclose(f);
        buf[strcspn(buf, "\r\n")] = '\0';
        tok = buf;
    }
    size_t n = strlen(tok);
    if (n < 32 || n > 512)
        return sluis_err_set(err, SLUIS_EINVAL,
                             "operator token: 32..512 bytes (e.g. openssl rand -hex 32)");
    audit_hash_hex(tok, n, api->operator_sha);
    OPENSSL_cleanse(buf, sizeof(buf));
    return 0;
}

int api_new(struct api **out, const struct api_config *cfg, struct sluis_err *err)
{
    *out = NULL;
    struct api *api = calloc(1, sizeof(*api));
    if (!api)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    api->st = cfg->store;
    pthread_mutex_init(&api->pol_mu, NULL);
    pthread_mutex_init(&api->auth_mu, NULL);
    api->auth_cache = calloc(API_AUTH_CACHE, sizeof(*api->auth_cache));
    int rc;
    if (cfg->today) {
        if (!derive_date_valid(cfg->today)) {
            rc = sluis_err_set(err, SLUIS_EINVAL, "bad --today date %s", cfg->today);
            goto fail;
        }
        snprintf(api->today, sizeof(api->today), "%s", cfg->today);
    }
    rc = operator_init(api, cfg->operator_token, err);
    if (rc)
        goto fail;
    rc = api_policy_init(api, cfg->policy_file, err);
    if (rc)
        goto fail;
    if (cfg->oidc_jwks) {
        if (!cfg->oidc_issuer || !*cfg->oidc_issuer) {
            rc = sluis_err_set(err, SLUIS_EINVAL, "--oidc-issuer is required with --oidc-jwks");
            goto fail;
        }
        rc = oidc_keys_load(cfg->oidc_jwks, &api->oidc, err);
        if (rc)
            goto fail;
        snprintf(api->oidc_issuer, sizeof(api->oidc_issuer), "%s", cfg->oidc_issuer);
        snprintf(api->oidc_audience, sizeof(api->oidc_audience), "%s",
                 cfg->oidc_audience ? cfg->oidc_audience : "");
    }
    *out = api;
    return 0;
fail:
    api_free(api);
    return rc;
}

void api_free(struct api *api)
{
    if (!api)
        return;
    api_policy_fini(api);
    oidc_keys_free(api->oidc);
    pthread_mutex_destroy(&api->pol_mu);
    pthread_mutex_destroy(&api->auth_mu);
    free(api->auth_cache);
    free(api);
}

const char *api_policy_version(const struct api *api)
{
    return api->current.version;
}

int api_routes_register(struct api *api, struct http_server *srv, struct sluis_err *err)
{
    const struct api_route *tables[] = {api_routes_misc,     api_routes_users,    api_routes_apps,
                                        api_routes_objects,  api_routes_literacy, api_routes_orgs,
                                        api_routes_policies, api_routes_check};
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (const struct api_route *r = tables[t]; r->method; r++) {
            struct route_ud *ud = route_slot(api);
            if (!ud)
                return sluis_err_set(err, SLUIS_ETOOBIG, "too many routes");
            ud->api = api;
            ud->route = r;
            int rc = http_server_route(srv, r->method, r->pattern, dispatch, ud);
            if (rc)
                return sluis_err_set(err, rc, "cannot add route %s %s", r->method, r->pattern);
        }
    }
    return 0;
}

struct any_user {
    int found;
};

static int any_cb(void *ud, const struct reg_user *u)
{
    (void)u;
    ((struct any_user *)ud)->found = 1;
    return 1;
}

struct boot {
    const char *org_id, *org_name;
    char *token;
    int created;
};

static int boot_tx(struct store_tx *tx, void *ud, struct sluis_err *err)
{
    struct boot *b = ud;
    struct any_user a = {0};
    int rc = reg_user_list(tx, NULL, any_cb, &a, err);
    if (rc < 0)
        return rc;
    if (a.found)
        return 0;
    struct reg_org org;
    memset(&org, 0, sizeof(org));
    snprintf(org.id, sizeof(org.id), "%s", b->org_id);
    snprintf(org.name, sizeof(org.name), "%s", b->org_name);
    snprintf(org.layer, sizeof(org.layer), "other");
    rc = reg_org_put(tx, &org, "system", err);
    if (rc)
        return rc;
    struct reg_user u;
    memset(&u, 0, sizeof(u));
    snprintf(u.id, sizeof(u.id), "admin");
    snprintf(u.org_id, sizeof(u.org_id), "%s", b->org_id);
    snprintf(u.name, sizeof(u.name), "Beheerder / Administrator");
    snprintf(u.roles, sizeof(u.roles), "[\"admin\"]");
    rc = reg_user_put(tx, &u, "system", err);
    if (rc)
        return rc;
    rc = reg_token_create(tx, "admin", "system", b->token, NULL, err);
    if (rc)
        return rc;
    b->created = 1;
    return 0;
}

int api_bootstrap_admin(struct store *st, const char *org_id, const char *org_name,
                        char token_out[80], int *created, struct sluis_err *err)
{
    char tok[REG_TOKEN_CAP] = "";
    struct boot b = {.org_id = org_id, .org_name = org_name, .token = tok};
    *created = 0;
    token_out[0] = '\0';
    int rc = store_tx_run(st, STORE_TX_WRITE, boot_tx, &b, err);
    if (rc)
        return rc;
    *created = b.created;
    snprintf(token_out, 80, "%s", tok);
    return 0;
}
