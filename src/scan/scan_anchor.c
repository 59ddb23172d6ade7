/*
 * scan_anchor.c - the hand-written candidate finder. One SIMD pass over the text marks
 * anchors: the borders of digit runs, '@', ':' and '='. Clean Dutch prose has about one
 * digit run per 120 bytes and none of the others, so the pass runs at several GB/s. At
 * each anchor a small parser reports exactly what the Hyperscan expressions of the cparse
 * patterns in scan_patterns.c would report (same pattern id, start and end; the
 * variable-width ones once per end with the leftmost start), so the validators in
 * scan_detect.c are unchanged. Tests compare this against the Hyperscan reference mode.
 *
 * Anchors and what they start:
 *   digit-run start  D8-D12, grouped BSN, postcode, dates, phone (also "+31", "0031"),
 *                    btw-id and IBAN (the letters before the digits), API keys (the
 *                    prefix earlier in the same token), a capital right before (plates,
 *                    document numbers)
 *   digit-run end    a capital right after (plates, document numbers)
 *   '@'              e-mail (the domain; the validator walks back to the local part)
 *   ':' '='          password (the keyword before)
 */
#include "scan/scan_check.h"
#include "scan/scan_internal.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define RUN_MAX 64     /* longer digit runs cannot be any digit pattern */
#define LOOK_DIGIT 128 /* bytes a digit-run parser may read after its anchor */
#define LOOK_AT 640    /* e-mail: up to ten 63-byte labels and a 24-letter top-level domain */
#define LOOK_OTHER 16  /* run end (the token after it), ':' and '=' */
#define LOOK_BACK 400  /* a candidate starts at most this far before its anchor */
#define KEY_BACK 256   /* API key prefix before the first digit of its body */

struct an {
    const unsigned char *p;
    int64_t n; /* window length */
    uint64_t off;
    const struct scan_db *db;
    struct scan_engine *e;
    struct scan_result *out;
    int err;
};

/* Byte i of the text. The parsers read at most LOOK_BACK bytes before and LOOK_AT after an
 * anchor; scan_anchor_run gives them the window itself only where that stays inside it,
 * and near its edges a copy padded with NUL bytes (a separator, like the end of the text). */
static inline int B(const struct an *a, int64_t i)
{
    return a->p[i];
}

static inline int dig(int c)
{
    return (unsigned)(c - '0') < 10u;
}

static inline int upper(int c)
{
    return (unsigned)(c - 'A') < 26u;
}

static inline int alpha(int c)
{
    return (unsigned)((c | 0x20) - 'a') < 26u; /* also false for -1 */
}

static inline int alnum(int c)
{
    return (scan_cls_of(c) & SCAN_CLS_ALNUM) != 0;
}

/* \b in Hyperscan (no UCP): word bytes are ASCII letters, digits and '_' */
static inline int word(int c)
{
    return (scan_cls_of(c) & SCAN_CLS_WORD) != 0;
}

static inline int sep3(int c)
{
    return c == '.' || c == ' ' || c == '-';
}

static inline int date_sep(int c)
{
    return c == '-' || c == '/' || c == '.';
}

/* Digits at i, counted up to max. */
static int64_t run(const struct an *a, int64_t i, int64_t max)
{
    int64_t k = 0;

#if defined(__SSE2__)
    if (max <= 16) { /* from a 16-byte digit mask (the parsers may read 16 bytes past i) */
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(a->p + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(
            _mm_add_epi8(x, _mm_set1_epi8((char)(0x80 - '0'))), _mm_set1_epi8((char)(-128 + 10))));
        k = __builtin_ctz(~m); /* < 17: bits 16 and up of ~m are set */
        return k < max ? k : max;
    }
#endif
    while (k < max && dig(B(a, i + k)))
        k++;
    return k;
}

static void emit(struct an *a, int kind, int arg, int64_t from, int64_t to)
{
    if (!a->err && scan_engine_push(a->db, a->e, a->out, a->db->kid[kind][arg],
                                    a->off + (uint64_t)from, a->off + (uint64_t)to))
        a->err = SLUIS_ENOMEM;
}

