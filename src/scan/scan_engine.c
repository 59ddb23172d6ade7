/*
 * scan_engine.c - one pass, then validate: collects Hyperscan candidates,
 * judges them once enough text after them is known, resolves overlaps and
 * appends findings. Used by block and streaming mode.
 */
#include "scan/scan_internal.h"

#include <stdlib.h>
#include <string.h>

#define RAW_CAP (1u << 20)   /* pending candidates; more are dropped (result truncated) */
#define BLOCK_MAX (8u << 20) /* larger blocks go through the streaming path in slices */

void scan_engine_init(struct scan_engine *e)
{
    memset(e, 0, sizeof(*e));
    scan_anchor_reset(e);
}

void scan_engine_free(struct scan_engine *e)
{
    free(e->raw);
    free(e->tmp);
    free(e->key);
    free(e->span);
    free(e->ix.ev);
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

int scan_engine_push(const struct scan_db *db, struct scan_engine *e, struct scan_result *out,
                     unsigned id, uint64_t from, uint64_t to)
{
    struct scan_raw *r;

    if (e->nraw == e->capraw && grow((void **)&e->raw, &e->capraw, sizeof(*e->raw), RAW_CAP)) {
        if (e->capraw < RAW_CAP) {
            e->oom = 1;
            return 1;
        }
        out->truncated = 1; /* cannot keep more candidates: drop this one */
        return 0;
    }
    r = &e->raw[e->nraw++];
    r->id = id;
    r->from = from;
    r->to = to;
    r->hold = from;
    if (db->pat[id].nosom) { /* the earliest start of a finding its validator may report */
        unsigned back = db->pat[id].kind == RK_TOKEN      ? 12
                        : db->pat[id].kind == RK_PASSWORD ? 0
                                                          : 400;
        r->hold = to > back ? to - back : 0;
    }
    r->pem = db->pat[id].kind == RK_PEM;
    /* some validators read on after the raw match (scan_detect.c: v_password at most
       3 + 1 + 3 + 1 + 80 bytes, v_apikey at most 220 + 1, v_token at most 12); the other
       kinds end where their raw match ends (private keys: raw_reach) */
    switch (db->pat[id].kind) {
    case RK_PASSWORD:
        r->reach = to + 96;
        break;
    case RK_APIKEY:
        r->reach = to + 224;
        break;
    case RK_TOKEN:
        r->reach = to + 12;
        break;
    default:
        r->reach = to;
        break;
    }
    return 0;
}

int scan_engine_on_match(unsigned int id, unsigned long long from, unsigned long long to,
                         unsigned int flags, void *ctx)
{
    struct scan_cbctx *cb = ctx;
    const struct scan_db *db = cb->db;
    unsigned w = db->width[id];

    (void)flags;
    if (w)
        from = to >= w ? to - w : 0;
    else if (db->pat[id].nosom)
        from = to;
    return scan_engine_push(db, cb->eng, cb->out, id, from, to);
}

/* Sort key of a validated finding: offset, then the longest first, then the order found
 * (so the result is that of a stable sort, whatever the sort algorithm). */
static int cmp_key(const void *a, const void *b)
{
    const struct scan_key *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    if (x->length != y->length)
        return x->length > y->length ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int key_less(const struct scan_key *x, const struct scan_key *y)
{
    return cmp_key(x, y) < 0;
}

/* Sorts keys (a total order: no ties) with insertion-sorted runs of 16 and bottom-up merges
 * through tmp; runs that are already in order (most are: Hyperscan reports by end offset)
 * are copied without comparing. */
static void key_sort(struct scan_key *a, struct scan_key *tmp, size_t n)
{
    struct scan_key *src = a, *dst = tmp, *sw;

    for (size_t s = 0; s < n; s += 16) {
        size_t e = s + 16 < n ? s + 16 : n;
        for (size_t i = s + 1; i < e; i++) {
            struct scan_key k = a[i];
            size_t j = i;
            while (j > s && key_less(&k, &a[j - 1])) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = k;
        }
    }
    for (size_t wd = 16; wd < n; wd *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * wd) {
            size_t mid = lo + wd < n ? lo + wd : n, hi = lo + 2 * wd < n ? lo + 2 * wd : n;
            size_t i = lo, j = mid, k = lo;
            if (mid >= hi || !key_less(&src[mid], &src[mid - 1])) {
                memcpy(dst + lo, src + lo, (hi - lo) * sizeof(*src));
                continue;
            }
            while (i < mid && j < hi)
                dst[k++] = key_less(&src[j], &src[i]) ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        sw = src;
        src = dst;
        dst = sw;
    }
    if (src != a)
        memcpy(a, src, n * sizeof(*a));
}

static int better(const struct scan_finding *a, const struct scan_finding *b)
{
    if (a->confidence > b->confidence + 1e-4f)
        return 1;
    if (b->confidence > a->confidence + 1e-4f)
        return 0;
    return a->length > b->length;
}

struct tmp_arg {
    struct scan_engine *e;
    float min_conf;
};

static int tmp_push(void *arg, const struct scan_finding *f)
{
    struct tmp_arg *ta = arg;
    struct scan_engine *e = ta->e;

    if (f->confidence < ta->min_conf || f->length == 0)
        return 0;
    if (e->ntmp == e->captmp &&
        grow((void **)&e->tmp, &e->captmp, sizeof(*e->tmp), (size_t)RAW_CAP * 4))
        return SLUIS_ENOMEM;
    e->tmp[e->ntmp++] = *f;
    return 0;
}

/* Where the END line after private-key header r starts (as v_pem finds it), or 0 when the
 * window holds none within SCAN_PEM_MAX bytes. */
static uint64_t pem_end_line(const struct scan_window *w, const struct scan_raw *r)
{
    uint64_t end = w->off + w->len;
    const char *base, *p;
    size_t n;

    if (r->to < w->off || r->to > end)
        return 0;
    n = (size_t)(end - r->to);
    if (n > SCAN_PEM_MAX)
        n = SCAN_PEM_MAX;
    base = w->p + (r->to - w->off);
    p = memmem(base, n, "-----END ", 9);
    return p ? w->off + (uint64_t)(p - w->p) : 0;
}

/* Can a private-key header be judged as in block mode: its END line and the 64 bytes after
 * it in which v_pem looks for "PRIVATE KEY-----" are in the window, or SCAN_PEM_MAX bytes
 * without an END line are? */
static int pem_ready(const struct scan_window *w, const struct scan_raw *r, uint64_t limit)
{
    uint64_t x;

    if (r->to + SCAN_PEM_MAX <= limit || r->to < w->off || r->to > w->off + w->len)
        return 1;
    x = pem_end_line(w, r);
    return x && x + 64 <= w->off + w->len;
}

/* The furthest a finding from raw r may end: r->reach, or for a private-key header its END
   line and at most 64 bytes on (v_pem). */
static uint64_t raw_reach(const struct scan_window *w, const struct scan_raw *r)
{
    uint64_t x;

    if (!r->pem)
        return r->reach;
    x = pem_end_line(w, r);
    return x ? x + 64 : r->to;
}

static int raw_ready(const struct scan_window *w, const struct scan_raw *r, uint64_t limit)
{
    if (r->pem)
        return pem_ready(w, r, limit);
    return raw_reach(w, r) + SCAN_HOLD <= limit;
}

static int span_cmp(const void *a, const void *b)
{
    const struct scan_span *x = a, *y = b;
    return x->reach < y->reach ? 1 : x->reach > y->reach ? -1 : 0;
}

/*
 * Stream mode: the greatest h <= pending_from such that every candidate that is not judged
 * now (not ready, or reaching past h) starts at or after h: then no waiting candidate can
 * overlap a finding judged now. Candidates that reach past h lower h to their own start,
 * which may hold back more of them, so h is swept down over the candidates sorted by
 * reach, gathered in batches below the current h (each candidate is sorted once). Returns
 * h, or 0 when out of memory (nothing is judged then; the caller's candidates stay).
 */
static uint64_t hold_limit(struct scan_engine *e, const struct scan_window *win, uint64_t limit)
{
    uint64_t h = e->pending_from, top = UINT64_MAX, batch = 2048;
    size_t i;

    for (i = 0; i < e->nraw; i++)
        if (e->raw[i].hold < h && !raw_ready(win, &e->raw[i], limit))
            h = e->raw[i].hold;
    for (;;) {
        uint64_t lo = h > batch ? h - batch : 0;
        size_t n = 0;
        for (i = 0; i < e->nraw; i++) {
            const struct scan_raw *r = &e->raw[i];
            uint64_t reach = raw_reach(win, r);
            if (reach <= lo || reach > top || r->hold >= h)
                continue;
            if (n == e->capspan &&
                grow((void **)&e->span, &e->capspan, sizeof(*e->span), (size_t)RAW_CAP))
                return 0;
            e->span[n].reach = reach;
            e->span[n].hold = r->hold;
            n++;
        }
        if (n > 1)
            qsort(e->span, n, sizeof(*e->span), span_cmp);
        for (i = 0; i < n && e->span[i].reach > h; i++)
            if (e->span[i].hold < h)
                h = e->span[i].hold;
        if (h >= lo || lo == 0)
            return h;
        top = lo; /* candidates reaching past lo are all in: all of them reach past h */
        batch *= 2;
    }
}

int scan_engine_flush(const struct scan_db *db, struct scan_engine *e,
                      const struct scan_window *win_in, uint64_t limit, int final, float min_conf,
                      struct scan_result *out)
{
    struct tmp_arg ta = {e, min_conf};
    struct scan_window wcopy = *win_in, *win = &wcopy;
    size_t keep = 0, nk = 0, i;
    int rc;

    e->ntmp = 0;
    /* context words are tokenised once per flush (the reference mode looks each one up) */
    e->ix.n = 0;
    e->ix.end = 0;
    wcopy.ix = db->reference ? NULL : &e->ix;
    /* A candidate is ready when SCAN_HOLD bytes after it are known and no candidate that
       is still waiting starts before its end (so overlaps are resolved as in block mode). */
    uint64_t hold_from = final ? UINT64_MAX : hold_limit(e, win, limit);
    for (i = 0; i < e->nraw; i++) {
        const struct scan_raw *r = &e->raw[i];
        if (!final && (raw_reach(win, r) > hold_from || !raw_ready(win, r, limit))) {
            e->raw[keep++] = *r;
            continue;
        }
        rc = scan_detect(db, win, r, tmp_push, &ta);
        if (rc)
            return rc;
    }
    e->nraw = keep;

    /* overlaps: keep the most confident (then the longest); sorts small keys, not findings */
    if (e->ntmp > e->capkey) {
        size_t ncap = e->captmp;
        struct scan_key *nk2 = realloc(e->key, 2 * ncap * sizeof(*nk2)); /* keys + merge space */
        if (!nk2)
            return SLUIS_ENOMEM;
        e->key = nk2;
        e->capkey = ncap;
    }
    for (i = 0; i < e->ntmp; i++) {
        e->key[i].offset = e->tmp[i].offset;
        e->key[i].length = e->tmp[i].length;
        e->key[i].idx = (uint32_t)i;
    }
    if (e->ntmp > 1)
        key_sort(e->key, e->key + e->capkey, e->ntmp);
    for (i = 0; i < e->ntmp; i++) {
        struct scan_finding *f = &e->tmp[e->key[i].idx];
        if (nk > 0) {
            struct scan_finding *last = &e->tmp[e->key[nk - 1].idx];
            if (f->offset < last->offset + last->length) {
                if (better(f, last))
                    e->key[nk - 1].idx = e->key[i].idx;
                continue;
            }
        }
        e->key[nk++].idx = e->key[i].idx;
    }
    for (i = 0; i < nk; i++) {
        struct scan_finding *f = &e->tmp[e->key[i].idx];
        uint64_t end = f->offset + f->length;
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
    return 0;
}

int scan_block(const struct scan_db *db, struct scan_scratch *s, const char *text, size_t len,
               float min_confidence, struct scan_result *out, struct sluis_err *err)
{
    struct scan_window win = {text ? text : "", len, 0, NULL};
    struct scan_cbctx cb = {db, &s->eng, out};
    int rc;

    if (len > BLOCK_MAX) { /* bounded memory: stream huge blocks in slices */
        struct scan_stream *st;
        rc = scan_stream_open(db, &st, err);
        if (rc)
            return rc;
        for (size_t off = 0; !rc && off < len; off += (1u << 20)) {
            size_t n = len - off < (1u << 20) ? len - off : (1u << 20);
            rc = scan_stream_feed(st, s, text + off, n, min_confidence, out, err);
        }
        int rc2 = scan_stream_close(st, s, min_confidence, out, err);
        return rc ? rc : rc2;
    }
    s->eng.nraw = s->eng.ntmp = 0;
    s->eng.emitted_end = 0;
    s->eng.oom = 0;
    scan_anchor_reset(&s->eng);
    for (int g = 0; g < SCAN_NGROUPS; g++) {
        hs_error_t hr;
        if (!db->block[g])
            continue;
        hr = hs_scan(db->block[g], win.p, (unsigned)len, 0, s->hs, scan_engine_on_match, &cb);
        if (s->eng.oom)
            return sluis_err_set(err, SLUIS_ENOMEM, "scan: out of memory");
        if (hr != HS_SUCCESS)
            return sluis_err_set(err, SLUIS_EINTERNAL, "scan: Hyperscan error %d", (int)hr);
    }
    if (!db->reference && scan_anchor_run(db, &s->eng, &win, 1, out))
        return sluis_err_set(err, SLUIS_ENOMEM, "scan: out of memory");
    rc = scan_engine_flush(db, &s->eng, &win, len, 1, min_confidence, out);
    s->eng.nraw = 0;
    if (rc)
        return sluis_err_set(err, rc, "scan: out of memory");
    return 0;
}
