/*
 * derive_hash.c - canonical SHA-256 over the material fields of a dossier (standpunt 6: a
 * material change invalidates a decision).
 *
 * Canonical form: the JSON object {"<material path>": <value>, ...} holding each material path
 * that is present, with keys sorted (byte order) at every level, no whitespace and UTF-8 as is,
 * exactly as jansson's json_dumps(JSON_COMPACT | JSON_SORT_KEYS) writes it; hashed as
 * SHA-256("sluis-material/1\n" + canonical). The serialiser below streams into the digest (or
 * into a buffer for the tests) instead of building and dumping a temporary object, which
 * halves the cost of derive_facts().
 */
#include "core/derive.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/derive_internal.h"
#include "core/bytes_eq.h"
#include "core/dossier.h"

static const char hash_prefix[] = "sluis-material/1\n";

#define SORT_STACK 64 /* keys sorted without allocation */
#define MAX_DEPTH 64

/* Output: a SHA-256 context (ctx) or a growing buffer (buf), through a small staging area. */
struct sink {
    EVP_MD_CTX *ctx;
    char *buf;
    size_t len, cap;
    unsigned char stage[2048];
    size_t n;
    int err;
};

static void sink_flush(struct sink *s)
{
    if (!s->n || s->err)
        return;
    if (s->ctx) {
        if (EVP_DigestUpdate(s->ctx, s->stage, s->n) != 1)
            s->err = SLUIS_EINTERNAL;
    } else {
        if (s->len + s->n + 1 > s->cap) {
            size_t ncap = (s->cap ? s->cap * 2 : 4096) + s->n;
            char *nb = realloc(s->buf, ncap);
            if (!nb) {
                s->err = SLUIS_ENOMEM;
                return;
            }
            s->buf = nb;
            s->cap = ncap;
        }
        memcpy(s->buf + s->len, s->stage, s->n);
        s->len += s->n;
        s->buf[s->len] = '\0';
    }
    s->n = 0;
}

static void put(struct sink *s, const void *p, size_t len)
{
    const unsigned char *c = p;
    while (len && !s->err) {
        size_t room = sizeof(s->stage) - s->n, k = len < room ? len : room;
        memcpy(s->stage + s->n, c, k);
        s->n += k;
        c += k;
        len -= k;
        if (s->n == sizeof(s->stage))
            sink_flush(s);
    }
}

static void putc_(struct sink *s, char ch)
{
    if (s->n == sizeof(s->stage))
        sink_flush(s);
    s->stage[s->n++] = (unsigned char)ch;
}

/* A JSON string as jansson writes it without JSON_ENSURE_ASCII / JSON_ESCAPE_SLASH. */
/* 1 when one of the 8 bytes of w is below 0x20, '"' or '\\' (needs an escape). */
static int word_needs_escape(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
    /* a byte < 0x20, or a zero byte in q or b; bytes >= 0x80 (UTF-8) never match */
    return (((w - ones * 0x20) | (q - ones) | (b - ones)) & ~w & high) != 0;
}

static void put_string(struct sink *s, const char *str, size_t len)
{
    size_t i = 0, run = 0;
    putc_(s, '"');
    for (;;) {
        uint64_t w;
        if (i + 8 > len)
            break;
        memcpy(&w, str + i, 8);
        if (word_needs_escape(w))
            break; /* the byte loop below finds it */
        i += 8;
    }
    for (; i < len; i++) {
        unsigned char c = (unsigned char)str[i];
        const char *esc = NULL;
        char u[8];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(s, str + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            snprintf(u, sizeof(u), "\\u%04X", c);
            esc = u;
        }
        put(s, esc, strlen(esc));
    }
    put(s, str + run, len - run);
    putc_(s, '"');
}

struct kv {
    const char *key;
    size_t len;
    const json_t *val;
};

