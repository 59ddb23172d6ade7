/*
 * scan_engine.c - one pass, then validate: collects Hyperscan candidates and
 * context words, judges candidates once enough text after them is known,
 * resolves overlaps and appends findings. Used by block and streaming mode.
 */
#include "scan/scan_internal.h"

#include <stdlib.h>
#include <string.h>

#define RAW_CAP 65536 /* pending candidates before an early flush */
#define CTX_CAP 65536 /* recent context words */

void scan_engine_init(struct scan_engine *e)
{
    memset(e, 0, sizeof(*e));
}

void scan_engine_free(struct scan_engine *e)
{
    free(e->raw);
    free(e->ctx);
    free(e->tmp);
    memset(e, 0, sizeof(*e));
}

static int grow(void **p, size_t *cap, size_t elem, size_t max)
{
    size_t ncap = *cap ? *cap * 2 : 256;
    void *np;

    if (*cap >= max)
        return -1;
    if (ncap > max)
        ncap = max;
    np = realloc(*p, ncap * elem);
    if (!np)
        return -1;
    *p = np;
    *cap = ncap;
    return 0;
}

static int result_push(struct scan_result *out, const struct scan_finding *f)
{
    size_t max = out->max_findings ? out->max_findings : SCAN_MAX_FINDINGS_DEFAULT;

    if (out->n >= max) {
        out->truncated = 1;
        return 0;
    }
    if (out->n == out->cap) {
        size_t ncap = out->cap ? out->cap * 2 : 64;
        struct scan_finding *nf;
        if (ncap > max)
            ncap = max;
        nf = realloc(out->findings, ncap * sizeof(*nf));
        if (!nf)
            return SLUIS_ENOMEM;
        out->findings = nf;
        out->cap = ncap;
    }
    out->findings[out->n++] = *f;
    return 0;
}

int scan_engine_on_match(unsigned int id, unsigned long long from, unsigned long long to,
                         unsigned int flags, void *ctx)
{
    struct scan_cbctx *cb = ctx;
    struct scan_engine *e = cb->eng;
    const struct scan_db *db = cb->db;
    const struct scan_pattern *p = &db->pat[id];
    unsigned w = db->width[id];

    (void)flags;
    if (p->kind == RK_CTX) {
        if (e->nctx == e->capctx && grow((void **)&e->ctx, &e->capctx, sizeof(*e->ctx), CTX_CAP)) {
            if (cb->win &&
                scan_engine_flush(db, e, cb->win, to, 0, cb->min_conf, cb->out) == SLUIS_ENOMEM) {
                e->oom = 1;
                return 1;
            }
            if (e->nctx == e->capctx) { /* still full: forget the older half */
                size_t half = e->nctx / 2;
                memmove(e->ctx, e->ctx + half, (e->nctx - half) * sizeof(*e->ctx));
                e->nctx -= half;
            }
        }
        e->ctx[e->nctx].from = to >= w ? to - w : 0;
        e->ctx[e->nctx].to = to;
        e->ctx[e->nctx].cls = p->arg;
        e->nctx++;
        return 0;
    }
    if (e->nraw == e->capraw && grow((void **)&e->raw, &e->capraw, sizeof(*e->raw), RAW_CAP)) {
        if (cb->win &&
            scan_engine_flush(db, e, cb->win, to, 0, cb->min_conf, cb->out) == SLUIS_ENOMEM) {
            e->oom = 1;
            return 1;
        }
        if (e->nraw == e->capraw) {
            cb->out->truncated = 1; /* cannot keep more candidates: drop this one */
            return 0;
        }
    }
    e->raw[e->nraw].id = id;
    e->raw[e->nraw].to = to;
    if (w)
        e->raw[e->nraw].from = to >= w ? to - w : 0;
    else if (p->nosom)
        e->raw[e->nraw].from = to;
    else
        e->raw[e->nraw].from = from;
    e->nraw++;
    return 0;
}

static int cmp_ctx(const void *a, const void *b)
{
    const struct scan_ctxhit *x = a, *y = b;
    return x->to < y->to ? -1 : x->to > y->to;
}

static int cmp_finding(const void *a, const void *b)
{
    const struct scan_finding *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return x->length > y->length ? -1 : x->length < y->length;
}

static int better(const struct scan_finding *a, const struct scan_finding *b)
{
    if (a->confidence > b->confidence + 1e-4f)
        return 1;
    if (b->confidence > a->confidence + 1e-4f)
        return 0;
    return a->length > b->length;
}

/* Is a pending private-key header complete (its END line is in the window)? */
static int pem_ready(const struct scan_window *w, const struct scan_raw *r, uint64_t limit)
{
    uint64_t end = w->off + w->len;
    size_t n;

    if (r->to + SCAN_PEM_MAX <= limit)
        return 1;
    if (r->to < w->off || r->to > end)
        return 1;
    n = (size_t)(end - r->to);
    if (n > SCAN_PEM_MAX)
        n = SCAN_PEM_MAX;
    const char *p = memmem(w->p + (r->to - w->off), n, "-----END ", 9);
    return p && memmem(p, (size_t)(w->p + (r->to - w->off) + n - p), "KEY-----", 8);
}

int scan_engine_flush(const struct scan_db *db, struct scan_engine *e,
                      const struct scan_window *win, uint64_t limit, int final, float min_conf,
                      struct scan_result *out)
{
    size_t keep = 0, i;
    uint64_t min_from = UINT64_MAX, cut;
    int sorted = 1;

