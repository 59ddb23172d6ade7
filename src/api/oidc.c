/* oidc.c - OIDC bearer tokens: a JWKS file of RS256/ES256 public keys and compact JWS
 * verification with OpenSSL (signature, alg, kid, iss, aud, exp, nbf). No network. */
#include "api/oidc.h"

#include "api/api_internal.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OIDC_MAX_KEYS 16
#define OIDC_MAX_JWT 8192
#define OIDC_MAX_JWKS (256 * 1024)

struct oidc_key {
    char kid[128];
    int alg; /* 1 RS256, 2 ES256 */
    EVP_PKEY *pkey;
};

struct oidc_keys {
    int n;
    struct oidc_key keys[OIDC_MAX_KEYS];
};

/* base64url (no padding, padding tolerated) -> bytes; returns length or -1. */
static long b64url_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
    unsigned v = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        int d;
        if (c >= 'A' && c <= 'Z')
            d = c - 'A';
        else if (c >= 'a' && c <= 'z')
            d = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            d = c - '0' + 52;
        else if (c == '-' || c == '+')
            d = 62;
        else if (c == '_' || c == '/')
            d = 63;
        else if (c == '=')
            break;
        else
            return -1;
        v = (v << 6) | (unsigned)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap)
                return -1;
            out[o++] = (unsigned char)((v >> bits) & 0xff);
        }
    }
    return (long)o;
}

static BIGNUM *b64_bn(const char *s)
{
    unsigned char buf[1024];
    if (!s)
        return NULL;
    long n = b64url_decode(s, strlen(s), buf, sizeof(buf));
    return n > 0 ? BN_bin2bn(buf, (int)n, NULL) : NULL;
}

static EVP_PKEY *rsa_key(const json_t *jwk)
{
    BIGNUM *n = b64_bn(json_string_value(json_object_get(jwk, "n")));
    BIGNUM *e = b64_bn(json_string_value(json_object_get(jwk, "e")));
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    if (!n || !e || !bld || BN_num_bits(n) < 2048)
        goto out;
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pkey = NULL;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return pkey;
}

static EVP_PKEY *ec_key(const json_t *jwk)
{
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    const char *xs = json_string_value(json_object_get(jwk, "x"));
    const char *ys = json_string_value(json_object_get(jwk, "y"));
    if (!crv || strcmp(crv, "P-256") || !xs || !ys)
        return NULL;
    unsigned char pub[65];
    pub[0] = 0x04;
    if (b64url_decode(xs, strlen(xs), pub + 1, 32) != 32 ||
        b64url_decode(ys, strlen(ys), pub + 33, 32) != 32)
        return NULL;
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)))
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pkey = NULL;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

void oidc_keys_free(struct oidc_keys *k)
{
    if (!k)
        return;
    for (int i = 0; i < k->n; i++)
        EVP_PKEY_free(k->keys[i].pkey);
    free(k);
}

int oidc_keys_load(const char *path, struct oidc_keys **out, struct sluis_err *err)
{
    *out = NULL;
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        return sluis_err_set(err, SLUIS_EINVAL, "JWKS %s: %s (line %d)", path, je.text, je.line);
    int rc = 0;
    struct oidc_keys *k = calloc(1, sizeof(*k));
    json_t *keys = json_object_get(doc, "keys");
    if (!k) {
        rc = sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
        goto out;
    }
    if (!json_is_array(keys) || json_array_size(keys) == 0 ||
        json_array_size(keys) > OIDC_MAX_KEYS) {
        rc = sluis_err_set(err, SLUIS_EINVAL, "JWKS %s: 'keys' must be a list of 1..%d keys", path,
                           OIDC_MAX_KEYS);
        goto out;
    }
    size_t i;
    json_t *jwk;
    json_array_foreach(keys, i, jwk)
    {
        const char *kty = json_string_value(json_object_get(jwk, "kty"));
        const char *kid = json_string_value(json_object_get(jwk, "kid"));
        struct oidc_key *key = &k->keys[k->n];
        snprintf(key->kid, sizeof(key->kid), "%s", kid ? kid : "");
        if (kty && !strcmp(kty, "RSA")) {
            key->alg = 1;
            key->pkey = rsa_key(jwk);
        } else if (kty && !strcmp(kty, "EC")) {
            key->alg = 2;
            key->pkey = ec_key(jwk);
        }
        if (!key->pkey) {
            rc = sluis_err_set(err, SLUIS_EINVAL,
                               "JWKS %s: key %zu is not a usable RSA (>= 2048 bit) or EC P-256 "
                               "public key",
                               path, i);
            goto out;
        }
        k->n++;
    }
    *out = k;
    k = NULL;
out:
    oidc_keys_free(k);
    json_decref(doc);
    return rc;
}

static json_t *b64_json(const char *s, size_t n)
{
    unsigned char buf[OIDC_MAX_JWT];
    long len = b64url_decode(s, n, buf, sizeof(buf));
    if (len <= 0)
        return NULL;
    return json_loadb((const char *)buf, (size_t)len, JSON_REJECT_DUPLICATES, NULL);
}

