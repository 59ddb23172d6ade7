/*
 * dossier_load.c - YAML 1.2 / JSON dossier -> jansson object, checked against the schema table
 * while it is built, so every error carries file:line:column and the field path.
 *
 * Uses libfyaml's event API (one pass, no intermediate document). Anchors, aliases, tags,
 * several documents, duplicate keys, NUL bytes and invalid UTF-8 are rejected.
 */
#include "core/dossier.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <libfyaml.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dossier_internal.h"
#include "core/jpool.h"
#include "core/dossier_schema.h"

struct yconv {
    struct fy_parser *fyp;
    struct fy_diag *diag;
    struct sluis_err *err;
    const char *buf;
    size_t len;
    char path[256];
    size_t pathlen;
    int depth;
    struct fy_mark keymark; /* position of the last key, for values without a mark */
};

/* Copies at most 48 bytes of s into out, control characters as '?', for messages. */
static void snippet(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = len < 48 ? len : 48, o = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[o++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    out[o] = '\0';
    if (n < len && o + 4 < cap)
        memcpy(out + o, "...", 4);
}

static void set_where(struct yconv *c, int line, int column)
{
    if (!c->err)
        return;
    c->err->line = line;
    c->err->column = column;
    snprintf(c->err->path, sizeof(c->err->path), "%s", c->pathlen ? c->path : "/");
}

static int fail_at(struct yconv *c, int code, const struct fy_mark *m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fills err with the position of mark m (0-based in libfyaml, 1-based in sluis). */
static int fail_at(struct yconv *c, int code, const struct fy_mark *m, const char *fmt, ...)
{
    va_list ap;
    set_where(c, m ? m->line + 1 : 1, m ? m->column + 1 : 1);
    if (c->err) {
        c->err->code = code;
        va_start(ap, fmt);
        vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
        va_end(ap);
    }
    return code;
}

static int path_push(struct yconv *c, const char *seg, long idx)
{
    int w;
    if (seg)
        w = snprintf(c->path + c->pathlen, sizeof(c->path) - c->pathlen, "/%s", seg);
    else
        w = snprintf(c->path + c->pathlen, sizeof(c->path) - c->pathlen, "/%ld", idx);
    size_t old = c->pathlen;
    if (w > 0 && (size_t)w < sizeof(c->path) - c->pathlen)
        c->pathlen += (size_t)w;
    else
        c->path[c->pathlen] = '\0';
    return (int)old;
}

static void path_pop(struct yconv *c, int old)
{
    c->pathlen = (size_t)old;
    c->path[c->pathlen] = '\0';
}

/* Reports the parser's own (syntax) error. */
static int fail_syntax(struct yconv *c)
{
    void *it = NULL;
    struct fy_diag_error *de = fy_diag_errors_iterate(c->diag, &it);
    if (de) {
        set_where(c, de->line > 0 ? de->line : 1, de->column > 0 ? de->column : 1);
        if (c->err) {
            c->err->code = SLUIS_EINVAL;
            snprintf(c->err->msg, sizeof(c->err->msg), "syntax error (syntaxfout): %s",
                     de->msg ? de->msg : "invalid YAML/JSON");
        }
        return SLUIS_EINVAL;
    }
    return fail_at(c, SLUIS_EINVAL, NULL, "syntax error (syntaxfout): invalid YAML/JSON");
}

static const struct fy_mark *mark_of(struct fy_event *ev)
{
    static const struct fy_mark none = {0, 0, 0};
    const struct fy_mark *m = ev ? fy_event_start_mark(ev) : NULL;
    return m ? m : &none;
}

static struct fy_event *next_event(struct yconv *c)
{
    return fy_parser_parse(c->fyp);
}

static const char *event_what(enum fy_event_type t)
{
    switch (t) {
    case FYET_MAPPING_START:
        return "a mapping";
    case FYET_SEQUENCE_START:
        return "a list";
    case FYET_ALIAS:
        return "an alias";
    default:
        return "a value";
    }
}

/* Anchors, aliases and tags are not part of the dossier format (billion laughs, type tricks). */
static int check_props(struct yconv *c, struct fy_event *ev)
{
    struct fy_token *anchor = NULL, *tag = NULL;
    const struct fy_mark *m = mark_of(ev);
    switch (ev->type) {
    case FYET_ALIAS:
        return fail_at(c, SLUIS_EINVAL, m,
                       "YAML aliases (*name) are not allowed in a dossier (alias niet toegestaan)");
    case FYET_SCALAR:
        anchor = ev->scalar.anchor;
        tag = ev->scalar.tag;
        break;
    case FYET_MAPPING_START:
        anchor = ev->mapping_start.anchor;
        tag = ev->mapping_start.tag;
        break;
    case FYET_SEQUENCE_START:
        anchor = ev->sequence_start.anchor;
        tag = ev->sequence_start.tag;
        break;
    default:
        break;
    }
    if (anchor && fy_token_start_mark(anchor))
        m = fy_token_start_mark(anchor);
    else if (tag && fy_token_start_mark(tag))
        m = fy_token_start_mark(tag);
    if (anchor)
        return fail_at(c, SLUIS_EINVAL, m,
                       "YAML anchors (&name) are not allowed in a dossier (anker niet toegestaan)");
    if (tag)
        return fail_at(c, SLUIS_EINVAL, m,
                       "YAML tags (!tag) are not allowed in a dossier (tag niet toegestaan)");
    return 0;
}

static int conv_node(struct yconv *c, struct fy_event *ev, const struct dschema_field *f,
                     json_t **out);

static bool is_white(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Appends src[0..n) to out with every '' turned into '. */
static size_t unquote_append(char *out, size_t o, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[o++] = src[i];
        if (src[i] == '\'' && i + 1 < n && src[i + 1] == '\'')
            i++;
    }
    return o;
}

/*
 * Decodes the single-quoted scalar whose content (between the quotes) is raw[0..len): ''
 * becomes ', and line breaks fold as YAML 1.2 flow scalars do (a break between text lines is a
 * space, k empty lines are k newlines, white space around breaks is dropped). Written here
 * because libfyaml 0.7.12 leaks memory in fy_token_get_text() for single-quoted scalars with
 * several '' escapes. out must hold len bytes. Returns the decoded length.
 */
static size_t single_quoted_decode(const char *raw, size_t len, char *out)
{
    size_t o = 0, pos = 0;
    int first = 1, empties = 0;
    while (pos <= len) {
        const char *nl = memchr(raw + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - raw) : len, b = pos, e = end;
        int last = !nl;
        if (!first)
            while (b < e && is_white(raw[b]))
                b++;
        if (!last) {
            while (e > b && (is_white(raw[e - 1]) || raw[e - 1] == '\r'))
                e--;
        }
        if (first) {
            o = unquote_append(out, o, raw + b, e - b);
        } else if (b == e && !last) {
            empties++;
        } else {
            if (empties)
                for (; empties; empties--)
                    out[o++] = '\n';
            else
                out[o++] = ' ';
            o = unquote_append(out, o, raw + b, e - b);
        }
        first = 0;
        if (last)
            break;
        pos = end + 1;
    }
    return o;
}

/*
 * The text of a scalar token: decoded here for single-quoted scalars (into a malloc'ed *owned,
 * which the caller frees), libfyaml's otherwise. Returns NULL on allocation failure.
 */
static const char *scalar_text(struct yconv *c, struct fy_token *tok, size_t *len, char **owned)
{
    const struct fy_mark *a, *b;
    const char *t;
    *owned = NULL;
    if (fy_token_scalar_style(tok) == FYSS_SINGLE_QUOTED) {
        a = fy_token_start_mark(tok);
        b = fy_token_end_mark(tok);
        if (a && b && a->input_pos <= b->input_pos && b->input_pos <= c->len) {
            size_t rl = b->input_pos - a->input_pos;
            *owned = malloc(rl + 1);
            if (!*owned)
                return NULL;
            *len = single_quoted_decode(c->buf + a->input_pos, rl, *owned);
            (*owned)[*len] = '\0';
            return *owned;
        }
    }
    t = fy_token_get_text(tok, len);
    if (!t) {
        *len = 0;
        t = "";
    }
    return t;
}

static int conv_mapping(struct yconv *c, struct fy_event *start, const struct dschema_field *f,
                        json_t **out)
{
    struct fy_mark smark = *mark_of(start);
    json_t *obj = json_object();
    int rc = 0;
    if (!obj)
        return fail_at(c, SLUIS_ENOMEM, &smark, "out of memory");
    for (;;) {
        struct fy_event *kev = next_event(c);
        struct fy_mark kmark;
        const struct dschema_field *child;
        const char *key;
        char *kowned = NULL;
        size_t klen;
        json_t *val = NULL;
        int old;
        if (!kev) {
            rc = fail_syntax(c);
            goto out;
        }
        if (kev->type == FYET_MAPPING_END) {
            fy_parser_event_free(c->fyp, kev);
            break;
        }
        kmark = *mark_of(kev);
        rc = check_props(c, kev);
        if (!rc && kev->type != FYET_SCALAR)
            rc = fail_at(c, SLUIS_EINVAL, &kmark,
                         "a key must be a plain name, not %s (ongeldige sleutel)",
                         event_what(kev->type));
        if (rc) {
            fy_parser_event_free(c->fyp, kev);
            goto out;
        }
        key = scalar_text(c, kev->scalar.value, &klen, &kowned);
        if (!key) {
            rc = fail_at(c, SLUIS_ENOMEM, &kmark, "out of memory");
            fy_parser_event_free(c->fyp, kev);
            goto out;
        }
        child = dossier_schema_child(f, key, klen);
        if (!child) {
            char allowed[400], name[64];
            snippet(key, klen, name, sizeof(name));
            dossier_schema_list_keys(f, allowed, sizeof(allowed));
            path_push(c, name, 0);
            rc = fail_at(c, SLUIS_EINVAL, &kmark, "unknown key '%s' (onbekend veld); allowed: %s",
                         name, allowed);
            free(kowned);
            fy_parser_event_free(c->fyp, kev);
            goto out;
        }
        free(kowned);
        fy_parser_event_free(c->fyp, kev);
        c->keymark = kmark;
        old = path_push(c, child->name, 0);
        if (json_object_get(obj, child->name)) {
            rc = fail_at(c, SLUIS_EINVAL, &kmark, "duplicate key '%s' (dubbel veld)", child->name);
            goto out;
        }
        rc = conv_node(c, next_event(c), child, &val);
        if (rc)
            goto out;
        path_pop(c, old);
        if (json_object_set_new_nocheck(obj, child->name, val) < 0) {
            rc = fail_at(c, SLUIS_ENOMEM, &kmark, "out of memory");
            goto out;
        }
    }
    for (const struct dschema_field *ch = f->children; ch->name; ch++) {
        if (ch->required && !json_object_get(obj, ch->name)) {
            path_push(c, ch->name, 0);
            rc = fail_at(c, SLUIS_EINVAL, &smark, "missing required field '%s' (verplicht veld)",
                         ch->name);
            goto out;
        }
    }
out:
    if (rc) {
        json_decref(obj);
        return rc;
    }
    *out = obj;
    return 0;
}

static int conv_sequence(struct yconv *c, struct fy_event *start, const struct dschema_field *f,
                         json_t **out)
{
    struct fy_mark smark = *mark_of(start);
    json_t *arr = json_array();
    long n = 0;
    int rc = 0;
    if (!arr)
        return fail_at(c, SLUIS_ENOMEM, &smark, "out of memory");
    for (;;) {
        struct fy_event *iev = next_event(c);
        json_t *val = NULL;
        int old;
        if (!iev) {
            rc = fail_syntax(c);
            goto out;
        }
        if (iev->type == FYET_SEQUENCE_END) {
            fy_parser_event_free(c->fyp, iev);
            break;
        }
        old = path_push(c, NULL, n);
        if (n >= DOSSIER_MAX_LIST) {
            rc = fail_at(c, SLUIS_ETOOBIG, mark_of(iev),
                         "list too long (lijst te lang): at most %d items", DOSSIER_MAX_LIST);
            fy_parser_event_free(c->fyp, iev);
            goto out;
        }
        rc = conv_node(c, iev, f->item, &val);
        if (rc)
            goto out;
        path_pop(c, old);
        if (json_array_append_new(arr, val) < 0) {
            rc = fail_at(c, SLUIS_ENOMEM, NULL, "out of memory");
            goto out;
        }
        n++;
    }
out:
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

/* Converts the node that starts with ev (consumed) according to f. */
static int conv_node(struct yconv *c, struct fy_event *ev, const struct dschema_field *f,
                     json_t **out)
{
    const struct fy_mark *m;
    int rc;
    *out = NULL;
    if (!ev)
        return fail_syntax(c);
    m = fy_event_start_mark(ev);
    if (!m)
        m = &c->keymark;
    rc = check_props(c, ev);
    if (rc)
        goto out;
    if (ev->type == FYET_MAPPING_START || ev->type == FYET_SEQUENCE_START) {
        int want = ev->type == FYET_MAPPING_START ? DST_OBJECT : DST_LIST;
        if ((int)f->type != want) {
            rc = fail_at(c, SLUIS_EINVAL, m, "wrong type (verkeerd type): expected %s, got %s",
                         dossier_schema_type_name(f), event_what(ev->type));
            goto out;
        }
        if (++c->depth > DOSSIER_MAX_DEPTH) {
            rc =
                fail_at(c, SLUIS_ETOOBIG, m,
                        "nested too deeply (te diep genest): at most %d levels", DOSSIER_MAX_DEPTH);
            goto out;
        }
        rc = want == DST_OBJECT ? conv_mapping(c, ev, f, out) : conv_sequence(c, ev, f, out);
        c->depth--;
        goto out;
    }
    if (ev->type == FYET_SCALAR) {
        size_t len = 0;
        char *owned = NULL;
        const char *text = scalar_text(c, ev->scalar.value, &len, &owned);
        enum dschema_kind kind = DSK_STRING;
        char msg[1024];
        if (!text) {
            rc = fail_at(c, SLUIS_ENOMEM, m, "out of memory");
            goto out;
        }
        if (fy_token_scalar_style(ev->scalar.value) == FYSS_PLAIN)
            kind = dossier_schema_plain_kind(text, len);
        rc = dossier_schema_scalar(f, kind, text, len, out, msg, sizeof(msg));
        free(owned);
        if (rc)
            rc = fail_at(c, rc, m, "%s", msg);
        goto out;
    }
    rc = fail_at(c, SLUIS_EINVAL, m, "unexpected YAML element (onverwacht element)");
out:
    fy_parser_event_free(c->fyp, ev);
    return rc;
}

/* Returns the offset of the first invalid UTF-8 sequence, or len when all is valid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char b;
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & UINT64_C(0x8080808080808080))) {
                i += 8;
                continue;
            }
        }
        b = s[i];
        size_t n;
        unsigned int cp;
        if (b < 0x80) {
            i++;
            continue;
        }
        if (b >= 0xc2 && b <= 0xdf) {
            n = 1;
            cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
            n = 2;
            cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
            n = 3;
            cp = b & 0x07;
        } else {
            return i;
        }
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += n + 1;
    }
    return len;
}

/* 1-based line and column (in characters) of byte offset off. */
static void position_of(const char *buf, size_t off, int *line, int *col)
{
    int l = 1, cl = 1;
    for (size_t i = 0; i < off; i++) {
        if (buf[i] == '\n') {
            l++;
            cl = 1;
        } else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
            cl++;
        }
    }
    *line = l;
    *col = cl;
}

static void set_file_where(struct yconv *c, int line, int column)
{
    set_where(c, line, column);
    if (c->err)
        c->err->path[0] = '\0';
}

static int precheck(struct yconv *c)
{
    const char *nul;
    size_t bad, i;
    int line, col;
    if (c->len > DOSSIER_MAX_FILE) {
        set_file_where(c, 0, 0);
        return sluis_err_set(c->err, SLUIS_ETOOBIG,
                             "file too large (bestand te groot): %zu bytes, at most %d", c->len,
                             DOSSIER_MAX_FILE);
    }
    for (i = 0; i < c->len; i++) {
        char ch = c->buf[i];
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            break;
    }
    if (i == c->len) {
        set_file_where(c, 1, 1);
        return sluis_err_set(c->err, SLUIS_EINVAL, "empty dossier (leeg dossier)");
    }
    nul = memchr(c->buf, '\0', c->len);
    if (nul) {
        position_of(c->buf, (size_t)(nul - c->buf), &line, &col);
        set_file_where(c, line, col);
        return sluis_err_set(c->err, SLUIS_EINVAL, "NUL byte in file (ongeldig teken)");
    }
    bad = utf8_invalid_at((const unsigned char *)c->buf, c->len);
    if (bad < c->len) {
        position_of(c->buf, bad, &line, &col);
        set_file_where(c, line, col);
        return sluis_err_set(c->err, SLUIS_EINVAL,
                             "invalid UTF-8 (ongeldige tekencodering) at byte %zu", bad);
    }
    return 0;
}

static int conv_stream(struct yconv *c, json_t **out)
{
    struct fy_event *ev;
    enum fy_event_type t;
    int rc;
    ev = next_event(c); /* stream start */
    if (!ev)
        return fail_syntax(c);
    fy_parser_event_free(c->fyp, ev);
    ev = next_event(c);
    if (!ev)
        return fail_syntax(c);
    t = ev->type;
    if (t == FYET_STREAM_END) {
        fy_parser_event_free(c->fyp, ev);
        return fail_at(c, SLUIS_EINVAL, NULL, "empty dossier (leeg dossier)");
    }
    fy_parser_event_free(c->fyp, ev); /* document start */
    ev = next_event(c);
    if (!ev)
        return fail_syntax(c);
    if (ev->type != FYET_MAPPING_START) {
        const struct fy_mark *m = mark_of(ev);
        if (ev->type == FYET_DOCUMENT_END || ev->type == FYET_ALIAS || ev->type == FYET_SCALAR ||
            ev->type == FYET_SEQUENCE_START) {
            rc = check_props(c, ev);
            if (!rc)
                rc = fail_at(c, SLUIS_EINVAL, m,
                             "a dossier is a mapping of fields (verwacht: velden), got %s",
                             event_what(ev->type));
        } else {
            rc = fail_at(c, SLUIS_EINVAL, m, "a dossier is a mapping of fields (verwacht: velden)");
        }
        fy_parser_event_free(c->fyp, ev);
        return rc;
    }
    rc = conv_node(c, ev, dossier_schema_root(), out);
    if (rc)
        return rc;
    ev = next_event(c); /* document end */
    if (!ev) {
        rc = fail_syntax(c);
        goto fail;
    }
    fy_parser_event_free(c->fyp, ev);
    ev = next_event(c);
    if (!ev) {
        rc = fail_syntax(c);
        goto fail;
    }
    t = ev->type;
    if (t != FYET_STREAM_END) {
        rc = fail_at(
            c, SLUIS_EINVAL, mark_of(ev),
            "more than one document in the file (meerdere documenten); one dossier per file");
        fy_parser_event_free(c->fyp, ev);
        goto fail;
    }
    fy_parser_event_free(c->fyp, ev);
    return 0;
fail:
    json_decref(*out);
    *out = NULL;
    return rc;
}

/* JSON input starts with '{' after optional whitespace (a YAML dossier starts with a key). */
static bool looks_like_json(const char *buf, size_t len)
{
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' || buf[i] == '\r'))
        i++;
    return i < len && buf[i] == '{';
}

int dossier_load_buffer_ref(const char *buf, size_t len, const char *name, json_t **out,
                            struct sluis_err *err)
{
    struct yconv c = {.err = err, .buf = buf, .len = len};
    struct fy_diag_cfg dcfg;
    struct fy_parse_cfg pcfg = {0};
    int rc;

    sluis_err_clear(err);
    if (err)
        snprintf(err->file, sizeof(err->file), "%s", name ? name : "");
    *out = NULL;
    if (!buf && len)
        return sluis_err_set(err, SLUIS_EINVAL, "no input");
    if (!buf)
        buf = c.buf = "";
    rc = precheck(&c);
    if (rc)
        return rc;

    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    dcfg.output_fn = NULL;
    dcfg.colorize = false;
    dcfg.show_source = false;
    c.diag = fy_diag_create(&dcfg);
    if (!c.diag)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    fy_diag_set_collect_errors(c.diag, true);
    pcfg.flags =
        FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_DISABLE_RECYCLING;
    if (looks_like_json(buf, len))
        pcfg.flags |= FYPCF_JSON_FORCE;
    pcfg.diag = c.diag;
    c.fyp = fy_parser_create(&pcfg);
    if (!c.fyp) {
        rc = sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
        goto out;
    }
    if (fy_parser_set_string(c.fyp, buf, len) != 0) {
        rc = sluis_err_set(err, SLUIS_ENOMEM, "cannot set parser input");
        goto out;
    }
    rc = conv_stream(&c, out);
out:
    if (c.fyp)
        fy_parser_destroy(c.fyp);
    fy_diag_destroy(c.diag);
    return rc;
}

static int load_buffer(const char *buf, size_t len, const char *name, json_t **out,
                       struct sluis_err *err)
{
    /* the fast paths check UTF-8 themselves (jansson; plain_bytes() in dossier_fast.c) */
    if (buf && len <= DOSSIER_MAX_FILE && !memchr(buf, '\0', len)) {
        int fast;
        if (looks_like_json(buf, len))
            fast = dossier_fast_json(buf, len, out);
        else
            fast = dossier_fast_yaml(buf, len, out);
        if (fast == DOSSIER_FAST_OK) {
            sluis_err_clear(err);
            return 0;
        }
    }
    return dossier_load_buffer_ref(buf, len, name, out, err);
}

int dossier_load_buffer(const char *buf, size_t len, const char *name, json_t **out,
                        struct sluis_err *err)
{
    int rc;

    jpool_scope_enter(); /* the tree's small blocks come from the pool (jpool.h) */
    rc = load_buffer(buf, len, name, out, err);
    jpool_scope_leave();
    return rc;
}

/*
 * Reads the whole file at path into *buf (malloc'ed, caller frees; *len bytes) with
 * open/read/close: no stdio FILE, no fstat. The first read asks for 16 KiB, which holds a
 * typical dossier, so a small file costs open, two reads (the second one sees end of file) and
 * close. Returns 0 or SLUIS_EIO / SLUIS_ETOOBIG / SLUIS_ENOMEM with err set.
 */
static int read_whole(const char *path, char **buf, size_t *len, struct sluis_err *err)
{
    char *b = NULL;
    size_t n = 0, cap = 0;
    int fd, rc = 0;

    *buf = NULL;
    *len = 0;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return sluis_err_set(err, SLUIS_EIO, "cannot open (kan niet openen): %s", strerror(errno));
    for (;;) {
        ssize_t got;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16384;
            char *nb;
            if (ncap > DOSSIER_MAX_FILE + 1)
                ncap = DOSSIER_MAX_FILE + 1;
            if (ncap == cap) {
                rc = sluis_err_set(err, SLUIS_ETOOBIG,
                                   "file too large (bestand te groot): more than %d bytes",
                                   DOSSIER_MAX_FILE);
                goto out;
            }
            nb = realloc(b, ncap);
            if (!nb) {
                rc = sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
                goto out;
            }
            b = nb;
            cap = ncap;
        }
        got = read(fd, b + n, cap - n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            rc = sluis_err_set(err, SLUIS_EIO, "cannot read (kan niet lezen): %s", strerror(errno));
            goto out;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
out:
    close(fd);
    if (rc) {
        free(b);
        return rc;
    }
    *buf = b;
    *len = n;
    return 0;
}

int dossier_load_file(const char *path, json_t **out, struct sluis_err *err)
{
    char *buf = NULL;
    size_t n = 0;
    int rc;

    sluis_err_clear(err);
    *out = NULL;
    if (err)
        snprintf(err->file, sizeof(err->file), "%s", path ? path : "");
    if (!path)
        return sluis_err_set(err, SLUIS_EINVAL, "no file name");
    rc = read_whole(path, &buf, &n, err);
    if (rc)
        return rc;
    rc = dossier_load_buffer(buf, n, path, out, err);
    free(buf);
    return rc;
}
