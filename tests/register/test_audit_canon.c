/* test-mode: single */
/*
 * test_audit_canon.c - the fast path of audit_detail_canon() (audit_detail_is_canon() + copy)
 * against its definition, audit_detail_canon_parse() (jansson parse + canonical dump): the same
 * result and the same bytes for fixed vectors and for many generated documents (nested objects
 * and arrays, unicode raw and escaped, every escape, integers, reals, unsorted and duplicate
 * keys, whitespace, malformed tails); and every canonical text takes the fast path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "audit/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when some object key of canonical text s has a backslash (a rough scan: a '\\' between a
 * '"' that follows '{' or ',' and the '":' closing it). */
static int key_escape(const char *s)
{
    int in_str = 0, is_key = 0, esc = 0, key_has = 0;
    char prev = 0;
    for (; *s; s++) {
        if (in_str) {
            if (esc) {
                esc = 0;
            } else if (*s == '\\') {
                esc = 1;
                key_has |= is_key;
            } else if (*s == '"') {
                in_str = 0;
                if (is_key && key_has && s[1] == ':')
                    return 1;
            }
            continue;
        }
        if (*s == '"') {
            in_str = 1;
            is_key = prev == '{' || prev == ',';
            key_has = 0;
        }
        prev = *s;
    }
    return 0;
}

static int depth_past_cap; /* 1: the text is deeper than the checker goes */

/* Asserts fast == slow for text; returns 1 when the slow path accepted it. */
static int same(const char *text)
{
    struct sluis_err e1 = {0}, e2 = {0};
    char *fast = NULL, *slow = NULL;
    int rf = audit_detail_canon(text, &fast, &e1);
    int rs = audit_detail_canon_parse(text, &slow, &e2);
    if (rf != rs || (rf == 0 && strcmp(fast, slow)))
        fail_msg("fast/slow differ for %s: %d '%s' vs %d '%s'", text, rf, fast ? fast : "", rs,
                 slow ? slow : "");
    if (rs == 0) {
        /* what the dump writes is canonical: the fast path takes it as it is (unless a key
         * has an escape: those go to the parse path; only non-key escapes are checked) */
        if (!depth_past_cap && !key_escape(slow) && !audit_detail_is_canon(slow, strlen(slow)))
            fail_msg("canonical text not recognised: %s", slow);
        char *again = NULL;
        assert_int_equal(audit_detail_canon(slow, &again, &e1), 0);
        assert_string_equal(again, slow);
        free(again);
    }
    free(fast);
    free(slow);
    return rs == 0;
}

static void test_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int canon; /* audit_detail_is_canon(in) */
    } v[] = {
        {"{}", 1},
        {"{\"a\":1}", 1},
        {"{\"a\":1,\"b\":[true,false,null,\"x\",{}],\"c\":{\"d\":-5}}", 1},
        {"{\"b\":1,\"a\":2}", 0},
        {"{\"a\":1,\"a\":2}", 0},
        {"{\"a\":1,\"ab\":2}", 1},
        {"{\"ab\":1,\"a\":2}", 0},
        {"{ \"a\":1}", 0},
        {"{\"a\": 1}", 0},
        {"{\"a\":1}\n", 0},
        {"{\"a\":\"\\u00e9\"}", 0},
        {"{\"a\":\"\xc3\xa9\"}", 1},
        {"{\"a\":\"\\/\"}", 0},
        {"{\"a\":\"\\\"\\\\\\b\\f\\n\\r\\t\"}", 1},
        {"{\"a\":\"\\u001F\"}", 1},
        {"{\"a\":\"\\u001f\"}", 0},
        {"{\"a\":\"\\u000A\"}", 0},
        {"{\"a\":\"\\u0000\"}", 0},
        {"{\"a\":\"\\ud83d\\ude00\"}", 0},
        {"{\"a\":\"\xf0\x9f\x98\x80\"}", 1},
        {"{\"a\":\"\xed\xa0\x80\"}", 0},
        {"{\"a\":\"\xc0\xaf\"}", 0},
        {"{\"a\":\"\xff\"}", 0},
        {"{\"a\":1.5}", 1},
        {"{\"a\":1.0}", 1},
        {"{\"a\":1}", 1},
        {"{\"a\":0.5}", 1},
        {"{\"a\":0.1}", 0}, /* %.17g: 0.10000000000000001 */
        {"{\"a\":0.10000000000000001}", 1},
        {"{\"a\":1e2}", 0},
        {"{\"a\":1E400}", 0},
        {"{\"a\":1.50}", 0},
        {"{\"a\":-0}", 0},
        {"{\"a\":0}", 1},
        {"{\"a\":01}", 0},
        {"{\"a\":123456789012345678}", 1},
        {"{\"a\":1234567890123456789}", 1},
        {"{\"a\":9223372036854775807}", 1},
        {"{\"a\":9223372036854775808}", 0},
        {"{\"a\":-9223372036854775808}", 1},
        {"{\"a\":99999999999999999999}", 0},
        {"{\"a\":tru}", 0},
        {"[1]", 0},
        {"", 0},
        {"{", 0},
        {"{\"a\"}", 0},
        {"{\"a\":[1,]}", 0},
        {"{\"a\\n\":1}", 0},
        {"{\"\xc3\xa9\":1,\"z\":2}", 0},
        {"{\"z\":1,\"\xc3\xa9\":2}", 1},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        if (audit_detail_is_canon(v[i].in, strlen(v[i].in)) != v[i].canon)
            fail_msg("audit_detail_is_canon(%s) != %d", v[i].in, v[i].canon);
        same(v[i].in);
    }
    char *out = NULL;
    struct sluis_err e = {0};
    assert_int_equal(audit_detail_canon(NULL, &out, &e), 0);
    assert_string_equal(out, "{}");
    free(out);
    /* 40 levels: past the checker's depth, still the same result */
    char deep[256] = "{\"a\":";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    for (int i = 0; i < 40; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    assert_int_equal(audit_detail_is_canon(deep, strlen(deep)), 0);
    depth_past_cap = 1;
    assert_int_equal(same(deep), 1);
    depth_past_cap = 0;
}

