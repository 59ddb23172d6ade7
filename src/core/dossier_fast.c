/*
 * dossier_fast.c - fast paths of the dossier loader (see dossier_internal.h).
 *
 * The YAML reader accepts only this subset and bails out on anything else:
 *   - block mappings with plain keys [A-Za-z0-9_]+ followed by ": " or end of line;
 *   - block sequences ("- item"), also at the indentation of their parent key;
 *   - values: one-line plain scalars, one-line single-quoted scalars, one-line double-quoted
 *     scalars without escapes, one-line flow sequences of such scalars, and literal (|, |-) or
 *     folded (>, >-) block scalars without indentation indicator or more-indented lines;
 *   - comments and blank lines.
 * No tabs, CR, directives, document markers, anchors, aliases, tags, flow mappings, complex or
 * quoted keys, multi-line plain or quoted scalars, non-printable characters. Every schema error
 * also bails out, so that the reference path (libfyaml) reports it with its position.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/dossier.h"
#include "core/bytes_eq.h"
#include "core/dossier_internal.h"
#include "core/dossier_schema.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define BAIL DOSSIER_FAST_BAIL

struct fp {
    const char *s, *end;
    const char *ln;  /* start of the current line */
    const char *txt; /* first non-space character of the current line */
    const char *eol; /* end of the current line (at '\n' or end) */
    int ind;         /* indentation of the current line */
    bool eof;
};

/*
 * The first byte in [q, lim) that is a or b, or lim when there is none; end (>= lim) is the end
 * of the buffer, up to which 16-byte loads may read. Inline rather than memchr(): the lines and
 * values of a dossier are short, where a call costs more than the scan.
 */
static inline const char *scan2(const char *q, const char *lim, const char *end, char a, char b)
{
#if defined(__SSE2__)
    const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
    while (q < lim && q + 16 <= end) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
        unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)));
        if (m) {
            q += __builtin_ctz(m);
            return q < lim ? q : lim;
        }
        q += 16;
    }
    if (q >= lim)
        return lim;
#else
    (void)end;
#endif
    while (q < lim && *q != a && *q != b)
        q++;
    return q;
}

/* Positions p at the first line from ln on that is neither blank nor a comment. */
static void fp_seek(struct fp *p, const char *ln)
{
    for (;;) {
        const char *q = ln;
        if (ln >= p->end) {
            p->eof = true;
            p->ln = p->txt = p->eol = p->end;
            p->ind = -1;
            return;
        }
        while (q < p->end && *q == ' ')
            q++;
        p->eol = scan2(q, p->end, p->end, '\n', '\n');
        if (q == p->eol || *q == '#') {
            ln = p->eol + 1;
            continue;
        }
        p->ln = ln;
        p->txt = q;
        p->ind = (int)(q - ln);
        p->eof = false;
        return;
    }
}

static void fp_next(struct fp *p)
{
    fp_seek(p, p->eol < p->end ? p->eol + 1 : p->end);
}

/* Rest of a line after a value: only spaces and an optional comment (after a space). */
static bool rest_ok(const char *q, const char *eol)
{
    const char *q0 = q;
    while (q < eol && *q == ' ')
        q++;
    return q == eol || (*q == '#' && q > q0);
}

/* [A-Za-z0-9_] */
static const bool key_char[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['_'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1,
    ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1,
    ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1,
    ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1,
    ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1,
    ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1};

/* A key "[A-Za-z0-9_]+:" followed by space or end of line; sets *klen and *after. end is the
 * end of the buffer (eol is at a '\n', which ends a key, or at end). */
static bool key_at(const char *q, const char *eol, const char *end, size_t *klen,
                   const char **after)
{
    const char *k = q;
#if defined(__SSE2__)
    /* 16 bytes a step: the first byte that is not [A-Za-z0-9_] */
    while (k + 16 <= end) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)k);
        __m128i lo = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* A-Z -> a-z */
        __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lo, _mm_set1_epi8('a' - 1)),
                                       _mm_cmplt_epi8(lo, _mm_set1_epi8('z' + 1)));
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
        __m128i us = _mm_cmpeq_epi8(v, _mm_set1_epi8('_'));
        unsigned m =
            (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letter, digit), us)) ^ 0xffffu;
        if (m) {
            k += __builtin_ctz(m);
            goto scanned;
        }
        k += 16;
    }
