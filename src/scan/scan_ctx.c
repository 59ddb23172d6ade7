/*
 * scan_ctx.c - context words. Only candidates that need context look at the
 * bytes around them, so clean text pays nothing for the word lists. A word is
 * a run of letters, digits, '-' and '\''; "big-nummer" also counts as "big".
 * Multi-word phrases are found by their telling word ("kamer van koophandel"
 * by "koophandel", "date of birth" by "birth").
 */
#include "scan/scan_internal.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

struct ctx_word {
    const char *w;
    unsigned char cls;
};

/* Sorted by word (strcmp order); checked by the unit tests. */
static const struct ctx_word words[] = {
    {"address", CX_ADDRESS},
    {"adres", CX_ADDRESS},
    {"artikel", CX_PRODUCT},
    {"artikelnummer", CX_NEG},
    {"auto", CX_KENTEKEN},
    {"bel", CX_PHONE},
    {"bellen", CX_PHONE},
    {"bestelbus", CX_KENTEKEN},
    {"bestelcode", CX_PRODUCT},
    {"bestelnummer", CX_NEG},
    {"big", CX_BIG},
    {"birth", CX_DOB},
    {"birthdate", CX_DOB},
    {"born", CX_DOB},
    {"branch", CX_VESTIGING},
    {"bsn", CX_BSN},
    {"burgerservice-nummer", CX_BSN},
    {"burgerservicenummer", CX_BSN},
    {"car", CX_KENTEKEN},
    {"citizen", CX_BSN},
    {"commerce", CX_KVK},
    {"dob", CX_DOB},
    {"documentnummer", CX_DOC},
    {"dossiernummer", CX_NEG},
    {"driving", CX_RIJBEWIJS},
    {"education", CX_ONDERWIJS},
    {"factuur", CX_NEG},
    {"factuurnr", CX_NEG},
    {"factuurnummer", CX_NEG},
    {"fax", CX_PHONE},
    {"fiscaal", CX_RSIN},
    {"fiscaalnummer", CX_RSIN},
    {"fiscal", CX_RSIN},
    {"geb", CX_DOB},
    {"geboortedag", CX_DOB},
    {"geboortedatum", CX_DOB},
    {"geboren", CX_DOB},
    {"gsm", CX_PHONE},
    {"handelsregister", CX_KVK},
    {"id-kaart", CX_DOC},
    {"identiteitsbewijs", CX_DOC},
    {"identiteitskaart", CX_DOC},
    {"identity", CX_DOC},
    {"invoice", CX_NEG},
    {"kenmerk", CX_NEG},
    {"kenteken", CX_KENTEKEN},
    {"kentekenplaat", CX_KENTEKEN},
    {"kentekens", CX_KENTEKEN},
    {"klantnummer", CX_NEG},
    {"koophandel", CX_KVK},
    {"kvk", CX_KVK},
    {"kvknummer", CX_KVK},
    {"licence", CX_RIJBEWIJS},
    {"license", CX_RIJBEWIJS},
    {"mobiel", CX_PHONE},
    {"mobiele", CX_PHONE},
    {"mobile", CX_PHONE},
    {"model", CX_PRODUCT},
    {"modelnummer", CX_PRODUCT},
    {"nummerplaat", CX_KENTEKEN},
    {"onderdeel", CX_PRODUCT},
    {"onderdeelnummer", CX_PRODUCT},
    {"onderwijsnummer", CX_ONDERWIJS},
    {"order", CX_NEG},
    {"ordernr", CX_NEG},
    {"ordernummer", CX_NEG},
    {"paspoort", CX_DOC},
    {"paspoortnummer", CX_DOC},
    {"passport", CX_DOC},
    {"personenauto", CX_KENTEKEN},
    {"persoonsgebonden", CX_ONDERWIJS},
    {"phone", CX_PHONE},
    {"plate", CX_KENTEKEN},
    {"polisnummer", CX_NEG},
    {"postadres", CX_ADDRESS},
    {"postcode", CX_ADDRESS},
    {"product", CX_PRODUCT},
    {"productcode", CX_PRODUCT},
    {"reference", CX_NEG},
    {"referentie", CX_NEG},
    {"referentienummer", CX_NEG},
    {"reisdocument", CX_DOC},
    {"rijbewijs", CX_RIJBEWIJS},
    {"rijbewijsnummer", CX_RIJBEWIJS},
    {"rsin", CX_RSIN},
    {"serienummer", CX_PRODUCT},
    {"sku", CX_PRODUCT},
    {"sofi", CX_BSN},
    {"sofi-nummer", CX_BSN},
    {"sofinummer", CX_BSN},
    {"tel", CX_PHONE},
    {"telefonisch", CX_PHONE},
    {"telefoon", CX_PHONE},
    {"telefoonnummer", CX_PHONE},
    {"telnr", CX_PHONE},
    {"ticket", CX_NEG},
    {"type", CX_PRODUCT},
    {"typenummer", CX_PRODUCT},
    {"vestigingsnr", CX_VESTIGING},
    {"vestigingsnummer", CX_VESTIGING},
    {"voertuig", CX_KENTEKEN},
    {"volgnummer", CX_NEG},
    {"whatsapp", CX_PHONE},
    {"wonende", CX_ADDRESS},
    {"woonachtig", CX_ADDRESS},
    {"woonadres", CX_ADDRESS},
    {"woont", CX_ADDRESS},
    {"zaaknummer", CX_NEG},
};