/* ---- generated documents ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

struct buf {
    char p[16384];
    size_t n;
    int noise; /* 1: sometimes whitespace, unsorted keys, odd escapes, odd numbers */
};

static void put(struct buf *b, const char *s)
{
    size_t l = strlen(s);
    if (b->n + l < sizeof(b->p)) {
        memcpy(b->p + b->n, s, l);
        b->n += l;
        b->p[b->n] = '\0';
    }
}

static void ws(struct buf *b)
{
    static const char *const w[] = {" ", "\n", "\t", "  ", "\r\n"};
    if (b->noise && !rnd(12))
        put(b, w[rnd(5)]);
}

static void gen_string(struct buf *b, int key)
{
    static const char *const parts[] = {"a",
                                        "b",
                                        "z",
                                        "id",
                                        "Zeta",
                                        "\xc3\xa9",
                                        "\xe2\x82\xac",
                                        "\xf0\x9f\x98\x80",
                                        "\\\"",
                                        "\\\\",
                                        "\\n",
                                        "\\t",
                                        "\\b",
                                        "\\f",
                                        "\\r",
                                        "\\u001F",
                                        "\\u0001",
                                        "0",
                                        "_",
                                        "~",
                                        "\\u00e9",
                                        "\\/",
                                        "\\u000a",
                                        "\\ud83d\\ude00",
                                        "\\u0000",
                                        "\xed\xa0\x80",
                                        "\x7f",
                                        " ",
                                        "\\u20AC",
                                        "\\u001f"};
    put(b, "\"");
    unsigned n = rnd(key ? 3 : 6);
    for (unsigned i = 0; i < n; i++) {
        unsigned k = b->noise ? rnd(30) : rnd(18); /* noise: escapes the dump would not write */
        if (key && !b->noise)
            k = rnd(8); /* plain keys (the checker sends keys with escapes to the parse path) */
        put(b, parts[k]);
    }
    put(b, "\"");
}

static void gen_number(struct buf *b)
{
    char t[64];
    switch (rnd(b->noise ? 9 : 6)) {
    case 0:
        snprintf(t, sizeof(t), "%u", rnd(1000));
        break;
    case 1:
        snprintf(t, sizeof(t), "-%u", 1 + rnd(100000));
        break;
    case 2:
        snprintf(t, sizeof(t), "%llu", (unsigned long long)rng % 1000000000000000000ull);
        break;
    case 3:
        snprintf(t, sizeof(t), "%.17g", (double)rnd(100000) / (1 + rnd(1000)));
        break;
    case 4:
        snprintf(t, sizeof(t), "%u.%u", rnd(100), rnd(100));
        break;
    case 5:
        snprintf(t, sizeof(t), "%ue%d", rnd(100), (int)rnd(40) - 20);
        break;
    case 6:
        snprintf(t, sizeof(t), "-0");
        break;
    case 7:
        snprintf(t, sizeof(t), "%llu%u", (unsigned long long)rng, rnd(10));
        break;
    default:
        snprintf(t, sizeof(t), "1.%u0E+0%u", rnd(10), rnd(3));
        break;
    }
    put(b, t);
}

static void gen_value(struct buf *b, int depth);

static void gen_object(struct buf *b, int depth)
{
    put(b, "{");
    ws(b);
    unsigned n = rnd(depth > 3 ? 2 : 6);
    for (unsigned i = 0; i < n; i++) {
        if (i) {
            put(b, ",");
            ws(b);
        }
        gen_string(b, 1);
        ws(b);
        put(b, ":");
        ws(b);
        gen_value(b, depth + 1);
        ws(b);
    }
    put(b, "}");
}

static void gen_value(struct buf *b, int depth)
{
    unsigned k = rnd(depth > 4 ? 5 : 8);
    if (k == 0) {
        gen_number(b);
    } else if (k == 1) {
        put(b, rnd(3) == 0 ? "true" : rnd(2) ? "false" : "null");
    } else if (k < 5) {
        gen_string(b, 0);
    } else if (k < 7) {
        gen_object(b, depth);
    } else {
        put(b, "[");
        unsigned n = rnd(4);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                put(b, ",");
            ws(b);
            gen_value(b, depth + 1);
        }
        put(b, "]");
    }
}

static void test_generated(void **state)
{
    (void)state;
    static struct buf b;
    int ok = 0, fast = 0, total = 20000;
    for (int i = 0; i < total; i++) {
        b.n = 0;
        b.p[0] = '\0';
        b.noise = i % 2;
        gen_object(&b, 0);
        if (b.noise && !rnd(20)) /* a malformed tail now and then */
            put(&b, rnd(2) ? "}" : " ");
        fast += audit_detail_is_canon(b.p, b.n);
        ok += same(b.p);
    }
    /* the generator is not vacuous: many parse, many are canonical as generated */
    assert_true(ok > total / 2);
    assert_true(fast > total / 20);
    print_message("generated %d: %d parse, %d canonical as written\n", total, ok, fast);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_generated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
