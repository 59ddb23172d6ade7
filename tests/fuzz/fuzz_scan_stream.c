/* fuzz-libs: sluis_scan sluis_core */
/*
 * fuzz_scan_stream.c - the scanner in streaming mode: the first byte of the input
 * chooses the chunk sizes, the rest is fed in those chunks. No crash, no leak,
 * findings in order and inside the stream, stable offset never beyond the input, and
 * the same findings as block mode on the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan.h"

static struct scan_db *db;
static struct scan_scratch *sc;

/* Compiles the databases before libFuzzer starts timing inputs (replay.c calls only the
 * harness, which compiles them on first use instead). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct sluis_err err = {0};

    (void)argc;
    (void)argv;
    if (scan_db_new(&db, &err) || scan_scratch_new(db, &sc))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sluis_err err = {0};
    struct scan_result r = {0}, b = {0};
    struct scan_stream *st;
    size_t pos = 1, step;
    uint64_t end = 0;

    if (!db && (scan_db_new(&db, &err) || scan_scratch_new(db, &sc)))
        abort();
    if (size == 0)
        return 0;
    step = (size_t)(data[0] % 64) + 1;
    if (scan_stream_open(db, &st, &err))
        abort();
    while (pos < size) {
        size_t n = size - pos < step ? size - pos : step;
        if (scan_stream_feed(st, sc, (const char *)data + pos, n, 0.0f, &r, &err))
            abort();
        pos += n;
        if (scan_stream_stable_offset(st) > pos - 1)
            abort();
        step = (step * 7 + data[pos - 1]) % 97 + 1; /* vary the chunk sizes */
    }
    if (scan_stream_close(st, sc, 0.0f, &r, &err))
        abort();
    for (size_t i = 0; i < r.n; i++) {
        const struct scan_finding *f = &r.findings[i];
        if (f->offset < end || f->offset + f->length > size - 1 || f->length == 0 ||
            memchr(f->preview, 0, sizeof(f->preview)) == NULL)
            abort();
        end = f->offset + f->length;
    }
    if (scan_block(db, sc, (const char *)data + 1, size - 1, 0.0f, &b, &err) || b.n != r.n)
        abort();
    for (size_t i = 0; i < r.n; i++)
        if (b.findings[i].detector != r.findings[i].detector ||
            b.findings[i].offset != r.findings[i].offset ||
            b.findings[i].length != r.findings[i].length ||
            b.findings[i].confidence != r.findings[i].confidence)
            abort();
    scan_result_free(&b);
    scan_result_free(&r);
    return 0;
}
