/* util.c - small helpers shared by the API handlers: ids, ETags, errors, paging. */
#include "api/api_internal.h"
#include "core/str_copy.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool api_ext_id_ok(const char *ext)
{
    size_t n = ext ? strlen(ext) : 0;
    if (n == 0 || n > API_EXT_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = ext[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_'))
            return false;
    }
    return true;
}

int api_iid(char *out, size_t cap, const char *org, const char *ext)
{
    if (!api_ext_id_ok(ext))
        return SLUIS_EINVAL;
    int n = snprintf(out, cap, "%s:%s", org, ext);
    if (n < 0 || (size_t)n >= cap)
        return SLUIS_EINVAL;
    /* the store allows [A-Za-z0-9._:@-]; '_' is mapped to '.'-free '@' would be ambiguous */
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = '@';
    return 0;
}

const char *api_ext_id(const char *iid)
{
    const char *c = strchr(iid, ':');
    return c ? c + 1 : iid;
}

void api_random_id(char out[17])
{
    unsigned char b[8];
    if (RAND_bytes(b, sizeof(b)) != 1) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long v =
            ((unsigned long long)ts.tv_sec << 30) ^ (unsigned long long)ts.tv_nsec;
        memcpy(b, &v, sizeof(b));
    }
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* External form of an internal id (api_ext_id() with '@' written as '_'). */
static void ext_id(char buf[REG_ID_CAP], const char *iid)
{
    sluis_str_copy(buf, REG_ID_CAP, api_ext_id(iid));
    for (char *p = buf; *p; p++)
        if (*p == '@')
            *p = '_';
}

static json_t *ext_id_json(const char *iid)
{
    char buf[REG_ID_CAP];
    ext_id(buf, iid);
    return json_string(buf);
}

json_t *api_object_json(const struct reg_object *obj)
{
    json_t *content = obj->content ? json_loads(obj->content, 0, NULL) : json_null();
    if (!content)
        content = json_null();
    json_t *o = json_object();
    if (!o) {
        json_decref(content);
        return NULL;
    }
    json_object_set_new(o, "id", ext_id_json(obj->id));
    json_object_set_new(o, "kind", json_string(obj->kind));
    json_object_set_new(o, "org_id", json_string(obj->org_id));
    json_object_set_new(o, "parent_id",
                        obj->parent_id[0] ? ext_id_json(obj->parent_id) : json_null());
    json_object_set_new(o, "state", obj->state[0] ? json_string(obj->state) : json_null());
    json_object_set_new(o, "version", json_integer(obj->version));
    json_object_set_new(o, "created_at", json_string(obj->created_at));
    json_object_set_new(o, "updated_at", json_string(obj->updated_at));
    json_object_set_new(o, "created_by", json_string(obj->created_by));
    json_object_set_new(o, "updated_by", json_string(obj->updated_by));
    json_object_set_new(o, "content", content);
    return o;
}

/* 1 when s can go into JSON between quotes as it is: printable ASCII without '"' and '\\'. */
static bool plain_text(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e || *s == '"' || *s == '\\')
            return false;
    return true;
}

/* Appends the len bytes of s to out[*n..cap); false when they do not fit. */
static bool put_raw(char *out, size_t cap, size_t *n, const char *s, size_t len)
{
    if (len >= cap - *n)
        return false;
    memcpy(out + *n, s, len);
    *n += len;
    return true;
}

/* Appends "key":"s", (or "key":null, when s is NULL) to out[*n..cap); false when it does not
 * fit. key and s need no escaping. */
static bool put_str(char *out, size_t cap, size_t *n, const char *key, const char *s)
{
    return put_raw(out, cap, n, "\"", 1) && put_raw(out, cap, n, key, strlen(key)) &&
           (s ? put_raw(out, cap, n, "\":\"", 3) && put_raw(out, cap, n, s, strlen(s)) &&
                    put_raw(out, cap, n, "\",", 2)
              : put_raw(out, cap, n, "\":null,", 7));
}

