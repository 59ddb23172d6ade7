/* scan_redact.c - masked previews, typed-placeholder redaction, result lifetime. */
#include "scan/scan_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per byte: 2 an ASCII letter or digit, 1 other printable ASCII, 0 anything else. */
static const unsigned char pv_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1,
    1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1,
    1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

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
    if (len < sizeof(f->preview)) { /* one pass: copy, note where the letters and digits are */
        unsigned char at[sizeof(f->preview)];
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)text[i], k = pv_class[c];
            f->preview[i] = k ? (char)c : '*';
            at[nal] = (unsigned char)i;
            nal += k >> 1;
        }
        r = nal / 3; /* never more than a third of the characters */
        for (size_t j = (r + 1) / 2; j < nal - r / 2; j++)
            f->preview[at[j]] = '*';
        return;
    }
    for (size_t i = 0; i < len; i++)
        nal += is_alnum((unsigned char)text[i]);
    r = nal / 3;
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
