/*
 * scan_detect.c - the validators: turn one raw Hyperscan candidate into a
 * finding (or nothing) using checksums, formats, boundaries and the nearest
 * context word. Confidence levels are documented in docs/scan.md.
 */
#include "scan/scan_check.h"
#include "scan/scan_internal.h"

#include <string.h>

#define BIT(c) (1u << (c))

static int w_at(const struct scan_window *w, uint64_t pos)
{
    uint64_t i = pos - w->off; /* wraps to a huge value for pos < off: one test for both */

    if (i >= (uint64_t)w->len)
        return -1;
    return (unsigned char)w->p[i];
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    return (scan_cls_of(c) & SCAN_CLS_ALPHA) != 0;
}

static int is_alnum(int c)
{
    return (scan_cls_of(c) & SCAN_CLS_ALNUM) != 0;
}

_Static_assert((SCAN_CLS_LOWER << 3) == 0x20, "to_upper flips the case bit");
static int to_upper(int c)
{
    return c ^ (int)((scan_cls_of(c) & SCAN_CLS_LOWER) << 3); /* 'a' ^ 0x20 == 'A' */
}

/* A set of separator bytes (space to '/'): bit c - ' ' for byte c. */
#define SB(c) (1u << ((c) - ' '))

/* c in the set, or c == 0 (as strchr(set, c) would say). */
static inline int in_set(unsigned set, int c)
{
    uint64_t m = (uint64_t)(set & 0xffffu) << ' ' | 1u; /* bit c for byte c < 64 */

    return (int)((m >> ((unsigned)c & 63u)) & ((unsigned)c < 64u)); /* no branch */
}

/* No match inside a longer number or word: the neighbours must not be letters or
 * digits, nor a separator from seps that continues a number. */
static int bound_ok(const struct scan_window *w, uint64_t from, uint64_t to, unsigned seps)
{
    int b = from > 0 ? w_at(w, from - 1) : -1;
    int a = w_at(w, to);

    if ((scan_cls_of(b) | scan_cls_of(a)) & SCAN_CLS_WORD)
        return 0;
    if (b > 0 && in_set(seps, b) && from >= 2 && is_digit(w_at(w, from - 2)))
        return 0;
    if (a > 0 && in_set(seps, a) && is_digit(w_at(w, to + 1)))
        return 0;
    return 1;
}

static int set(struct scan_finding *f, int det, uint64_t from, uint64_t to, float conf)
{
    f->detector = det;
    f->offset = from;
    f->length = (uint32_t)(to - from);
    f->confidence = conf;
    return 1;
}

#define NUMERIC_CTX                                                                                \
    (BIT(CX_BSN) | BIT(CX_RSIN) | BIT(CX_ONDERWIJS) | BIT(CX_KVK) | BIT(CX_VESTIGING) |            \
     BIT(CX_RIJBEWIJS) | BIT(CX_BIG) | BIT(CX_PHONE) | BIT(CX_NEG) | BIT(CX_DOC) | BIT(CX_DOB))

static int v_nine(const struct scan_window *w, const char *d9, uint64_t from, uint64_t to,
                  struct scan_finding *f)
{
    int cls, bsn = scan_check_bsn(d9);

    /* checksums first: most 9-digit numbers fail both and need no context look-up */
    if (!bsn && !scan_check_onderwijsnummer(d9))
        return 0;
    cls = scan_ctx_nearest(w, from, to, NUMERIC_CTX, SCAN_CTX_BEFORE, SCAN_CTX_AFTER);
    if (bsn) {
        if (cls == CX_RSIN)
            return set(f, SCAN_DET_RSIN, from, to, 0.95f);
        if (cls == CX_BSN)
            return set(f, SCAN_DET_BSN, from, to, 0.95f);
        if (cls < 0 || cls == CX_ONDERWIJS)
            return set(f, SCAN_DET_BSN, from, to, 0.6f);
        return set(f, SCAN_DET_BSN, from, to, 0.3f);
    }
    if (scan_check_onderwijsnummer(d9)) {
        if (cls == CX_ONDERWIJS)
            return set(f, SCAN_DET_ONDERWIJSNUMMER, from, to, 0.95f);
        if (cls < 0 || cls == CX_BSN)
            return set(f, SCAN_DET_ONDERWIJSNUMMER, from, to, 0.6f);
        return set(f, SCAN_DET_ONDERWIJSNUMMER, from, to, 0.3f);
    }
    return 0;
}

