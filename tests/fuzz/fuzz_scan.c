/* fuzz-libs: sluis_scan sluis_core */
/*
 * fuzz_scan.c - the scanner in block mode on arbitrary bytes: no crash, no leak, and
 * the findings are in order, inside the input, non-overlapping, with a terminated
 * preview; redaction of them succeeds; and the hand-written anchor parser (scan_anchor.c)
 * gives the same findings as the reference mode, where Hyperscan runs every expression.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan.h"
#include "scan/scan_internal.h"

static struct scan_db *db, *ref;
static struct scan_scratch *sc, *ref_sc;

static void init(void)
{
    struct sluis_err err = {0};

    if (scan_db_new(&db, &err) || scan_scratch_new(db, &sc) || scan_db_new_mode(&ref, 1, &err) ||
        scan_scratch_new(ref, &ref_sc))
        abort();
}

/* Compiles the databases before libFuzzer starts timing inputs (replay.c calls only the
 * harness, which compiles them on first use instead). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    init();
    return 0;
}

static void check(const struct scan_result *r, size_t len)
{
    uint64_t end = 0;

    for (size_t i = 0; i < r->n; i++) {
        const struct scan_finding *f = &r->findings[i];
        if (f->offset < end || f->offset + f->length > len || f->length == 0 ||
            memchr(f->preview, 0, sizeof(f->preview)) == NULL || !f->detector_name)
            abort();
        end = f->offset + f->length;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sluis_err err = {0};
    struct scan_result r = {0}, rr = {0};
    char *out = NULL;
    size_t n;

    if (!db)
        init();
    if (scan_block(db, sc, (const char *)data, size, 0.0f, &r, &err))
        abort();
    check(&r, size);
    if (scan_block(ref, ref_sc, (const char *)data, size, 0.0f, &rr, &err) || rr.n != r.n)
        abort();
    for (size_t i = 0; i < r.n; i++)
        if (r.findings[i].detector != rr.findings[i].detector ||
            r.findings[i].offset != rr.findings[i].offset ||
            r.findings[i].length != rr.findings[i].length ||
            r.findings[i].confidence != rr.findings[i].confidence)
            abort();
    scan_result_free(&rr);
    if (scan_redact((const char *)data, size, &r, &out, &n) || n < r.n)
        abort();
    free(out);
    scan_result_free(&r);
    return 0;
}