/*
 * Hash table over words[] (FNV-1a, open addressing), built once per process with
 * pthread_once: a token costs one hash and usually one probe.
 */
#define HT_SIZE 512
static struct {
    uint32_t h;
    short idx; /* index + 1 into words[], 0 = empty */
} ht[HT_SIZE];
static pthread_once_t ht_once = PTHREAD_ONCE_INIT;

static uint32_t fnv(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static void ht_build(void)
{
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        uint32_t h = fnv(words[i].w, strlen(words[i].w));
        size_t slot = h & (HT_SIZE - 1);
        while (ht[slot].idx)
            slot = (slot + 1) & (HT_SIZE - 1);
        ht[slot].h = h;
        ht[slot].idx = (short)(i + 1);
    }
}

/* Looks up low[0..n) whose FNV-1a hash is h. */
static int lookup_h(const char *low, size_t n, uint32_t h)
{
    size_t slot;

    if (n < 3 || n > 20)
        return -1;
    for (slot = h & (HT_SIZE - 1); ht[slot].idx; slot = (slot + 1) & (HT_SIZE - 1)) {
        const struct ctx_word *cw = &words[ht[slot].idx - 1];
        if (ht[slot].h == h && !strncmp(cw->w, low, n) && cw->w[n] == 0)
            return cw->cls;
    }
    return -1;
}

/*
 * Per byte: the lower-case form of a word byte (letters, digits, '-', '\''), or 0 for a
 * byte that ends a word. Built with the hash table.
 */
static unsigned char wlow[256];
/*
 * The first three (lower-case) bytes of each word in words[] with a bit per word length
 * (bit n: some word of n bytes, or of n bytes before a '-', starts with them). Most words
 * of the text are rejected by one probe here, without hashing.
 */
#define TRI_SIZE 1024 /* a tenth full: a probe usually meets an empty slot at once */
static struct {
    uint32_t key; /* 0 = empty */
    uint32_t lens;
    unsigned char first, count; /* the words with this start: words[first .. first + count) */
} tri[TRI_SIZE];
static unsigned char wlen[sizeof(words) / sizeof(words[0])];

static uint32_t tri_key(unsigned c0, unsigned c1, unsigned c2)
{
    return c0 | c1 << 8 | c2 << 16;
}

static size_t tri_slot(uint32_t key)
{
    return (size_t)((key * 2654435761u) >> 22) & (TRI_SIZE - 1);
}

static void tables_build(void)
{
    ht_build();
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        const unsigned char *w = (const unsigned char *)words[i].w;
        uint32_t key = tri_key(w[0], w[1], w[2]);
        size_t slot = tri_slot(key);
        while (tri[slot].key && tri[slot].key != key)
            slot = (slot + 1) & (TRI_SIZE - 1);
        if (!tri[slot].key) /* words[] is sorted: words with one start are adjacent */
            tri[slot].first = (unsigned char)i;
        tri[slot].key = key;
        tri[slot].count++;
        wlen[i] = (unsigned char)strlen(words[i].w);
        tri[slot].lens |= 1u << wlen[i];
    }
    for (int c = 0; c < 256; c++) {
        if (c >= 'A' && c <= 'Z')
            wlow[c] = (unsigned char)(c - 'A' + 'a');
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '\'')
            wlow[c] = (unsigned char)c;
    }
}

