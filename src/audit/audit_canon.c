/* audit_canon.c - the fast path of audit_detail_canon(): a single-pass check that a detail
 * text already is what the parse + canonical dump (audit_detail_canon_parse()) would write, so
 * canonical writers (the gateway's usage records) do not pay for a JSON parse and dump. The
 * checker is conservative: anything it is not sure of goes to the parse path, whose output is
 * the definition; tests/register/test_audit_canon.c and tests/fuzz/fuzz_audit.c check that the
 * two agree byte for byte. */
#include "audit/audit.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CANON_MAX_DEPTH 32 /* deeper documents take the parse path */

struct cur {
    const unsigned char *p, *end;
};

/* One UTF-8 sequence at c->p (first byte >= 0x80): strict (no overlong, no surrogate, at most
 * U+10FFFF), as jansson's loader checks it. */
static int utf8_seq(struct cur *c)
{
    const unsigned char *p = c->p;
    unsigned b = p[0], n, min;
    unsigned long v;
    if (b >= 0xC2 && b <= 0xDF) {
        n = 1;
        v = b & 0x1F;
        min = 0x80;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 2;
        v = b & 0x0F;
        min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 3;
        v = b & 0x07;
        min = 0x10000;
    } else {
        return -1;
    }
    if ((size_t)(c->end - p) < n + 1)
        return -1;
    for (unsigned i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return -1;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return -1;
    c->p += n + 1;
    return 0;
}

/* The escape jansson's dump writes for a control character other than \b \f \n \r \t. */
static int ctrl_escape_ok(const unsigned char *e)
{
    static const char hex[] = "0123456789ABCDEF";
    if (e[0] != '0' || e[1] != '0' || (e[2] != '0' && e[2] != '1'))
        return 0;
    const char *lo = memchr(hex, e[3], 16);
    if (!lo || !e[3])
        return 0;
    unsigned v = (unsigned)((e[2] - '0') * 16 + (lo - hex));
    return v != 0 && v != '\b' && v != '\f' && v != '\n' && v != '\r' && v != '\t';
}

/* A string token at c->p ('"'); key: no escapes at all (then its text is its value). */
static int str(struct cur *c, int key)
{
    c->p++;
    while (c->p < c->end) {
        unsigned b = *c->p;
        if (b == '"') {
            c->p++;
            return 0;
        }
        if (b < 0x20)
            return -1;
        if (b >= 0x80) {
            if (utf8_seq(c))
                return -1;
            continue;
        }
        if (b == '\\') {
            if (key || c->end - c->p < 2)
                return -1;
            unsigned e = c->p[1];
            if (e == '"' || e == '\\' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
                c->p += 2;
                continue;
            }
            if (e != 'u' || c->end - c->p < 6 || !ctrl_escape_ok(c->p + 2))
                return -1;
            c->p += 6;
            continue;
        }
        c->p++;
    }
    return -1;
}

/* A number token: an integer within long long (no "-0"), or a real whose text is what the
 * canonical dump writes for its value. */
static int num(struct cur *c)
{
    const unsigned char *s = c->p, *p = s;
    if (p < c->end && *p == '-')
        p++;
    const unsigned char *d = p;
    while (p < c->end && *p >= '0' && *p <= '9')
        p++;
    size_t nd = (size_t)(p - d);
    if (!nd || (nd > 1 && *d == '0'))
        return -1;
    int real = 0;
    if (p < c->end && *p == '.') {
        real = 1;
        const unsigned char *f = ++p;
        while (p < c->end && *p >= '0' && *p <= '9')
            p++;
        if (p == f)
            return -1;
    }
    if (p < c->end && (*p == 'e' || *p == 'E')) {
        real = 1;
        p++;
        if (p < c->end && (*p == '+' || *p == '-'))
            p++;
        const unsigned char *x = p;
        while (p < c->end && *p >= '0' && *p <= '9')
            p++;
        if (p == x)
            return -1;
    }
    size_t len = (size_t)(p - s);
    c->p = p;
    if (!real && (nd > 19 || (s[0] == '-' && nd == 1 && *d == '0')))
        return -1; /* out of range (an error), or "-0" (written as 0) */
    if (!real && nd < 19)
        return 0;
    char tok[64];
    if (len >= sizeof(tok))
        return -1;
    memcpy(tok, s, len);
    tok[len] = '\0';
    errno = 0;
    if (!real) { /* 19 digits: within long long (json_int_t) or the parse's error */
        (void)strtoll(tok, NULL, 10);
        return errno == ERANGE ? -1 : 0;
    }
    double v = strtod(tok, NULL);
    if (!isfinite(v) || errno == ERANGE)
        return -1;
    json_t *j = json_real(v);
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    int ok = t && strlen(t) == len && !memcmp(t, tok, len);
    free(t);
    json_decref(j);
    return ok ? 0 : -1;
}

static int value(struct cur *c, int depth);

static int object(struct cur *c, int depth)
{
    c->p++; /* '{' */
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        return 0;
    }
    const unsigned char *prev = NULL;
    size_t prev_len = 0;
    for (;;) {
        if (c->p >= c->end || *c->p != '"')
            return -1;
        const unsigned char *k = c->p + 1;
        if (str(c, 1))
            return -1;
        size_t klen = (size_t)(c->p - 1 - k);
        if (prev) { /* strictly after the previous key, as the dump sorts (bytes, then length) */
            size_t m = prev_len < klen ? prev_len : klen;
            int r = memcmp(prev, k, m);
            if (r > 0 || (r == 0 && prev_len >= klen))
                return -1;
        }
        prev = k;
        prev_len = klen;
        if (c->p >= c->end || *c->p != ':')
            return -1;
        c->p++;
        if (value(c, depth + 1))
            return -1;
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '}') {
            c->p++;
            return 0;
        }
        return -1;
    }
}

static int array(struct cur *c, int depth)
{
    c->p++; /* '[' */
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        return 0;
    }
    for (;;) {
        if (value(c, depth + 1))
            return -1;
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == ']') {
            c->p++;
            return 0;
        }
        return -1;
    }
}

static int word(struct cur *c, const char *w, size_t n)
{
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n))
        return -1;
    c->p += n;
    return 0;
}

static int value(struct cur *c, int depth)
{
    if (depth > CANON_MAX_DEPTH || c->p >= c->end)
        return -1;
    switch (*c->p) {
    case '{':
        return object(c, depth);
    case '[':
        return array(c, depth);
    case '"':
        return str(c, 0);
    case 't':
        return word(c, "true", 4);
    case 'f':
        return word(c, "false", 5);
    case 'n':
        return word(c, "null", 4);
    default:
        return num(c);
    }
}

int audit_detail_is_canon(const char *text, size_t len)
{
    struct cur c = {(const unsigned char *)text, (const unsigned char *)text + len};
    if (!text || !len || text[0] != '{' || len > AUDIT_MAX_DETAIL)
        return 0;
    return object(&c, 1) == 0 && c.p == c.end;
}

int audit_detail_canon(const char *detail, char **out, struct sluis_err *err)
{
    *out = NULL;
    size_t n = detail ? strnlen(detail, AUDIT_MAX_DETAIL + 1) : 0;
    if (n && n <= AUDIT_MAX_DETAIL && audit_detail_is_canon(detail, n)) {
        char *s = malloc(n + 1);
        if (!s)
            return sluis_err_set(err, SLUIS_ENOMEM, "out of memory canonicalising audit detail");
        memcpy(s, detail, n + 1);
        *out = s;
        return 0;
    }
    return audit_detail_canon_parse(detail, out, err);
}