#endif
    while (k < end && key_char[(unsigned char)*k])
        k++;
#if defined(__SSE2__)
scanned:
#endif
    if (k == q || k >= eol || *k != ':' || (k + 1 < eol && k[1] != ' '))
        return false;
    *klen = (size_t)(k - q);
    *after = k + 1;
    return true;
}

static int make_scalar(const struct dschema_field *f, enum dschema_kind kind, const char *s,
                       size_t len, json_t **out)
{
    char msg[512];
    /* the whole buffer passed plain_bytes(): valid UTF-8; scalars are cut at ASCII bytes */
    return dossier_schema_scalar_utf8(f, kind, s, len, out, msg, sizeof(msg)) ? BAIL : 0;
}

/* make_scalar() for a scalar from one line: plain_bytes() let no control character but '\n'
 * through, and a line holds none, so the schema check need not look for them. */
static int line_scalar(const struct dschema_field *f, enum dschema_kind kind, const char *s,
                       size_t len, json_t **out)
{
    char msg[512];
    return dossier_schema_scalar_clean(f, kind, s, len, out, msg, sizeof(msg)) ? BAIL : 0;
}

/* One-line quoted scalar at q ('"' or '\''); returns the end (after the closing quote). */
static const char *quoted(const char *q, const char *eol, char *tmp, size_t cap, size_t *len)
{
    char quote = *q++;
    size_t n = 0;
    while (q < eol) {
        if (quote == '"' && *q == '\\')
            return NULL;
        if (*q == quote) {
            if (quote == '\'' && q + 1 < eol && q[1] == '\'') {
                if (n >= cap)
                    return NULL;
                tmp[n++] = '\'';
                q += 2;
                continue;
            }
            *len = n;
            return q + 1;
        }
        if (n >= cap)
            return NULL;
        tmp[n++] = *q++;
    }
    return NULL;
}

static bool indicator_start(const char *q, const char *eol)
{
    switch (*q) {
    case '-':
    case '?':
    case ':':
        return q + 1 >= eol || q[1] == ' ';
    case ',':
    case '[':
    case ']':
    case '{':
    case '}':
    case '#':
    case '&':
    case '*':
    case '!':
    case '|':
    case '>':
    case '\'':
    case '"':
    case '%':
    case '@':
    case '`':
        return true;
    default:
        return false;
    }
}

/* Plain one-line scalar in block context; *len excludes trailing spaces and comment. Values
 * rarely hold '#' or ':', so both are found in one scan (scan2) rather than byte by byte. end
 * is the end of the buffer. */
static bool plain(const char *q, const char *eol, const char *end, size_t *len)
{
    const char *e = eol, *h = q;
    if (indicator_start(q, eol))
        return false;
    /* in line order: the comment starts at the first " #"; ": " or a ':' at the end of the
     * line before it is a mapping, not a scalar */
    while ((h = scan2(h, eol, end, '#', ':')) < eol) {
        if (*h == '#') {
            if (h > q && h[-1] == ' ') {
                e = h - 1;
                break;
            }
        } else if (h + 1 >= eol || h[1] == ' ') {
            return false;
        }
        h++;
    }
    while (e > q && e[-1] == ' ')
        e--;
    *len = (size_t)(e - q);
    return *len > 0;
}

/* Scratch buffer for quoted scalars (one line at most DOSSIER_MAX_TEXT bytes). */
struct scratch {
    char buf[DOSSIER_MAX_TEXT + 1];
};