static int v_digits(const struct scan_window *w, const struct scan_raw *r, const char *t, int kind,
                    struct scan_finding *f)
{
    int cls;
    char d9[9];

    if (!bound_ok(w, r->from, r->to, (SB('.') | SB(',') | SB('-') | SB('/'))))
        return 0;
    switch (kind) {
    case RK_D9:
        return v_nine(w, t, r->from, r->to, f);
    case RK_D8:
        cls = scan_ctx_nearest(w, r->from, r->to, NUMERIC_CTX, SCAN_CTX_BEFORE, SCAN_CTX_AFTER);
        d9[0] = '0';
        memcpy(d9 + 1, t, 8);
        if (cls == CX_BSN && scan_check_bsn(d9))
            return set(f, SCAN_DET_BSN, r->from, r->to, 0.9f);
        if (cls == CX_RSIN && scan_check_bsn(d9))
            return set(f, SCAN_DET_RSIN, r->from, r->to, 0.9f);
        if (cls == CX_KVK)
            return set(f, SCAN_DET_KVK, r->from, r->to, 0.9f);
        return 0;
    case RK_D10:
        cls = scan_ctx_nearest(w, r->from, r->to, NUMERIC_CTX, SCAN_CTX_BEFORE, SCAN_CTX_AFTER);
        return cls == CX_RIJBEWIJS ? set(f, SCAN_DET_RIJBEWIJS, r->from, r->to, 0.9f) : 0;
    case RK_D11:
        cls = scan_ctx_nearest(w, r->from, r->to, NUMERIC_CTX, SCAN_CTX_BEFORE, SCAN_CTX_AFTER);
        return cls == CX_BIG ? set(f, SCAN_DET_BIG, r->from, r->to, 0.9f) : 0;
    case RK_D12:
        cls = scan_ctx_nearest(w, r->from, r->to, NUMERIC_CTX, SCAN_CTX_BEFORE, SCAN_CTX_AFTER);
        if (cls == CX_VESTIGING)
            return set(f, SCAN_DET_VESTIGING, r->from, r->to, 0.9f);
        if (cls == CX_KVK)
            return set(f, SCAN_DET_VESTIGING, r->from, r->to, 0.8f);
        return 0;
    default:
        return 0;
    }
}

static int v_grouped(const struct scan_window *w, const struct scan_raw *r, const char *t, int form,
                     struct scan_finding *f)
{
    int s1 = form == 0 ? 4 : 3, s2 = 7;
    char d9[9];
    int k = 0;

    if (t[s1] != t[s2] ||
        !bound_ok(w, r->from, r->to, (SB('.') | SB(',') | SB('-') | SB('/') | SB(' '))))
        return 0;
    for (int i = 0; i < 11; i++)
        if (is_digit((unsigned char)t[i]))
            d9[k++] = t[i];
    if (k != 9)
        return 0;
    return v_nine(w, d9, r->from, r->to, f);
}

/* Copies the letters and digits of t (upper-cased) into buf; other bytes in skip are dropped. */
static size_t compact(const char *t, size_t n, unsigned skip, char *buf, size_t cap)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)t[i];
        if (in_set(skip, c))
            continue;
        if (!is_alnum(c) || k + 1 >= cap)
            return 0;
        buf[k++] = (char)to_upper(c);
    }
    buf[k] = 0;
    return k;
}

static int v_iban(const struct scan_window *w, const struct scan_raw *r, const char *t, size_t n,
                  int foreign, struct scan_finding *f)
{
    char buf[48];
    size_t k;

    /* grouped form: every space closes a group of exactly 4 */
    for (size_t i = 0; i < n; i++)
        if (t[i] == ' ' && i % 5 != 4)
            return 0;
    k = compact(t, n, (SB(' ')), buf, sizeof(buf));
    if (!k || !bound_ok(w, r->from, r->to, (SB('-') | SB('/'))))
        return 0;
    if (!scan_check_iban(buf, k))
        return 0;
    return set(f, SCAN_DET_IBAN, r->from, r->to, foreign ? 0.97f : 0.99f);
}

static int v_btw(const struct scan_window *w, const struct scan_raw *r, const char *t, size_t n,
                 struct scan_finding *f)
{
    char buf[24];
    size_t k = compact(t, n, (SB(' ') | SB('.')), buf, sizeof(buf));

