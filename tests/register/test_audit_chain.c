/* test-mode: single */
/*
 * test_audit_chain.c - audit.h without a database: canonical form against vectors computed
 * independently (Python: json.dumps(sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False) and hashlib.sha256), detail canonicalisation, and the chain verifier.
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

static void entry1(struct audit_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->seq = 1;
    snprintf(e->ts, sizeof(e->ts), "2026-01-02T03:04:05.000006Z");
    snprintf(e->org_id, sizeof(e->org_id), "utrecht");
    snprintf(e->actor, sizeof(e->actor), "alice");
    snprintf(e->action, sizeof(e->action), "create");
    snprintf(e->kind, sizeof(e->kind), "application");
    snprintf(e->object_id, sizeof(e->object_id), "chatbot");
    snprintf(e->hash_after, sizeof(e->hash_after), "ab");
    e->detail = "{\"a\":\"x\",\"b\":1}";
}

static void test_canon_vector(void **state)
{
    struct audit_entry e;
    char *canon = NULL;
    char h[AUDIT_HASH_HEX];

    (void)state;
    entry1(&e);
    assert_int_equal(audit_entry_canon(&e, &canon, NULL), 0);
    assert_string_equal(canon, "{\"action\":\"create\",\"actor\":\"alice\",\"detail\":{\"a\":\"x\","
                               "\"b\":1},\"hash_after\":\"ab\",\"hash_before\":\"\",\"kind\":"
                               "\"application\",\"object_id\":\"chatbot\",\"org_id\":\"utrecht\","
                               "\"seq\":1,\"ts\":\"2026-01-02T03:04:05.000006Z\"}");
    free(canon);
    assert_int_equal(audit_entry_hash(&e, AUDIT_GENESIS, h, NULL), 0);
    assert_string_equal(h, "50433c9290193a7ad5499ef6f20ebddb84b73bff7b7da8258637c52b6f553ab8");
}

static void test_canon_escaping(void **state)
{
    struct audit_entry e;
    char *canon = NULL;
    char h[AUDIT_HASH_HEX];

    (void)state;
    memset(&e, 0, sizeof(e));
    e.seq = 2;
    snprintf(e.ts, sizeof(e.ts), "t");
    snprintf(e.actor, sizeof(e.actor), "b\"o\\b\n\001\xc3\xa9");
    snprintf(e.action, sizeof(e.action), "update");
    snprintf(e.kind, sizeof(e.kind), "k");
    snprintf(e.object_id, sizeof(e.object_id), "o");
    e.detail = NULL; /* "{}" */
    assert_int_equal(audit_entry_canon(&e, &canon, NULL), 0);
    assert_string_equal(canon, "{\"action\":\"update\",\"actor\":\"b\\\"o\\\\b\\n\\u0001\xc3\xa9\","
                               "\"detail\":{},\"hash_after\":\"\",\"hash_before\":\"\",\"kind\":"
                               "\"k\",\"object_id\":\"o\",\"org_id\":\"\",\"seq\":2,\"ts\":\"t\"}");
    free(canon);
    assert_int_equal(
        audit_entry_hash(&e, "50433c9290193a7ad5499ef6f20ebddb84b73bff7b7da8258637c52b6f553ab8", h,
                         NULL),
        0);
    assert_string_equal(h, "d327b966c6887c4b25a2f6dca360ff76bc39e35444b4f836845a7dede5f762a5");
}

