/*
 * scan_stream.c - streaming mode: Hyperscan stream state (one per pattern
 * group) plus a bounded tail window, so candidates and context words across
 * chunk borders are judged with the text around them.
 */
#include "scan/scan_internal.h"

#include <stdlib.h>
#include <string.h>

#define SLICE (1u << 20) /* bytes scanned per step: bounds the window buffer */

struct scan_stream {
    const struct scan_db *db;
    hs_stream_t *hs[SCAN_NGROUPS];
    struct scan_engine eng;
    char *buf; /* bytes [boff, boff + blen) of the stream */
    size_t blen, bcap;
    uint64_t boff;
    uint64_t end; /* bytes fed so far */
};

int scan_stream_open(const struct scan_db *db, struct scan_stream **out, struct sluis_err *err)
{
    struct scan_stream *st = calloc(1, sizeof(*st));

    *out = NULL;
    if (!st)
        return sluis_err_set(err, SLUIS_ENOMEM, "scan: out of memory");
    st->db = db;
    scan_engine_init(&st->eng);
    for (int g = 0; g < SCAN_NGROUPS; g++)
        if (db->stream[g] && hs_open_stream(db->stream[g], 0, &st->hs[g]) != HS_SUCCESS) {
            scan_stream_free(st);
            return sluis_err_set(err, SLUIS_ENOMEM, "scan: cannot open a Hyperscan stream");
        }
    *out = st;
    return 0;
}

/* Makes room for n more bytes, keeping the last SCAN_STREAM_WINDOW bytes. */
static int reserve(struct scan_stream *st, size_t n)
{
    if (st->blen + n > st->bcap && st->blen > SCAN_STREAM_WINDOW) {
        size_t drop = st->blen - SCAN_STREAM_WINDOW;
        memmove(st->buf, st->buf + drop, SCAN_STREAM_WINDOW);
        st->blen = SCAN_STREAM_WINDOW;
        st->boff += drop;
    }
    if (st->blen + n > st->bcap) { /* grow geometrically: small streams stay small */
        size_t ncap = st->bcap ? st->bcap * 2 : 4096;
        char *nb;
        if (ncap > SCAN_STREAM_WINDOW + SLICE)
            ncap = SCAN_STREAM_WINDOW + SLICE;
        if (ncap < st->blen + n)
            ncap = st->blen + n;
        nb = realloc(st->buf, ncap);
        if (!nb)
            return SLUIS_ENOMEM;
        st->buf = nb;
        st->bcap = ncap;
    }
    return 0;
}

int scan_stream_feed(struct scan_stream *st, struct scan_scratch *s, const char *chunk, size_t len,
                     float min_confidence, struct scan_result *out, struct sluis_err *err)
{
    while (len > 0) {
        size_t n = len < SLICE ? len : SLICE;
        struct scan_window win;
        struct scan_cbctx cb = {st->db, &st->eng, out};
        int rc;

        if (reserve(st, n))
            return sluis_err_set(err, SLUIS_ENOMEM, "scan: out of memory");
        memcpy(st->buf + st->blen, chunk, n);
        st->blen += n;
        win.p = st->buf;
        win.len = st->blen;
        win.off = st->boff;
        win.ix = NULL;
        st->eng.oom = 0;
        for (int g = 0; g < SCAN_NGROUPS; g++) {
            hs_error_t hr;
            if (!st->hs[g])
                continue;
            hr = hs_scan_stream(st->hs[g], chunk, (unsigned)n, 0, s->hs, scan_engine_on_match, &cb);
            if (st->eng.oom)
                return sluis_err_set(err, SLUIS_ENOMEM, "scan: out of memory");
            if (hr != HS_SUCCESS)
                return sluis_err_set(err, SLUIS_EINTERNAL, "scan: Hyperscan error %d", (int)hr);
        }
        st->end += n;
        if (!st->db->reference && scan_anchor_run(st->db, &st->eng, &win, 0, out))
            return sluis_err_set(err, SLUIS_ENOMEM, "scan: out of memory");
        rc = scan_engine_flush(st->db, &st->eng, &win, st->end, 0, min_confidence, out);
        if (rc)
            return sluis_err_set(err, rc, "scan: out of memory");
        chunk += n;
        len -= n;
    }
    return 0;
}

int scan_stream_close(struct scan_stream *st, struct scan_scratch *s, float min_confidence,
                      struct scan_result *out, struct sluis_err *err)
{
    struct scan_window win = {st->buf ? st->buf : "", st->blen, st->boff, NULL};
    struct scan_cbctx cb = {st->db, &st->eng, out};
    hs_error_t hr = HS_SUCCESS;
    int rc = 0;

    st->eng.oom = 0;
    for (int g = 0; g < SCAN_NGROUPS; g++) {
        hs_error_t h;
        if (!st->hs[g])
            continue;
        h = hs_close_stream(st->hs[g], s->hs, scan_engine_on_match, &cb);
        st->hs[g] = NULL;
        if (h != HS_SUCCESS)
            hr = h;
    }
    if (!st->eng.oom && !st->db->reference && scan_anchor_run(st->db, &st->eng, &win, 1, out))
        st->eng.oom = 1;
    if (st->eng.oom)
        rc = sluis_err_set(err, SLUIS_ENOMEM, "scan: out of memory");
    else if (hr != HS_SUCCESS)
        rc = sluis_err_set(err, SLUIS_EINTERNAL, "scan: Hyperscan error %d", (int)hr);
    else if (scan_engine_flush(st->db, &st->eng, &win, st->end, 1, min_confidence, out))
        rc = sluis_err_set(err, SLUIS_ENOMEM, "scan: out of memory");
    scan_stream_free(st);
    return rc;
}

void scan_stream_free(struct scan_stream *st)
{
    if (!st)
        return;
    for (int g = 0; g < SCAN_NGROUPS; g++)
        if (st->hs[g])
            hs_close_stream(st->hs[g], NULL, NULL, NULL);
    scan_engine_free(&st->eng);
    free(st->buf);
    free(st);
}

uint64_t scan_stream_stable_offset(const struct scan_stream *st)
{
    uint64_t stable = st->end > SCAN_HOLD + SCAN_MAXSPAN ? st->end - SCAN_HOLD - SCAN_MAXSPAN : 0;

    for (size_t i = 0; i < st->eng.nraw; i++) {
        const struct scan_raw *r = &st->eng.raw[i];
        if (r->hold < stable)
            stable = r->hold;
    }
    if (st->eng.pending_from < stable) /* anchors not parsed yet */
        stable = st->eng.pending_from;
    return stable;
}
