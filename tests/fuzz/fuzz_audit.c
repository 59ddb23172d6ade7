/* fuzz-libs: sluis_audit sluis_core */
/*
 * fuzz_audit.c - audit detail canonicalisation and entry canonical form. Input: detail
 * JSON, then '\n', then '|'-separated actor|kind|object_id|org_id|ts. Properties checked:
 * canonicalisation is idempotent; its fast path (audit_detail_is_canon + copy) gives exactly
 * what the parse + dump (audit_detail_canon_parse) gives, for the detail and for the whole
 * input as one text; canon(entry) of ASCII fields parses back as JSON with the
 * same field values; the chain verifier accepts what audit_entry_hash produced.
 */
#include "audit/audit.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void field(char *dst, size_t cap, const char **p, const char *end)
{
    size_t n = 0;

    while (*p < end && **p != '|') {
        if (n + 1 < cap && **p)
            dst[n++] = **p;
        (*p)++;
    }
    if (*p < end)
        (*p)++;
    dst[n] = '\0';
}

static int ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* audit_detail_canon() (fast path first) == audit_detail_canon_parse(), result and bytes. */
static void same(const char *text)
{
    char *fast = NULL, *slow = NULL;
    int rf = audit_detail_canon(text, &fast, NULL);
    int rs = audit_detail_canon_parse(text, &slow, NULL);
    if (rf != rs || (rf == 0 && strcmp(fast, slow) != 0))
        abort();
    free(fast);
    free(slow);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data, *end = s + size, *nl;
    char *detail_in, *canon = NULL, *again = NULL, *entry = NULL;
    struct audit_entry e;
    struct audit_chain c;
    size_t dl;

    if (size > 100000)
        return 0;
    nl = memchr(s, '\n', size);
    dl = nl ? (size_t)(nl - s) : size;
    detail_in = malloc(dl + 1);
    if (!detail_in)
        return 0;
    memcpy(detail_in, s, dl);
    detail_in[dl] = '\0';
    same(detail_in);
    {
        char *whole = malloc(size + 1);
        if (whole) {
            memcpy(whole, data, size);
            whole[size] = '\0';
            same(whole);
            /* raw bytes (NULs included): a text the checker accepts is its own canonical form */
            if (audit_detail_is_canon(whole, size)) {
                char *c2 = NULL;
                if (audit_detail_canon_parse(whole, &c2, NULL) != 0 || strlen(c2) != size ||
                    memcmp(c2, whole, size) != 0)
                    abort();
                free(c2);
            }
            free(whole);
        }
    }
    if (audit_detail_canon(detail_in, &canon, NULL) == 0) {
        if (audit_detail_canon(canon, &again, NULL) != 0 || strcmp(canon, again) != 0)
            abort(); /* canonical form must be a fixed point */
    }
    memset(&e, 0, sizeof(e));
    if (nl) {
        const char *p = nl + 1;
        field(e.actor, sizeof(e.actor), &p, end);
        field(e.kind, sizeof(e.kind), &p, end);
        field(e.object_id, sizeof(e.object_id), &p, end);
        field(e.org_id, sizeof(e.org_id), &p, end);
        field(e.ts, sizeof(e.ts), &p, end);
    }
    memcpy(e.action, "usage", 6);
    e.seq = 1;
    e.detail = canon;
    if (audit_entry_canon(&e, &entry, NULL) == 0) {
        if (ascii(e.actor) && ascii(e.kind) && ascii(e.object_id) && ascii(e.org_id) &&
            ascii(e.ts) && ascii(canon ? canon : "{}")) {
            json_t *j = json_loads(entry, 0, NULL);
            if (!j || strcmp(json_string_value(json_object_get(j, "actor")), e.actor) != 0 ||
                strcmp(json_string_value(json_object_get(j, "ts")), e.ts) != 0)
                abort();
            json_decref(j);
        }
        memcpy(e.prev_hash, AUDIT_GENESIS, sizeof(AUDIT_GENESIS));
        if (audit_entry_hash(&e, e.prev_hash, e.entry_hash, NULL) == 0) {
            audit_chain_init(&c);
            audit_chain_feed(&c, &e);
            if (!c.ok)
                abort();
        }
    }
    free(entry);
    free(again);
    free(canon);
    free(detail_in);
    return 0;
}