/* Byte order, a shorter key first on a tie: the order of jansson's JSON_SORT_KEYS. */
static int kv_cmp(const struct kv *a, const struct kv *b)
{
    int c = sluis_bytes_cmp(a->key, b->key, a->len < b->len ? a->len : b->len);
    if (c)
        return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int kv_qsort_cmp(const void *a, const void *b)
{
    return kv_cmp(a, b);
}

static void put_value(struct sink *s, const json_t *v, int depth);

/* Keys sorted with their values (no second look-up per key); insertion sort when small. */
static void put_object(struct sink *s, const json_t *v, int depth)
{
    struct kv stack_kv[SORT_STACK], *kv = stack_kv;
    size_t n = json_object_size(v), i = 0;
    const char *k;
    json_t *val;
    if (n > SORT_STACK) {
        kv = malloc(n * sizeof(*kv));
        if (!kv) {
            s->err = SLUIS_ENOMEM;
            return;
        }
    }
    json_object_foreach((json_t *)v, k, val)
    {
        if (i == n)
            break;
        kv[i].key = k;
        kv[i].len = json_object_iter_key_len(json_object_key_to_iter(k));
        kv[i].val = val;
        i++;
    }
    n = i;
    if (n > 24) {
        qsort(kv, n, sizeof(*kv), kv_qsort_cmp);
    } else {
        for (i = 1; i < n; i++) {
            struct kv t = kv[i];
            size_t j = i;
            for (; j > 0 && kv_cmp(&kv[j - 1], &t) > 0; j--)
                kv[j] = kv[j - 1];
            kv[j] = t;
        }
    }
    putc_(s, '{');
    for (i = 0; i < n; i++) {
        if (i)
            putc_(s, ',');
        put_string(s, kv[i].key, kv[i].len);
        putc_(s, ':');
        put_value(s, kv[i].val, depth + 1);
    }
    putc_(s, '}');
    if (kv != stack_kv)
        free(kv);
}

static void put_value(struct sink *s, const json_t *v, int depth)
{
    char num[32];
    if (s->err)
        return;
    if (depth > MAX_DEPTH) {
        s->err = SLUIS_EINVAL;
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        put_object(s, v, depth);
        break;
    case JSON_ARRAY: {
        size_t i;
        json_t *item;
        putc_(s, '[');
        json_array_foreach(v, i, item)
        {
            if (i)
                putc_(s, ',');
            put_value(s, item, depth + 1);
        }
        putc_(s, ']');
        break;
    }
    case JSON_STRING:
        put_string(s, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        put(s, num, strlen(num));
        break;
    case JSON_REAL: { /* never in a valid dossier; defer to jansson for its exact format */
        char t[64];   /* json_dumpb: no allocation (json_dumps inside a jpool scope
                         would hand out a pooled string that free() cannot take) */
        size_t n = json_dumpb(v, t, sizeof(t), JSON_ENCODE_ANY | JSON_COMPACT);
        if (n == 0 || n > sizeof(t)) {
            s->err = SLUIS_EINTERNAL;
            return;
        }
        put(s, t, n);
        break;
    }
    case JSON_TRUE:
        put(s, "true", 4);
        break;
    case JSON_FALSE:
        put(s, "false", 5);
        break;
    case JSON_NULL:
        put(s, "null", 4);
        break;
    }
}

/* strcmp() inline: the material paths are short and mostly differ in their first byte */
static int path_cmp(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

/* {"path": value, ...} over the present material paths, sorted, each path once. */
static int put_canonical(struct sink *s, const json_t *dossier, const struct derive_params *p)
{
    const char *paths[DERIVE_MATERIAL_MAX];
    int n = 0, first = 1;
    if (p->n_material < 0 || p->n_material > DERIVE_MATERIAL_MAX)
        return SLUIS_EINVAL;
    for (int i = 0; i < p->n_material; i++) {
        if (!memchr(p->material[i], '\0', DERIVE_PATH_MAX))
            return SLUIS_EINVAL; /* not terminated */
        paths[n++] = p->material[i];
    }
    for (int i = 1; i < n; i++) { /* insertion sort: at most 32, usually sorted already */
        const char *t = paths[i];
        int j = i;
        for (; j > 0 && path_cmp(paths[j - 1], t) > 0; j--)
            paths[j] = paths[j - 1];
        paths[j] = t;
    }
    putc_(s, '{');
    for (int i = 0; i < n; i++) {
        const json_t *v;
        if (i > 0 && path_cmp(paths[i], paths[i - 1]) == 0)
            continue;
        v = dossier_get_path(dossier, paths[i]);
        if (!v)
            continue;
        if (!first)
            putc_(s, ',');
        first = 0;
        put_string(s, paths[i], strlen(paths[i]));
        putc_(s, ':');
        put_value(s, v, 1);
    }
    putc_(s, '}');
    sink_flush(s);
    return s->err;
}

int derive_material_canonical(const json_t *dossier, const struct derive_params *p, char **out,
                              size_t *len)
{
    struct derive_params dflt;
    struct sink s = {0};
    int rc;
    *out = NULL;
    *len = 0;
    if (!p) {
        derive_params_default(&dflt);
        p = &dflt;
    }
    rc = put_canonical(&s, dossier, p);
    if (rc) {
        free(s.buf);
        return rc;
    }
    *out = s.buf;
    *len = s.len;
    return 0;
}

/*
 * SHA-256 fetched once per process: EVP_DigestInit_ex(EVP_sha256()) fetches the provider's
 * implementation on every call (5,000 instructions, a third of the hash of a small dossier).
 * Lock-free: a thread that loses the race frees its copy. Kept until exit (reachable).
 */
static const EVP_MD *sha256_md(void)
{
    static _Atomic(EVP_MD *) cached;
    EVP_MD *md = atomic_load(&cached), *expected = NULL;

    if (md)
        return md;
    md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!md)
        return EVP_sha256(); /* implicit fetch on every call, as before */
    if (!atomic_compare_exchange_strong(&cached, &expected, md)) {
        EVP_MD_free(md);
        md = expected;
    }
    return md;
}

/*
 * One digest context per thread, reused for every hash (EVP_DigestInit_ex2() resets it): a new
 * context per dossier costs two allocations. Freed when the thread exits (key destructor); the
 * main thread's stays reachable until the process ends.
 */
static pthread_key_t ctx_key;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;
static int ctx_key_ok;

static void ctx_destroy(void *c)
{
    EVP_MD_CTX_free(c);
}

static void ctx_key_init(void)
{
    ctx_key_ok = pthread_key_create(&ctx_key, ctx_destroy) == 0;
}

/* This thread's context, or NULL (then the caller makes its own). */
static EVP_MD_CTX *thread_ctx(void)
{
    EVP_MD_CTX *c;

    if (pthread_once(&ctx_once, ctx_key_init) != 0 || !ctx_key_ok)
        return NULL;
    c = pthread_getspecific(ctx_key);
    if (!c) {
        c = EVP_MD_CTX_new();
        if (c && pthread_setspecific(ctx_key, c) != 0) {
            EVP_MD_CTX_free(c);
            c = NULL;
        }
    }
    return c;
}

int dossier_material_hash(const json_t *dossier, const struct derive_params *p, char out[65])
{
    EVP_MD_CTX *own = NULL;
    static const char hex[] = "0123456789abcdef";
    struct derive_params dflt;
    struct sink s = {0};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    int rc;

    out[0] = '\0';
    if (!p) {
        derive_params_default(&dflt);
        p = &dflt;
    }
    if (p->n_material < 0 || p->n_material > DERIVE_MATERIAL_MAX)
        return SLUIS_EINVAL;
    s.ctx = thread_ctx();
    if (!s.ctx)
        s.ctx = own = EVP_MD_CTX_new();
    if (!s.ctx)
        return SLUIS_ENOMEM;
    rc = SLUIS_EINTERNAL;
    if (EVP_DigestInit_ex2(s.ctx, sha256_md(), NULL) != 1 ||
        EVP_DigestUpdate(s.ctx, hash_prefix, sizeof(hash_prefix) - 1) != 1)
        goto out;
    rc = put_canonical(&s, dossier, p);
    if (rc)
        goto out;
    rc = SLUIS_EINTERNAL;
    if (EVP_DigestFinal_ex(s.ctx, md, &mdlen) != 1 || mdlen != 32)
        goto out;
    for (unsigned int i = 0; i < mdlen; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    rc = 0;
out:
    EVP_MD_CTX_free(own); /* NULL when the thread's context was used */
    return rc;
}