/*
 * Class of the word low[0..n) (lower case, n < 32, hash h of the whole word), trying the
 * part before the first '-' (dash: its index, or n when there is none) too.
 */
static int word_class(const char *low, size_t n, uint32_t h, size_t dash, uint32_t hdash)
{
    int cls = lookup_h(low, n, h);

    if (cls < 0 && dash < n)
        cls = lookup_h(low, dash, hdash);
    return cls;
}

/* ". X", "! X", "? X" or a line break before X, with X upper case, or an empty line:
 * a sentence break at p. */
static int sentence_break(const char *p, const char *end)
{
    if ((p[0] == '.' || p[0] == '!' || p[0] == '?') && p + 2 < end && p[1] == ' ' && p[2] >= 'A' &&
        p[2] <= 'Z')
        return 1;
    return p[0] == '\n' && p + 1 < end && (p[1] == '\n' || (p[1] >= 'A' && p[1] <= 'Z'));
}

/* Bytes that may start a sentence break. */
static int break_byte(int c)
{
    return c == '.' || c == '!' || c == '?' || c == '\n';
}

/*
 * Reads the word at *pp (stopping at end), lower-cased into low (first 32 bytes), with
 * its FNV-1a hash and that of the part before its first '-'. Returns its length.
 */
static size_t read_word(const char **pp, const char *end, char *low, uint32_t *h, size_t *dash,
                        uint32_t *hdash)
{
    const unsigned char *p = (const unsigned char *)*pp;
    uint32_t hh = 2166136261u;
    size_t n = 0;
    unsigned char c;

    *dash = SIZE_MAX;
    *hdash = 0;
    while (p < (const unsigned char *)end && (c = wlow[*p]) != 0) {
        if (n < 32) {
            low[n] = (char)c;
            if (c == '-' && *dash == SIZE_MAX) {
                *dash = n;
                *hdash = hh;
            }
            hh = (hh ^ c) * 16777619u;
        }
        n++;
        p++;
    }
    *pp = (const char *)p;
    *h = hh;
    return n;
}

static int ctx_nearest_direct(const struct scan_window *w, uint64_t from, uint64_t to,
                              unsigned mask, unsigned before, unsigned after)
{
    uint64_t wend = w->off + w->len;
    uint64_t b0 = from > w->off + before ? from - before : w->off;
    uint64_t a1 = to + after < wend ? to + after : wend;
    int best_before = -1, best_after = -1;
    uint64_t d_before = UINT64_MAX, d_after = UINT64_MAX;
    const char *wp_end = w->p + w->len;
    char low[33];
    uint32_t h, hdash;
    size_t dash;

    /* before: the last matching word, forgetting words before a sentence break */
    const char *start = w->p + (b0 - w->off);
    for (const char *p = start, *end = w->p + (from - w->off); p < end;) {
        int c = (unsigned char)*p;
        if (!wlow[c]) {
            if (break_byte(c) && sentence_break(p, end + 3 <= wp_end ? end + 3 : wp_end))
                best_before = -1;
            p++;
            continue;
        }
        const char *s = p;
        size_t n = read_word(&p, end, low, &h, &dash, &hdash);
        if (n >= sizeof(low) || (s == start && b0 > w->off && wlow[(unsigned char)s[-1]]))
            continue; /* too long, or cut off by the window */
        int cls = word_class(low, n, h, dash, hdash);
        if (cls >= 0 && (mask & (1u << cls))) {
            best_before = cls;
            d_before = from - (w->off + (uint64_t)(p - w->p));
        }
    }
    /* after: the first matching word before a sentence break */
    for (const char *p = w->p + (to - w->off), *end = w->p + (a1 - w->off); p < end;) {
        int c = (unsigned char)*p;
        if (!wlow[c]) {
            if (break_byte(c) && sentence_break(p, wp_end))
                break;
            p++;
            continue;
        }
        const char *s = p;
        size_t n = read_word(&p, wp_end, low, &h, &dash, &hdash);
        if (n >= sizeof(low))
            continue;
        int cls = word_class(low, n, h, dash, hdash);
        if (cls >= 0 && (mask & (1u << cls))) {
            best_after = cls;
            d_after = (uint64_t)(s - w->p) + w->off - to;
            break;
        }
    }
    if (best_before >= 0 && d_before <= d_after)
        return best_before;
    return best_after;
}