/*
 * The metadata part of api_object_text() written directly, byte for byte what json_dumps()
 * of api_object_json() without content gives, up to and including "content": (no jansson
 * objects per read). Returns the length, 0 when a field needs escaping or does not fit (the
 * caller then uses jansson).
 */
static size_t object_head(const struct reg_object *obj, char *out, size_t cap)
{
    char id[REG_ID_CAP], parent[REG_ID_CAP];
    size_t n = 1;

    ext_id(id, obj->id);
    ext_id(parent, obj->parent_id);
    if (!plain_text(id) || !plain_text(obj->kind) || !plain_text(obj->org_id) ||
        !plain_text(parent) || !plain_text(obj->state) || !plain_text(obj->created_at) ||
        !plain_text(obj->updated_at) || !plain_text(obj->created_by) ||
        !plain_text(obj->updated_by) || cap < 2)
        return 0;
    out[0] = '{';
    if (!put_str(out, cap, &n, "id", id) || !put_str(out, cap, &n, "kind", obj->kind) ||
        !put_str(out, cap, &n, "org_id", obj->org_id) ||
        !put_str(out, cap, &n, "parent_id", obj->parent_id[0] ? parent : NULL) ||
        !put_str(out, cap, &n, "state", obj->state[0] ? obj->state : NULL))
        return 0;
    int w = snprintf(out + n, cap - n, "\"version\":%lld,", obj->version);
    if (w < 0 || (size_t)w >= cap - n)
        return 0;
    n += (size_t)w;
    if (!put_str(out, cap, &n, "created_at", obj->created_at) ||
        !put_str(out, cap, &n, "updated_at", obj->updated_at) ||
        !put_str(out, cap, &n, "created_by", obj->created_by) ||
        !put_str(out, cap, &n, "updated_by", obj->updated_by))
        return 0;
    return put_raw(out, cap, &n, "\"content\":", 10) ? n : 0;
}

char *api_object_text(const struct reg_object *obj, size_t *len)
{
    /* the hot path of every read: the stored content is compact JSON written by us, so it is
     * spliced in verbatim instead of being parsed and serialised again */
    char fast[2048];
    size_t fl = object_head(obj, fast, sizeof(fast));
    if (fl) {
        const char *content = obj->content && obj->content[0] ? obj->content : "null";
        size_t cl = strlen(content);
        char *out = malloc(fl + cl + 2);
        if (!out)
            return NULL;
        memcpy(out, fast, fl);
        memcpy(out + fl, content, cl);
        out[fl + cl] = '}';
        out[fl + cl + 1] = '\0';
        *len = fl + cl + 1;
        return out;
    }
    struct reg_object meta = *obj;
    meta.content = NULL;
    json_t *m = api_object_json(&meta);
    char *head = m ? json_dumps(m, JSON_COMPACT) : NULL;
    json_decref(m);
    if (!head)
        return NULL;
    const char *content = obj->content && obj->content[0] ? obj->content : "null";
    size_t hl = strlen(head), cl = strlen(content);
    /* head ends with ,"content":null} (content is the last key json_object keeps in order) */
    static const char tail[] = "\"content\":null}";
    size_t tl = sizeof(tail) - 1;
    if (hl < tl || memcmp(head + hl - tl, tail, tl)) {
        free(head);
        return NULL;
    }
    size_t keep = hl - tl + strlen("\"content\":");
    char *out = malloc(keep + cl + 2);
    if (out) {
        memcpy(out, head, keep);
        memcpy(out + keep, content, cl);
        out[keep + cl] = '}';
        out[keep + cl + 1] = '\0';
        *len = keep + cl + 1;
    }
    free(head);
    return out;
}

void api_etag_set(struct http_resp *resp, long long version)
{
    char v[32];
    snprintf(v, sizeof(v), "\"%lld\"", version);
    http_resp_header(resp, "ETag", v);
}

