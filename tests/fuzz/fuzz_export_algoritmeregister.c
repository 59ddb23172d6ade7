/* fuzz-libs: sluis_core */
/*
 * fuzz_export_algoritmeregister.c - the Algoritmeregister exporter and validator on arbitrary
 * JSON, and its text helpers (HTML-stripped length, rich-text tags, links, yyyy-mm) on raw bytes.
 * Input: {"dossier": {...}, "derived": {...}} or any JSON value used as the dossier.
 */
#include "core/export_algoritmeregister.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct export_report rep;
    json_t *in, *out = NULL;
    const json_t *dossier, *derived;
    char why[64], *z;

    if (size > 256 * 1024)
        return 0;
    (void)export_text_length((const char *)data, size);
    (void)export_rich_text_check((const char *)data, size, why, sizeof(why));
    z = malloc(size + 1);
    if (!z)
        return 0;
    memcpy(z, data, size);
    z[size] = '\0';
    (void)export_https_url_ok(z);
    (void)export_yyyymm_ok(z);
    (void)export_email_ok(z);
    free(z);

    in = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!in)
        return 0;
    dossier = json_object_get(in, "dossier") ? json_object_get(in, "dossier") : in;
    derived = json_object_get(in, "derived");
    export_report_init(&rep);
    if (export_algoritmeregister_build(dossier, derived, &out, &rep, NULL) == 0 && out) {
        /* what the builder accepts, the validator accepts on its own */
        struct export_report again;

        export_report_init(&again);
        if (export_algoritmeregister_validate(out, &again) != 0)
            abort();
        export_report_free(&again);
    }
    for (size_t i = 0; i < rep.n; i++) {
        char buf[512];

        export_problem_format(&rep.items[i], buf, sizeof(buf));
    }
    (void)export_algoritmeregister_validate(in, &rep);
    export_report_free(&rep);
    json_decref(out);
    json_decref(in);
    return 0;
}
