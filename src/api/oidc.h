/*
 * oidc.h - OpenID Connect bearer-token verification (src/api/oidc.c), public for every
 * subsystem that accepts user tokens (the register API, the gateway's X-Sluis-User-Token):
 * a JWKS file of RS256/ES256 keys, and the check of a compact JWS against it.
 */
#ifndef SLUIS_API_OIDC_H
#define SLUIS_API_OIDC_H

#include <stddef.h>

#include "core/err.h"

/* The loaded keys of one JWKS (opaque; immutable once loaded, so shareable between threads). */
struct oidc_keys;

/*
 * Loads the JWKS file at path ({"keys": [JWK, ...]}, RSA and EC P-256 keys with a "kid").
 * *out receives a new key set the caller frees with oidc_keys_free(); *out is NULL on error.
 * Errors: SLUIS_EINVAL (unreadable file, not JSON, no or too many keys, a key that does not
 * load; err says which), SLUIS_ENOMEM.
 */
int oidc_keys_load(const char *path, struct oidc_keys **out, struct sluis_err *err);

/* Frees a key set of oidc_keys_load(); NULL is fine. */
void oidc_keys_free(struct oidc_keys *k);

/*
 * Verifies the compact JWS jwt (RS256 or ES256, signed by a key of k) and its claims: iss equals
 * issuer, aud is or contains audience (audience NULL: not checked), exp > now and nbf <= now
 * (now in Unix seconds). On success the "sub" claim is copied into sub (sub_cap bytes, NUL
 * included) and 0 is returned; nothing is kept. Errors: SLUIS_ETOOBIG (token longer than the
 * cap), SLUIS_EINVAL (not a JWS, malformed, unsupported alg, no usable sub), SLUIS_EDENIED
 * (signature, issuer, audience or validity time wrong). Fail closed: any error means "no user".
 */
int oidc_jwt_verify(const struct oidc_keys *k, const char *jwt, const char *issuer,
                    const char *audience, long long now, char *sub, size_t sub_cap,
                    struct sluis_err *err);

#endif
