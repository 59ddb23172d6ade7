/* fuzz-libs: sluis_web sluis_core */
/* fuzz_web_asset.c - web_asset_lookup() on arbitrary request paths: never crashes, and what
 * it returns is either a refusal or an embedded file with a known content type. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web/assets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned char *out = NULL;
    const char *ct = NULL;
    size_t len = 0;
    char *path;

    if (size > 4096)
        return 0;
    path = malloc(size + 1);
    if (!path)
        return 0;
    memcpy(path, data, size);
    path[size] = '\0';
    if (web_asset_lookup(path, &out, &len, &ct) == 0) {
        if (!out || !ct)
            abort();
        /* Touch both ends and the terminating NUL so ASan checks the bounds. */
        volatile unsigned char sink = out[len];
        if (len > 0)
            sink = (unsigned char)(out[0] ^ out[len - 1]);
        (void)sink;
    }
    (void)web_asset_content_type(path);
    free(path);
    return 0;
}