/*
 * Variable-width patterns: Hyperscan reports each end once, with the leftmost start.
 * Anchors are parsed in order, so the first claim of an end is the leftmost. Every end is
 * within LOOK_DIGIT (< SCAN_RING) bytes after its anchor, so the ends still to be claimed
 * again lie in a window shorter than SCAN_RING: a table indexed by end modulo SCAN_RING
 * holds each of them in its own slot, with a bit per pattern id. Returns 1 for a new claim.
 */
static int claim(struct an *a, unsigned id, int64_t to)
{
    struct scan_engine *e = a->e;
    uint64_t end = a->off + (uint64_t)to, bit = UINT64_C(1) << (id & 63);
    size_t slot = (size_t)(end & (SCAN_RING - 1));

    if (e->ring[slot].end != end) { /* an end of an anchor long passed: reuse the slot */
        e->ring[slot].end = end;
        e->ring[slot].ids = 0;
    }
    if (id >= 64 || !(e->ring[slot].ids & bit)) {
        e->ring[slot].ids |= bit;
        return 1;
    }
    return 0;
}

static void emit_var(struct an *a, int kind, int arg, int64_t from, int64_t to)
{
    if (claim(a, a->db->kid[kind][arg], to))
        emit(a, kind, arg, from, to);
}

static inline int token_char(int c)
{
    return (scan_cls_of(c) & (SCAN_CLS_UPPER | SCAN_CLS_DIGIT | SCAN_CLS_DASH)) != 0;
}

#if defined(__SSE2__)
/* Bit j set when p[j] is a token byte (token_char) for j < 16. The parsers may read 16
 * bytes either side of a token end (LOOK_OTHER after it, LOOK_BACK before). */
static inline unsigned tok_mask16(const unsigned char *p)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i up = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8('A')), x),
                               _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8('Z')), x));
    __m128i dg = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8('0')), x),
                               _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8('9')), x));
    __m128i da = _mm_cmpeq_epi8(x, _mm_set1_epi8('-'));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(up, dg), da));
}
#endif

/*
 * [A-Z]-?\d|\d-?[A-Z], reported by its end. The validator (v_token in scan_detect.c) takes
 * the token of capitals, digits and hyphens around the end, at most 12 bytes each way, and
 * judges only tokens of 6 or 8 bytes (plates) or 9 (document numbers). The same span is
 * computed here from the same bytes (the parser has at least 13 bytes after the end), so a
 * token that cannot pass the shape checks is not reported at all, and a token is reported
 * once however many letter-digit borders it has: the finding depends only on its span.
 */
static void emit_token(struct an *a, int64_t to)
{
    struct scan_engine *e = a->e;
    int64_t s = to, t = to, n;
    char c6[8];

    if (a->off + (uint64_t)to >= e->run_s && a->off + (uint64_t)to <= e->run_e)
        return; /* a short token already judged from another border */
#if defined(__SSE2__)
    { /* the token bytes on both sides of to, 16 at a time: no loop to mispredict */
        unsigned back = tok_mask16(a->p + to - 16), fwd = tok_mask16(a->p + to);
        int64_t nb = back == 0xffffu ? 16 : __builtin_clz((~back & 0xffffu) << 16);
        int64_t nf = __builtin_ctz(~fwd);
        s = to - (nb < 12 ? nb : 12);
        t = to + (nf < 12 ? nf : 12);
    }
#else
    while (to - s < 12 && token_char(B(a, s - 1)))
        s--;
    while (t - to < 12 && token_char(B(a, t)))
        t++;
#endif
    if (t - s <= 12 && !token_char(B(a, s - 1)) &&
        !token_char(B(a, t))) { /* any border: this span */
        e->run_s = a->off + (uint64_t)s;
        e->run_e = a->off + (uint64_t)t;
    }
    while (s < t && a->p[s] == '-')
        s++;
    while (t > s && a->p[t - 1] == '-')
        t--;
    if (s >= t || (token_char(B(a, s - 1)) && B(a, s - 1) != '-'))
        return;
    n = t - s;
    if (n == 9) {
        if (!scan_check_docnr((const char *)a->p + s))
            return;
    } else if (n == 6 || n == 8) {
        int k = 0;
        for (int64_t q = s; q < t; q++)
            if (a->p[q] != '-') {
                if (k >= 6)
                    return;
                c6[k++] = (char)a->p[q];
            }
        if (k != 6 || !scan_check_plate(c6))
            return;
    } else {
        return;
    }
    if (a->off + (uint64_t)s == e->tok_s && a->off + (uint64_t)t == e->tok_e)
        return;
    e->tok_s = a->off + (uint64_t)s;
    e->tok_e = a->off + (uint64_t)t;
    emit(a, RK_TOKEN, 0, to, to);
}