#define IX_MAX 65536 /* events per index; a full index starts again */

static int ix_push(struct scan_ctx_index *ix, uint64_t start, uint64_t end, int cls)
{
    if (ix->n == ix->cap) {
        size_t ncap = ix->cap ? ix->cap * 2 : 1024;
        struct scan_ctx_event *ne = realloc(ix->ev, ncap * sizeof(*ne));
        if (!ne)
            return -1;
        ix->ev = ne;
        ix->cap = ncap;
    }
    ix->ev[ix->n].start = start;
    ix->ev[ix->n].end = end;
    ix->ev[ix->n].cls = cls;
    ix->n++;
    return 0;
}

/* Tokenises the window from ix->end on until words starting before upto are indexed
 * (whole words: the last one may end later). Returns 0 or -1 (out of memory). */
/* Can the word [s, s + n) be a context word (or one followed by '-')? Most words fail this
 * trigram test. Returns its trigram slot + 1, or 0. */
static inline size_t ix_maybe(const char *s, size_t n)
{
    uint32_t key, lens = 0;
    size_t slot;

    if (n < 3 || n >= 33)
        return 0;
    key = tri_key(wlow[(unsigned char)s[0]], wlow[(unsigned char)s[1]], wlow[(unsigned char)s[2]]);
    for (slot = tri_slot(key); tri[slot].key; slot = (slot + 1) & (TRI_SIZE - 1))
        if (tri[slot].key == key) {
            lens = tri[slot].lens;
            break;
        }
    if (!lens)
        return 0;
    if (n < 32 && (lens >> n) & 1)
        return slot + 1;
    const char *dash = memchr(s, '-', n);
    return dash && (lens >> (dash - s)) & 1 ? slot + 1 : 0;
}

/* Class of the first n bytes of s among the words of trigram slot, or -1. */
static int tri_class(size_t slot, const char *s, size_t n)
{
    for (size_t i = tri[slot].first; i < (size_t)tri[slot].first + tri[slot].count; i++) {
        size_t k = 3;
        if (wlen[i] != n)
            continue;
        while (k < n && wlow[(unsigned char)s[k]] == (unsigned char)words[i].w[k])
            k++;
        if (k == n)
            return words[i].cls;
    }
    return -1;
}

/* Indexes the word [s, s + n) (3 <= n < 33, trigram slot + 1 from ix_maybe) if it is a
 * context word, or its part before the first '-' is. */
static int ix_word(const struct scan_window *w, struct scan_ctx_index *ix, const char *s, size_t n,
                   size_t slot1)
{
    int cls = tri_class(slot1 - 1, s, n);

    if (cls < 0) {
        const char *dash = memchr(s, '-', n);
        if (dash && dash - s >= 3)
            cls = tri_class(slot1 - 1, s, (size_t)(dash - s));
    }
    if (cls >= 0 &&
        ix_push(ix, w->off + (uint64_t)(s - w->p), w->off + (uint64_t)(s + n - w->p), cls))
        return -1;
    return 0;
}

static int ix_break(const struct scan_window *w, struct scan_ctx_index *ix, const char *p)
{
    if (sentence_break(p, w->p + w->len) && ix_push(ix, w->off + (uint64_t)(p - w->p), 0, -1))
        return -1;
    return 0;
}