static int verify_sig(const struct oidc_key *key, const char *signed_part, size_t signed_len,
                      const unsigned char *sig, size_t sig_len)
{
    unsigned char der[128];
    const unsigned char *s = sig;
    size_t slen = sig_len;
    if (key->alg == 2) { /* JOSE r||s -> DER */
        if (sig_len != 64)
            return 0;
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(sig, 32, NULL), *ss = BN_bin2bn(sig + 32, 32, NULL);
        if (!es || !r || !ss || !ECDSA_SIG_set0(es, r, ss)) {
            BN_free(r);
            BN_free(ss);
            ECDSA_SIG_free(es);
            return 0;
        }
        unsigned char *p = der;
        int n = i2d_ECDSA_SIG(es, NULL);
        if (n <= 0 || (size_t)n > sizeof(der)) {
            ECDSA_SIG_free(es);
            return 0;
        }
        n = i2d_ECDSA_SIG(es, &p);
        ECDSA_SIG_free(es);
        s = der;
        slen = (size_t)n;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
             EVP_DigestVerify(md, s, slen, (const unsigned char *)signed_part, signed_len) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

static int aud_ok(const json_t *aud, const char *want)
{
    if (!want)
        return 1;
    if (json_is_string(aud))
        return !strcmp(json_string_value(aud), want);
    size_t i;
    json_t *v;
    json_array_foreach(aud, i, v)
    {
        if (json_is_string(v) && !strcmp(json_string_value(v), want))
            return 1;
    }
    return 0;
}

int oidc_jwt_verify(const struct oidc_keys *k, const char *jwt, const char *issuer,
                    const char *audience, long long now, char *sub, size_t sub_cap,
                    struct sluis_err *err)
{
    size_t n = strnlen(jwt, OIDC_MAX_JWT + 1);
    if (n > OIDC_MAX_JWT)
        return sluis_err_set(err, SLUIS_ETOOBIG, "token too long");
    const char *d1 = memchr(jwt, '.', n);
    const char *d2 = d1 ? memchr(d1 + 1, '.', n - (size_t)(d1 + 1 - jwt)) : NULL;
    if (!d1 || !d2 || memchr(d2 + 1, '.', n - (size_t)(d2 + 1 - jwt)))
        return sluis_err_set(err, SLUIS_EINVAL, "not a compact JWS");
    int rc = SLUIS_EINVAL;
    json_t *hdr = b64_json(jwt, (size_t)(d1 - jwt));
    json_t *claims = b64_json(d1 + 1, (size_t)(d2 - d1 - 1));
    unsigned char sig[1024];
    long sig_len = b64url_decode(d2 + 1, n - (size_t)(d2 + 1 - jwt), sig, sizeof(sig));
    if (!json_is_object(hdr) || !json_is_object(claims) || sig_len <= 0) {
        sluis_err_set(err, SLUIS_EINVAL, "malformed JWT");
        goto out;
    }
    const char *alg = json_string_value(json_object_get(hdr, "alg"));
    const char *kid = json_string_value(json_object_get(hdr, "kid"));
    int want = alg && !strcmp(alg, "RS256") ? 1 : alg && !strcmp(alg, "ES256") ? 2 : 0;
    if (!want) {
        sluis_err_set(err, SLUIS_EINVAL, "alg must be RS256 or ES256");
        goto out;
    }
    int verified = 0;
    for (int i = 0; i < k->n && !verified; i++) {
        if (k->keys[i].alg != want || (kid && k->keys[i].kid[0] && strcmp(kid, k->keys[i].kid)))
            continue;
        verified = verify_sig(&k->keys[i], jwt, (size_t)(d2 - jwt), sig, (size_t)sig_len);
    }
    if (!verified) {
        sluis_err_set(err, SLUIS_EDENIED, "signature does not verify");
        goto out;
    }
    const char *iss = json_string_value(json_object_get(claims, "iss"));
    const char *s = json_string_value(json_object_get(claims, "sub"));
    json_t *exp = json_object_get(claims, "exp");
    json_t *nbf = json_object_get(claims, "nbf");
    if (!iss || !issuer || strcmp(iss, issuer)) {
        sluis_err_set(err, SLUIS_EDENIED, "wrong issuer");
        goto out;
    }
    if (!aud_ok(json_object_get(claims, "aud"), audience)) {
        sluis_err_set(err, SLUIS_EDENIED, "wrong audience");
        goto out;
    }
    if (!json_is_integer(exp) || json_integer_value(exp) <= now) {
        sluis_err_set(err, SLUIS_EDENIED, "expired or no exp");
        goto out;
    }
    if (nbf && (!json_is_integer(nbf) || json_integer_value(nbf) > now + 60)) {
        sluis_err_set(err, SLUIS_EDENIED, "not yet valid");
        goto out;
    }
    if (!s || !*s || strlen(s) >= sub_cap) {
        sluis_err_set(err, SLUIS_EINVAL, "no usable sub claim");
        goto out;
    }
    snprintf(sub, sub_cap, "%s", s);
    rc = 0;
out:
    if (rc && err && err->code == 0)
        sluis_err_set(err, SLUIS_EINVAL, "invalid JWT");
    if (rc && err)
        rc = err->code;
    json_decref(hdr);
    json_decref(claims);
    return rc;
}