    if (!k || !bound_ok(w, r->from, r->to, (SB('-') | SB('/'))) || !scan_check_btw(buf, k))
        return 0;
    return set(f, SCAN_DET_BTW, r->from, r->to, 0.95f);
}

static int v_phone(const struct scan_window *w, const struct scan_raw *r, const char *t, size_t n,
                   struct scan_finding *f)
{
    char d[16];
    size_t i = 0, k = 0;
    int prev_sep = 0, nsep = 0, cls;

    if (n >= 3 && !memcmp(t, "+31", 3)) {
        i = 3;
    } else if (n >= 4 && !memcmp(t, "0031", 4)) {
        i = 4;
    } else if (n >= 1 && t[0] == '0') {
        i = 1;
        if (i < n && t[i] == '0')
            return 0;
    } else {
        return 0;
    }
    if (i == 3 || i == 4) {
        if (i < n && (t[i] == ' ' || t[i] == '-'))
            i++;
        if (i + 3 <= n && !memcmp(t + i, "(0)", 3)) {
            i += 3;
            if (i < n && (t[i] == ' ' || t[i] == '-'))
                i++;
        }
        if (i >= n || t[i] == '0')
            return 0;
    }
    for (; i < n; i++) {
        if (is_digit((unsigned char)t[i])) {
            if (k >= sizeof(d))
                return 0;
            d[k++] = t[i];
            prev_sep = 0;
        } else if (t[i] == ' ' || t[i] == '-') {
            if (prev_sep)
                return 0;
            prev_sep = 1;
            nsep++;
        } else {
            return 0;
        }
    }
    if (nsep > 4 || !scan_check_phone_nsn(d, k))
        return 0;
    if (!bound_ok(w, r->from, r->to, (SB('.') | SB(',') | SB('-') | SB('/'))))
        return 0;
    cls = scan_ctx_nearest(w, r->from, r->to, NUMERIC_CTX, SCAN_CTX_BEFORE, SCAN_CTX_AFTER);
    if (cls == CX_PHONE)
        return set(f, SCAN_DET_PHONE, r->from, r->to, 0.95f);
    if (cls < 0)
        return set(f, SCAN_DET_PHONE, r->from, r->to, 0.85f);
    return set(f, SCAN_DET_PHONE, r->from, r->to, 0.4f);
}

static int is_local_char(int c)
{
    return (scan_cls_of(c) & (SCAN_CLS_WORD | SCAN_CLS_LOCAL)) != 0;
}

static int v_email(const struct scan_window *w, const struct scan_raw *r, struct scan_finding *f)
{
    uint64_t to = r->to, at, start;
    int c, prev = 0;
    unsigned label = 0;

    /* walk back over the domain to the '@' */
    at = to;
    while (at > w->off && to - at < 254) {
        c = w_at(w, at - 1);
        if (c == '@')
            break;
        if (!is_alnum(c) && c != '-' && c != '.')
            return 0;
        at--;
    }
    if (at == w->off || w_at(w, at - 1) != '@')
        return 0;
    at--;
    /* domain labels: not empty, not starting or ending with '-' */
    for (uint64_t p = at + 1; p <= to; p++) {
        c = p < to ? w_at(w, p) : '.';
        if (c == '.') {
            if (label == 0 || prev == '-')
                return 0;
            label = 0;
        } else {
            if (label == 0 && c == '-')
                return 0;
            label++;
        }
        prev = c;
    }
    /* local part */
    start = at;
    while (start > w->off && at - start < 64 && is_local_char(w_at(w, start - 1)))
        start--;
    if (start == at || w_at(w, start) == '.' || w_at(w, at - 1) == '.')
        return 0;
    if (start > 0 && (is_local_char(w_at(w, start - 1)) || w_at(w, start - 1) == '@'))
        return 0;
    if (is_alnum(w_at(w, to)) || w_at(w, to) == '@')
        return 0;
    /* only the whole domain: "a@b.example" inside "a@b.example.nl" is not reported, so
       block and streaming mode agree */
    if ((w_at(w, to) == '.' || w_at(w, to) == '-') && is_alnum(w_at(w, to + 1)))
        return 0;
    for (uint64_t p = start; p + 1 < at; p++)
        if (w_at(w, p) == '.' && w_at(w, p + 1) == '.')
            return 0;
    return set(f, SCAN_DET_EMAIL, start, to, 0.95f);
}

