/* fuzz-libs: sluis_api */
/*
 * fuzz_api_jwt.c - OIDC bearer tokens: arbitrary input as a compact JWS against a fixed JWKS
 * (one RSA-free EC P-256 key). Must never crash and never accept (no valid signature can be
 * produced without the private key).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_internal.h"

static struct oidc_keys *keys;

static void init(void)
{
    char path[] = "/tmp/sluis-fuzz-jwks-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    static const char jwks[] = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\","
                               "\"x\":\"Te9KVu__NfbcR_l_wVHPenF-cOXjugd_ZNnl-FL6Q38\","
                               "\"y\":\"KY5jSXrsLzUjs0D-3hyD1zSgWVLrIGAq8Z-B7gEaTFg\"}]}";
    if (write(fd, jwks, sizeof(jwks) - 1) != (ssize_t)(sizeof(jwks) - 1))
        abort();
    close(fd);
    struct sluis_err err;
    if (oidc_keys_load(path, &keys, &err))
        abort();
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!keys)
        init();
    char *tok = malloc(size + 1);
    if (!tok)
        return 0;
    memcpy(tok, data, size);
    tok[size] = '\0';
    char sub[128];
    struct sluis_err err;
    sluis_err_clear(&err);
    if (oidc_jwt_verify(keys, tok, "https://iss", NULL, 1700000000LL, sub, sizeof(sub), &err) == 0)
        abort(); /* forged acceptance */
    free(tok);
    return 0;
}
