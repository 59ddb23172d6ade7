/* fuzz-libs: sluis_core */
/*
 * fuzz_dossier.c - libFuzzer harness for the dossier loader (dossier_load_buffer): no input may
 * crash, hang or leak; an error always has a code and a message; an accepted dossier validates,
 * derives and hashes; and the fast paths (YAML subset, JSON) never disagree with the libfyaml
 * reference path: whatever a fast path accepts, the reference accepts with an equal object.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/derive.h"
#include "core/dossier.h"
#include "core/dossier_internal.h"

static void check_fast(const char *buf, size_t len, json_t *ref, int ref_rc)
{
    json_t *fast = NULL;
    if (dossier_fast_yaml(buf, len, &fast) == DOSSIER_FAST_OK) {
        if (ref_rc != 0 || !json_equal(fast, ref))
            abort();
        json_decref(fast);
        fast = NULL;
    } else if (fast) {
        abort();
    }
    if (dossier_fast_json(buf, len, &fast) == DOSSIER_FAST_OK) {
        if (ref_rc != 0 || !json_equal(fast, ref))
            abort();
        json_decref(fast);
    } else if (fast) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    struct sluis_err err;
    json_t *doc = NULL, *ref = NULL, *facts = NULL;
    int rc, ref_rc;
    char hash[65];

    rc = dossier_load_buffer(buf, size, "fuzz", &doc, &err);
    ref_rc = dossier_load_buffer_ref(buf, size, "fuzz", &ref, &err);
    if ((rc == 0) != (ref_rc == 0))
        abort();
    if (rc != 0) {
        if (doc || ref || err.code != ref_rc || err.msg[0] == '\0')
            abort();
        if (size > 0 && size <= DOSSIER_MAX_FILE && err.line < 1)
            abort();
    } else {
        if (!json_equal(doc, ref) || dossier_validate(doc, &err) != 0)
            abort();
        if (derive_facts(doc, NULL, "2026-01-02", &facts, &err) != 0)
            abort();
        if (dossier_material_hash(doc, NULL, hash) != 0 || strlen(hash) != 64)
            abort();
        json_decref(facts);
    }
    if (size <= DOSSIER_MAX_FILE)
        check_fast(buf, size, ref, ref_rc);
    json_decref(doc);
    json_decref(ref);
    return 0;
}