/* "Kerkstraat 12a, 1234 AB": a house number right before the postcode. */
static int house_number_before(const struct scan_window *w, uint64_t from)
{
    uint64_t p = from;
    int n = 0, c;

    while (p > w->off && n < 3 && ((c = w_at(w, p - 1)) == ' ' || c == ','))
        p--, n++;
    if (n == 0)
        return 0;
    n = 0;
    while (p > w->off && n < 2 && is_alpha(w_at(w, p - 1)))
        p--, n++;
    if (p > w->off && w_at(w, p - 1) == '-')
        p--;
    n = 0;
    while (p > w->off && n < 6 && is_digit(w_at(w, p - 1)))
        p--, n++;
    if (n < 1 || n > 5 || p <= w->off + 1 || w_at(w, p - 1) != ' ')
        return 0;
    c = w_at(w, p - 2);
    return is_alpha(c) || c >= 0x80 || c == '.';
}

static int v_postcode(const struct scan_window *w, const struct scan_raw *r, const char *t,
                      size_t n, struct scan_finding *f)
{
    char pc[6];

    memcpy(pc, t, 4);
    memcpy(pc + 4, t + n - 2, 2);
    if (!scan_check_postcode(pc) || !bound_ok(w, r->from, r->to, (SB('.') | SB(',') | SB('/'))))
        return 0;
    if (house_number_before(w, r->from) ||
        scan_ctx_nearest(w, r->from, r->to, BIT(CX_ADDRESS), SCAN_CTX_BEFORE, SCAN_CTX_AFTER) >= 0)
        return set(f, SCAN_DET_POSTCODE, r->from, r->to, 0.85f);
    return set(f, SCAN_DET_POSTCODE, r->from, r->to, 0.4f);
}

static int num(const char *t, size_t n, size_t *i, int maxd)
{
    int v = 0, k = 0;

    while (*i < n && k < maxd && is_digit((unsigned char)t[*i])) {
        v = v * 10 + (t[*i] - '0');
        (*i)++;
        k++;
    }
    return k ? v : -1;
}

static int v_date(const struct scan_db *db, const struct scan_window *w, const struct scan_raw *r,
                  const char *t, size_t n, int kind, int form, struct scan_finding *f)
{
    size_t i = 0;
    int d, m, y;

    if (kind == RK_DATE_NUM && form == 1) {
        y = num(t, n, &i, 4);
        i++;
        m = num(t, n, &i, 2);
        i++;
        d = num(t, n, &i, 2);
    } else if (kind == RK_DATE_NUM) {
        char s1, s2;
        d = num(t, n, &i, 2);
        s1 = i < n ? t[i] : 0;
        i++;
        m = num(t, n, &i, 2);
        s2 = i < n ? t[i] : 0;
        i++;
        y = num(t, n, &i, 4);
        if (s1 != s2)
            return 0;
    } else {
        size_t ms;
        d = num(t, n, &i, 2);
        i++;
        ms = i;
        while (i < n && is_alpha((unsigned char)t[i]))
            i++;
        m = scan_check_month_name(t + ms, i - ms);
        while (i < n && !is_digit((unsigned char)t[i]))
            i++;
        y = num(t, n, &i, 4);
    }
    if (!scan_check_date(y, m, d, 1900, db->year_max) ||
        !bound_ok(w, r->from, r->to, (SB('.') | SB('-') | SB('/'))))
        return 0;
    if (scan_ctx_nearest(w, r->from, r->to, BIT(CX_DOB), 48, 24) == CX_DOB)
        return set(f, SCAN_DET_DOB, r->from, r->to, 0.9f);
    return 0;
}