#if defined(__SSE2__)
/* Bit t: p[t] is a word byte; *brk bit t: p[t] may start a sentence break. 64 bytes. */
static uint64_t word_mask64(const char *p, uint64_t *brk, uint64_t *digit)
{
    const __m128i shift = _mm_set1_epi8((char)(0x80 - 'a')), lim = _mm_set1_epi8((char)(-128 + 26));
    const __m128i dshift = _mm_set1_epi8((char)(0x80 - '0')), dlim = _mm_set1_epi8((char)(-118));
    const __m128i x20 = _mm_set1_epi8(0x20), dash = _mm_set1_epi8('-'), apo = _mm_set1_epi8('\'');
    const __m128i dot = _mm_set1_epi8('.'), ex = _mm_set1_epi8('!'), qu = _mm_set1_epi8('?');
    const __m128i nl = _mm_set1_epi8('\n');
    uint64_t wm = 0, bm = 0, dm = 0;

    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i l = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(x, x20), shift), lim);
        __m128i d = _mm_cmplt_epi8(_mm_add_epi8(x, dshift), dlim);
        __m128i o = _mm_or_si128(_mm_cmpeq_epi8(x, dash), _mm_cmpeq_epi8(x, apo));
        __m128i b = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, dot), _mm_cmpeq_epi8(x, ex)),
                                 _mm_or_si128(_mm_cmpeq_epi8(x, qu), _mm_cmpeq_epi8(x, nl)));
        wm |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(l, d), o))
              << (16 * k);
        bm |= (uint64_t)(unsigned)_mm_movemask_epi8(b) << (16 * k);
        dm |= (uint64_t)(unsigned)_mm_movemask_epi8(d) << (16 * k);
    }
    *brk = bm;
    *digit = dm;
    return wm;
}
#endif

/* Tokenises the window from ix->end on until words starting before upto are indexed
 * (whole words: the last one may end later). ix->end is never inside a word. Returns 0
 * or -1 (out of memory). */
static int ix_extend(const struct scan_window *w, struct scan_ctx_index *ix, uint64_t upto)
{
    const char *wp_end = w->p + w->len, *p = w->p + (ix->end - w->off);
    const char *stop = w->p + (upto - w->off);

#if defined(__SSE2__)
    while (p < stop && p + 64 <= wp_end) { /* 64 bytes at a time */
        uint64_t brk, dm, wm = word_mask64(p, &brk, &dm), ev;
        size_t lim = (size_t)(stop - p) < 64 ? (size_t)(stop - p) : 64;
        const char *next = p + lim;
        /* word starts (p is never inside a word), leaving out words that cannot be context
           words: those starting with a digit and those shorter than 3 bytes */
        ev = wm & ~(wm << 1) & ~dm & ((wm >> 1) | UINT64_C(1) << 63) &
             ((wm >> 2) | UINT64_C(3) << 62);
        if ((wm >> (lim - 1)) & 1) { /* a word through the last byte may go on: find its end */
            uint64_t z = ~wm & (lim == 64 ? ~UINT64_C(0) : (UINT64_C(1) << lim) - 1);
            ev |= UINT64_C(1) << (z ? 64 - __builtin_clzll(z) : 0);
        }
        ev |= brk;
        if (lim < 64)
            ev &= (UINT64_C(1) << lim) - 1;
        while (ev) {
            unsigned t = (unsigned)__builtin_ctzll(ev);
            ev &= ev - 1;
            if (!((wm >> t) & 1)) {
                if (ix_break(w, ix, p + t))
                    return -1;
                continue;
            }
            /* the word ends at the first non-word byte; zeros shifted in are ones here */
            uint64_t rest = ~(wm >> t);
            const char *s = p + t, *e = rest ? s + __builtin_ctzll(rest) : p + 64;
            if (e == p + 64) /* it may go on past this block */
                while (e < wp_end && wlow[(unsigned char)*e])
                    e++;
            size_t slot1 = ix_maybe(s, (size_t)(e - s));
            if (slot1 && ix_word(w, ix, s, (size_t)(e - s), slot1))
                return -1;
            if (e > next)
                next = e;
        }
        p = next;
    }
#endif
    while (p < stop) {
        int c = (unsigned char)*p;
        if (!wlow[c]) {
            if (break_byte(c) && ix_break(w, ix, p))
                return -1;
            p++;
            continue;
        }
        const char *s = p;
        while (p < wp_end && wlow[(unsigned char)*p])
            p++;
        size_t slot1 = ix_maybe(s, (size_t)(p - s));
        if (slot1 && ix_word(w, ix, s, (size_t)(p - s), slot1))
            return -1;
    }
    ix->end = w->off + (uint64_t)(p - w->p);
    return 0;
}

