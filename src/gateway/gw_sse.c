/* gw_sse.c - incremental, bounded SSE framer (see gw_sse.h). */
#include "gateway/gw_sse.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

void gw_sse_init(struct gw_sse *f, size_t max_event)
{
    memset(f, 0, sizeof(*f));
    f->max_event = max_event ? max_event : GW_SSE_DEFAULT_MAX_EVENT;
}

void gw_sse_free(struct gw_sse *f)
{
    free(f->line);
    free(f->data);
    size_t max = f->max_event;
    memset(f, 0, sizeof(*f));
    f->max_event = max;
}

/* Appends n bytes to a capped growable buffer (always keeps room for a NUL). */
static int buf_add(char **buf, size_t *len, size_t *cap, size_t max, const char *s, size_t n)
{
    if (n > max || *len > max - n)
        return SLUIS_ETOOBIG;
    if (*len + n + 1 > *cap) {
        size_t nc = *cap ? *cap : 256;
        while (nc < *len + n + 1)
            nc *= 2;
        if (nc > max + 1)
            nc = max + 1;
        char *nb = realloc(*buf, nc);
        if (!nb)
            return SLUIS_ENOMEM;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = 0;
    return 0;
}

/* Handles one complete line (without its end). */
static int sse_line(struct gw_sse *f, const char *s, size_t n, gw_sse_event_fn cb, void *ud)
{
    if (n == 0) {
        int rc = 0;
        if (f->has_data) {
            f->events++;
            rc = cb ? cb(ud, f->event, f->data ? f->data : "", f->data_len) : 0;
        }
        f->data_len = 0;
        if (f->data)
            f->data[0] = 0;
        f->has_data = 0;
        f->event[0] = 0;
        return rc;
    }
    if (s[0] == ':')
        return 0; /* comment */
    const char *colon = memchr(s, ':', n);
    size_t nlen = colon ? (size_t)(colon - s) : n;
    const char *val = colon ? colon + 1 : s + n;
    size_t vlen = colon ? n - nlen - 1 : 0;
    if (vlen && val[0] == ' ') {
        val++;
        vlen--;
    }
    if (nlen == 4 && !memcmp(s, "data", 4)) {
        int rc;
        if (f->has_data) {
            rc = buf_add(&f->data, &f->data_len, &f->data_cap, f->max_event, "\n", 1);
            if (rc)
                return rc;
        }
        rc = buf_add(&f->data, &f->data_len, &f->data_cap, f->max_event, val, vlen);
        if (rc)
            return rc;
        if (!f->data) {
            /* an empty first data line still needs a buffer for the NUL */
            rc = buf_add(&f->data, &f->data_len, &f->data_cap, f->max_event, "", 0);
            if (rc)
                return rc;
        }
        f->has_data = 1;
    } else if (nlen == 5 && !memcmp(s, "event", 5)) {
        size_t c = vlen < sizeof(f->event) - 1 ? vlen : sizeof(f->event) - 1;
        memcpy(f->event, val, c);
        f->event[c] = 0;
    }
    /* id:, retry: and unknown fields are ignored, as the SSE specification says. */
    return 0;
}

int gw_sse_feed(struct gw_sse *f, const char *chunk, size_t n, gw_sse_event_fn cb, void *ud)
{
    size_t i = 0;
    if (f->cr_pending && n > 0) {
        if (chunk[0] == '\n')
            i = 1;
        f->cr_pending = 0;
    }
    while (i < n) {
        size_t j = i;
        while (j < n && chunk[j] != '\n' && chunk[j] != '\r')
            j++;
        if (j == n) {
            /* partial line: keep it for the next chunk */
            return buf_add(&f->line, &f->line_len, &f->line_cap, f->max_event, chunk + i, n - i);
        }
        int rc;
        if (f->line_len) {
            rc = buf_add(&f->line, &f->line_len, &f->line_cap, f->max_event, chunk + i, j - i);
            if (rc)
                return rc;
            size_t ll = f->line_len;
            f->line_len = 0;
            rc = sse_line(f, f->line, ll, cb, ud);
        } else {
            if (j - i > f->max_event)
                return SLUIS_ETOOBIG;
            rc = sse_line(f, chunk + i, j - i, cb, ud);
        }
        if (chunk[j] == '\r') {
            if (j + 1 < n) {
                if (chunk[j + 1] == '\n')
                    j++;
            } else {
                f->cr_pending = 1;
            }
        }
        i = j + 1;
        if (rc)
            return rc;
    }
    return 0;
}

void gw_sse_release_idle(struct gw_sse *f)
{
    if (f->line_len || f->has_data)
        return;
    free(f->line);
    free(f->data);
    f->line = f->data = NULL;
    f->line_cap = f->data_cap = 0;
    f->data_len = 0;
}

int gw_sse_finish(const struct gw_sse *f)
{
    return (f->line_len || f->has_data) ? SLUIS_EINVAL : 0;
}