/* (?:[ -]?\d){6,10}\b from pos */
static void phone_tail(struct an *a, int arg, int64_t start, int64_t pos)
{
    for (int cnt = 0; cnt < 10;) {
        int c = B(a, pos);
        if ((c == ' ' || c == '-') && dig(B(a, pos + 1)))
            pos++;
        else if (!dig(c))
            break;
        pos++;
        cnt++;
        if (cnt >= 6 && !word(B(a, pos)))
            emit_var(a, RK_PHONE, arg, start, pos);
    }
}

/* (?:\+|\b00)31[ -]?(?:\(0\)[ -]?)?[1-9](?:[ -]?\d){6,10}\b, pos after "31" */
static void phone_intl(struct an *a, int64_t start, int64_t pos)
{
    int c = B(a, pos);

    if (c == ' ' || c == '-')
        pos++;
    if (B(a, pos) == '(' && B(a, pos + 1) == '0' && B(a, pos + 2) == ')') {
        pos += 3;
        c = B(a, pos);
        if (c == ' ' || c == '-')
            pos++;
    }
    c = B(a, pos);
    if (!dig(c) || c == '0')
        return;
    phone_tail(a, 0, start, pos + 1);
}

/* \bNL[ .]?\d{4}\.?\d{2}\.?\d{3}[ .]?B\d{2}\b, digits from i */
static void btw(struct an *a, int64_t start, int64_t i)
{
    int64_t k = i;

    if (run(a, k, 4) < 4)
        return;
    k += 4;
    if (B(a, k) == '.')
        k++;
    if (run(a, k, 2) < 2)
        return;
    k += 2;
    if (B(a, k) == '.')
        k++;
    if (run(a, k, 3) < 3)
        return;
    k += 3;
    if (B(a, k) == ' ' || B(a, k) == '.')
        k++;
    if (B(a, k) != 'B' || run(a, k + 1, 2) < 2 || word(B(a, k + 3)))
        return;
    emit_var(a, RK_BTW, 0, start, k + 3);
}

/* \bNL\d{2}[A-Z]{4}\d{10}\b and \bNL\d{2} [A-Z]{4} \d{4} \d{4} \d{2}\b, caseless; the
 * check digits at i. Returns the end reported, or 0. */
static int64_t iban_nl(struct an *a, int64_t i)
{
    int ok = dig(B(a, i + 1));

    if (!ok)
        return 0;
    if (alpha(B(a, i + 2))) {
        for (int k = 2; k < 6; k++)
            ok &= alpha(B(a, i + k));
        ok = ok && run(a, i + 6, 11) == 10 && !word(B(a, i + 16));
        if (!ok)
            return 0;
        emit(a, RK_IBAN, 0, i - 2, i + 16);
        return i + 16;
    }
    if (B(a, i + 2) != ' ')
        return 0;
    for (int k = 3; k < 7; k++)
        ok &= alpha(B(a, i + k));
    ok = ok && B(a, i + 7) == ' ' && run(a, i + 8, 4) == 4 && B(a, i + 12) == ' ' &&
         run(a, i + 13, 4) == 4 && B(a, i + 17) == ' ' && run(a, i + 18, 3) == 2 &&
         !word(B(a, i + 20));
    if (!ok)
        return 0;
    emit(a, RK_IBAN, 0, i - 2, i + 20);
    return i + 20;
}

static inline int ucdig(int c)
{
    return (scan_cls_of(c) & (SCAN_CLS_UPPER | SCAN_CLS_DIGIT)) != 0;
}

/* \b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b, the check digits at i.
 * The validator wants as many letters and digits as the country's registered length, so
 * of the ends the expression has only that one is reported (none for an unknown country);
 * the others are claimed all the same, so a later start cannot report them either.
 * Nor the end nl_end an NL expression reported: the same span, validated the same way, at
 * a lower confidence, so it could never win. */
