/* fuzz-libs: sluis_api */
/*
 * fuzz_api_body.c - request bodies of the register API: the strict JSON parse, the API's own
 * body schemas (api_schema_check) and the dossier-part checks (agreements, models,
 * assessments, advice, decision) on arbitrary JSON. Errors must name a field path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"

static const char *const e_lvl[] = {"bewust", "bekwaam", "vloeiend", "expert", NULL};
static const struct api_field fields[] = {
    {"id", AF_SLUG, 1, 0, NULL},     {"name", AF_STR, 1, 200, NULL},
    {"notes", AF_TEXT, 0, 0, NULL},  {"n", AF_INT, 0, 1000, NULL},
    {"ok", AF_BOOL, 0, 0, NULL},     {"date", AF_DATE, 0, 0, NULL},
    {"level", AF_ENUM, 0, 0, e_lvl}, {"roles", AF_STRLIST, 0, 0, NULL},
    {NULL, AF_ANY, 0, 0, NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t je;
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return 0;
    struct sluis_err err;
    sluis_err_clear(&err);
    if (api_schema_check(j, fields, &err) && err.path[0] != '/')
        abort();
    static const char *const parts[] = {"agreements", "models", "assessments", "advice",
                                        "decision"};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        sluis_err_clear(&err);
        if (api_dossier_part_check(j, parts[i], &err) && !err.msg[0])
            abort();
    }
    unsigned bits;
    char bad[64];
    api_roles_parse(json_object_get(j, "roles"), &bits, bad, sizeof(bad));
    json_decref(j);
    return 0;
}
