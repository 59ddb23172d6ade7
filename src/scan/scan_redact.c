/* scan_redact.c - masked previews, typed-placeholder redaction, result lifetime. */
#include "scan/scan_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline int is_alnum(int c)
{
    return (scan_cls_of(c) & SCAN_CLS_ALNUM) != 0;
}

/* Masks the letters and digits of text[0..len) outside the first head and the last tail of
 * them (nal in all) into out; other bytes are kept when printable ASCII. */
static void mask_into(char *out, const char *text, size_t len, size_t nal, size_t head, size_t tail)
{
    size_t idx = 0, keep_from = nal - tail;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        char o = (char)(c >= 0x20 && c < 0x7f ? c : '*');
        if (is_alnum(c)) {
            if (idx >= head && idx < keep_from)
                o = '*';
            idx++;
        }
        out[i] = o;
    }
}

#if defined(__SSE2__)
/*
 * The preview of a value shorter than 40 bytes into pv (zeroed, 40 bytes), 16 bytes at a
 * time: bytes outside printable ASCII become '*', and of the letters and digits (nal) the
 * middle ones from rank (r + 1) / 2 to nal - r / 2 (r = nal / 3) too. The same result as
 * the byte loop (mask_into), without its data-dependent branches.
 */
static size_t popcount64(uint64_t x) /* without -mpopcnt, __builtin_popcountll is a call */
{
    x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
    x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
    x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
    return (size_t)((x * UINT64_C(0x0101010101010101)) >> 56);
}

static void preview_short(char *pv, const char *text, size_t len)
{
    unsigned char in[48], out[48];
    uint64_t al = 0, m;
    size_t nal, r, nb = (len + 15) / 16; /* only the 16-byte blocks that hold the value */

    memset(in, 0, sizeof(in));
    memcpy(in, text, len);
    for (size_t k = 0; k < nb; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(in + 16 * k));
        /* printable: 0x20 <= x < 0x7f (signed compare: bytes >= 0x80 are negative) */
        __m128i pr = _mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)),
                                      _mm_cmpgt_epi8(x, _mm_set1_epi8(0x1f)));
        __m128i lx = _mm_or_si128(x, _mm_set1_epi8(0x20));
        __m128i al8 = _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                                 _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1))),
                                   _mm_and_si128(_mm_cmpgt_epi8(lx, _mm_set1_epi8('a' - 1)),
                                                 _mm_cmplt_epi8(lx, _mm_set1_epi8('z' + 1))));
        __m128i o = _mm_or_si128(_mm_and_si128(pr, x), _mm_andnot_si128(pr, _mm_set1_epi8('*')));
        _mm_storeu_si128((__m128i *)(void *)(out + 16 * k), o);
        al |= (uint64_t)(unsigned)_mm_movemask_epi8(al8) << (16 * k);
    }
    al &= (UINT64_C(1) << len) - 1; /* len < 40 */
    nal = popcount64(al);
    r = nal / 3; /* never more than a third of the characters */
    m = al;
    for (size_t j = 0; j < (r + 1) / 2; j++) /* keep the first (r + 1) / 2 */
        m &= m - 1;
    for (size_t j = 0; j < r / 2; j++) /* and the last r / 2 */
        m &= ~(UINT64_C(1) << (63 - __builtin_clzll(m)));
    for (size_t k = 0; k < nb; k++) { /* bit j of m to byte j: '*' */
        __m128i bit = _mm_set_epi8((char)0x80, 0x40, 0x20, 0x10, 8, 4, 2, 1, (char)0x80, 0x40, 0x20,
                                   0x10, 8, 4, 2, 1);
        __m128i v = _mm_unpacklo_epi64(_mm_set1_epi8((char)(m >> (16 * k))),
                                       _mm_set1_epi8((char)(m >> (16 * k + 8))));
        __m128i sel = _mm_cmpeq_epi8(_mm_and_si128(v, bit), bit);
        __m128i o = _mm_loadu_si128((const __m128i *)(const void *)(out + 16 * k));
        o = _mm_or_si128(_mm_and_si128(sel, _mm_set1_epi8('*')), _mm_andnot_si128(sel, o));
        _mm_storeu_si128((__m128i *)(void *)(out + 16 * k), o);
    }
    memcpy(pv, out, len);
}
#endif

void scan_preview_fill(struct scan_finding *f, const char *text, size_t len)
{
    char full[SCAN_MAXSPAN + 8];
    size_t nal = 0, r;

    memset(f->preview, 0, sizeof(f->preview));
    if (!text || f->detector == SCAN_DET_PRIVATE_KEY || f->detector == SCAN_DET_API_KEY ||
        f->detector == SCAN_DET_PASSWORD || len > SCAN_MAXSPAN) {
        /* secrets show only their type */
        const char *name = scan_detector_name(f->detector);
        size_t n = name ? strlen(name) : 1;
        if (n > sizeof(f->preview) - 3)
            n = sizeof(f->preview) - 3;
        f->preview[0] = '(';
        memcpy(f->preview + 1, name ? name : "?", n);
        f->preview[n + 1] = ')';
        return;
    }
    if (f->detector == SCAN_DET_CLASSIFICATION) { /* the marking is a label, not a value */
        for (size_t i = 0; i < len && i + 1 < sizeof(f->preview); i++) {
            unsigned char c = (unsigned char)text[i];
            f->preview[i] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return;
    }
#if defined(__SSE2__)
    if (len < sizeof(f->preview)) {
        preview_short(f->preview, text, len);
        return;
    }
#endif
    for (size_t i = 0; i < len; i++)
        nal += is_alnum((unsigned char)text[i]);
    r = nal / 3; /* never more than a third of the characters */
    /* a short value whole (the byte loop where SSE2 is missing) */
    if (len < sizeof(f->preview)) {
        mask_into(f->preview, text, len, nal, (r + 1) / 2, r / 2);
        return;
    }
    mask_into(full, text, len, nal, (r + 1) / 2, r / 2);
    memcpy(f->preview, full, 18);
    memcpy(f->preview + 18, "...", 3);
    memcpy(f->preview + 21, full + len - 18, 18);
    f->preview[39] = 0;
}

void scan_result_free(struct scan_result *r)
{
    size_t max;

    if (!r)
        return;
    max = r->max_findings;
    free(r->findings);
    memset(r, 0, sizeof(*r));
    r->max_findings = max;
}

int scan_redact(const char *text, size_t len, const struct scan_result *r, char **out,
                size_t *out_len)
{
    size_t cap = len + 1, n = 0, pos = 0;
    char *buf;

    for (size_t i = 0; i < r->n; i++)
        cap += 24;
    buf = malloc(cap);
    *out = NULL;
    *out_len = 0;
    if (!buf)
        return SLUIS_ENOMEM;
    for (size_t i = 0; i < r->n; i++) {
        const struct scan_finding *f = &r->findings[i];
        const char *ph = scan_detector_placeholder(f->detector);
        size_t pl;
        if (!ph || f->offset < pos || f->offset > len || f->length > len - f->offset)
            continue;
        memcpy(buf + n, text + pos, (size_t)f->offset - pos);
        n += (size_t)f->offset - pos;
        pl = strlen(ph);
        memcpy(buf + n, ph, pl);
        n += pl;
        pos = (size_t)f->offset + f->length;
    }
    memcpy(buf + n, text + pos, len - pos);
    n += len - pos;
    buf[n] = 0;
    *out = buf;
    *out_len = n;
    return 0;
}