static void iban_foreign(struct an *a, int64_t i, int64_t nl_end)
{
    int64_t pos = i + 2;
    int want = scan_check_iban_length((char)a->p[i - 2], (char)a->p[i - 1]);
    unsigned id = a->db->kid[RK_IBAN][1];

    if (!dig(B(a, i + 1)))
        return;
    /* every end is claimed (as Hyperscan would report it), only the one that can pass is
       reported */
    for (int g = 1; g <= 7; g++) {
        int64_t q = pos + (B(a, pos) == ' ');
        if (!ucdig(B(a, q)) || !ucdig(B(a, q + 1)) || !ucdig(B(a, q + 2)) || !ucdig(B(a, q + 3)))
            break;
        pos = q + 4;
        if (g < 2)
            continue;
        if (!word(B(a, pos)) && claim(a, id, pos) && 4 + 4 * g == want && pos != nl_end)
            emit(a, RK_IBAN, 1, i - 2, pos);
        int64_t t = pos + (B(a, pos) == ' ');
        for (int k = 0; k < 3 && ucdig(B(a, t + k)); k++)
            if (!word(B(a, t + k + 1)) && claim(a, id, t + k + 1) && 4 + 4 * g + k + 1 == want &&
                t + k + 1 != nl_end)
                emit(a, RK_IBAN, 1, i - 2, t + k + 1);
    }
}

/* The alternatives of the month group of the RK_DATE_TEXT expression. */
static int month_word(const struct an *a, int64_t k, int64_t n)
{
    static const struct {
        char w[10];
        unsigned char n;
    } m[] = {{"jan", 3},   {"januari", 7},  {"feb", 3},       {"februari", 8}, {"mrt", 3},
             {"maart", 5}, {"apr", 3},      {"april", 5},     {"mei", 3},      {"jun", 3},
             {"juni", 4},  {"jul", 3},      {"juli", 4},      {"aug", 3},      {"augustus", 8},
             {"sep", 3},   {"sept", 4},     {"september", 9}, {"okt", 3},      {"oktober", 7},
             {"nov", 3},   {"november", 8}, {"dec", 3},       {"december", 8}};
    char low[10];
    int c0;

    if (n < 3 || n > 9)
        return 0;
    c0 = a->p[k] | 0x20; /* months start with one of these */
    if (c0 != 'j' && c0 != 'f' && c0 != 'm' && c0 != 'a' && c0 != 's' && c0 != 'o' && c0 != 'n' &&
        c0 != 'd')
        return 0;
    for (int64_t t = 0; t < n; t++)
        low[t] = (char)(a->p[k + t] | 0x20);
    for (size_t t = 0; t < sizeof(m) / sizeof(m[0]); t++)
        if (m[t].n == n && m[t].w[0] == c0 && !memcmp(m[t].w, low, (size_t)n))
            return 1;
    return 0;
}

/* (?:19|20)\d{2}\b at k */
static int year_at(const struct an *a, int64_t k)
{
    int c0 = B(a, k), c1 = B(a, k + 1);
    return ((c0 == '1' && c1 == '9') || (c0 == '2' && c1 == '0')) && run(a, k, 5) == 4 &&
           !word(B(a, k + 4));
}

/* Dates starting with a run of 1-2 digits [i, j). */
static void dates_dm(struct an *a, int64_t i, int64_t j)
{
    int c = B(a, j);

    if (date_sep(c)) { /* \b\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d{2}\b */
        int64_t k = j + 1, l2 = run(a, k, 3);
        if (l2 >= 1 && l2 <= 2 && date_sep(B(a, k + l2)) && year_at(a, k + l2 + 1))
            emit_var(a, RK_DATE_NUM, 0, i, k + l2 + 5);
    } else if (c == ' ') { /* \b\d{1,2} (?:month)\.? (?:19|20)\d{2}\b, caseless */
        int64_t k = j + 1, m = 0;
        int c0 = B(a, k) | 0x20; /* month names start with one of these: most words do not */
        if (c0 != 'j' && c0 != 'f' && c0 != 'm' && c0 != 'a' && c0 != 's' && c0 != 'o' &&
            c0 != 'n' && c0 != 'd')
            return;
        while (m < 10 && alpha(B(a, k + m)))
            m++;
        if (!month_word(a, k, m))
            return;
        k += m;
        if (B(a, k) == '.')
            k++;
        if (B(a, k) == ' ' && year_at(a, k + 1))
            emit_var(a, RK_DATE_TEXT, 0, i, k + 5);
    }
}