static int v_plate(const struct scan_window *w, const struct scan_raw *r, const char *t, size_t n,
                   int form, struct scan_finding *f)
{
    char s[8];
    size_t k = 0;
    int g[3], sc, cls;

    for (size_t i = 0; i < n; i++) {
        if (t[i] == '-')
            continue;
        if (k >= 6)
            return 0;
        s[k++] = t[i];
    }
    if (k != 6 || !(sc = scan_check_plate(s)))
        return 0;
    if (form == 0) { /* hyphenated: the hyphens must split the sidecode groups */
        scan_check_plate_groups(sc, g);
        if (n != 8 || t[g[0]] != '-' || t[g[0] + g[1] + 1] != '-')
            return 0;
    }
    if (!bound_ok(w, r->from, r->to, (SB('-') | SB('.') | SB('/'))))
        return 0;
    cls = scan_ctx_nearest(w, r->from, r->to, BIT(CX_KENTEKEN) | BIT(CX_PRODUCT) | BIT(CX_NEG),
                           SCAN_CTX_BEFORE, SCAN_CTX_AFTER);
    return cls == CX_KENTEKEN ? set(f, SCAN_DET_KENTEKEN, r->from, r->to, 0.9f) : 0;
}

static int v_docnr(const struct scan_window *w, const struct scan_raw *r, const char *t,
                   struct scan_finding *f)
{
    int cls;

    if (!scan_check_docnr(t) || !bound_ok(w, r->from, r->to, (SB('-') | SB('.') | SB('/'))))
        return 0;
    cls = scan_ctx_nearest(w, r->from, r->to,
                           BIT(CX_DOC) | BIT(CX_PRODUCT) | BIT(CX_NEG) | BIT(CX_KENTEKEN),
                           SCAN_CTX_BEFORE, SCAN_CTX_AFTER);
    return cls == CX_DOC ? set(f, SCAN_DET_PASPOORT, r->from, r->to, 0.9f) : 0;
}

static const char *w_find(const struct scan_window *w, uint64_t from, size_t maxlen,
                          const char *needle)
{
    size_t nl = strlen(needle);
    uint64_t end = w->off + w->len;

    if (from < w->off || from > end)
        return NULL;
    if (end - from > maxlen)
        end = from + maxlen;
    return memmem(w->p + (from - w->off), (size_t)(end - from), needle, nl);
}

static int v_pem(const struct scan_window *w, const struct scan_raw *r, struct scan_finding *f)
{
    const char *endl = w_find(w, r->to, SCAN_PEM_MAX, "-----END ");
    uint64_t to = r->to;

    if (endl) {
        uint64_t p = w->off + (uint64_t)(endl - w->p);
        const char *tail = w_find(w, p, 64, "PRIVATE KEY-----");
        if (tail)
            to = w->off + (uint64_t)(tail - w->p) + 16;
    }
    return set(f, SCAN_DET_PRIVATE_KEY, r->from, to, 0.99f);
}

static int is_key_char(int c)
{
    return (scan_cls_of(c) & (SCAN_CLS_WORD | SCAN_CLS_DASH)) != 0;
}

static int v_apikey(const struct scan_window *w, const struct scan_raw *r, int form,
                    struct scan_finding *f)
{
    static const struct {
        unsigned char min, max, upper_only;
    } rule[8] = {{20, 220, 0}, {36, 40, 0}, {22, 220, 0}, {16, 16, 1},
                 {10, 72, 0},  {35, 35, 0}, {20, 20, 0},  {24, 99, 0}};
    uint64_t p = r->to;
    unsigned len = 0, digits = 0, alpha = 0;
    int c;

    while ((c = w_at(w, p)) >= 0 && len < 230) {
        if (rule[form].upper_only ? !(is_digit(c) || (c >= 'A' && c <= 'Z')) : !is_key_char(c))
            break;
        digits += is_digit(c);
        alpha += is_alpha(c);
        p++, len++;
    }
    if (len < rule[form].min || len > rule[form].max || is_alnum(c) || !digits || !alpha)
        return 0;
    return set(f, SCAN_DET_API_KEY, r->from, p, 0.95f);
}

static int v_password(const struct scan_window *w, const struct scan_raw *r, struct scan_finding *f)
{
    uint64_t p = r->to, start, end;
    int c, quote = 0, stars = 1;
    unsigned n = 0;

    while (n < 3 && ((c = w_at(w, p)) == ' ' || c == '\t'))
        p++, n++;
    if ((c = w_at(w, p)) != ':' && c != '=')
        return 0;
    p++;
    n = 0;
    while (n < 3 && ((c = w_at(w, p)) == ' ' || c == '\t'))
        p++, n++;
    c = w_at(w, p);
    if (c == '"' || c == '\'') {
        quote = c;
        p++;
    }
    start = p;
    n = 0;
    while ((c = w_at(w, p)) >= (quote ? ' ' : '!') && n < 80 && c != quote && c != 0x7f)
        p++, n++;
    end = p;
    if (!quote)
        while (end > start && strchr(".,;)", w_at(w, end - 1)))
            end--;
    if (end - start < 4)
        return 0;
    for (uint64_t q = start; q < end; q++) {
        c = w_at(w, q);
        if (c != '*' && c != 'x' && c != 'X' && c != '.')
            stars = 0;
    }
    c = w_at(w, start);
    if (stars || c == '[' || c == '<' || c == '{' || c == '$' || c == '%')
        return 0;
    return set(f, SCAN_DET_PASSWORD, start, end, 0.85f);
}