/* Starts an index at pos; a word cut by pos starts before it and is left out. */
static void ix_start(const struct scan_window *w, struct scan_ctx_index *ix, uint64_t pos)
{
    const char *p = w->p + (pos - w->off);

    ix->n = 0;
    ix->start = ix->end = pos;
    if (pos > w->off && wlow[(unsigned char)p[-1]]) {
        const char *wp_end = w->p + w->len;
        while (p < wp_end && wlow[(unsigned char)*p])
            p++;
        ix->end = w->off + (uint64_t)(p - w->p);
    }
}

/* First event at or after pos: a few steps from the last answer (candidates are looked up
 * in text order), else a binary search. */
static size_t ix_find(struct scan_ctx_index *ix, uint64_t pos)
{
    size_t lo = 0, hi = ix->n, i = ix->hint < ix->n ? ix->hint : ix->n;

    for (int step = 0; step < 8; step++) {
        if (i > 0 && ix->ev[i - 1].start >= pos)
            i--;
        else if (i < ix->n && ix->ev[i].start < pos)
            i++;
        else
            return ix->hint = i;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->ev[mid].start < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return ix->hint = lo;
}

/*
 * scan_ctx_nearest through the index: the same answer as the direct look-up, which is
 * used instead when the candidate starts or ends inside a word (the direct look-up reads
 * a cut word there) or lies before the index. Returns -2 when the index cannot answer.
 */
static int ctx_nearest_ix(const struct scan_window *w, struct scan_ctx_index *ix, uint64_t from,
                          uint64_t to, unsigned mask, unsigned before, unsigned after)
{
    uint64_t wend = w->off + w->len;
    uint64_t b0 = from > w->off + before ? from - before : w->off;
    uint64_t a1 = to + after < wend ? to + after : wend;
    int best_before = -1, best_after = -1;
    uint64_t d_before = UINT64_MAX, d_after = UINT64_MAX;
    size_t i;

    if (from > w->off && from < wend && wlow[(unsigned char)w->p[from - w->off - 1]] &&
        wlow[(unsigned char)w->p[from - w->off]])
        return -2;
    if (to > w->off && to < wend && wlow[(unsigned char)w->p[to - w->off - 1]] &&
        wlow[(unsigned char)w->p[to - w->off]])
        return -2;
    if (ix->end == 0 || b0 < ix->start || ix->n >= IX_MAX)
        ix_start(w, ix, b0);
    if (ix->end < a1 && ix_extend(w, ix, a1))
        return -2;
    for (i = ix_find(ix, b0); i < ix->n && ix->ev[i].start < from; i++) {
        const struct scan_ctx_event *ev = &ix->ev[i];
        if (ev->end == 0) {
            best_before = -1;
        } else if (ev->cls >= 0 && (mask & (1u << ev->cls))) {
            best_before = ev->cls;
            d_before = from - ev->end;
        }
    }
    while (i < ix->n && ix->ev[i].start < to) /* from <= to: a few steps on */
        i++;
    for (; i < ix->n && ix->ev[i].start < a1; i++) {
        const struct scan_ctx_event *ev = &ix->ev[i];
        if (ev->end == 0)
            break;
        if (ev->cls >= 0 && (mask & (1u << ev->cls))) {
            best_after = ev->cls;
            d_after = ev->start - to;
            break;
        }
    }
    if (best_before >= 0 && d_before <= d_after)
        return best_before;
    return best_after;
}

int scan_ctx_nearest(const struct scan_window *w, uint64_t from, uint64_t to, unsigned mask,
                     unsigned before, unsigned after)
{
    uint64_t wend = w->off + w->len;

    if (from < w->off || to > wend || from > to)
        return -1;
    pthread_once(&ht_once, tables_build);
    if (w->ix) {
        int cls = ctx_nearest_ix(w, w->ix, from, to, mask, before, after);
        if (cls != -2)
            return cls;
    }
    return ctx_nearest_direct(w, from, to, mask, before, after);
}

int scan_ctx_table_check(void)
{
    for (size_t i = 1; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(words[i - 1].w, words[i].w) >= 0)
            return -1;
    return 0;
}