static inline int key_char(int c)
{
    return (scan_cls_of(c) & (SCAN_CLS_WORD | SCAN_CLS_DASH)) != 0;
}

#if defined(__SSE2__)
/* Bit j set when p[j] is a key byte (key_char) for j < 16. */
static inline unsigned key_mask16(const unsigned char *p)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i lx = _mm_or_si128(x, _mm_set1_epi8(0x20)); /* letters to lower case */
    __m128i al = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(lx, _mm_set1_epi8('a')), lx),
                               _mm_cmpeq_epi8(_mm_min_epu8(lx, _mm_set1_epi8('z')), lx));
    __m128i dg = _mm_and_si128(_mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8('0')), x),
                               _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8('9')), x));
    __m128i ud =
        _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('_')), _mm_cmpeq_epi8(x, _mm_set1_epi8('-')));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(al, dg), ud));
}
#endif

/* The API-key prefix starting at q, if any (q starts a word). */
static void key_prefix(struct an *a, int64_t q)
{
    int c = a->p[q], arg = -1, len = 0;
    if (word(B(a, q - 1)))
        return;
    switch (c) {
    case 's':
    case 'r':
        if (c == 's' && B(a, q + 1) == 'k' && B(a, q + 2) == '-')
            arg = 0, len = 3;
        else if (B(a, q + 1) == 'k' && q + 8 <= a->n && !memcmp(a->p + q + 2, "_live_", 6))
            arg = 7, len = 8;
        break;
    case 'g':
        if (B(a, q + 1) == 'h' && B(a, q + 3) == '_' && B(a, q + 2) > 0 &&
            strchr("pousr", B(a, q + 2)))
            arg = 1, len = 4;
        else if (q + 11 <= a->n && !memcmp(a->p + q, "github_pat_", 11))
            arg = 2, len = 11;
        else if (q + 6 <= a->n && !memcmp(a->p + q, "glpat-", 6))
            arg = 6, len = 6;
        break;
    case 'A':
        if (q + 4 <= a->n && !memcmp(a->p + q, "AKIA", 4))
            arg = 3, len = 4;
        else if (q + 4 <= a->n && !memcmp(a->p + q, "AIza", 4))
            arg = 5, len = 4;
        break;
    case 'x':
        if (B(a, q + 1) == 'o' && B(a, q + 2) == 'x' && B(a, q + 4) == '-' && B(a, q + 3) > 0 &&
            strchr("baprs", B(a, q + 3)))
            arg = 4, len = 5;
        break;
    default:
        break;
    }
    if (arg >= 0)
        emit(a, RK_APIKEY, arg, q, q + len);
}

/* API key prefixes (\bsk-, \bgh[pousr]_, ...) earlier in the token of the digit at i: the
 * validator needs a digit in the key body, so a prefix without one is no candidate. */
__attribute__((noinline)) static void api_keys(struct an *a, int64_t i)
{
    int64_t s = i, lo = (int64_t)a->e->key_done - (int64_t)a->off;

    /* prefixes before key_done have been looked at: the walk back may stop there */
#if defined(__SSE2__)
    { /* 16 bytes at a time (the parsers may read LOOK_BACK > KEY_BACK + 16 bytes back) */
        int64_t limit = i - KEY_BACK;
        if (limit < lo)
            limit = lo;
        if (limit < 0)
            limit = 0;
        while (s > limit) {
            unsigned m = key_mask16(a->p + s - 16);
            int64_t nb = m == 0xffffu ? 16 : __builtin_clz((~m & 0xffffu) << 16);
            s = s - nb < limit ? limit : s - nb;
            if (nb < 16)
                break;
        }
    }
#else
    while (s > 0 && s > lo && i - s < KEY_BACK && key_char(B(a, s - 1)))
        s--;
#endif
    if (s < lo)
        s = lo;
#if defined(__SSE2__)
    /* only bytes that can start a prefix: s, r, g, A, x */
    for (int64_t q0 = s; q0 < i; q0 += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(a->p + q0));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('s')),
                                                   _mm_cmpeq_epi8(x, _mm_set1_epi8('r'))),
                                      _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('g')),
                                                   _mm_cmpeq_epi8(x, _mm_set1_epi8('A')))),
                         _mm_cmpeq_epi8(x, _mm_set1_epi8('x'))));
        if (i - q0 < 16)
            m &= (1u << (i - q0)) - 1;
        while (m) {
            key_prefix(a, q0 + __builtin_ctz(m));
            m &= m - 1;
        }
    }
