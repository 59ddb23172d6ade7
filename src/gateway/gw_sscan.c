/* gw_sscan.c - scanning streamed responses; see gw_sscan.h. */
#include "gateway/gw_sscan.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "scan/scan.h"

int gw_sscan_open(struct gw_sscan *s, struct gw_scanner *sc)
{
    memset(s, 0, sizeof(*s));
    s->last_index = -1;
    struct sluis_err e = {0};
    if (!sc || !sc->db)
        return SLUIS_EINTERNAL;
    return scan_stream_open(sc->db, &s->st, &e);
}

void gw_sscan_free(struct gw_sscan *s)
{
    if (s->st)
        scan_stream_free(s->st);
    free(s->held);
    free(s->marks);
    memset(s, 0, sizeof(*s));
}

static int feed(struct gw_sscan *s, struct gw_scanner *sc, struct scan_scratch *scr, const char *t,
                size_t n, struct scan_result *res)
{
    struct sluis_err e = {0};
    if (!n)
        return 0;
    if (scan_stream_feed(s->st, scr, t, n, sc->min_confidence, res, &e) != 0)
        return -1;
    s->fed += n;
    return 0;
}

static int feed_str(struct gw_sscan *s, struct gw_scanner *sc, struct scan_scratch *scr,
                    const json_t *v, struct scan_result *res)
{
    if (!json_is_string(v))
        return 0;
    return feed(s, sc, scr, json_string_value(v), json_string_length(v), res);
}

/* Feeds the texts of one event's choices, in order; a new choice index starts a new line. */
static int feed_event(struct gw_sscan *s, struct gw_scanner *sc, struct scan_scratch *scr,
                      const char *json, size_t len, struct scan_result *res)
{
    json_error_t je;
    json_t *j = json_loadb(json, len, 0, &je);
    if (!j)
        return -1; /* the caller checked it is an object; unparsable means fail closed */
    int rc = 0;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "choices"), i, c)
    {
        json_t *idx = json_object_get(c, "index");
        long index = json_is_integer(idx) ? (long)json_integer_value(idx) : (long)i;
        if (index != s->last_index && s->last_index >= 0)
            rc = feed(s, sc, scr, "\n", 1, res);
        s->last_index = index;
        json_t *d = json_object_get(c, "delta");
        if (!rc)
            rc = feed_str(s, sc, scr, json_object_get(c, "text"), res);
        if (!rc)
            rc = feed_str(s, sc, scr, json_object_get(d, "content"), res);
        if (!rc)
            rc = feed_str(s, sc, scr, json_object_get(d, "refusal"), res);
        size_t k;
        json_t *tc;
        json_array_foreach(json_object_get(d, "tool_calls"), k, tc)
        {
            json_t *fn = json_object_get(tc, "function");
            if (!rc)
                rc = feed_str(s, sc, scr, json_object_get(fn, "name"), res);
            if (!rc)
                rc = feed_str(s, sc, scr, json_object_get(fn, "arguments"), res);
        }
        if (rc)
            break;
    }
    json_decref(j);
    return rc;
}

static int hold(struct gw_sscan *s, const char *framed, size_t flen)
{
    if (s->held_len + flen > GW_SSCAN_MAX_HELD)
        return -1;
    if (s->held_len + flen > s->held_cap) {
        size_t nc = s->held_cap ? s->held_cap : 4096;
        while (nc < s->held_len + flen)
            nc *= 2;
        char *nb = realloc(s->held, nc);
        if (!nb)
            return -1;
        s->held = nb;
        s->held_cap = nc;
    }
    if (s->n_marks == s->cap_marks) {
        size_t nc = s->cap_marks ? s->cap_marks * 2 : 64;
        struct gw_sscan_mark *nm = realloc(s->marks, nc * sizeof(*nm));
        if (!nm)
            return -1;
        s->marks = nm;
        s->cap_marks = nc;
    }
    memcpy(s->held + s->held_len, framed, flen);
    s->held_len += flen;
    s->marks[s->n_marks].held_end = s->held_len;
    s->marks[s->n_marks].text_end = s->fed;
    s->n_marks++;
    return 0;
}

/* Emits the held events whose text ends at or before stable. */
static int release(struct gw_sscan *s, uint64_t stable, gw_sscan_emit emit, void *ud)
{
    size_t k = 0;
    while (k < s->n_marks && s->marks[k].text_end <= stable)
        k++;
    if (!k)
        return 0;
    size_t n = s->marks[k - 1].held_end;
    if (emit(ud, s->held, n))
        return -1;
    memmove(s->held, s->held + n, s->held_len - n);
    s->held_len -= n;
    memmove(s->marks, s->marks + k, (s->n_marks - k) * sizeof(*s->marks));
    s->n_marks -= k;
    for (size_t i = 0; i < s->n_marks; i++)
        s->marks[i].held_end -= n;
    return 0;
}

static int judge(struct gw_sscan *s, struct scan_result *res, struct gw_verdict *v)
{
    if (!res->n)
        return 0;
    if (gw_enforce_response_findings(res, v)) {
        s->held_len = s->n_marks = 0; /* nothing held reaches the client */
        return 1;
    }
    return 0;
}

int gw_sscan_event(struct gw_sscan *s, struct gw_scanner *sc, struct scan_scratch *scr,
                   const char *json, size_t len, const char *framed, size_t flen,
                   gw_sscan_emit emit, void *ud, struct gw_verdict *v)
{
    struct scan_result res = {0};
    int rc = -1;
    if (!s->st || !scr)
        goto out;
    if (json && feed_event(s, sc, scr, json, len, &res))
        goto out;
    if ((rc = judge(s, &res, v)) != 0)
        goto out;
    rc = -1;
    if (hold(s, framed, flen) || release(s, scan_stream_stable_offset(s->st), emit, ud))
        goto out;
    rc = 0;
out:
    scan_result_free(&res);
    return rc;
}

int gw_sscan_close(struct gw_sscan *s, struct gw_scanner *sc, struct scan_scratch *scr,
                   gw_sscan_emit emit, void *ud, struct gw_verdict *v)
{
    struct scan_result res = {0};
    struct sluis_err e = {0};
    int rc = -1;
    if (!s->st || !scr)
        goto out;
    struct scan_stream *st = s->st;
    s->st = NULL; /* close frees it, also on error */
    if (scan_stream_close(st, scr, sc->min_confidence, &res, &e) != 0)
        goto out;
    if ((rc = judge(s, &res, v)) != 0)
        goto out;
    rc = release(s, UINT64_MAX, emit, ud) ? -1 : 0;
out:
    scan_result_free(&res);
    return rc;
}
