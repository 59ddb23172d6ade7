/*
 * derive_hash.c - canonical SHA-256 over the material fields of a dossier (standpunt 6: a
 * material change invalidates a decision).
 *
 * Canonical form: the JSON object {"<material path>": <value>, ...} holding each material path
 * that is present, serialised by jansson with sorted keys, no whitespace and UTF-8 as is
 * (JSON_COMPACT | JSON_SORT_KEYS; dossiers hold no reals), prefixed by "sluis-material/1\n".
 */
#include "core/derive.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "core/dossier.h"

static const char hash_prefix[] = "sluis-material/1\n";

int dossier_material_hash(const json_t *dossier, const struct derive_params *p, char out[65])
{
    struct derive_params dflt;
    json_t *canon;
    char *text = NULL;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = NULL;
    int rc = SLUIS_ENOMEM;

    out[0] = '\0';
    if (!p) {
        derive_params_default(&dflt);
        p = &dflt;
    }
    if (p->n_material < 0 || p->n_material > DERIVE_MATERIAL_MAX)
        return SLUIS_EINVAL;
    canon = json_object();
    if (!canon)
        return SLUIS_ENOMEM;
    for (int i = 0; i < p->n_material; i++) {
        char path[DERIVE_PATH_MAX];
        json_t *v;
        memcpy(path, p->material[i], DERIVE_PATH_MAX);
        path[DERIVE_PATH_MAX - 1] = '\0';
        v = dossier_get_path(dossier, path);
        if (v && json_object_set(canon, path, v) < 0)
            goto out;
    }
    text = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text)
        goto out;
    ctx = EVP_MD_CTX_new();
    rc = SLUIS_EINTERNAL;
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, hash_prefix, sizeof(hash_prefix) - 1) != 1 ||
        EVP_DigestUpdate(ctx, text, strlen(text)) != 1 ||
        EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen != 32)
        goto out;
    for (unsigned int i = 0; i < mdlen; i++) {
        static const char hex[] = "0123456789abcdef";
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    free(text);
    json_decref(canon);
    return rc;
}