static void test_detail_canon(void **state)
{
    struct sluis_err err = {0};
    char *out = NULL;
    char *big;

    (void)state;
    assert_int_equal(
        audit_detail_canon("{ \"b\" : [1, 2], \"a\" : {\"z\":null, \"y\":true} }", &out, &err), 0);
    assert_string_equal(out, "{\"a\":{\"y\":true,\"z\":null},\"b\":[1,2]}");
    free(out);
    assert_int_equal(audit_detail_canon(NULL, &out, &err), 0);
    assert_string_equal(out, "{}");
    free(out);
    assert_int_equal(audit_detail_canon("[1]", &out, &err), SLUIS_EINVAL);
    assert_null(out);
    assert_int_equal(audit_detail_canon("{\"a\":1,\"a\":2}", &out, &err), SLUIS_EINVAL);
    assert_int_equal(audit_detail_canon("{nope", &out, &err), SLUIS_EINVAL);
    big = malloc(AUDIT_MAX_DETAIL + 10);
    assert_non_null(big);
    memset(big, ' ', AUDIT_MAX_DETAIL + 9);
    big[0] = '{';
    big[AUDIT_MAX_DETAIL + 8] = '}';
    big[AUDIT_MAX_DETAIL + 9] = '\0';
    assert_int_equal(audit_detail_canon(big, &out, &err), SLUIS_ETOOBIG);
    free(big);
}

static void test_hash_hex(void **state)
{
    char h[AUDIT_HASH_HEX];

    (void)state;
    audit_hash_hex("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* Builds a chain of n entries in e[]; details point into static text. */
static void build(struct audit_entry *e, int n)
{
    char prev[AUDIT_HASH_HEX];

    memcpy(prev, AUDIT_GENESIS, sizeof(AUDIT_GENESIS));
    for (int i = 0; i < n; i++) {
        entry1(&e[i]);
        e[i].seq = i + 1;
        snprintf(e[i].object_id, sizeof(e[i].object_id), "obj-%d", i);
        memcpy(e[i].prev_hash, prev, AUDIT_HASH_HEX);
        assert_int_equal(audit_entry_hash(&e[i], prev, e[i].entry_hash, NULL), 0);
        memcpy(prev, e[i].entry_hash, AUDIT_HASH_HEX);
    }
}

static struct audit_chain run(struct audit_entry *e, int n)
{
    struct audit_chain c;

    audit_chain_init(&c);
    for (int i = 0; i < n; i++)
        assert_int_equal(audit_chain_feed(&c, &e[i]), 0);
    return c;
}

static void test_chain_verifier(void **state)
{
    struct audit_entry e[6];
    struct audit_chain c;

    (void)state;
    build(e, 6);
    c = run(e, 6);
    assert_true(c.ok);
    assert_int_equal(c.entries, 6);
    assert_string_equal(c.head, e[5].entry_hash);

    /* Altered field in entry 4. */
    snprintf(e[3].actor, sizeof(e[3].actor), "mallory");
    c = run(e, 6);
    assert_false(c.ok);
    assert_int_equal(c.first_bad_seq, 4);
    assert_non_null(strstr(c.reason, "altered"));
    assert_int_equal(c.entries, 6);

    /* Altered and re-hashed entry 4: entry 5's prev_hash no longer matches. */
    assert_int_equal(audit_entry_hash(&e[3], e[3].prev_hash, e[3].entry_hash, NULL), 0);
    c = run(e, 6);
    assert_false(c.ok);
    assert_int_equal(c.first_bad_seq, 5);
    assert_non_null(strstr(c.reason, "prev_hash"));

    /* Entry 3 missing. */
    build(e, 6);
    e[2] = e[3];
    e[3] = e[4];
    e[4] = e[5];
    c = run(e, 5);
    assert_false(c.ok);
    assert_int_equal(c.first_bad_seq, 3);
    assert_non_null(strstr(c.reason, "seq gap"));

    /* Detail changed. */
    build(e, 6);
    e[1].detail = "{\"a\":\"y\",\"b\":1}";
    c = run(e, 6);
    assert_false(c.ok);
    assert_int_equal(c.first_bad_seq, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canon_vector),   cmocka_unit_test(test_canon_escaping),
        cmocka_unit_test(test_detail_canon),   cmocka_unit_test(test_hash_hex),
        cmocka_unit_test(test_chain_verifier),
    };

    return cmocka_run_group_tests_name("audit_chain", tests, NULL, NULL);
}