static int flow_seq(const char *q, const char *eol, const struct dschema_field *f,
                    struct scratch *sc, json_t **out)
{
    json_t *arr;
    if (f->type != DST_LIST || !f->item || f->item->type == DST_OBJECT || f->item->type == DST_LIST)
        return BAIL;
    arr = json_array();
    if (!arr)
        return BAIL;
    q++; /* '[' */
    while (q < eol && *q == ' ')
        q++;
    if (q < eol && *q == ']') {
        q++;
        goto done;
    }
    for (;;) {
        json_t *v = NULL;
        const char *e;
        size_t len;
        while (q < eol && *q == ' ')
            q++;
        if (q >= eol)
            goto bail;
        if (*q == '"' || *q == '\'') {
            e = quoted(q, eol, sc->buf, sizeof(sc->buf) - 1, &len);
            if (!e || line_scalar(f->item, DSK_STRING, sc->buf, len, &v))
                goto bail;
            q = e;
        } else {
            e = q;
            if (indicator_start(q, eol))
                goto bail;
            while (e < eol && *e != ',' && *e != ']') {
                if (*e == ':' || *e == '#' || *e == '[' || *e == '{' || *e == '}')
                    goto bail;
                e++;
            }
            len = (size_t)(e - q);
            while (len && q[len - 1] == ' ')
                len--;
            if (!len || line_scalar(f->item, dossier_schema_plain_kind(q, len), q, len, &v))
                goto bail;
            q = e;
        }
        if (json_array_size(arr) >= DOSSIER_MAX_LIST || json_array_append_new(arr, v) < 0)
            goto bail;
        while (q < eol && *q == ' ')
            q++;
        if (q < eol && *q == ',') {
            q++;
            continue;
        }
        if (q < eol && *q == ']') {
            q++;
            break;
        }
        goto bail;
    }
done:
    if (!rest_ok(q, eol))
        goto bail;
    *out = arr;
    return 0;
bail:
    json_decref(arr);
    return BAIL;
}

/*
 * Block scalar whose header ('|' or '>') is at q on the current line; parent is the
 * indentation of the key. Leaves p on the first line after the scalar.
 */
static int block_scalar(struct fp *p, const char *q, int parent, const struct dschema_field *f,
                        struct scratch *sc, json_t **out)
{
    bool folded = *q == '>', strip = false;
    const char *ln, *line_end;
    size_t n = 0;
    int bi = -1, empties = 0, lines = 0;
    q++;
    if (q < p->eol && *q == '-') {
        strip = true;
        q++;
    }
    if (!rest_ok(q, p->eol) || (q < p->eol && *q != ' '))
        return BAIL;
    ln = p->eol < p->end ? p->eol + 1 : p->end;
    for (; ln < p->end; ln = line_end + 1) {
        const char *c = ln;
        int ind;
        line_end = memchr(ln, '\n', (size_t)(p->end - ln));
        if (!line_end)
            return BAIL; /* last line without a line break: leave it to the reference */
        while (c < line_end && *c == ' ')
            c++;
        ind = (int)(c - ln);
        if (c == line_end) {
            if (ind > 0)
                return BAIL; /* whitespace-only lines: leave them to the reference */
            if (lines == 0)
                return BAIL; /* leading empty lines */
            empties++;
            continue;
        }
        if (bi < 0) {
            if (ind <= parent)
                return BAIL; /* empty block scalar */
            bi = ind;
        }
        if (ind < bi)
            break;
        if (ind > bi && folded)
            return BAIL; /* more-indented lines fold differently */
        if (lines > 0) {
            int k, sep = folded ? (empties ? empties : -1) : empties + 1;
            if (sep < 0) {
                if (n >= sizeof(sc->buf) - 1)
                    return BAIL;
                sc->buf[n++] = ' ';
            } else {
                for (k = 0; k < sep; k++) {
                    if (n >= sizeof(sc->buf) - 1)
                        return BAIL;
                    sc->buf[n++] = '\n';
                }
            }
        }
        {
            const char *from = ln + bi;
            size_t l = (size_t)(line_end - from);
            if (l > 0 && (from[l - 1] == ' '))
                return BAIL; /* trailing spaces */
            if (n + l >= sizeof(sc->buf) - 1)
                return BAIL;
            memcpy(sc->buf + n, from, l);
            n += l;
        }
        lines++;
        empties = 0;
    }
    if (lines == 0)
        return BAIL;
    if (!strip)
        sc->buf[n++] = '\n';
    if (make_scalar(f, DSK_STRING, sc->buf, n, out))
        return BAIL;
    fp_seek(p, ln);
    return 0;
}

static int node_map(struct fp *p, int n, const struct dschema_field *f, struct scratch *sc,
                    json_t **out);
static int node_seq(struct fp *p, int n, bool compact, const struct dschema_field *f,
                    struct scratch *sc, json_t **out);

