/* audit_chain.c - canonical serialisation of audit entries, SHA-256 chaining, verification. */
#include "audit/audit.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Upper bound of canon(): fixed fields are capped by their arrays, detail by its cap. */
#define CANON_CAP (AUDIT_MAX_DETAIL + 8192)

struct sbuf {
    char *p;
    size_t n;
    size_t cap;
    int bad; /* 1: over cap or out of memory (sticky) */
};

static void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
    if (b->bad)
        return;
    if (b->n + n + 1 > b->cap) {
        b->bad = 1;
        return;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sbuf_str(struct sbuf *b, const char *s)
{
    sbuf_add(b, s, strlen(s));
}

/* Appends s as a JSON string: '"' and '\\' escaped, control bytes as short or \u00XX. */
static void sbuf_json_string(struct sbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0;

    sbuf_add(b, "\"", 1);
    for (size_t i = 0;; i++) {
        unsigned char c = u[i];
        const char *esc = NULL;
        char ubuf[7];

        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        sbuf_add(b, (const char *)u + i - run, run);
        run = 0;
        if (!c)
            break;
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
            ubuf[0] = '\\';
            ubuf[1] = 'u';
            ubuf[2] = '0';
            ubuf[3] = '0';
            ubuf[4] = hex[c >> 4];
            ubuf[5] = hex[c & 15];
            ubuf[6] = '\0';
            esc = ubuf;
        }
        sbuf_str(b, esc);
    }
    sbuf_add(b, "\"", 1);
}

void audit_hash_hex(const void *data, size_t n, char out[AUDIT_HASH_HEX])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    if (!EVP_Digest(data, n, md, &len, EVP_sha256(), NULL) || len != 32) {
        /* Cannot happen with a working libcrypto; fail closed with a hash nothing matches. */
        memset(out, 'x', 64);
        out[64] = '\0';
        return;
    }
    for (unsigned int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

int audit_detail_canon_parse(const char *detail, char **out, struct sluis_err *err)
{
    json_error_t jerr;
    json_t *root;
    char *s;

    *out = NULL;
    if (!detail || !detail[0])
        detail = "{}";
    if (strlen(detail) > AUDIT_MAX_DETAIL)
        return sluis_err_set(err, SLUIS_ETOOBIG, "audit detail over %d bytes", AUDIT_MAX_DETAIL);
    root = json_loads(detail, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return sluis_err_set(err, SLUIS_EINVAL, "audit detail is not JSON: %s", jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return sluis_err_set(err, SLUIS_EINVAL, "audit detail must be a JSON object");
    }
    s = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    json_decref(root);
    if (!s)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory canonicalising audit detail");
    if (strlen(s) > AUDIT_MAX_DETAIL) {
        free(s);
        return sluis_err_set(err, SLUIS_ETOOBIG, "audit detail over %d bytes", AUDIT_MAX_DETAIL);
    }
    *out = s;
    return 0;
}

int audit_entry_canon(const struct audit_entry *e, char **out, struct sluis_err *err)
{
    struct sbuf b = {0};
    char num[32];
    const char *detail = e->detail && e->detail[0] ? e->detail : "{}";

    *out = NULL;
    if (strlen(detail) > AUDIT_MAX_DETAIL)
        return sluis_err_set(err, SLUIS_ETOOBIG, "audit detail over %d bytes", AUDIT_MAX_DETAIL);
    b.cap = CANON_CAP;
    b.p = malloc(b.cap);
    if (!b.p)
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    b.p[0] = '\0';
    sbuf_str(&b, "{\"action\":");
    sbuf_json_string(&b, e->action);
    sbuf_str(&b, ",\"actor\":");
    sbuf_json_string(&b, e->actor);
    sbuf_str(&b, ",\"detail\":");
    sbuf_str(&b, detail);
    sbuf_str(&b, ",\"hash_after\":");
    sbuf_json_string(&b, e->hash_after);
    sbuf_str(&b, ",\"hash_before\":");
    sbuf_json_string(&b, e->hash_before);
    sbuf_str(&b, ",\"kind\":");
    sbuf_json_string(&b, e->kind);
    sbuf_str(&b, ",\"object_id\":");
    sbuf_json_string(&b, e->object_id);
    sbuf_str(&b, ",\"org_id\":");
    sbuf_json_string(&b, e->org_id);
    snprintf(num, sizeof(num), ",\"seq\":%lld", e->seq);
    sbuf_str(&b, num);
    sbuf_str(&b, ",\"ts\":");
    sbuf_json_string(&b, e->ts);
    sbuf_str(&b, "}");
    if (b.bad) {
        free(b.p);
        return sluis_err_set(err, SLUIS_ETOOBIG, "audit entry over %d bytes", CANON_CAP);
    }
    *out = b.p;
    return 0;
}

int audit_entry_hash(const struct audit_entry *e, const char *prev_hash, char out[AUDIT_HASH_HEX],
                     struct sluis_err *err)
{
    char *canon = NULL;
    char *buf;
    size_t pl, cl;
    int rc;

    rc = audit_entry_canon(e, &canon, err);
    if (rc)
        return rc;
    pl = strlen(prev_hash);
    cl = strlen(canon);
    buf = malloc(pl + cl + 1);
    if (!buf) {
        free(canon);
        return sluis_err_set(err, SLUIS_ENOMEM, "out of memory");
    }
    memcpy(buf, prev_hash, pl);
    memcpy(buf + pl, canon, cl + 1);
    audit_hash_hex(buf, pl + cl, out);
    free(buf);
    free(canon);
    return 0;
}

void audit_chain_init(struct audit_chain *c)
{
    memset(c, 0, sizeof(*c));
    memcpy(c->head, AUDIT_GENESIS, sizeof(AUDIT_GENESIS));
    c->ok = 1;
}

static void chain_break(struct audit_chain *c, long long seq, const char *reason)
{
    if (!c->ok)
        return;
    c->ok = 0;
    c->first_bad_seq = seq;
    snprintf(c->reason, sizeof(c->reason), "%s", reason);
}

int audit_chain_feed(struct audit_chain *c, const struct audit_entry *e)
{
    char h[AUDIT_HASH_HEX];
    char why[256];
    int rc;

    c->entries++;
    if (c->ok && e->seq != c->last_seq + 1) {
        snprintf(why, sizeof(why),
                 "seq gap: expected entry %lld, found %lld (entries missing or reordered)",
                 c->last_seq + 1, e->seq);
        chain_break(c, c->last_seq + 1, why);
    }
    if (c->ok && strcmp(e->prev_hash, c->head) != 0) {
        snprintf(why, sizeof(why),
                 "prev_hash %.16s... does not match entry_hash %.16s... of the previous entry",
                 e->prev_hash, c->head);
        chain_break(c, e->seq, why);
    }
    if (c->ok) {
        rc = audit_entry_hash(e, e->prev_hash, h, NULL);
        if (rc == SLUIS_ENOMEM)
            return rc;
        if (rc || strcmp(h, e->entry_hash) != 0) {
            snprintf(why, sizeof(why),
                     "stored entry_hash %.16s... differs from the recomputed %.16s... "
                     "(entry altered)",
                     e->entry_hash, rc ? "(invalid)" : h);
            chain_break(c, e->seq, why);
        }
    }
    c->last_seq = e->seq;
    snprintf(c->head, sizeof(c->head), "%s", e->entry_hash);
    return 0;
}