static int is_token_char(int c)
{
    return (scan_cls_of(c) & (SCAN_CLS_UPPER | SCAN_CLS_DIGIT | SCAN_CLS_DASH)) != 0;
}

/*
 * A letter next to a digit was found at r->to: takes the token of upper-case
 * letters, digits and hyphens around it and judges it as a licence plate (6
 * characters, or 8 with hyphens) or a passport/ID number (9).
 */
static int v_token(const struct scan_window *w, const struct scan_raw *r, struct scan_finding *f)
{
    uint64_t s = r->to, e = r->to;
    const char *t;
    size_t n;

    while (s > w->off && r->to - s < 12 && is_token_char(w_at(w, s - 1)))
        s--;
    while (e < w->off + w->len && e - r->to < 12 && is_token_char(w_at(w, e)))
        e++;
    while (s < e && w_at(w, s) == '-')
        s++;
    while (e > s && w_at(w, e - 1) == '-')
        e--;
    if (s >= e || (s > w->off && is_token_char(w_at(w, s - 1)) && w_at(w, s - 1) != '-'))
        return 0;
    struct scan_raw tok = *r;
    tok.from = s;
    tok.to = e;
    t = w->p + (s - w->off);
    n = (size_t)(e - s);
    if (n == 6 || n == 8)
        return v_plate(w, &tok, t, n, n == 8 ? 0 : 1, f);
    if (n == 9)
        return v_docnr(w, &tok, t, f);
    return 0;
}

int scan_detect(const struct scan_db *db, const struct scan_window *w, const struct scan_raw *r,
                scan_emit_fn emit, void *arg)
{
    const struct scan_pattern *pat = &db->pat[r->id];
    struct scan_finding f;
    const char *t;
    size_t n;
    int ok = 0;

    memset(&f, 0, sizeof(f));
    if (pat->kind == RK_EMAIL || pat->kind == RK_TOKEN || pat->kind == RK_PASSWORD) {
        if (pat->kind == RK_EMAIL)
            ok = v_email(w, r, &f);
        else if (pat->kind == RK_TOKEN)
            ok = v_token(w, r, &f);
        else
            ok = v_password(w, r, &f);
        return ok ? emit(arg, &f) : 0;
    }
    if (r->from < w->off || r->to > w->off + w->len || r->to <= r->from)
        return 0;
    t = w->p + (r->from - w->off);
    n = (size_t)(r->to - r->from);
    switch (pat->kind) {
    case RK_D8:
    case RK_D9:
    case RK_D10:
    case RK_D11:
    case RK_D12:
        ok = v_digits(w, r, t, pat->kind, &f);
        break;
    case RK_D9_GROUPED:
        ok = n == 11 ? v_grouped(w, r, t, pat->arg, &f) : 0;
        break;
    case RK_BTW:
        ok = v_btw(w, r, t, n, &f);
        break;
    case RK_IBAN:
        ok = v_iban(w, r, t, n, pat->arg, &f);
        break;
    case RK_PHONE:
        ok = v_phone(w, r, t, n, &f);
        break;
    case RK_POSTCODE:
        ok = n >= 6 ? v_postcode(w, r, t, n, &f) : 0;
        break;
    case RK_DATE_NUM:
    case RK_DATE_TEXT:
        ok = v_date(db, w, r, t, n, pat->kind, pat->arg, &f);
        break;
    case RK_CLASS:
        ok = set(&f, SCAN_DET_CLASSIFICATION, r->from, r->to, 0.95f);
        break;
    case RK_PEM:
        ok = v_pem(w, r, &f);
        break;
    case RK_APIKEY:
        ok = v_apikey(w, r, pat->arg, &f);
        break;
    default:
        break;
    }
    return ok ? emit(arg, &f) : 0;
}