#else
    for (int64_t q = s; q < i; q++)
        key_prefix(a, q);
#endif
    if (a->off + (uint64_t)i > a->e->key_done)
        a->e->key_done = a->off + (uint64_t)i;
}

/* A digit run starts at i (a->p[i] is a digit, the byte before is not); len is its length
 * when the caller knows it (from the digit mask), else -1. */
static void on_run_start(struct an *a, int64_t i, int64_t len)
{
    int c0 = B(a, i - 1), c1 = B(a, i - 2), ca;
    int64_t j = i + (len >= 0 ? len : run(a, i, RUN_MAX + 1)), L = j - i;

    /* [A-Z]-?\d: a capital (and hyphen) before the run */
    if (upper(c0) || (c0 == '-' && upper(c1)))
        emit_token(a, i + 1);
    if (key_char(c0))
        api_keys(a, i);
    if (alpha(c0)) {
        int c3 = B(a, i - 3);
        if (c0 == 'L' && c1 == 'N' && !word(c3))
            btw(a, i - 2, i);
        int64_t nl_end = 0;
        if ((c0 | 0x20) == 'l' && (c1 | 0x20) == 'n' && !word(c3))
            nl_end = iban_nl(a, i);
        if (upper(c0) && upper(c1) && !word(c3))
            iban_foreign(a, i, nl_end);
        return;
    }
    if ((c0 == ' ' || c0 == '.') && c1 == 'L' && B(a, i - 3) == 'N' && !word(B(a, i - 4)))
        btw(a, i - 3, i);
    if (c0 == '+' && B(a, i) == '3' && B(a, i + 1) == '1')
        phone_intl(a, i - 1, i + 2);
    if (word(c0) || L > RUN_MAX)
        return;
    ca = B(a, j);
    if (L >= 8 && L <= 12 && !word(ca))
        emit(a, (int)(RK_D8 + (L - 8)), 0, i, j);
    if (a->p[i] == '0' && L >= 2) {
        if (a->p[i + 1] != '0')
            phone_tail(a, 1, i, i + 2);
        else if (L >= 4 && a->p[i + 2] == '3' && a->p[i + 3] == '1')
            phone_intl(a, i, i + 4);
    }
    if ((L == 3 || L == 4) && sep3(ca)) { /* \b\d{4}[. -]\d{2}[. -]\d{3}\b, 3-3-3 */
        int form = L == 3, l2 = form ? 3 : 2;
        int64_t k = j + 1;
        if (run(a, k, 4) == l2 && sep3(B(a, k + l2)) && run(a, k + l2 + 1, 4) == 3 &&
            !word(B(a, k + l2 + 4)))
            emit(a, RK_D9_GROUPED, form, i, k + l2 + 4);
    }
    if (L == 4) {
        if (a->p[i] != '0') { /* \b[1-9]\d{3} ?[A-Z]{2}\b */
            if (upper(ca) && upper(B(a, j + 1)) && !word(B(a, j + 2)))
                emit(a, RK_POSTCODE, 0, i, j + 2);
            else if (ca == ' ' && upper(B(a, j + 1)) && upper(B(a, j + 2)) && !word(B(a, j + 3)))
                emit(a, RK_POSTCODE, 1, i, j + 3);
        }
        /* \b(?:19|20)\d{2}-\d{2}-\d{2}\b */
        if (ca == '-' &&
            ((a->p[i] == '1' && a->p[i + 1] == '9') || (a->p[i] == '2' && a->p[i + 1] == '0'))) {
            if (run(a, j + 1, 3) == 2 && B(a, j + 3) == '-' && run(a, j + 4, 3) == 2 &&
                !word(B(a, j + 6)))
                emit(a, RK_DATE_NUM, 1, i, j + 6);
        }
    }
    if (L <= 2)
        dates_dm(a, i, j);
}

/* A digit run ended before k: \d-?[A-Z] */
static void on_run_end(struct an *a, int64_t k)
{
    int c = a->p[k];

    if (upper(c))
        emit_token(a, k + 1);
    else if (c == '-' && upper(B(a, k + 1)))
        emit_token(a, k + 2);
}

/* @[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9][A-Za-z0-9-]{0,62}){0,8}\.[A-Za-z]{2,24}\b,
 * reported by its end */
