/*
 * gw_identity.h - who the calling person is. An application names the user either in the
 * `X-Sluis-User` header (an assertion of the application, trusted because the application
 * holds a valid key) or, better, forwards the user's OIDC ID/access token in
 * `X-Sluis-User-Token: <JWT>` (the `Authorization` bearer carries the application's API key).
 * The token is verified with the register's OIDC code (src/api/oidc.c: RS256/ES256 against a
 * configured JWKS file, iss/aud/exp/nbf) and its "sub" claim is mapped to a register user by
 * the user's oidc_subject (held in the snapshot). When both headers are present, the token
 * wins and the header is ignored. A token that is present but does not verify, or whose
 * subject is no register user, refuses the request (fail closed): 401 `user_token_invalid`.
 */
#ifndef SLUIS_GATEWAY_GW_IDENTITY_H
#define SLUIS_GATEWAY_GW_IDENTITY_H

#include <stddef.h>

#include "core/err.h"
#include "gateway/gw_snapshot.h"

struct oidc_keys;

/* OIDC settings of the gateway; keys NULL = tokens are not accepted (refused when sent). */
struct gw_oidc {
    struct oidc_keys *keys;
    char issuer[256];
    char audience[256]; /* "" = aud not checked */
};

/*
 * Loads the JWKS file (jwks NULL or "" = OIDC off, o zeroed). issuer is required when jwks is
 * set. Returns 0, or SLUIS_EINVAL / SLUIS_ENOMEM with err filled. Free with gw_oidc_free().
 */
int gw_oidc_init(struct gw_oidc *o, const char *jwks, const char *issuer, const char *audience,
                 struct sluis_err *err);
void gw_oidc_free(struct gw_oidc *o);

/*
 * Resolves the calling user into user (cap bytes): from token when token is non-NULL (verified
 * at time now, seconds since the epoch; header_user is then ignored), else from header_user
 * (may be NULL: user becomes ""). Returns 0, or 1 when the token is refused: why (why_cap
 * bytes) then says why in English, without any token content.
 */
int gw_identity_resolve(const struct gw_oidc *o, const struct gw_snapshot *s,
                        const char *header_user, const char *token, long long now, char *user,
                        size_t cap, char *why, size_t why_cap);

#endif