int api_if_match(struct http_req *req, long long *version)
{
    const char *h = http_req_header(req, "If-Match");
    if (!h)
        return SLUIS_ENOTFOUND;
    while (*h == ' ')
        h++;
    if (h[0] == 'W' && h[1] == '/')
        h += 2;
    if (*h == '"')
        h++;
    char *end;
    long long v = strtoll(h, &end, 10);
    if (end == h || v <= 0 || (*end && *end != '"'))
        return SLUIS_EINVAL;
    *version = v;
    return 0;
}

void api_resp_err(struct http_resp *resp, int rc, const struct sluis_err *err)
{
    int status = http_status_from_err(rc);
    const char *msg = err && err->msg[0] ? err->msg : "fout / error";
    const char *field = err && err->path[0] ? err->path : NULL;
    const char *code = NULL;
    if (rc == SLUIS_ECONFLICT)
        code = "conflict";
    else if (rc == SLUIS_EINVAL)
        code = "invalid";
    if (status >= 500)
        msg = "interne fout / internal error";
    http_resp_error(resp, status, code, field, msg);
}

int api_tx_open(struct api *api, enum store_tx_mode mode, struct http_resp *resp,
                struct store_tx **tx, struct sluis_err *err)
{
    sluis_err_clear(err);
    int rc = store_tx_begin(api->st, mode, tx, err);
    if (rc)
        api_resp_err(resp, rc, err);
    return rc;
}

void api_forbidden(struct http_resp *resp)
{
    http_resp_error(resp, 403, "forbidden", NULL,
                    "uw rol staat dit niet toe / your role does not allow this");
}

void api_not_found(struct http_resp *resp, const char *what)
{
    http_resp_errorf(resp, 404, "not_found", NULL, "%s niet gevonden / %s not found", what, what);
}

static int parse_ll(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    if (!s || !*s)
        return SLUIS_EINVAL;
    long long v = strtoll(s, &end, 10);
    if (*end || v < lo || v > hi)
        return SLUIS_EINVAL;
    *out = v;
    return 0;
}

int api_paging(struct http_req *req, struct http_resp *resp, long long *limit, long long *offset)
{
    const char *l = http_req_query(req, "limit");
    const char *o = http_req_query(req, "offset");
    *limit = 100;
    *offset = 0;
    if (l && parse_ll(l, 1, 1000, limit)) {
        http_resp_error(resp, 400, "invalid", "limit",
                        "limit moet 1..1000 zijn / limit must be 1..1000");
        return SLUIS_EINVAL;
    }
    if (o && parse_ll(o, 0, 1000000000LL, offset)) {
        http_resp_error(resp, 400, "invalid", "offset",
                        "offset moet >= 0 zijn / offset must be >= 0");
        return SLUIS_EINVAL;
    }
    return 0;
}

void api_today(const struct api *api, char out[11])
{
    if (api->today[0]) {
        memcpy(out, api->today, 11);
        return;
    }
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int api_body(struct http_req *req, struct http_resp *resp, json_t **out)
{
    const char *ct = http_req_header(req, "Content-Type");
    if (ct && strncasecmp(ct, "application/json", 16) != 0) {
        http_resp_error(resp, 415, "unsupported_media_type", NULL,
                        "alleen application/json / only application/json is accepted");
        return SLUIS_EINVAL;
    }
    struct sluis_err err;
    sluis_err_clear(&err);
    if (http_req_json(req, out, &err)) {
        http_resp_error(resp, 400, "invalid_json", err.path[0] ? err.path : NULL, err.msg);
        return SLUIS_EINVAL;
    }
    return 0;
}

int api_body_checked(struct http_req *req, struct http_resp *resp, const struct api_field *fields,
                     json_t **out)
{
    struct sluis_err err;
    int rc = api_body(req, resp, out);
    if (rc)
        return rc;
    sluis_err_clear(&err);
    rc = api_schema_check(*out, fields, &err);
    if (rc) {
        api_resp_err(resp, rc, &err);
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

void api_notify(struct store_tx *tx, const char *kind)
{
    /* the gateway drops its register snapshot on this channel (gateway.h,
     * GATEWAY_NOTIFY_CHANNEL); best effort, its TTL refresh covers a lost one */
    store_notify(tx, "sluis_register", kind, NULL);
}