/*
 * Inline value at q on the current line (after "key: " or "- "); parent is the indentation
 * that continuation lines must not exceed. Leaves p on the next line.
 */
static int inline_value(struct fp *p, const char *q, int parent, const struct dschema_field *f,
                        struct scratch *sc, json_t **out)
{
    size_t len;
    const char *e;
    int rc;
    if (*q == '|' || *q == '>')
        return block_scalar(p, q, parent, f, sc, out);
    if (*q == '[')
        rc = flow_seq(q, p->eol, f, sc, out);
    else if (*q == '"' || *q == '\'') {
        e = quoted(q, p->eol, sc->buf, sizeof(sc->buf) - 1, &len);
        if (!e || !rest_ok(e, p->eol))
            return BAIL;
        rc = line_scalar(f, DSK_STRING, sc->buf, len, out);
    } else {
        if (!plain(q, p->eol, p->end, &len))
            return BAIL;
        rc = line_scalar(f, dossier_schema_plain_kind(q, len), q, len, out);
    }
    if (rc)
        return BAIL;
    fp_next(p);
    if (!p->eof && p->ind > parent) {
        json_decref(*out);
        *out = NULL;
        return BAIL; /* continuation line or misplaced content */
    }
    return 0;
}

static bool seq_item_at(const struct fp *p)
{
    return p->txt[0] == '-' && (p->txt + 1 == p->eol || p->txt[1] == ' ');
}

static int node_map(struct fp *p, int n, const struct dschema_field *f, struct scratch *sc,
                    json_t **out)
{
    json_t *obj;
    uint64_t seen = 0; /* children[i] given, for i < 64 (duplicate and required checks) */
    size_t i, hint = 0;
    if (f->type != DST_OBJECT)
        return BAIL;
    obj = json_object();
    if (!obj)
        return BAIL;
    while (!p->eof && p->ind >= n) {
        const struct dschema_field *child;
        const char *after, *q;
        size_t klen;
        json_t *v = NULL;
        int rc;
        if (p->ind > n)
            goto bail;
        /* keys mostly come in schema order: try the child after the previous one first. When
         * the line starts with its name followed by ':' and a space or the end of the line,
         * key_at() would find exactly that key (names are [a-z0-9_]), so skip its scan. */
        child = &f->children[hint];
        klen = child->name ? child->name_len : 0;
        if (klen && (size_t)(p->eol - p->txt) > klen && p->txt[klen] == ':' &&
            (p->txt + klen + 1 == p->eol || p->txt[klen + 1] == ' ') &&
            sluis_bytes_eq(child->name, p->txt, klen)) {
            after = p->txt + klen + 1;
        } else {
            if (!key_at(p->txt, p->eol, p->end, &klen, &after))
                goto bail;
            child = dossier_schema_child(f, p->txt, klen);
            if (!child)
                goto bail;
        }
        i = (size_t)(child - f->children);
        hint = i + 1;
        if (i < 64 ? (seen >> i) & 1 : json_object_get(obj, child->name) != NULL)
            goto bail; /* duplicate key */
        if (i < 64)
            seen |= UINT64_C(1) << i;
        q = after;
        while (q < p->eol && *q == ' ')
            q++;
        if (q == p->eol || *q == '#') {
            fp_next(p);
            if (p->eof || p->ind < n)
                goto bail; /* empty value */
            if (p->ind == n) {
                if (!seq_item_at(p))
                    goto bail;
                rc = node_seq(p, n, true, child, sc, &v);
            } else if (seq_item_at(p)) {
                rc = node_seq(p, p->ind, false, child, sc, &v);
            } else {
                rc = node_map(p, p->ind, child, sc, &v);
            }
        } else {
            rc = inline_value(p, q, n, child, sc, &v);
        }
        if (rc || json_object_setn_new_nocheck(obj, child->name, klen, v) < 0)
            goto bail;
    }
    for (i = 0; f->children[i].name; i++) {
        if (f->children[i].required &&
            !(i < 64 ? (seen >> i) & 1 : json_object_get(obj, f->children[i].name) != NULL))
            goto bail;
    }
    *out = obj;
    return 0;
bail:
    json_decref(obj);
    return BAIL;
}

