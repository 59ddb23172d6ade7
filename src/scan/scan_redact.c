/* scan_redact.c - masked previews, typed-placeholder redaction, result lifetime. */
#include "scan/scan_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int is_alnum(int c)
{
    return (unsigned)(c - '0') < 10u || (unsigned)((c | 0x20) - 'a') < 26u;
}

void scan_preview_fill(struct scan_finding *f, const char *text, size_t len)
{
    char full[SCAN_MAXSPAN + 8];
    size_t nal = 0, k = 0, idx = 0, head, tail, r;
    const char *name = scan_detector_name(f->detector);

    memset(f->preview, 0, sizeof(f->preview));
    if (!text || f->detector == SCAN_DET_PRIVATE_KEY || f->detector == SCAN_DET_API_KEY ||
        f->detector == SCAN_DET_PASSWORD || len > SCAN_MAXSPAN) {
        /* secrets show only their type */
        snprintf(f->preview, sizeof(f->preview), "(%s)", name ? name : "?");
        return;
    }
    if (f->detector == SCAN_DET_CLASSIFICATION) { /* the marking is a label, not a value */
        for (size_t i = 0; i < len && k + 1 < sizeof(f->preview); i++) {
            unsigned char c = (unsigned char)text[i];
            f->preview[k++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return;
    }
    for (size_t i = 0; i < len; i++)
        nal += is_alnum((unsigned char)text[i]);
    r = nal / 3; /* never more than a third of the characters */
    head = (r + 1) / 2;
    tail = r / 2;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (is_alnum(c)) {
            full[k++] = (char)(idx < head || idx >= nal - tail ? c : '*');
            idx++;
        } else {
            full[k++] = (char)(c >= 0x20 && c < 0x7f ? c : '*');
        }
    }
    full[k] = 0;
    if (k < sizeof(f->preview)) {
        memcpy(f->preview, full, k + 1);
    } else {
        memcpy(f->preview, full, 18);
        memcpy(f->preview + 18, "...", 3);
        memcpy(f->preview + 21, full + k - 18, 18);
        f->preview[39] = 0;
    }
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
