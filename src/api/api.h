/*
 * api.h - the register's REST API under /api/v1 (docs/api.md, src/api/openapi.json): routes,
 * authentication (API tokens, optional OIDC bearer JWTs), tenant isolation, roles, the
 * application workflow and verdicts computed by the core library when asked.
 */
#ifndef SLUIS_API_API_H
#define SLUIS_API_API_H

#include <stddef.h>

#include "core/err.h"
#include "http/http.h"
#include "store/store.h"

struct api;

struct api_config {
    struct store *store;       /* borrowed; must outlive the api */
    const char *policy_file;   /* the current policy (YAML); NULL = default search (below) */
    const char *oidc_jwks;     /* JWKS file (RS256/ES256 keys); NULL = OIDC off */
    const char *oidc_issuer;   /* required "iss" when OIDC is on */
    const char *oidc_audience; /* required "aud" when set */
    const char *today;         /* fixed "YYYY-MM-DD" evaluation date for tests; NULL = UTC today */
    /* The instance operator's token (32..512 bytes), who alone may create organisations
     * (POST /api/v1/organisations); NULL = $SLUIS_OPERATOR_TOKEN, else the first line of the
     * file $SLUIS_OPERATOR_TOKEN_FILE, else no operator. Only its SHA-256 is kept. */
    const char *operator_token;
};

/*
 * Creates the API: loads the current policy (cfg->policy_file, else $SLUIS_POLICY_DIR/
 * standpunt-2025.yaml, else SLUIS_SOURCE_DIR/policy/standpunt-2025.yaml) and records it as a
 * policy_version object when new; loads the OIDC keys. *out is freed with api_free().
 * Errors: SLUIS_EINVAL/EIO (policy or JWKS unreadable or invalid, operator token too short or
 * unreadable; err says which), ENOMEM.
 */
int api_new(struct api **out, const struct api_config *cfg, struct sluis_err *err);

/* Registers every /api/v1 route on srv (before http_server_start). Returns 0 or SLUIS_E*. */
int api_routes_register(struct api *api, struct http_server *srv, struct sluis_err *err);

/* Frees the api (after the server stopped). NULL is fine. */
void api_free(struct api *api);

/* The version string of the current policy set (borrowed). */
const char *api_policy_version(const struct api *api);

/*
 * Bootstrap for an empty register: when no user exists, creates organisation org_id
 * (name org_name) with an admin user "admin" and writes a new API token into token_out
 * (*created = 1). Otherwise does nothing (*created = 0). Errors: SLUIS_EIO and friends.
 */
int api_bootstrap_admin(struct store *st, const char *org_id, const char *org_name,
                        char token_out[80], int *created, struct sluis_err *err);

/*
 * Creates organisation id (name, layer: rijk|gemeente|provincie|waterschap|zbo|other) with its
 * first user admin_id (role admin) and writes that user's new API token into token_out (shown
 * once, stored as a hash). One audited transaction by actor ("operator" for the API, "cli" for
 * `sluis org create`). This is the instance operator's step: organisation admins cannot do it.
 * Errors: SLUIS_EINVAL (err->path names the field: /id, /name, /layer, /admin/id, /admin/name,
 * /admin/email), SLUIS_ECONFLICT (organisation or user id taken, or "system"), SLUIS_EIO.
 */
int api_org_create(struct store *st, const char *id, const char *name, const char *layer,
                   const char *admin_id, const char *admin_name, const char *admin_email,
                   const char *actor, char token_out[80], struct sluis_err *err);

/*
 * The policy set the register judges organisation org's applications by, for other subsystems
 * (the gateway): the base policy (base_src, base_len bytes, named base_name in errors), then the
 * organisation's active policy file and its role-matrix override (docs/api.md, "Organisations
 * and their own policy"). Reads in tx. *out is a new set the caller frees with
 * policy_set_free(), or NULL when the organisation has neither (then the base set applies);
 * version (may be NULL with cap 0) gets its version string, as the register's verdicts show it.
 * Errors: SLUIS_EINVAL (a stored file no longer loads on this base; err has file:line:column),
 * SLUIS_ENOMEM, SLUIS_EIO.
 */
#define API_ORG_POLICY_KIND "org_policy" /* register object kind of organisation policy files */
struct policy_set;
int api_org_policy_set_load(struct store_tx *tx, const char *org, const char *base_src,
                            size_t base_len, const char *base_name, struct policy_set **out,
                            char *version, size_t version_cap, struct sluis_err *err);

/*
 * The embedded OpenAPI 3.1 document (src/api/openapi.json), NUL-terminated, static.
 */
const char *api_openapi_json(size_t *len);

#endif
