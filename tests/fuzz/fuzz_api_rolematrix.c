/* fuzz-libs: sluis_api */
/*
 * fuzz_api_rolematrix.c - an organisation's role-matrix override (PUT /organisations/{id}):
 * the shape check, the generated organisation policy file loaded by the core on top of the
 * shipped base policy, and the role-position scan used for upload errors, on arbitrary input.
 * A condition must never change the generated file's structure: when the file loads, every
 * overridden role carries exactly the condition given. Seeds: tests/fuzz/corpus/api_rolematrix/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"

static struct policy_set *base;
static char *base_src;
static size_t base_len;

static void load_base(void)
{
    if (base_src)
        return;
    const char *path = SLUIS_SOURCE_DIR "/policy/standpunt-2025.yaml";
    FILE *f = fopen(path, "rb");
    if (!f)
        abort();
    base_src = malloc(POLICY_MAX_FILE_BYTES + 1);
    if (!base_src)
        abort();
    base_len = fread(base_src, 1, POLICY_MAX_FILE_BYTES, f);
    base_src[base_len] = '\0';
    fclose(f);
    struct sluis_err err;
    if (policy_set_load_buffer(&base, base_src, base_len, "base", &err))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_base();
    /* the role-position scan over the raw bytes as text */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    int line = 0, col = 0;
    api_policy_role_position(text, "jurist", &line, &col);
    if (line < 0 || col < 0 || (size_t)col > size + 1)
        abort();
    free(text);

    json_error_t je;
    json_t *m = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
    if (!m)
        return 0;
    struct sluis_err err;
    sluis_err_clear(&err);
    if (api_role_matrix_shape(m, &err)) {
        if (strncmp(err.path, "/role_matrix", 12))
            abort();
        json_decref(m);
        return 0;
    }
    json_t *only = json_object();
    const char *k;
    json_t *v;
    if (json_is_object(m))
        json_object_foreach(m, k, v) if (json_is_string(v)) json_object_set(only, k, v);
    char *src = NULL, ver[13];
    const char *order[8];
    size_t n_order = 0;
    if (json_object_size(only) &&
        !api_role_matrix_source("standpunt-2025", base, only, "2026-01-15", &src, ver, order,
                                &n_order, &err)) {
        if (n_order != json_object_size(only))
            abort();
        const char *bufs[2] = {base_src, src};
        size_t lens[2] = {base_len, strlen(src)};
        const char *names[2] = {"base", API_ROLE_MATRIX_ID};
        struct policy_set *ps = NULL;
        sluis_err_clear(&err);
        if (policy_set_load_buffers(&ps, bufs, lens, names, 2, &err) == 0) {
            json_t *pj = policy_set_to_json(ps);
            size_t i;
            json_t *r;
            size_t seen = 0;
            json_array_foreach(json_object_get(pj, "roles"), i, r)
            {
                const char *id = json_string_value(json_object_get(r, "id"));
                json_t *want = id ? json_object_get(only, id) : NULL;
                if (!want)
                    continue;
                seen++;
                const char *got = json_string_value(json_object_get(r, "advice_required_when"));
                if (!got || strcmp(got, json_string_value(want)))
                    abort(); /* the condition was altered on its way through YAML */
            }
            if (seen != json_object_size(only))
                abort();
            json_decref(pj);
            policy_set_free(ps);
        } else if (strcmp(err.file, API_ROLE_MATRIX_ID) || err.line <= API_MATRIX_HEAD_LINES ||
                   (size_t)err.line > API_MATRIX_HEAD_LINES + n_order) {
            abort(); /* an error must point at one generated role line */
        }
        free(src);
    }
    json_decref(only);
    json_decref(m);
    return 0;
}
