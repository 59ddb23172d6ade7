/* gw_identity.c - the calling user: X-Sluis-User, or a verified OIDC token (see gw_identity.h). */
#include "gateway/gw_identity.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/oidc.h"

int gw_oidc_init(struct gw_oidc *o, const char *jwks, const char *issuer, const char *audience,
                 struct sluis_err *err)
{
    memset(o, 0, sizeof(*o));
    if (!jwks || !*jwks)
        return 0;
    if (!issuer || !*issuer || strlen(issuer) >= sizeof(o->issuer))
        return sluis_err_set(err, SLUIS_EINVAL, "OIDC: an issuer is required with a JWKS file");
    if (audience && strlen(audience) >= sizeof(o->audience))
        return sluis_err_set(err, SLUIS_EINVAL, "OIDC: audience too long");
    snprintf(o->issuer, sizeof(o->issuer), "%s", issuer);
    snprintf(o->audience, sizeof(o->audience), "%s", audience ? audience : "");
    return oidc_keys_load(jwks, &o->keys, err);
}

void gw_oidc_free(struct gw_oidc *o)
{
    oidc_keys_free(o->keys);
    memset(o, 0, sizeof(*o));
}

int gw_identity_resolve(const struct gw_oidc *o, const struct gw_snapshot *s,
                        const char *header_user, const char *token, long long now, char *user,
                        size_t cap, char *why, size_t why_cap)
{
    user[0] = 0;
    why[0] = 0;
    if (!token) {
        if (header_user)
            snprintf(user, cap, "%s", header_user);
        return 0;
    }
    while (*token == ' ')
        token++;
    if (!strncasecmp(token, "Bearer ", 7))
        token += 7;
    if (!o || !o->keys) {
        snprintf(why, why_cap, "this gateway accepts no user tokens (no OIDC configured)");
        return 1;
    }
    char sub[256];
    struct sluis_err e = {0};
    if (oidc_jwt_verify(o->keys, token, o->issuer, o->audience[0] ? o->audience : NULL, now, sub,
                        sizeof(sub), &e) != 0) {
        snprintf(why, why_cap, "%s", e.msg[0] ? e.msg : "invalid token");
        return 1;
    }
    const char *id = s ? gw_snapshot_user_of_subject(s, sub) : NULL;
    if (!id) {
        snprintf(why, why_cap, "no register user has this OIDC subject");
        return 1;
    }
    snprintf(user, cap, "%s", id);
    return 0;
}