static int node_seq(struct fp *p, int n, bool compact, const struct dschema_field *f,
                    struct scratch *sc, json_t **out)
{
    json_t *arr;
    if (f->type != DST_LIST)
        return BAIL;
    arr = json_array();
    if (!arr)
        return BAIL;
    while (!p->eof && p->ind >= n) {
        const char *q;
        json_t *v = NULL;
        size_t klen;
        const char *after;
        int rc;
        if (p->ind > n)
            goto bail;
        if (!seq_item_at(p)) {
            if (compact)
                break;
            goto bail;
        }
        if (json_array_size(arr) >= DOSSIER_MAX_LIST)
            goto bail;
        q = p->txt + 1;
        while (q < p->eol && *q == ' ')
            q++;
        if (q == p->eol || *q == '#')
            goto bail;
        if (key_at(q, p->eol, p->end, &klen, &after)) {
            /* a mapping that starts on the item's line, at column q */
            p->ind = (int)(q - p->ln);
            p->txt = q;
            rc = node_map(p, p->ind, f->item, sc, &v);
        } else {
            if (*q == '|' || *q == '>')
                goto bail;
            rc = inline_value(p, q, n, f->item, sc, &v);
        }
        if (rc || json_array_append_new(arr, v) < 0)
            goto bail;
    }
    *out = arr;
    return 0;
bail:
    json_decref(arr);
    return BAIL;
}

/* True when all 8 bytes of w are printable ASCII (0x20..0x7e) or '\n'. Exact per byte: with
 * every byte below 0x80, adding 0x60 or 0x7f to a byte never carries into the next one. */
static inline bool word_plain(uint64_t w)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    uint64_t ge20, nl, notdel;
    if (w & highs)
        return false;
    ge20 = (w + ones * 0x60) & highs;                     /* byte >= 0x20 */
    nl = ~((w ^ (ones * '\n')) + ones * 0x7f) & highs;    /* byte == '\n' */
    notdel = ((w ^ (ones * 0x7f)) + ones * 0x7f) & highs; /* byte != 0x7f */
    return ((ge20 | nl) & notdel) == highs;
}

/*
 * True when s is valid UTF-8 without the characters the subset never contains: controls (also
 * tab and CR), DEL, C1 controls, BOM, NEL/LS/PS, U+FFFE/U+FFFF.
 */
static bool plain_bytes(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c;
        size_t n;
        unsigned int cp;
#if defined(__SSE2__)
        /* 16 bytes a step: each printable ASCII (0x20..0x7e as signed bytes) or '\n' */
        if (i + 16 <= len) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            __m128i ok = _mm_or_si128(_mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x1f)),
                                                    _mm_cmplt_epi8(v, _mm_set1_epi8(0x7f))),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));
            if (_mm_movemask_epi8(ok) == 0xffff) {
                i += 16;
                continue;
            }
        }
#endif
        c = s[i];
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (word_plain(w)) {
                i += 8;
                continue;
            }
        }
        if (c >= 0x20 && c < 0x7f) {
            i++;
            continue;
        }
        if (c < 0x80) {
            if (c != '\n')
                return false;
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0) || cp == 0xfeff ||
            cp == 0x2028 || cp == 0x2029 || cp == 0xfffe || cp == 0xffff)
            return false;
        i += n + 1;
    }
    return true;
}

int dossier_fast_yaml(const char *buf, size_t len, json_t **out)
{
    struct fp p = {.s = buf, .end = buf + len};
    struct scratch sc;
    int rc;
    *out = NULL;
    if (!plain_bytes((const unsigned char *)buf, len))
        return BAIL;
    fp_seek(&p, buf);
    if (p.eof || p.ind != 0 || p.txt[0] == '-' || p.txt[0] == '%' || p.txt[0] == '.')
        return BAIL;
    rc = node_map(&p, 0, dossier_schema_root(), &sc, out);
    if (rc == 0 && !p.eof) {
        json_decref(*out);
        *out = NULL;
        rc = BAIL;
    }
    return rc;
}

int dossier_fast_json(const char *buf, size_t len, json_t **out)
{
    json_error_t jerr;
    json_t *doc;
    *out = NULL;
    doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc)
        return BAIL;
    if (dossier_validate(doc, NULL) != 0) {
        json_decref(doc);
        return BAIL;
    }
    *out = doc;
    return 0;
}
