/* audit_checkpoint.c - Ed25519-signed checkpoints of the audit chain head (OpenSSL 3 EVP). */
#include "audit/audit.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

#define CP_MSG_CAP 256

static int cp_message(const struct audit_checkpoint *cp, char *buf, size_t cap)
{
    int n =
        snprintf(buf, cap, "sluis-audit-checkpoint:v1\n%lld\n%s\n%s", cp->seq, cp->head, cp->ts);

    return n > 0 && (size_t)n < cap ? n : -1;
}

static void hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int unhex(const char *s, unsigned char *out, size_t n)
{
    if (strlen(s) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        for (int j = 0; j < 2; j++) {
            char c = s[2 * i + (size_t)j];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= c - '0';
            else if (c >= 'a' && c <= 'f')
                v |= c - 'a' + 10;
            else
                return -1;
        }
        out[i] = (unsigned char)v;
    }
    return 0;
}

/* key_id of an Ed25519 key: first 16 hex of SHA-256 of the raw public key. */
static int key_id(EVP_PKEY *pk, char out[17])
{
    unsigned char raw[32];
    size_t len = sizeof(raw);
    char h[AUDIT_HASH_HEX];

    if (EVP_PKEY_get_raw_public_key(pk, raw, &len) != 1 || len != 32)
        return -1;
    audit_hash_hex(raw, len, h);
    memcpy(out, h, 16);
    out[16] = '\0';
    return 0;
}

static EVP_PKEY *load_key(const char *path, int private_key, struct sluis_err *err)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *pk;

    if (!f) {
        sluis_err_set(err, SLUIS_EIO, "cannot read key file '%s'", path);
        return NULL;
    }
    pk = private_key ? PEM_read_PrivateKey(f, NULL, NULL, NULL)
                     : PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    if (!pk || EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(pk);
        sluis_err_set(err, SLUIS_EINVAL, "'%s' is not an Ed25519 %s key in PEM", path,
                      private_key ? "private" : "public");
        return NULL;
    }
    return pk;
}

int audit_checkpoint_sign(const char *key_path, struct audit_checkpoint *cp, struct sluis_err *err)
{
    char msg[CP_MSG_CAP];
    unsigned char sig[64];
    size_t siglen = sizeof(sig);
    EVP_MD_CTX *ctx = NULL;
    EVP_PKEY *pk;
    int n, rc = 0;

    n = cp_message(cp, msg, sizeof(msg));
    if (n < 0)
        return sluis_err_set(err, SLUIS_EINVAL, "checkpoint fields too long");
    pk = load_key(key_path, 1, err);
    if (!pk)
        return err ? err->code : SLUIS_EINVAL;
    ctx = EVP_MD_CTX_new();
    if (!ctx || key_id(pk, cp->key_id) || EVP_DigestSignInit(ctx, NULL, NULL, NULL, pk) != 1 ||
        EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)msg, (size_t)n) != 1 ||
        siglen != 64) {
        rc = sluis_err_set(err, SLUIS_EINTERNAL, "signing the checkpoint failed");
        goto out;
    }
    hex(sig, 64, cp->sig);
out:
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return rc;
}

int audit_checkpoint_check(const char *pubkey_path, const struct audit_checkpoint *cp,
                           struct sluis_err *err)
{
    char msg[CP_MSG_CAP], kid[17];
    unsigned char sig[64];
    EVP_MD_CTX *ctx = NULL;
    EVP_PKEY *pk;
    int n, rc = 0;

    n = cp_message(cp, msg, sizeof(msg));
    if (n < 0 || unhex(cp->sig, sig, sizeof(sig)))
        return sluis_err_set(err, SLUIS_EDENIED, "checkpoint at %lld: malformed", cp->seq);
    pk = load_key(pubkey_path, 0, err);
    if (!pk)
        return err ? err->code : SLUIS_EINVAL;
    if (key_id(pk, kid) || strcmp(kid, cp->key_id) != 0) {
        rc = sluis_err_set(err, SLUIS_EDENIED, "checkpoint at %lld: signed by key %s, not %s",
                           cp->seq, cp->key_id, kid);
        goto out;
    }
    ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) != 1 ||
        EVP_DigestVerify(ctx, sig, sizeof(sig), (const unsigned char *)msg, (size_t)n) != 1)
        rc = sluis_err_set(err, SLUIS_EDENIED, "checkpoint at %lld: bad signature", cp->seq);
out:
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return rc;
}