static void on_at(struct an *a, int64_t i)
{
    int64_t pos = i + 1;

    for (int lab = 0; lab < 10; lab++) {
        if (lab >= 1) { /* the top-level domain may start here */
            int64_t t = pos;
            while (t - pos < 25 && alpha(B(a, t)))
                t++;
            if (t - pos >= 2 && t - pos <= 24 && !word(B(a, t)))
                emit(a, RK_EMAIL, 0, t, t);
        }
        if (lab == 9 || !alnum(B(a, pos)))
            break;
        int64_t e = pos + 1;
        while (e - pos < 64 && (alnum(B(a, e)) || B(a, e) == '-'))
            e++;
        if (e - pos > 63 || B(a, e) != '.')
            break;
        pos = e + 1;
    }
}

/* \b(?:wachtwoord|password|passwd|pwd|wachtw|pincode)\b, caseless, reported by its end;
 * the validator wants ':' or '=' after at most three blanks, so ':' and '=' anchor it. */
static void on_assign(struct an *a, int64_t i)
{
    static const struct {
        char w[11];
        unsigned char n;
    } kw[] = {{"wachtwoord", 10}, {"password", 8}, {"passwd", 6},
              {"pwd", 3},         {"wachtw", 6},   {"pincode", 7}};
    int64_t e = i, s;
    int n = 0;
    char low[12];

    while (n < 3 && (B(a, e - 1) == ' ' || B(a, e - 1) == '\t'))
        e--, n++;
    s = e;
    while (e - s < 11 && word(B(a, s - 1)))
        s--;
    if (e - s < 3 || e - s > 10 || word(B(a, s - 1)))
        return;
    for (int64_t t = s; t < e; t++)
        low[t - s] = (char)(a->p[t] | 0x20);
    for (size_t t = 0; t < sizeof(kw) / sizeof(kw[0]); t++)
        if (kw[t].n == e - s && !memcmp(kw[t].w, low, (size_t)(e - s))) {
            emit(a, RK_PASSWORD, 0, e, e);
            return;
        }
}

/* Bit t: p[t] is a digit; *spec bit t: p[t] is '@', ':' or '='. 64 bytes. */
static uint64_t masks64(const unsigned char *p, uint64_t *spec)
{
    uint64_t d = 0, s = 0;
#if defined(__SSE2__)
    const __m128i shift = _mm_set1_epi8((char)(0x80 - '0'));
    const __m128i lim = _mm_set1_epi8((char)(-128 + 10));
    const __m128i at = _mm_set1_epi8('@'), co = _mm_set1_epi8(':'), eq = _mm_set1_epi8('=');
    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i dd = _mm_cmplt_epi8(_mm_add_epi8(x, shift), lim);
        __m128i ss = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, at), _mm_cmpeq_epi8(x, co)),
                                  _mm_cmpeq_epi8(x, eq));
        d |= (uint64_t)(unsigned)_mm_movemask_epi8(dd) << (16 * k);
        s |= (uint64_t)(unsigned)_mm_movemask_epi8(ss) << (16 * k);
    }
#else
    for (int t = 0; t < 64; t++) {
        d |= (uint64_t)dig(p[t]) << t;
        s |= (uint64_t)(p[t] == '@' || p[t] == ':' || p[t] == '=') << t;
    }
#endif
    *spec = s;
    return d;
}

void scan_anchor_reset(struct scan_engine *e)
{
    e->anchor_done = 0;
    e->pending_from = UINT64_MAX;
    e->key_done = 0;
    e->tok_s = e->tok_e = 0;
    e->run_s = e->run_e = UINT64_MAX;
    memset(e->ring, 0xff, sizeof(e->ring));
}

/*
 * The parsers read at most READ_BACK bytes before an anchor (an API-key prefix walk) and
 * READ_AHEAD after it (an e-mail domain). Anchors at least EDGE bytes from both ends of the
 * window are parsed in the window itself; the others in a copy of the head or the tail of
 * the window with NUL bytes beyond the window's ends (a separator, like the end of the text).
 */
#define READ_BACK 320
#define READ_AHEAD 704
#define EDGE 1024 /* > READ_BACK and READ_AHEAD */

/* r: bytes [from, from + len) of the window w copied into buf (4 * EDGE bytes) at EDGE, with
 * NUL pads where the copy meets an end of the window. */