    for (i = 1; i < e->nctx; i++)
        if (e->ctx[i].to < e->ctx[i - 1].to) {
            sorted = 0;
            break;
        }
    if (!sorted)
        qsort(e->ctx, e->nctx, sizeof(*e->ctx), cmp_ctx);
    e->ntmp = 0;
    for (i = 0; i < e->nraw; i++) {
        const struct scan_raw *r = &e->raw[i];
        int ready;
        if (final)
            ready = 1;
        else if (db->pat[r->id].kind == RK_PEM)
            ready = pem_ready(win, r, limit);
        else
            ready = r->to + SCAN_HOLD <= limit;
        if (!ready) {
            uint64_t f = db->pat[r->id].nosom ? (r->to > 400 ? r->to - 400 : 0) : r->from;
            if (f < min_from)
                min_from = f;
            e->raw[keep++] = *r;
            continue;
        }
        struct scan_finding f;
        memset(&f, 0, sizeof(f));
        if (!scan_detect(db, e, win, r, &f) || f.confidence < min_conf || f.length == 0)
            continue;
        if (e->ntmp == e->captmp &&
            grow((void **)&e->tmp, &e->captmp, sizeof(*e->tmp), (size_t)RAW_CAP * 2))
            return SLUIS_ENOMEM;
        e->tmp[e->ntmp++] = f;
    }
    e->nraw = keep;

    /* overlaps: keep the most confident (then the longest) */
    qsort(e->tmp, e->ntmp, sizeof(*e->tmp), cmp_finding);
    size_t nk = 0;
    for (i = 0; i < e->ntmp; i++) {
        struct scan_finding *f = &e->tmp[i];
        if (nk > 0) {
            struct scan_finding *last = &e->tmp[nk - 1];
            if (f->offset < last->offset + last->length) {
                if (better(f, last))
                    *last = *f;
                continue;
            }
        }
        e->tmp[nk++] = *f;
    }
    for (i = 0; i < nk; i++) {
        struct scan_finding *f = &e->tmp[i];
        uint64_t end = f->offset + f->length;
        int rc;
        if (end <= e->emitted_end)
            continue;
        if (f->offset < e->emitted_end) { /* continues a finding already reported */
            f->length = (uint32_t)(end - e->emitted_end);
            f->offset = e->emitted_end;
        }
        f->detector_name = scan_detector_name(f->detector);
        f->category = scan_detector_category(f->detector);
        if (f->offset >= win->off && end <= win->off + win->len)
            scan_preview_fill(f, win->p + (f->offset - win->off), f->length);
        else
            scan_preview_fill(f, NULL, 0);
        rc = result_push(out, f);
        if (rc)
            return rc;
        e->emitted_end = end;
    }

    /* forget context words too old to matter for pending or future candidates */
    if (final) {
        e->nctx = 0;
        return 0;
    }
    cut = limit > SCAN_HOLD + SCAN_MAXSPAN + SCAN_CTX_BEFORE
              ? limit - SCAN_HOLD - SCAN_MAXSPAN - SCAN_CTX_BEFORE
              : 0;
    if (min_from != UINT64_MAX) {
        uint64_t c2 = min_from > SCAN_CTX_BEFORE ? min_from - SCAN_CTX_BEFORE : 0;
        if (c2 < cut)
            cut = c2;
    }
    for (i = 0; i < e->nctx && e->ctx[i].to < cut; i++)
        ;
    if (i) {
        memmove(e->ctx, e->ctx + i, (e->nctx - i) * sizeof(*e->ctx));
        e->nctx -= i;
    }
    return 0;
}

int scan_block(const struct scan_db *db, struct scan_scratch *s, const char *text, size_t len,
               float min_confidence, struct scan_result *out, struct sluis_err *err)
{
    struct scan_window win = {text ? text : "", len, 0};
    struct scan_cbctx cb = {db, &s->eng, &win, min_confidence, out};
    hs_error_t hr;
    int rc;

    if (len > (1u << 30)) { /* Hyperscan takes an unsigned int length: stream huge blocks */
        struct scan_stream *st;
        rc = scan_stream_open(db, &st, err);
        for (size_t off = 0; !rc && off < len; off += (1u << 20)) {
            size_t n = len - off < (1u << 20) ? len - off : (1u << 20);
            rc = scan_stream_feed(st, s, text + off, n, min_confidence, out, err);
        }
        int rc2 = scan_stream_close(st, s, min_confidence, out, err);
        return rc ? rc : rc2;
    }
    s->eng.nraw = s->eng.nctx = s->eng.ntmp = 0;
    s->eng.emitted_end = 0;
    s->eng.oom = 0;
    hr = hs_scan(db->block, win.p, (unsigned)len, 0, s->hs, scan_engine_on_match, &cb);
    if (s->eng.oom)
        return sluis_err_set(err, SLUIS_ENOMEM, "scan: out of memory");
    if (hr != HS_SUCCESS && hr != HS_SCAN_TERMINATED)
        return sluis_err_set(err, SLUIS_EINTERNAL, "scan: Hyperscan error %d", (int)hr);
    rc = scan_engine_flush(db, &s->eng, &win, len, 1, min_confidence, out);
    s->eng.nraw = s->eng.nctx = 0;
    if (rc)
        return sluis_err_set(err, rc, "scan: out of memory");
    return 0;
}