static void region_fill(struct an *r, const struct an *w, unsigned char *buf, int64_t from,
                        int64_t len)
{
    if (from == 0)
        memset(buf + EDGE - READ_BACK, 0, READ_BACK);
    memcpy(buf + EDGE, w->p + from, (size_t)len);
    if (from + len == w->n)
        memset(buf + EDGE + len, 0, READ_AHEAD);
    *r = *w;
    r->p = buf + EDGE;
    r->n = len;
    r->off = w->off + (uint64_t)from;
}

int scan_anchor_run(const struct scan_db *db, struct scan_engine *e, const struct scan_window *w,
                    int final, struct scan_result *out)
{
    struct an a = {(const unsigned char *)w->p, (int64_t)w->len, w->off, db, e, out, 0}, r = a;
    unsigned char buf[4 * EDGE];
    int64_t pos = e->anchor_done > w->off ? (int64_t)(e->anchor_done - w->off) : 0;
    int64_t stop = a.n, r_from = 0;
    int zone = 0; /* what r holds: 0 nothing, 1 the head, 2 the tail of the window */
    /* blocks from pos > far_from may hold anchors without their look-ahead; blocks outside
       [EDGE, mid_hi] anchors near an edge of the window */
    int64_t far_from = final ? INT64_MAX : a.n - 64 - LOOK_AT, mid_hi = a.n - EDGE - 64;
    uint64_t prev = pos > 0 && dig(a.p[pos - 1]); /* the byte before the block is a digit */

    while (pos < a.n) {
        uint64_t d = 0, s = 0, m;
        if (pos + 64 <= a.n) {
            d = masks64(a.p + pos, &s);
        } else {
            for (int64_t t = 0; pos + t < a.n; t++) {
                int c = a.p[pos + t];
                d |= (uint64_t)dig(c) << t;
                s |= (uint64_t)(c == '@' || c == ':' || c == '=') << t;
            }
        }
        m = (d ^ ((d << 1) | prev)) | s;
        if (pos + 64 > a.n)
            m &= (UINT64_C(1) << (a.n - pos)) - 1;
        int near_end = pos > far_from, near_edge = pos < EDGE || pos > mid_hi;
        prev = d >> 63;
        while (m) {
            int64_t k = pos + __builtin_ctzll(m), kk = k;
            int c = a.p[k];
            struct an *pa = &a;
            m &= m - 1;
            if (near_end && k + (dig(c) ? LOOK_DIGIT : c == '@' ? LOOK_AT : LOOK_OTHER) > a.n) {
                stop = k;
                goto done;
            }
            if (near_edge && (k < EDGE || k >= a.n - EDGE)) {
                int want = k < EDGE ? 1 : 2;
                if (zone != want) {
                    /* the head: anchors before EDGE read up to EDGE + READ_AHEAD; the tail:
                       anchors from a.n - EDGE on read back to a.n - EDGE - READ_BACK */
                    int64_t to = want == 1 ? (a.n < 2 * EDGE ? a.n : 2 * EDGE) : a.n;
                    r_from = want == 1 || a.n < EDGE + READ_BACK ? 0 : a.n - EDGE - READ_BACK;
                    region_fill(&r, &a, buf, r_from, to - r_from);
                    zone = want;
                }
                pa = &r;
                kk = k - r_from;
            }
            if (dig(c)) {
                /* the run's length from the digit mask, when it ends inside this block */
                unsigned t = (unsigned)(k - pos);
                uint64_t rest = ~(d >> t);
                int64_t len = rest && (int64_t)__builtin_ctzll(rest) < 64 - (int64_t)t
                                  ? (int64_t)__builtin_ctzll(rest)
                                  : -1;
                on_run_start(pa, kk, len);
                continue;
            }
            if (k > 0 && dig(a.p[k - 1]))
                on_run_end(pa, kk);
            if (c == '@')
                on_at(pa, kk);
            else if (c == ':' || c == '=')
                on_assign(pa, kk);
        }
        if (a.err | r.err)
            break;
        pos += 64;
    }
done:
    e->anchor_done = w->off + (uint64_t)stop;
    e->pending_from =
        final ? UINT64_MAX : (e->anchor_done > LOOK_BACK ? e->anchor_done - LOOK_BACK : 0);
    return a.err ? a.err : r.err;
}
